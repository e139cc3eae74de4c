"""Seed 003: 深圳市福田区政务服务中心 2021 年度部门整体绩效自评报告.

Every expected number below is printed in the seed (or follows from printed numbers by the
framework's own rule); the subject and framework files are the real ones under parameters/.
"""
import copy
import json
from decimal import Decimal

import pytest
import yaml

from conftest import ROOT, require_seed, run_cli
from evallib.model.framework import load_framework
from evallib.assess.assessment import assess_loaded
from evallib.review.run import run_review
from evallib.engine.scoring import evaluate
from evallib.model.subject import Subject, SubjectSpec, load_subject

SUBJECT = ROOT / "parameters" / "subjects" / "003-futian-2021-dept.yaml"
FRAMEWORK = ROOT / "parameters" / "frameworks" / "futian-2021-dept.yaml"
D = Decimal


@pytest.fixture(scope="module")
def framework():
    return load_framework(FRAMEWORK)


@pytest.fixture(scope="module")
def subject():
    return load_subject(SUBJECT)


@pytest.fixture(scope="module")
def reviewed(framework, subject):
    return assess_loaded(framework, subject)


def findings(ev, category=None, indicator=None):
    return [f for f in ev.findings
            if (category is None or f.category == category) and (indicator is None or indicator in f.indicator)]


def variant(subject, change) -> Subject:
    """The same subject with one field changed in memory (to show a check reacts to the data)."""
    data = copy.deepcopy(subject.spec.model_dump(mode="python"))
    change(data)
    return Subject(spec=SubjectSpec.model_validate(data), path=subject.path)


# -- framework ------------------------------------------------------------------------------

def test_framework_lints_clean(capsys):
    code, out, err = run_cli(capsys, "lint", FRAMEWORK)
    assert code == 0, out + err
    assert "错误 0 个，警告 0 个" in out


def test_framework_weights_as_printed(framework):
    weights = {n.name: n.weight for n in framework.nodes()}
    assert weights["部门决策"] == 20 and weights["部门管理"] == 20 and weights["部门绩效"] == 60
    assert weights["资金管理"] == 8 and weights["效率性"] == 20 and weights["效果性"] == 25 and weights["公平性"] == 9
    assert weights["预算执行率"] == 6 and weights["政府采购执行情况"] == 2 and weights["公众或服务对象满意度"] == 6
    assert sum(leaf.weight for leaf in framework.leaves()) == 100


def test_criteria_kept_verbatim(framework):
    seed = (ROOT.parent / "shared" / "seeds" / "003_8a82f04068cc18be.txt")
    require_seed(seed)
    text = "".join(seed.read_text("utf-8").split())
    for name, phrase in [("政府采购执行情况", "如实际采购金额大于采购计划金额，本项得0分。"),
                         ("固定资产利用率", "2.90%>固定资产利用率≥75%的，得0.7分；"),
                         ("编外人员控制率", "2.5%≤比率≤10%的，得0.5分；"),
                         ("预算执行率", "其中：全年平均执行率=Σ（每个季度的执行率）÷4")]:
        node = next(n for n in framework.nodes() if n.name == name)
        squeezed = "".join(node.criteria.split())
        assert phrase in squeezed and phrase in text


# -- totals ---------------------------------------------------------------------------------

def test_self_total_is_exactly_the_printed_94_79(reviewed, capsys):
    assert reviewed.self_total == D("94.79")
    assert reviewed.stated_total == D("94.79")
    assert not findings(reviewed, "合计不符")
    code, out, err = run_cli(capsys, "score", "--json", SUBJECT)
    assert code == 0, err
    assert '"self_total": 94.79,' in out and '"stated_total": 94.79,' in out
    data = json.loads(out)
    assert data["self_total"] == 94.79 and data["self_grade"] == "优"


def test_default_reading_recomputes_budget_execution_as_5_74(reviewed):
    leaf = reviewed.leaves["3.2.1"]
    assert leaf.source == "复算"
    assert leaf.self_score == D("5.82")
    # quarters 1317.55 / 1895.76 / 3324.75 / 4228.15 of 4384.99 against 25/50/75/100%
    assert leaf.score == D("5.74")
    assert reviewed.total == D("94.71") and reviewed.grade == "优"
    # the reading "uncapped average, parts rounded first" reproduces 5.82: a difference of basis (警告), not 错误
    assert not findings(reviewed, "得分与规则不符", "预算执行率")
    wrong = findings(reviewed, "评分口径差异", "预算执行率")
    assert len(wrong) == 1 and wrong[0].claimed == "5.82" and wrong[0].recomputed == "5.74"
    assert wrong[0].delta == D("-0.08") and wrong[0].severity == "警告" and wrong[0].action == "说明口径"
    assert wrong[0].effect_total == D("-0.08") and wrong[0].effect_grade == "等级不变"


