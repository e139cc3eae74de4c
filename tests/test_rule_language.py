"""Issue 14: inputs must match the rule's structure, fractions stay exact, units print, who scored,
framework search says where it looked, and editors get JSON Schemas. Each silent misreading of the
newcomer's report is a test here: it now exits 2 naming file, indicator, part and the valid names."""
import json
from decimal import Decimal

import pytest
import yaml

from conftest import ROOT, run_cli

FRAMEWORK = {
    "meta": {"id": "lang-test", "name": "规则语言测试", "kind": "项目支出", "total": 10},
    "grades": [{"grade": "优", "min": 90}, {"grade": "差", "max": 90}],
    "indicators": [{"id": "1", "name": "管理", "weight": 10, "children": [
        {"id": "1.1", "name": "资金使用合规性", "weight": 5, "criteria": "两部分。",
         "rule": {"type": "composite", "parts": [
             {"name": "支出合规", "points": 3, "rule": {"type": "checklist", "mode": "deduct", "per_item": 1}},
             {"name": "核算规范", "points": 2, "rule": {"type": "checklist", "mode": "deduct", "per_item": 1}}]}},
        {"id": "1.2", "name": "制度健全性", "weight": 5, "criteria": "三项各1/3。",
         "rule": {"type": "checklist", "mode": "earn", "items": [
             {"id": "1", "text": "有制度", "points": "5/3"}, {"id": "2", "text": "执行", "points": "5/3"},
             {"id": "3", "text": "归档", "points": "5/3"}]}},
    ]}],
}


def subject(inputs, **meta):
    return {"meta": {"id": "lang-1", "unit": "某局", "name": "某项目", "kind": "项目支出", "framework": "lang-test", **meta},
            "inputs": inputs, "self_scores": {"1.1": 4, "1.2": 5}}


@pytest.fixture
def files(tmp_path):
    folder = tmp_path / "frameworks"
    folder.mkdir()
    (folder / "lang.yaml").write_text(yaml.safe_dump(FRAMEWORK, allow_unicode=True), encoding="utf-8")

    def write(data, name="s.yaml"):
        path = tmp_path / name
        path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        return path

    return folder, write


GOOD = {"1.1": {"支出合规": {"violations": 1}, "核算规范": {"violations": 0}, "evidence": "抽查凭证"},
        "1.2": {"met": ["1", "2"]}}


def test_nested_composite_inputs_score_each_part(files, capsys):
    folder, write = files
    code, out, err = run_cli(capsys, "score", "--json", write(subject(GOOD)), "--frameworks", folder)
    assert code == 0, err
    data = json.loads(out)
    assert Decimal(str(data["total"])) == Decimal("7.33")  # 2 + 2 + 10/3 rounded once


def test_flat_inputs_for_a_composite_rule_are_an_error_naming_the_parts(files, capsys):
    """The newcomer's `violations: 4` written flat reached every part and scored 0, exit 0."""
    folder, write = files
    path = write(subject({"1.1": {"violations": 4}, "1.2": {"met": ["1"]}}))
    code, out, err = run_cli(capsys, "score", path, "--frameworks", folder)
    assert code == 2 and "Traceback" not in err
    for expected in (str(path), "inputs.1.1.violations", "资金使用合规性", "支出合规", "核算规范", "不能平铺"):
        assert expected in err, expected


def test_a_misspelt_part_name_is_an_error_listing_the_valid_ones(files, capsys):
    folder, write = files
    code, _, err = run_cli(capsys, "score", write(subject({"1.1": {"支出合规性": {"violations": 1}}})), "--frameworks", folder)
    assert code == 2
    assert "inputs.1.1.支出合规性" in err and "不是此复合规则的部分名称" in err and "“支出合规”、“核算规范”" in err


def test_an_unknown_checklist_item_is_an_error_not_a_fallback_to_the_filed_score(files, capsys):
    folder, write = files
    code, _, err = run_cli(capsys, "score", write(subject({"1.2": {"met": ["1", "4"]}})), "--frameworks", folder)
    assert code == 2 and "“4”不存在" in err and "可用编号：1、2、3" in err and "制度健全性" in err


@pytest.mark.parametrize("inputs, words", [
    ({"1.2": {"violations": 1}}, ["不读取“violations”", "met、missed"]),  # earn mode has no violations
    ({"1": {"met": ["1"]}}, ["不是末级指标"]),
    ({"1.1": {"支出合规": {"met": "x", "score": 3}}}, ["inputs.1.1.支出合规.score"]),
])
def test_inputs_a_rule_does_not_read_are_errors(files, capsys, inputs, words):
    folder, write = files
    code, _, err = run_cli(capsys, "score", write(subject(inputs)), "--frameworks", folder)
    assert code == 2
    for word in words:
        assert word in err


