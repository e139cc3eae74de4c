"""The documentation is tested: every YAML example in docs/ is extracted and validated,
complete subjects are scored, and every rule type has a tested example in the guide."""
import re
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from conftest import ROOT
from evallib.model.framework import load_framework
from evallib.model.lint import lint
from evallib.rules.formulas import MetricSet
from evallib.rules import REGISTRY
from evallib.engine.scoring import evaluate
from evallib.model.subject import load_subject
from evallib.model.catalogue import base_catalogue

DOCS = ROOT / "docs"
BLOCK = re.compile(r"^```yaml evalbook:(\w[\w-]*)([^\n]*)\n(.*?)^```", re.S | re.M)


def blocks():
    out = []
    for doc in sorted(DOCS.glob("*.md")):
        for match in BLOCK.finditer(doc.read_text(encoding="utf-8")):
            kind, extra, body = match.groups()
            line = doc.read_text(encoding="utf-8")[: match.start()].count("\n") + 1
            options = dict(re.findall(r"(\w+)=(\S+)", extra))
            out.append((doc.name, line, kind, options, body))
    return out


ALL = blocks()


def ids(items):
    return [f"{doc}:{line}:{kind}" for doc, line, kind, _, _ in items]


def test_docs_have_examples():
    kinds = {kind for _, _, kind, _, _ in ALL}
    assert {"indicator", "framework", "subject", "fragment"} <= kinds


@pytest.mark.parametrize("doc,line,kind,options,body", ALL, ids=ids(ALL))
def test_example_is_valid(tmp_path, doc, line, kind, options, body):
    data = yaml.safe_load(body)
    assert data is not None
    if kind == "indicator":
        weight = data.get("weight") if data.get("weight") is not None else 10
        framework = {"meta": {"id": "doc-example", "name": "示例", "kind": "部门整体", "total": weight},
                     "grades": [{"grade": "优", "min": 0}], "indicators": [data]}
        path = tmp_path / "fw.yaml"
        path.write_text(yaml.safe_dump(framework, allow_unicode=True), encoding="utf-8")
        fw = load_framework(path)
        errors = [m for m in lint(fw) if m.level == "错误" and "评分规则" in m.message and "超过" not in m.message]
        assert not errors, errors
    elif kind == "framework":
        path = tmp_path / f"{data['meta']['id']}.yaml"
        path.write_text(body, encoding="utf-8")
        fw = load_framework(path)
        assert not [m for m in lint(fw) if m.level == "错误"]


def _frameworks_in_docs(tmp_path: Path) -> Path:
    folder = tmp_path / "frameworks"
    folder.mkdir()
    for _, _, kind, _, body in ALL:
        if kind == "framework":
            data = yaml.safe_load(body)
            (folder / f"{data['meta']['id']}.yaml").write_text(body, encoding="utf-8")
    return folder


SUBJECTS = [b for b in ALL if b[2] == "subject"]


@pytest.mark.parametrize("doc,line,kind,options,body", SUBJECTS, ids=ids(SUBJECTS))
def test_subject_example_scores_as_documented(tmp_path, doc, line, kind, options, body):
    from evallib.engine.scoring import evaluate_file

    folder = _frameworks_in_docs(tmp_path)
    path = tmp_path / "subject.yaml"
    path.write_text(body, encoding="utf-8")
    ev = evaluate_file(path, [folder])
    assert "total" in options, "a subject example must state its hand-calculated total"
    assert ev.total == Decimal(options["total"]), f"{doc}:{line}: scored {ev.total}, the document says {options['total']}"
    if "grade" in options:
        assert ev.grade == options["grade"]


def _rule_types(rule: dict) -> set[str]:
    found = {rule.get("type")}
    for part in rule.get("parts", []) or []:
        found |= _rule_types(part["rule"])
    return found


def test_every_rule_type_has_a_tested_example_in_the_guide():
    covered: set[str] = set()
    for doc, _, kind, _, body in ALL:
        if doc != "指标体系编写指南.md" or kind not in ("indicator", "framework"):
            continue
        data = yaml.safe_load(body)
        nodes = [data] if kind == "indicator" else list(_walk(data["indicators"]))
        for node in nodes:
            if node.get("rule"):
                covered |= _rule_types(node["rule"])
            if node.get("slot"):
                covered |= _rule_types(node["slot"]["rule"])
    missing = set(REGISTRY) - covered
    assert not missing, f"rule types without an example in docs/指标体系编写指南.md: {sorted(missing)}"