@pytest.mark.parametrize("reading, leaf_score, total", [
    ("uncapped-average-rounded", "5.82", "94.79"),  # reproduces the self-score
    ("initial-budget", "6", "94.97"),
])
def test_readings_of_budget_execution(framework, subject, reading, leaf_score, total):
    ev = evaluate(framework, subject, reading)
    assert ev.leaves["3.2.1"].score == D(leaf_score)
    assert ev.total == D(total)
    assert ev.grade == "优"


def test_grade_holds_under_every_reading(reviewed):
    totals = {rid: (total, grade) for rid, _, total, grade in reviewed.review.readings}
    assert set(totals) == {"uncapped-average-rounded", "initial-budget"}
    assert totals["uncapped-average-rounded"] == (D("94.79"), "优")
    assert totals["initial-budget"] == (D("94.97"), "优")
    assert reviewed.grade == "优"


def test_reading_that_reproduces_self_score_leaves_no_score_finding(framework, subject):
    ev = evaluate(framework, subject, "uncapped-average-rounded")
    ev = run_review(ev)
    assert not findings(ev, "得分与规则不符")
    assert not findings(ev, "得分舍入差异")


def test_cli_prints_totals_and_readings(capsys):
    code, out, err = run_cli(capsys, "review", SUBJECT)
    assert code == 0, err
    assert "自评合计 94.79 分（优）；复核后合计 94.71 分（优）；等级不变" in out
    assert "：94.79 分（优）" in out and "：94.97 分（优）" in out
    assert "等级在各种解读下一致" in out


# -- recomputed items that agree with the self-score (negative cases) ------------------------

@pytest.mark.parametrize("node_id, score", [
    ("2.3.2", "1"),   # 固定资产利用率 1314.44/1402.24 = 93.74% ≥ 90%
    ("2.4.1", "1"),   # 财政供养人员控制率 12/13 = 92.31% ≤ 100%
    ("2.4.2", "0"),   # 编外人员控制率 55/(12+55) = 82.09% > 10%
    ("3.1.1", "6"),   # 三公 0.60/5.67 < 90% → 3; 日常公用 46.18/53.00 < 90% → 3
])
def test_recomputed_items_match_self_scores(reviewed, node_id, score):
    leaf = reviewed.leaves[node_id]
    assert leaf.source == "复算"
    assert leaf.score == D(score) == leaf.self_score
    path = " / ".join(leaf.node.path)
    assert not [f for f in reviewed.findings if f.indicator == path]


def test_items_without_evidence_keep_the_self_score(reviewed):
    # pure self-evaluation: judgement parts have no evaluator score, checklists no stated results
    for node_id in ("2.1.1", "2.1.2", "2.1.3", "3.3.1", "3.4.2", "1.2.1"):
        assert reviewed.leaves[node_id].source == "采用自评分"
    names = [name for name, _ in reviewed.review.not_recomputable]
    assert any(name.endswith("政府采购执行情况") for name in names)


def test_procurement_part_rule_matches_self_score(framework, subject):
    """With the policy part judged at 1, the rate part (426.15/437.35 × 1) gives the self-score 1.97."""
    judged = variant(subject, lambda d: d["inputs"]["2.1.1"].update({"政府采购政策功能": {"score": 1}}))
    ev = evaluate(framework, judged)
    leaf = ev.leaves["2.1.1"]
    assert leaf.score == D("1.97") == leaf.self_score
    over = variant(judged, lambda d: d["figures"]["政府采购"].update({"实际数": D("437.36")}))
    assert evaluate(framework, over).leaves["2.1.1"].score == D("1")  # actual > plan: rate part 0


# -- the document's own inconsistencies (real findings) --------------------------------------

def test_budget_execution_rate_stated_twice_differently(reviewed):
    wrong = [f for f in findings(reviewed, "所述数值与数据不符") if f.claimed == "96.96%"]
    wrong = [f for f in findings(reviewed, "所述数值与数据不符") if "96.96%" in f.claimed]
    # one discrepancy, one finding: both printed values and all three places listed
    assert len(wrong) == 1 and wrong[0].recomputed == "96.42%" and "存在问题" in wrong[0].message
    assert wrong[0].claimed == "96.42% / 96.96%" and len(wrong[0].places) == 3
    assert not [f for f in findings(reviewed, "同一数据两处不一致") if "96.96%" in (f.claimed or "")]


def test_three_public_expenses_rate_misprinted(reviewed):
    # 0.60 / 5.67 = 10.58%, printed 10.60%
    # 0.60 is printed to the cent: 0.595–0.605 of 5.67 gives 10.49%–10.67%, so 10.60% is within the inputs' rounding
    wrong = [f for f in findings(reviewed, "所述数值舍入差异") if f.claimed == "10.60%"]
    assert len(wrong) == 1 and wrong[0].recomputed == "10.58%" and wrong[0].severity == "提示"