def test_new_subject_writes_the_nested_structure_and_it_scores(files, capsys, tmp_path):
    folder, write = files
    out = tmp_path / "skeleton.yaml"
    code, _, err = run_cli(capsys, "new-subject", folder / "lang.yaml", "-o", out)
    assert code == 0, err
    data = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert set(data["inputs"]["1.1"]) == {"支出合规", "核算规范"}
    assert "violations" in data["inputs"]["1.1"]["支出合规"]
    assert data["meta"]["name"] != "2023年度部门整体支出" and data["meta"]["scorer"] == "单位自评"
    assert "subtotals" in data["stated"] and "tables" in data
    data["inputs"] = GOOD
    code, _, err = run_cli(capsys, "score", write(data, "filled.yaml"), "--frameworks", folder)
    assert code == 0, err


def test_thirds_lint_clean_and_per_item_of_a_third_has_one_error_only(files, capsys, tmp_path):
    folder, _ = files
    code, out, _ = run_cli(capsys, "lint", folder / "lang.yaml")
    assert code == 0 and "错误 0 个" in out and "满分不可达" not in out, out
    bad = json.loads(json.dumps(FRAMEWORK))
    bad["indicators"][0]["children"][0]["rule"]["parts"][0]["rule"]["per_item"] = "1/x"
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(bad, allow_unicode=True), encoding="utf-8")
    code, _, err = run_cli(capsys, "lint", path)
    assert code == 2 and "1/x" in err and "末级指标缺少评分规则" not in err


def test_who_scored_names_the_filed_scores(files, capsys):
    folder, write = files
    path = write(subject({"1.1": {"支出合规": {"violations": 1}}}, scorer="第三方评价"))
    code, out, _ = run_cli(capsys, "score", path, "--frameworks", folder)
    assert code == 0
    assert "评价机构评分合计" in out and "自评分合计" not in out
    assert "采用评价机构评分" in json.dumps(json.loads(run_cli(capsys, "score", "--json", path, "--frameworks", folder)[1]),
                                         ensure_ascii=False)
    code, _, err = run_cli(capsys, "score", write(subject({}, scorer="外包"), "x.yaml"), "--frameworks", folder)
    assert code == 2 and "scorer" in err


def test_framework_not_found_names_the_folders_and_the_option(files, capsys, tmp_path):
    _, write = files
    empty = tmp_path / "empty"
    empty.mkdir()
    code, _, err = run_cli(capsys, "score", write(subject({})), "--frameworks", empty)
    assert code == 2 and str(empty.resolve()) in err and "--frameworks" in err


def test_schema_accepts_every_bundled_file_and_flags_typos(tmp_path, capsys):
    jsonschema = pytest.importorskip("jsonschema")  # pinned in requirements.lock (via nbformat)
    code, out, _ = run_cli(capsys, "schema", "-o", tmp_path)
    assert code == 0
    schemas = {kind: json.loads((tmp_path / f"evalbook-{kind}.schema.json").read_text(encoding="utf-8"))
               for kind in ("framework", "subject")}
    for kind, folder in (("framework", "frameworks"), ("subject", "subjects")):
        validator = jsonschema.Draft202012Validator(schemas[kind])
        for path in sorted((ROOT / "parameters" / folder).glob("*.yaml")):
            assert not list(validator.iter_errors(yaml.safe_load(path.read_text(encoding="utf-8")))), path
    validator = jsonschema.Draft202012Validator(schemas["framework"])
    typo = json.loads(json.dumps(FRAMEWORK))
    typo["indicators"][0]["children"][1]["rule"]["mdoe"] = "earn"
    assert list(validator.iter_errors(typo))
    typo["indicators"][0]["children"][1]["rule"] = {"type": "checklst", "mode": "earn"}
    assert list(validator.iter_errors(typo))
    subject_validator = jsonschema.Draft202012Validator(schemas["subject"])
    assert list(subject_validator.iter_errors(subject({}, scorer="外包")))
    again = tmp_path / "again"
    run_cli(capsys, "schema", "-o", again)
    assert (again / "evalbook-framework.schema.json").read_bytes() == (tmp_path / "evalbook-framework.schema.json").read_bytes()
