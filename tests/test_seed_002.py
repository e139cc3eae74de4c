"""Seed 002: 君山区行政审批服务局 2021 年度部门整体支出自评报告 and its project
(政府门户网站和电子政务外网运行维护费).

Every expected number below is printed in the seed, or follows from printed numbers by the
framework's own rule; the subject and framework files are the real ones under parameters/.
"""
import copy
import json
from decimal import Decimal

import pytest

from conftest import ROOT, run_cli
from evallib.model.framework import load_framework
from evallib.assess.assessment import assess_loaded
from evallib.review.run import run_review
from evallib.engine.scoring import evaluate
from evallib.model.subject import Subject, SubjectSpec, load_subject

PARAMS = ROOT / "parameters"
DEPT = PARAMS / "subjects" / "002-junshan-2021-dept.yaml"
PROJECT = PARAMS / "subjects" / "002-junshan-2021-project.yaml"
DEPT_FW = PARAMS / "frameworks" / "junshan-2021-dept.yaml"
PROJECT_FW = PARAMS / "frameworks" / "junshan-2021-project.yaml"
D = Decimal

# Self-scores exactly as printed in the two score tables (部门整体支出绩效评价评分表 / 项目支出绩效评价指标体系).
DEPT_SELF = [5, 5, 5, 3, 3, 3, 6, 3, 3, 3, 3, 2, 2, 4, 3, 5, 7, 5, 2, 2, 4, 5, 5, 5, 5]
PROJECT_SELF = [4, 4, 4, 3, 4, 3, 2, 7, 2, 1, 1, 3, 5, 5, 4, 3, 3, 8, 8, 8, 8, 8]


def reviewed(framework_path, subject):
    return assess_loaded(load_framework(framework_path), subject)


@pytest.fixture(scope="module")
def dept():
    return reviewed(DEPT_FW, load_subject(DEPT))


@pytest.fixture(scope="module")
def project():
    return reviewed(PROJECT_FW, load_subject(PROJECT))


def findings(ev, category=None, indicator=None, severity=None):
    return [f for f in ev.findings
            if (category is None or f.category == category) and (indicator is None or indicator in f.indicator)
            and (severity is None or f.severity == severity)]


def variant(path, change) -> Subject:
    """The subject with one field changed in memory (to show a check reacts to the data)."""
    subject = load_subject(path)
    data = copy.deepcopy(subject.spec.model_dump(mode="python"))
    change(data)
    return Subject(spec=SubjectSpec.model_validate(data), path=subject.path)


# -- frameworks -----------------------------------------------------------------------------

@pytest.mark.parametrize("path", [DEPT_FW, PROJECT_FW])
def test_frameworks_lint_clean(capsys, path):
    code, out, err = run_cli(capsys, "lint", path)
    assert code == 0, out + err
    assert "错误 0 个，警告 0 个" in out


def test_dept_framework_shape():
    fw = load_framework(DEPT_FW)
    assert [(r.name, r.weight) for r in fw.roots] == [("投入", 15), ("过程", 40), ("产出", 25), ("效果", 20)]
    shared = fw.node("4.1.1")
    assert shared.shared and shared.weight == 15
    assert [c.name for c in shared.children] == ["经济效益", "社会效益", "生态效益"]
    assert all(c.weight is None for c in shared.children)
    # 产出 items have no computable criteria in the form: evaluator's judgement
    assert {n.rule.type for n in fw.node("3.1").children} == {"judgement"}
    assert "优" in fw.meta.note and "良80" in fw.meta.note
    assert fw.grade(D(98)) == "优" and fw.grade(D(89.99)) == "良" and fw.grade(D(60)) == "中" and fw.grade(D(59)) == "差"


def test_project_framework_keeps_specific_indicator_as_definition():
    fw = load_framework(PROJECT_FW)
    assert [(r.name, r.weight) for r in fw.roots] == [("项目决策", 20), ("项目管理", 25), ("项目绩效", 55)]
    assert fw.node("2.1.1").definition == "实际到位/计划到位*100%"
    assert fw.node("3.1.1").definition == "目标完成率=目标完成数/预定目标数×100%"
    assert fw.node("3.1.1").criteria == "完成绩效目标100%得5分，未完成100%的同比例扣减。"


# -- totals as printed ----------------------------------------------------------------------

def test_dept_self_total_is_printed_98(capsys):
    code, out, err = run_cli(capsys, "score", "--json", DEPT)
    assert code == 0, err
    data = json.loads(out)
    assert [i["self_score"] for i in data["indicators"]] == DEPT_SELF
    assert data["self_total"] == 98 and data["stated_total"] == 98 and data["stated_grade"] == "优"
    assert data["self_grade"] == "优"