def _walk(nodes):
    for node in nodes:
        yield node
        yield from _walk(node.get("children", []))


def test_every_formula_and_figure_is_documented():
    text = (DOCS / "评价对象数据.md").read_text(encoding="utf-8")
    for name in MetricSet.library().metrics:
        assert f"`{name}`" in text, f"formula {name} is not in docs/评价对象数据.md"
    for name in base_catalogue():
        group, field = name.split(".", 1)
        assert f"`{field}`" in text and f"`{group}`" in text, f"figure {name} is not in docs/评价对象数据.md"


def test_walkthrough_with_the_cli(tmp_path, capsys):
    """A new user's path through docs/示例.md: skeletons, lint, score, with the CLI only."""
    import json

    from conftest import run_cli

    framework_body = next(b for d, _, k, _, b in ALL if d == "示例.md" and k == "framework")
    subject_block = next((o, b) for d, _, k, o, b in ALL if d == "示例.md" and k == "subject")
    folder = tmp_path / "frameworks"
    folder.mkdir()
    code, out, _ = run_cli(capsys, "new-framework", "-o", folder / "skeleton.yaml", "--id", "skeleton-dept")
    assert code == 0
    code, out, _ = run_cli(capsys, "lint", folder / "skeleton.yaml")
    assert code == 0 and "错误 0 个" in out
    (folder / "jiangkou.yaml").write_text(framework_body, encoding="utf-8")
    code, out, _ = run_cli(capsys, "lint", folder / "jiangkou.yaml")
    assert code == 0 and "错误 0 个" in out, out
    code, _, _ = run_cli(capsys, "new-subject", folder / "jiangkou.yaml", "-o", tmp_path / "skeleton-subject.yaml")
    assert code == 0
    skeleton = yaml.safe_load((tmp_path / "skeleton-subject.yaml").read_text(encoding="utf-8"))
    filled = yaml.safe_load(subject_block[1])
    listed = {f"{g}.{n}" for g, fields in skeleton["figures"].items() for n in fields}
    used = {f"{g}.{n}" for g, fields in filled["figures"].items() for n in fields}
    assert used <= listed, f"the skeleton does not ask for {used - listed}"
    assert set(filled["inputs"]) <= set(skeleton["inputs"])
    (tmp_path / "subject.yaml").write_text(subject_block[1], encoding="utf-8")
    code, out, err = run_cli(capsys, "score", "--json", tmp_path / "subject.yaml", "--frameworks", folder)
    assert code == 0, err
    data = json.loads(out)
    assert data["total"] == 78.4 and data["grade"] == "中"
    assert Decimal(str(data["total"])) == Decimal(subject_block[0]["total"])


def _model_keys(model, prefix: str = "") -> set[str]:
    """Every key of a pydantic model, nested models as dotted keys, list items as key[].field."""
    import typing

    from pydantic import BaseModel

    keys = set()
    for name, info in model.model_fields.items():
        keys.add(prefix + name)
        annotation = info.annotation
        args = typing.get_args(annotation)
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            keys |= _model_keys(annotation, prefix + name + ".")
        elif args and isinstance(args[0], type) and issubclass(args[0], BaseModel):
            keys |= _model_keys(args[0], prefix + name + "[].")
    return keys


def test_delivery_page_lists_every_engagement_key(tmp_path):
    """docs/报告交付.md lists exactly the keys of engagement.yaml that the model accepts, and is linked."""
    from evallib.model.engagement import Engagement, load_engagement

    page = (DOCS / "报告交付.md").read_text(encoding="utf-8")
    section = page.split("## 二、评价业务设置文件", 1)[1].split("\n## ", 1)[0]
    listed = re.findall(r"^\| `([\w.\[\]]+)` \|", section, re.M)
    assert len(listed) == len(set(listed))
    assert set(listed) == _model_keys(Engagement)
    assert "team[].name" in listed and "dates.report" in listed
    # the example on the page is a valid engagement file
    example = re.search(r"```yaml\n(.*?)```", section, re.S).group(1)
    path = tmp_path / "engagement.yaml"
    path.write_text(example, encoding="utf-8")
    engagement = load_engagement(path)
    assert engagement.report_type == "自评复核" and engagement.dates.start == "2022-05-10"
    assert "(报告交付.md)" in (DOCS / "README.md").read_text(encoding="utf-8")
    for option in ("--reference-docx", "EVALBOOK_REFERENCE_DOCX"):
        assert option in page
