"""Seed 004: 高邑县人民政府办公室 2021 年度部门整体支出绩效自评 (framework gaoyi-2021-dept).

Every expected number below was checked by hand against the seed text:
self-scores add up to the printed 96.5 (优秀 under 高邑's own bands ≥85 / 75–85 / 60–75 / <60);
结转结余 = 98.12 + 1308.05 − 906.09 = 500.08 over 1308.05 + 98.12 = 1406.17 → 35.56% (printed 35%),
six whole 5-point steps above 5% at 0.2 each → 0.8 of 2, yet self-scored 1.5;
年末支出进度 = 906.09 / 1308.05 = 69.27% < 100% (printed 预算执行率 69%);
调整后预算 1308.05 vs 年初 977.56 → +33.81%;
the 22 listed projects add up to 580.01 = 决算项目支出, not the 年初 项目支出预算 622.86.
"""
import copy
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from conftest import ROOT, run_cli
from evallib.model.framework import load_framework
from evallib.model.lint import lint
from evallib.rules.formulas import Calculator
from evallib.assess.assessment import assess, assess_loaded
from evallib.review.run import run_review
from evallib.rules import RuleContext
from evallib.engine.scoring import evaluate, evaluate_file
from evallib.model.subject import load_subject

FRAMEWORK = ROOT / "parameters" / "frameworks" / "gaoyi-2021-dept.yaml"
SUBJECT = ROOT / "parameters" / "subjects" / "004-gaoyi-2021-dept.yaml"
D = Decimal


@pytest.fixture(scope="module")
def framework():
    return load_framework(FRAMEWORK)


@pytest.fixture(scope="module")
def reviewed():
    return assess(SUBJECT)


def subject_data() -> dict:
    return yaml.safe_load(SUBJECT.read_text(encoding="utf-8"))


def review_variant(tmp_path: Path, data: dict):
    path = tmp_path / "variant.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return assess(path)


def rule_score(framework, node_id: str, figures: dict, reading: str | None = None, given=None):
    """Apply one indicator's rule (or its alternative under `reading`) to the given figures."""
    node = framework.node(node_id)
    rule = node.alternatives[reading] if reading else node.rule
    calc = Calculator({k: D(str(v)) for k, v in figures.items()}, framework.metric_set)
    return rule.run(RuleContext(calc, given or {}, node.weight)).score


def findings(ev, category=None, indicator_part=None):
    return [f for f in ev.findings
            if (category is None or f.category == category) and (indicator_part is None or indicator_part in f.indicator)]


# -- the framework --------------------------------------------------------------------------

def test_framework_lints_clean_and_weights_as_printed(framework):
    assert [str(m) for m in lint(framework)] == []
    weights = {n.name: n.weight for n in framework.nodes() if n.children}
    assert weights == {"投入": 20, "绩效目标管理": 10, "预算编制": 10, "过程（执行）": 40, "预算执行": 25,
                       "预算管理": 7, "绩效评价": 8, "产出": 25, "数量指标": 10, "质量指标": 10, "时效指标": 5,
                       "效果": 15, "履职效益": 15}
    assert len(framework.leaves()) == 33


@pytest.mark.parametrize("total, grade", [
    ("100", "优秀"), ("96.5", "优秀"), ("85", "优秀"), ("84.99", "良好"), ("75", "良好"),
    ("74.99", "一般"), ("60", "一般"), ("59.99", "较差"), ("0", "较差"),
])
def test_gaoyi_grade_bands(framework, total, grade):
    assert framework.grade(D(total)) == grade


def test_verbatim_criteria_kept(framework):
    assert framework.node("2.1.4").criteria.endswith("每五个百分点为档，每档扣分值的十分之一。")
    assert framework.node("2.1.3").criteria.startswith("对当年的一般公共财政预算资金支出进度按季进行考核，第2、3、4季度末")
    assert framework.node("4.1.2").criteria == "满意度在90%以上,得满分,以80%为标准,每下降10%,扣1.5分,低于60%,不得分。"


# -- self-scores, total, grade ----------------------------------------------------------------

def test_self_total_and_grade_as_printed(reviewed):
    ev = reviewed
    assert ev.self_total == D("96.5") and ev.stated_total == D("96.5")
    assert ev.self_grade == "优秀" and ev.subject.spec.stated.grade == "优秀"
    assert not findings(ev, "合计不符") and not findings(ev, "等级不符")
    assert [ev.evaluation.self_subtotals[i] for i in ("1", "2", "3", "4")] == [D("19"), D("38.5"), D("25"), D("14")]