def test_project_self_total_is_printed_98(capsys):
    code, out, err = run_cli(capsys, "score", "--json", PROJECT)
    assert code == 0, err
    data = json.loads(out)
    assert [i["self_score"] for i in data["indicators"]] == PROJECT_SELF
    assert data["self_total"] == 98 and data["stated_total"] == 98 and data["stated_grade"] == "优"
    assert data["total"] == 98 and data["grade"] == "优"
    assert not [f for f in data["findings"] if f["category"] in ("合计不符", "等级不符")]


# -- the department review ------------------------------------------------------------------

def test_staffing_rate_33_of_18_is_an_error(dept):
    [f] = findings(dept, indicator="财政供养人员控制率")
    assert f.severity == "错误" and f.category == "得分与规则不符"
    assert (f.claimed, f.recomputed, f.delta) == ("5", "0", D(-5))
    leaf = dept.leaves["1.1.1"]
    assert leaf.trace.inputs["人员.在职人数"] == "33" and leaf.trace.inputs["人员.编制数"] == "18"
    assert "183.33%" in leaf.trace.result


def test_review_prints_reviewed_total_and_grade_beside_self_assessed(capsys):
    code, out, err = run_cli(capsys, "review", DEPT)
    assert code == 0, err
    assert "自评合计 98 分（优）；复核后合计 93 分（优）；等级不变" in out
    assert "文件所述总分：98 分（优）" in out
    assert "[错误] 得分与规则不符 · 投入 / 预算配置 / 财政供养人员控制率" in out
    code, out, err = run_cli(capsys, "review", "--json", DEPT)
    data = json.loads(out)
    assert (data["self_total"], data["self_grade"], data["reviewed_total"], data["reviewed_grade"]) == (98, "优", 93, "优")


def test_expenditure_stated_as_3179_1_yuan_is_caught(dept):
    [f] = findings(dept, category="所述数值与数据不符")
    assert f.severity == "错误" and f.indicator == "本年支出合计（执行数）（决算.支出合计）"
    assert (f.claimed, f.recomputed) == ("3179.1", "3179.61")
    assert "3179.1元" in f.message


def test_rounding_in_income_and_expenditure_tables(dept):
    sums = findings(dept, category="分项与合计不符")
    assert sums and all(f.severity == "提示" for f in sums)
    income = [f for f in sums if "收入合计" in f.indicator]
    assert [(f.claimed, f.recomputed) for f in income] == [("3179.61", "3179.6")]  # 452.65 + 2726.95
    spending = [f for f in sums if "支出合计" in f.indicator]
    assert spending and all((f.claimed, f.recomputed) == ("3179.61", "3179.6") for f in spending)  # 219.75 + 2959.85


NOT_ARITHMETIC = {"满分缺少依据", "年度不符"}  # requests for evidence, and rules naming another year


def test_dept_findings_are_exactly_the_real_ones(dept):
    serious = sorted((f.severity, f.category, f.indicator) for f in dept.findings
                     if f.severity != "提示" and f.category not in NOT_ARITHMETIC)
    assert serious == [("错误", "得分与规则不符", "投入 / 预算配置 / 财政供养人员控制率"),
                       ("错误", "所述数值与数据不符", "本年支出合计（执行数）（决算.支出合计）")]
    assert {f.category for f in dept.findings if f.severity == "提示"} == {"分项与合计不符"}
    # the six 职责履行 items' printed criteria speak of 2015 in a 2021 evaluation: one finding, six places
    [year] = findings(dept, category="年度不符")
    assert year.claimed == "2015年" and len(year.places) == 6 and year.severity == "警告"
    assert all(f.action == "补证" and f.severity == "警告" for f in findings(dept, category="满分缺少依据"))


# -- negative cases: consistent data give no finding ----------------------------------------

def test_consistent_indicators_give_no_finding(dept):
    for leaf_id, name in (("2.3.3", "固定资产利用率"), ("4.1.2", "社会公众或服务对象满意度")):
        leaf = dept.leaves[leaf_id]
        assert leaf.source == "复算" and leaf.score == leaf.self_score
        assert not findings(dept, indicator=name)
    assert dept.leaves["2.3.3"].trace.inputs["固定资产利用率"] == "100.00%"  # 993.18 / 993.18


def test_consistent_tables_and_stated_values_give_no_finding(dept):
    indicators = " ".join(f.indicator for f in dept.findings if f.category not in NOT_ARITHMETIC)
    for clean in ("基本支出", "三公", "固定资产", "热线", "整改率", "人员经费", "项目支出"):
        assert clean not in indicators, clean
    # 195.70 (综述一) and 195.7 (综述二) are one value printed at two precisions
    assert not findings(dept, category="同一数据两处不一致")


