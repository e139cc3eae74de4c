"""The newcomer's walkthrough (docs/项目评价编码示例.md): the page shows the example files verbatim, and
scoring them reproduces the report's stated total, grade and every 一级 subtotal."""
import json
from decimal import Decimal

import yaml

from conftest import ROOT, run_cli

EXAMPLE = ROOT / "docs" / "examples" / "project-walkthrough"
PAGE = ROOT / "docs" / "项目评价编码示例.md"


def test_the_page_shows_the_files_exactly():
    page = PAGE.read_text(encoding="utf-8")
    for name in ("framework.yaml", "subject.yaml"):
        assert (EXAMPLE / name).read_text(encoding="utf-8") in page, f"{name} differs from the page"


def test_the_example_reproduces_the_stated_total_and_subtotals(capsys):
    code, out, _ = run_cli(capsys, "lint", EXAMPLE / "framework.yaml")
    assert code == 0 and "错误 0 个，警告 0 个" in out
    code, out, err = run_cli(capsys, "score", "--json", EXAMPLE / "subject.yaml", "--frameworks", EXAMPLE)
    assert code == 0, err
    data = json.loads(out)
    stated = yaml.safe_load((EXAMPLE / "subject.yaml").read_text(encoding="utf-8"))["stated"]
    assert Decimal(str(data["total"])) == Decimal(str(stated["total"])) and data["grade"] == stated["grade"]
    from evallib.engine.scoring import evaluate_file

    ev = evaluate_file(EXAMPLE / "subject.yaml", [EXAMPLE])
    assert {k: ev.subtotals[k] for k in stated["subtotals"]} == {k: Decimal(str(v)) for k, v in stated["subtotals"].items()}
    assert all(leaf.score == leaf.self_score for leaf in ev.leaf_list())  # every leaf as the report scored it
    code, out, _ = run_cli(capsys, "score", EXAMPLE / "subject.yaml", "--frameworks", EXAMPLE)
    assert "评价机构评分合计：85.17 分（良）" in out
    assert "评价机构评分合计：85.17 分（良）" in PAGE.read_text(encoding="utf-8")
