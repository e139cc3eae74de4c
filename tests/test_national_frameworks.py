"""The two national project self-evaluation templates (财预〔2020〕10号, 财预〔2021〕101号) and their examples.

The example subjects carry hand-checked scores (see the comments at the top of each file);
these tests recompute them through the real files, the library and the CLI.
"""
from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path

import pytest
import yaml

from evallib.model.framework import load_framework
from evallib.model.lint import lint
from evallib.rules.formulas import Calculator
from evallib.assess.assessment import assess
from evallib.rules import RuleContext

from conftest import ROOT, run_cli

FRAMEWORKS = ROOT / "parameters" / "frameworks"
SUBJECTS = ROOT / "parameters" / "subjects"
F2020 = FRAMEWORKS / "national-2020-10.yaml"
F2021 = FRAMEWORKS / "national-2021-101.yaml"
S2020 = SUBJECTS / "national-2020-10-example.yaml"
S2021 = SUBJECTS / "national-2021-101-example.yaml"


@pytest.mark.parametrize("path, framework_id", [(F2020, "national-2020-10"), (F2021, "national-2021-101")])
def test_frameworks_lint_clean(path, framework_id):
    framework = load_framework(path)
    assert framework.id == framework_id
    assert lint(framework) == []
    assert framework.meta.source and framework.meta.note
    assert [r.weight for r in framework.roots] == [D(10), D(50), D(30), D(10)]
    assert [n.id for n in framework.nodes() if n.slot is not None] == (["2", "3", "4"] if path == F2020 else ["2", "3"])


@pytest.mark.parametrize("path", [F2020, F2021])
@pytest.mark.parametrize("total, grade", [("100", "优"), ("90", "优"), ("89.99", "良"), ("80", "良"), ("79.99", "中"),
                                          ("60", "中"), ("59.99", "差"), ("0", "差")])
def test_grade_bands(path, total, grade):
    assert load_framework(path).grade(D(total)) == grade


def rule_score(path: Path, node_id: str, figures: dict[str, str]) -> D:
    framework = load_framework(path)
    node = framework.node(node_id)
    calc = Calculator({k: D(v) for k, v in figures.items()}, framework.metric_set)
    return node.rule.run(RuleContext(calc, {}, node.weight)).score


@pytest.mark.parametrize("executed, expected", [("100", "10"), ("95", "9.5"), ("110", "10"), ("0", "0")])
def test_2020_budget_execution_is_proportional(executed, expected):
    figures = {"项目资金.全年预算数": "100", "项目资金.全年执行数": executed}
    assert rule_score(F2020, "1", figures) == D(expected)


@pytest.mark.parametrize("executed, expected", [("100", "10"), ("99.99", "7"), ("80", "7"), ("79.99", "5"),
                                                ("60", "5"), ("59.99", "0")])
def test_2021_budget_execution_bands(executed, expected):
    figures = {"项目资金.全年预算数": "100", "项目资金.全年执行数": executed}
    assert rule_score(F2021, "1", figures) == D(expected)


@pytest.mark.parametrize("rate, expected", [("1", "10"), ("0.9", "10"), ("0.8999", "8"), ("0.8", "8"), ("0.7999", "5"),
                                            ("0.6", "5"), ("0.5999", "0")])
def test_2021_satisfaction_bands(rate, expected):
    assert rule_score(F2021, "4", {"调查.满意度": rate}) == D(expected)


EXPECTED_2020 = {"1": "9.5", "2.1": "15", "2.2": "13.5", "2.3": "7.5", "2.4": "10", "3.1": None, "3.2": "10",
                 "3.3": "7", "3.4": "10", "4.1": "10"}
EXPECTED_2021 = {"1": "7", "2.1": "15", "2.2": "10", "2.3": "10", "2.4": "5", "3.1": "0", "3.2": "10", "3.3": "10",
                 "4": "8"}


@pytest.mark.parametrize("path, expected, total, grade, subtotals", [
    (S2020, EXPECTED_2020, "92.5", "优", {"2": "46", "3": "27", "4": "10"}),
    (S2021, EXPECTED_2021, "75", "中", {"2": "40", "3": "20"}),
])
def test_examples_score_as_hand_checked(path, expected, total, grade, subtotals):
    ev = assess(path)
    scores = {leaf.node.id: leaf.score for leaf in ev.leaf_list()}
    assert scores == {k: (None if v is None else D(v)) for k, v in expected.items()}
    assert ev.total == D(total) and ev.grade == grade
    assert ev.total == ev.subject.spec.stated.total
    for node_id, value in subtotals.items():
        assert ev.evaluation.subtotals[node_id] == D(value)
    assert ev.review.findings == []
    # Qualitative targets whose actual wording matches the target are judgement items: the filed
    # self-score stands and they are listed as not recomputable, with the reason; nothing else is.
    qualitative = {leaf.node.id for leaf in ev.leaf_list() if leaf.trace.reason.startswith("定性指标")}
    assert {name for name, _ in ev.review.not_recomputable} == {
        " / ".join(ev.leaves[i].node.path) for i in qualitative}
    assert all(ev.leaves[i].source == "采用自评分" for i in qualitative)


def test_example_2020_sources():
    ev = assess(S2020)
    sources = {leaf.node.id: leaf.source for leaf in ev.leaf_list()}
    assert sources["3.1"] == "不适用" and sources["3.3"] == "评价人员判断"
    assert sources["3.2"] == "采用自评分"  # 提升 / 提升: qualitative, the filed 10 stands
    assert all(s == "复算" for k, s in sources.items() if k not in ("3.1", "3.2", "3.3"))


@pytest.mark.parametrize("path, total, grade", [(S2020, "92.5", "优"), (S2021, "75", "中")])
def test_cli_prints_example_totals(capsys, path, total, grade):
    code, out, err = run_cli(capsys, "score", path)
    assert code == 0, err
    assert f"合计：{total} 分，等级：{grade}" in out
    code, out, err = run_cli(capsys, "review", path)
    assert code == 0 and "发现 0 项" in out


def _edited(tmp_path: Path, source: Path, edit) -> Path:
    data = yaml.safe_load(source.read_text("utf-8"))
    edit(data)
    data["meta"]["id"] = data["meta"]["id"] + "-edited"
    out = tmp_path / source.name
    out.write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    return out


def test_2020_partial_completion_is_caught(tmp_path):
    def edit(data):
        data["targets"]["2"][1]["actual"] = "70%"  # 质量指标: 70% of 100% → 10.5 of 15, self-score still 13.5

    ev = assess(_edited(tmp_path, S2020, edit))
    assert ev.total == D("89.5") and ev.grade == "良"
    [finding] = ev.review.findings
    assert finding.category == "得分与规则不符" and finding.delta == D("-3")


def test_2021_threshold_below_sixty_is_caught(tmp_path):
    def edit(data):
        data["targets"]["2"][0]["actual"] = "590份"  # 59% of 1000: under 60% scores 0, self-score still 15

    ev = assess(_edited(tmp_path, S2021, edit))
    assert ev.leaves["2.1"].score == D(0)
    assert ev.total == D("60") and ev.grade == "中"
    assert [f.category for f in ev.review.findings] == ["得分与规则不符"]