def test_cli_review_prints_totals(capsys):
    code, out, err = run_cli(capsys, "review", SUBJECT)
    assert code == 0, err
    assert "自评合计 96.5 分（优秀）；复核后合计 95.8 分（优秀）；等级不变" in out
    assert "资金结余结转率" in out and "分差 -0.7" in out


# -- 资金结余结转率: 35% gives 0.8 of 2, self-scored 1.5 ------------------------------------

def test_carryover_rate_finding(reviewed):
    leaf = reviewed.leaves["2.1.4"]
    assert leaf.self_score == D("1.5") and leaf.score == D("0.8") and leaf.source == "复算"
    assert leaf.trace.inputs["结转结余率（年末结转结余/含上年结转的支出预算数）"] == "35.56%"
    [f] = findings(reviewed, "得分与规则不符", "资金结余结转率")
    assert f.severity == "错误" and f.delta == D("-0.7")
    assert reviewed.evaluation.calc.value("年末结转结余") == D("500.08")
    # the printed 35% is the computed 35.56% cut off, not rounded: a rounding-level note only
    [note] = findings(reviewed, "所述数值舍入差异")
    assert note.severity == "提示" and note.indicator.startswith("结转结余率")
    assert (note.claimed, note.recomputed) == ("35%", "36%")


def test_carryover_rule_at_the_printed_35_percent(framework):
    # 支出 such that (98.12 + 1308.05 − 支出) / 1406.17 = 35% exactly: 支出 = 914.0105
    figures = {"决算.上年结转结余": "98.12", "决算.收入合计": "1308.05", "决算.支出合计": "914.0105",
               "预算.调整预算数": "1308.05"}
    for reading in (None, "结转结余档次起算"):
        assert rule_score(framework, "2.1.4", figures, reading) == D("0.8")  # 6 steps × 0.2
    assert rule_score(framework, "2.1.4", figures, "结转结余线性") < D("1.5")


@pytest.mark.parametrize("spent, expected", [
    ("1335.8615", D("2")),    # carryover 70.3085 / 1406.17 = 5%: full marks
    ("703.085", D("0")),      # 50%: zero
    ("1406.17", D("2")),      # nothing carried over
])
def test_carryover_rule_bounds(framework, spent, expected):
    figures = {"决算.上年结转结余": "98.12", "决算.收入合计": "1308.05", "决算.支出合计": spent,
               "预算.调整预算数": "1308.05"}
    assert rule_score(framework, "2.1.4", figures) == expected


def test_carryover_readings(reviewed):
    totals = {rid: total for rid, _, total, _ in reviewed.review.readings}
    assert totals["结转结余档次起算"] == D("95.6")   # 35.56%: 7 started steps → 0.6
    assert totals["结转结余线性"] == D("95.64")     # 2 × (1 − 30.5632/45) = 0.64


def test_no_finding_when_self_score_follows_rule(tmp_path):
    data = subject_data()
    data["self_scores"]["2.1.4"] = 0.8
    data["stated"]["total"] = 95.8
    ev = review_variant(tmp_path, data)
    assert not findings(ev, "得分与规则不符")
    assert ev.self_total == ev.total == D("95.8")


# -- 支出进度: Q1 is not assessed, but the year-end progress 69.27% misses Q4 --------------------

def test_spending_progress(reviewed):
    leaf = reviewed.leaves["2.1.3"]
    assert leaf.score == D("3") == leaf.self_score and leaf.source == "复算"
    assert "第4季度0分" in leaf.trace.result and "69.27%" in leaf.trace.result
    assert "第1季度1分（1项要点不符合，扣0分" in leaf.trace.result  # Q1 missed, but not assessed
    assert reviewed.evaluation.calc.value("预算执行率").quantize(D("0.0001")) == D("0.6927")
    totals = {rid: total for rid, _, total, _ in reviewed.review.readings}
    assert totals["四季度均考核"] == D("94.8")  # Q1 and Q4 missed: 2 of 4


def test_spending_progress_full_when_year_end_on_schedule(tmp_path):
    data = subject_data()
    data["figures"]["决算"]["支出合计"] = 1308.05
    ev = review_variant(tmp_path, data)
    assert ev.leaves["2.1.3"].score == D("4")


# -- 预算调整率: +33.81% against the 年初 budget, exemptions not evidenced --------------------