def test_daily_public_expenses_saving_and_rate(reviewed):
    # 53.00 − 46.18 = 6.82, printed 节约6.83万元; 46.18/53.00 = 87.13%, printed 87.13% and 87.12%
    saving = [f for f in findings(reviewed) if f.claimed == "6.83"]
    assert len(saving) == 1 and saving[0].recomputed == "6.82" and saving[0].severity == "提示"
    # 87.12% (rounding level) and 87.13% for one figure: one finding, the two values, both places
    twice = [f for f in findings(reviewed, "同一数据两处不一致") if "87.12%" in (f.claimed or "")]
    assert len(twice) == 1 and twice[0].recomputed == "87.13%" and len(twice[0].places) == 2
    assert not [f for f in findings(reviewed) if f.claimed == "87.12%"]


def test_procurement_rate_truncated(reviewed):
    # 426.15 / 437.35 = 97.439% → 97.44%, printed 97.43%
    rate = [f for f in findings(reviewed) if f.claimed == "97.43%"]
    assert len(rate) == 1 and rate[0].recomputed == "97.44%" and rate[0].severity == "提示"


def test_execution_parts_omit_three_public_expenses(reviewed, subject):
    # a “其中” listing is partial: its remainder equals the 三公经费 it omits, so no finding (was a false 错误)
    assert not [f for f in reviewed.findings if f.indicator.startswith("预算资金执行情况")]
    figures = subject.spec.figures
    # the gaps are exactly the 三公 figures printed elsewhere (0.60 spent of 5.67)
    assert D("4228.15") - D("4227.55") == D(str(figures["三公经费"]["决算数"]))
    assert D("4384.99") - D("4379.32") == D(str(figures["三公经费"]["预算数"]))


def test_fixed_asset_parts_round_by_one_cent(reviewed):
    parts = [f for f in findings(reviewed, "分项与合计不符") if f.indicator.startswith("表1-6")]
    assert {(f.claimed, f.recomputed) for f in parts} == {("1402.24", "1402.25"), ("1314.44", "1314.45")}
    assert all(f.severity == "提示" for f in parts)


def test_finding_counts(reviewed):
    counts = {s: sum(1 for f in reviewed.findings if f.severity == s) for s in ("错误", "警告", "提示")}
    # 错误: only 96.96% (存在问题) against 96.42%; 5.82 is a reading, 10.60%/97.43% rounding, 其中 partial
    assert counts == {"错误": 1, "警告": 2, "提示": 5}


# -- negative cases: what agrees must stay silent -------------------------------------------

@pytest.mark.parametrize("value", ["96.42%", "86.83%", "97.82%", "30.05%", "43.23%", "75.82%", "93.74%",
                                   "92.83%", "100%", "92.31%", "82.09%", "15.55%", "1.99%", "82.46%"])
def test_correct_stated_values_raise_nothing(reviewed, value):
    assert not [f for f in findings(reviewed) if f.claimed == value]


@pytest.mark.parametrize("table", ["表1-1", "表1-2", "表1-3", "表1-5"])
def test_budget_tables_add_up(reviewed, table):
    assert not [f for f in reviewed.findings if f.indicator.startswith(table)]


def test_no_figure_or_score_sum_findings(reviewed):
    assert not findings(reviewed, "合计不符") and not findings(reviewed, "小计不符")
    assert not findings(reviewed, "累计支出下降") and not findings(reviewed, "数据矛盾")
    assert not [f for f in reviewed.findings if f.indicator in ("预算.调整预算数", "预算.基本支出")]
    assert not findings(reviewed, "指标体系自身问题")


def test_corrected_misprint_clears_its_finding(framework, subject):
    def fix(d):
        for sv in d["stated"]["values"]:
            if sv["value"] == "10.60%":
                sv["value"] = "10.58%"
    ev = evaluate(framework, variant(subject, fix))
    ev = run_review(ev)
    assert not [f for f in ev.findings if f.claimed in ("10.60%", "10.58%")]
    assert len(ev.findings) == len(findings(evaluate_and_review(framework, subject))) - 1


def evaluate_and_review(framework, subject):
    return assess_loaded(framework, subject)


def test_subject_figures_are_the_printed_ones():
    data = yaml.safe_load(SUBJECT.read_text("utf-8"))
    f = data["figures"]
    assert (f["人员"]["编制数"], f["人员"]["在编人数"], f["人员"]["在职人数"], f["人员"]["编外人数"], f["人员"]["雇员数"]) == (13, 12, 12, 55, 2)
    assert (f["三公经费"]["预算数"], f["三公经费"]["决算数"]) == (5.67, 0.60)
    assert (f["日常公用经费"]["预算数"], f["日常公用经费"]["决算数"]) == (53.00, 46.18)
    assert (f["政府采购"]["预算数"], f["政府采购"]["实际数"]) == (437.35, 426.15)
    assert (f["预算"]["调整预算数"], f["决算"]["支出合计"]) == (4384.99, 4228.15)
    assert data["stated"]["total"] == 94.79