def test_items_without_figures_are_not_recomputable_not_findings(dept):
    reasons = dict(dept.review.not_recomputable)
    assert reasons["投入 / 预算配置 / “三公经费”变动率"] == "缺少数据“三公经费.上年决算数”"
    assert reasons["过程 / 预算执行 / “三公经费”控制率"] == "缺少数据“三公经费.预算数”"
    assert reasons["过程 / 预算管理 / 公务卡刷卡率"] == "缺少数据“调查.公务卡刷卡率”"
    assert "评价人员判断项" in reasons["产出 / 职责履行 / 推进全面小康建设指标任务完成情况"]
    assert "评价人员判断项" in reasons["效果 / 履职效益 / 经济效益、社会效益、生态效益 / 经济效益"]
    for name in reasons:
        assert not [f for f in findings(dept, indicator=name) if f.category not in NOT_ARITHMETIC], name
    unrecomputed = [leaf for leaf in dept.leaf_list() if leaf.source == "采用自评分"]
    assert len(unrecomputed) == len(reasons) == 22
    assert all(leaf.score == leaf.self_score for leaf in unrecomputed)


def test_staffing_within_establishment_gives_no_finding():
    ev = reviewed(DEPT_FW, variant(DEPT, lambda d: d["figures"]["人员"].update(在职人数=18)))
    assert ev.leaves["1.1.1"].score == 5
    assert not findings(ev, indicator="财政供养人员控制率")
    assert ev.total == 98


def test_card_rate_rule_matches_the_printed_reason():
    # “公务刷卡率未达50%” with 2 of 3 points: 45% gives 3 − 5 × 0.2 = 2, the self-score; 44% does not.
    at_45 = reviewed(DEPT_FW, variant(DEPT, lambda d: d["figures"].update(调查={"满意度": "100%", "公务卡刷卡率": "45%"})))
    assert at_45.leaves["2.2.5"].score == 2 and not findings(at_45, indicator="公务卡刷卡率")
    at_44 = reviewed(DEPT_FW, variant(DEPT, lambda d: d["figures"].update(调查={"满意度": "100%", "公务卡刷卡率": "44%"})))
    [f] = findings(at_44, indicator="公务卡刷卡率")
    assert (f.severity, f.claimed, f.recomputed) == ("错误", "2", "1.8")


def test_shared_effects_are_capped_at_15():
    ev = reviewed(DEPT_FW, variant(DEPT, lambda d: d["self_scores"].update({"4.1.1.1": 10})))
    assert ev.evaluation.subtotals["4.1.1"] == 15 and ev.total == 93  # 10 + 5 + 5 capped at the shared 15


# -- the project review ---------------------------------------------------------------------

def test_project_money_tables(project):
    detail = next(t for t in project.subject.spec.tables if t.id == "expense-detail")
    [total] = detail.rows
    assert total.values == [1730000] and [p.values[0] for p in total.parts] == [280000, 296715, 1153285]
    assert not findings(project, indicator="项目支出明细情况")  # 280000 + 296715 + 1153285 = 1730000
    assert not findings(project, indicator="项目资金情况")
    # 综述 rounds 296715元 to 29.67 but truncates 1153285元 to 115.32: the parts add to 172.99, not 173
    [f] = findings(project, indicator="评价报告综述所列项目支出构成")
    assert (f.severity, f.claimed, f.recomputed) == ("提示", "173", "172.99")


def test_project_consistent_recomputed_items(project):
    for leaf_id in ("2.1.1", "3.1.4", "3.2.5"):  # 到位率 173/173, 成本 173/173, 满意度 100%
        leaf = project.leaves[leaf_id]
        assert leaf.source == "复算" and leaf.score == leaf.self_score
    assert not findings(project, category="得分与规则不符")


def test_project_fault_counts_stated_twice(project):
    [f] = findings(project, category="同一数据两处不一致")
    assert f.severity == "警告" and "286" in f.message and "104" in f.message


def test_project_findings_are_exactly_the_real_ones(project):
    assert sorted((f.severity, f.category) for f in project.findings if f.category not in NOT_ARITHMETIC) == [
        ("提示", "分项与合计不符"), ("警告", "同一数据两处不一致")]
    reasons = dict(project.review.not_recomputable)
    assert reasons["项目绩效 / 项目产出 / 产出数量"] == "缺少数据“工作任务.实际完成数”"
    assert "评价人员判断项" in reasons["项目管理 / 资金管理 / 资金使用"]