def test_budget_adjustment(reviewed, framework):
    leaf = reviewed.leaves["2.1.2"]
    assert leaf.source == "采用自评分" and leaf.score == D("2")  # net-of-exemptions 调整数 not printed
    assert reviewed.evaluation.calc.value("预算总调整率").quantize(D("0.0001")) == D("0.3381")
    totals = {rid: total for rid, _, total, _ in reviewed.review.readings}
    assert totals["调整按总额计"] == D("93.8")  # ≥10% → 0 of 2
    base = {"预算.年初预算数": "977.56"}
    assert rule_score(framework, "2.1.2", {**base, "预算.调整预算数": "977.56"}, "调整按总额计") == D("2")
    assert rule_score(framework, "2.1.2", {**base, "预算.调整预算数": "1026.438"}, "调整按总额计") == D("1")  # 5%


# -- 收入预算完成率 ----------------------------------------------------------------------------

@pytest.mark.parametrize("income, expected", [("977.56", D("2")), ("928.682", D("2")), ("879.804", D("1")),
                                              ("830.926", D("0")), ("1308.05", D("2"))])
def test_income_completion_rule(framework, income, expected):
    # 977.56 budget: 100%, 95%, 90% (−5 points × 0.2), 85%, 133.81%
    assert rule_score(framework, "2.1.1", {"预算.收入预算数": "977.56", "决算.收入合计": income}) == expected


def test_stated_rates(reviewed):
    # 100% is 1308.05 / 1308.05 on the adjusted budget: a difference of basis (警告), not a wrong figure
    assert not findings(reviewed, "所述数值与数据不符")
    basis = findings(reviewed, "口径差异")
    assert [(f.indicator, f.claimed, f.recomputed, f.severity, f.action) for f in basis] == [
        ("收入预算完成率", "100%", "134%", "警告", "说明口径")]
    assert not findings(reviewed, indicator_part="预算执行率")  # 69% = 906.09 / 1308.05 = 69.27%


# -- the 22 projects ----------------------------------------------------------------------------

def test_project_list_against_final_accounts(reviewed):
    spec = reviewed.subject.spec
    assert len(spec.projects) == 22
    budget = sum(p.budget for p in spec.projects)
    executed = sum(p.executed for p in spec.projects)
    figures = reviewed.evaluation.calc.figures
    assert budget == executed == figures["决算.项目支出"] == D("580.01")
    assert figures["年初预算.项目支出"] - budget == D("42.85")
    # every project fully executed and nothing returned, while 500.08 was carried over department-wide
    assert all(p.executed == p.budget and p.returned == 0 for p in spec.projects)
    assert not findings(reviewed, "项目清单与项目支出不符")
    assert [p.name for p in spec.projects if not p.goal] == ["工作经费"]


def test_project_list_mismatch_is_found(tmp_path):
    data = subject_data()
    data["projects"][9]["executed"] = 300  # 电子政务外网改造升级项目 307.991 → 300
    ev = review_variant(tmp_path, data)
    [f] = findings(ev, "项目清单与项目支出不符")
    assert f.recomputed == "572.019" and f.claimed == "580.01"


# -- tables ------------------------------------------------------------------------------------

def test_tables_add_up(reviewed):
    assert not findings(reviewed, "分项与合计不符") and not findings(reviewed, "同一数据两处不一致")


def test_table_mismatch_is_found(tmp_path):
    data = subject_data()
    assets = next(t for t in data["tables"] if t["id"] == "资产")
    assets["rows"][0]["parts"][0]["values"] = [515.39]
    ev = review_variant(tmp_path, data)
    [f] = findings(ev, "分项与合计不符")
    assert f.severity == "错误" and "资产总计" in f.indicator


# -- negative cases on the stated total and grade -------------------------------------------------

def test_wrong_stated_total_and_grade_are_found(tmp_path):
    data = subject_data()
    data["stated"]["total"] = 97
    data["stated"]["grade"] = "良好"
    ev = review_variant(tmp_path, data)
    [total] = findings(ev, "合计不符")
    assert total.claimed == "97" and total.recomputed == "96.5"
    [grade] = findings(ev, "等级不符")
    assert grade.claimed == "良好" and grade.recomputed == "优秀"


def test_readings_keep_the_grade(reviewed):
    assert reviewed.total == D("95.8") and reviewed.grade == "优秀"
    assert {g for *_, g in reviewed.review.readings} == {"优秀"}
    assert len(reviewed.review.readings) == 5
