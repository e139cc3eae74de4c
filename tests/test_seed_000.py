"""Seed 000: 鹤城区政务服务中心 2020 年度部门整体及项目支出绩效自评材料.

Every expected number below is printed in the seed (or follows from printed numbers by
plain addition, worked out by hand in the comments); the files are the real ones under parameters/.
"""
import copy
from decimal import Decimal

import pytest
import yaml

from conftest import ROOT, require_seed, run_cli
from evallib.model.framework import load_framework
from evallib.assess.assessment import assess_loaded
from evallib.review.run import run_review
from evallib.engine.scoring import evaluate
from evallib.model.subject import Subject, SubjectSpec, load_subject

D = Decimal
FRAMEWORKS = ROOT / "parameters" / "frameworks"
SUBJECTS = ROOT / "parameters" / "subjects"
DEPT_FW = FRAMEWORKS / "heshan-2020-dept.yaml"
PROJECT_FW = FRAMEWORKS / "heshan-2020-project.yaml"
TABLE_FW = FRAMEWORKS / "heshan-2020-project-table.yaml"
SEED = ROOT.parent / "shared" / "seeds" / "000_4ee78b24007fbb66.txt"

# subject file -> (Σ self-scores, total printed in the seed)
TOTALS = {
    "000-heshan-2020-dept": (94, 98),  # 附件1: 16 (投入) + 40 (过程) + 20 (产出) + 18 (效果) = 94; printed 98
    "000-heshan-2020-project": (95, 98),  # 附件4-1: 10 + 16 + 40 + 29 = 95; printed 总分：98
    "000-heshan-2020-p1-linpin": (100, 100),
    "000-heshan-2020-p2-yunwei": (99, 99),
    "000-heshan-2020-p3-wangluo": (100, 100),
    "000-heshan-2020-p4-dalou": (94, 94),
}


def reviewed(name: str, subject: Subject | None = None):
    subject = subject or load_subject(SUBJECTS / f"{name}.yaml")
    fw = {"heshan-2020-dept": DEPT_FW, "heshan-2020-project": PROJECT_FW,
          "heshan-2020-project-table": TABLE_FW}[subject.meta.framework]
    return assess_loaded(load_framework(fw), subject)


def findings(ev, category=None, indicator=None):
    return [f for f in ev.findings
            if (category is None or f.category == category) and (indicator is None or indicator in f.indicator)]


def variant(name: str, change) -> Subject:
    subject = load_subject(SUBJECTS / f"{name}.yaml")
    data = copy.deepcopy(subject.spec.model_dump(mode="python"))
    change(data)
    return Subject(spec=SubjectSpec.model_validate(data), path=subject.path)


# -- totals ---------------------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(TOTALS))
def test_self_and_stated_totals_as_printed(name):
    self_total, stated = TOTALS[name]
    ev = reviewed(name)
    assert ev.self_total == self_total
    assert ev.stated_total == stated
    mismatch = findings(ev, "合计不符")
    if self_total == stated:
        assert not mismatch
    else:
        assert len(mismatch) == 1
        assert mismatch[0].claimed == str(stated) and mismatch[0].recomputed == str(self_total)
        assert mismatch[0].delta == self_total - stated


def test_dept_self_scores_sum_by_hand():
    """附件1 自评分栏, read straight from the subject file: 94, while 附件1 and 附件3 print 98."""
    data = yaml.safe_load((SUBJECTS / "000-heshan-2020-dept.yaml").read_text("utf-8"))
    scores = data["self_scores"]
    assert len(scores) == 28
    by_first = {}
    for key, value in scores.items():
        by_first[key.split(".")[0]] = by_first.get(key.split(".")[0], 0) + D(str(value))
    assert by_first == {"1": 16, "2": 40, "3": 20, "4": 18}
    assert scores["1.1.1"] == 2  # 绩效目标合理性 6 分只自评 2 分：恰是 98 与 94 之差
    assert data["stated"]["total"] == 98


def test_cli_score_flags_the_dept_total(capsys):
    code, out, err = run_cli(capsys, "score", SUBJECTS / "000-heshan-2020-dept.yaml")
    assert code == 0, err
    assert "自评分合计：94 分" in out and "文件所述总分：98" in out
    assert "文件所述总分 98 与各项自评分之和 94 不一致" in out


def test_reviewed_totals():
    # project: 完成及时性 and 实施效益 print "计5分", so the reviewed result counts 5 each (95 - 5 - 15 + 1 = 76)
    expected = {"000-heshan-2020-dept": 94, "000-heshan-2020-project": 76, "000-heshan-2020-p1-linpin": 100,
                "000-heshan-2020-p2-yunwei": 99, "000-heshan-2020-p3-wangluo": 100, "000-heshan-2020-p4-dalou": 94}
    for name, total in expected.items():
        ev = reviewed(name)
        assert ev.total == total, name
        assert ev.grade == ("中" if name == "000-heshan-2020-project" else "优")


# -- frameworks -----------------------------------------------------------------------------

def test_project_framework_printed_weight_errors_stay_visible(capsys):
    code, out, err = run_cli(capsys, "lint", PROJECT_FW)
    assert code != 0, out + err  # a framework with errors fails lint
    assert "错误 4 个，警告 2 个" in out
    assert "资金管理（2.1）：分值为 10 分，下级指标分值合计 7 分" in out
    assert "预算支出效益（4.1）：分值为 10 分，下级指标分值合计 30 分" in out
    assert "效益（4）：分值为 30 分，下级指标分值合计 10 分" in out
    assert "末级指标分值合计 97 分，与声明的总分 100 分不一致" in out
    assert "完成及时性（3.3.1）：评分规则最高只能得 5 分，低于分值 10 分" in out
    assert "实施效益（4.1.1）：评分规则最高只能得 5 分，低于分值 20 分" in out
    # the 'full-weight' reading removes the printed 5-point ceiling, and lint has nothing to say about it
    assert "full-weight" not in out


def test_project_framework_weights_as_printed():
    fw = load_framework(PROJECT_FW)
    weights = {n.id: n.weight for n in fw.nodes()}
    assert [weights[i] for i in ("1", "2", "3", "4")] == [10, 20, 40, 30]
    assert [weights[i] for i in ("2.1", "2.1.1", "2.1.2", "2.1.3")] == [10, 3, 3, 1]
    assert [weights[i] for i in ("4.1", "4.1.1", "4.1.2")] == [10, 20, 10]
    assert fw.node("3.3.1").rule.max == 5 and fw.node("3.3.1").alternatives["full-weight"].max is None


def test_dept_framework_lint(capsys):
    code, out, err = run_cli(capsys, "lint", DEPT_FW)
    assert code != 0, out + err  # a framework with errors fails lint
    # the only printed error: “三公经费”变动率 “计5分” on a 2-point item (also under the alternative reading)
    assert "错误 2 个，警告 0 个" in out
    assert out.count("“三公经费”变动率（1.2.2）：评分规则") == 2 and "最高可得 5 分，超过该指标分值 2 分" in out
    fw = load_framework(DEPT_FW)
    assert sum(leaf.weight for leaf in fw.leaves()) == 100
    assert [g.grade for g in fw.spec.grades] == ["优", "良", "中", "差"]
    assert "原文未印等级划分" in fw.meta.note


def test_table_framework_lints_clean(capsys):
    code, out, err = run_cli(capsys, "lint", TABLE_FW)
    assert code == 0, out + err
    assert "错误 0 个，警告 0 个" in out


def test_criteria_kept_verbatim():
    require_seed(SEED)
    text = "".join(SEED.read_text("utf-8").split())
    checks = [(DEPT_FW, "1.2.2", "“三公经费”变动率为0，计5分；"), (DEPT_FW, "3.1.1", "100%计满分，每超过1%扣1分"),
              (DEPT_FW, "3.1.4", "根据绩效办2019年对各部门为民办实事"), (DEPT_FW, "2.1.2", "100%计满分，每下降5%扣1分"),
              (PROJECT_FW, "3.3.1", "达到绩效目标完成时间计5分，超过30%的不计分。"),
              (PROJECT_FW, "4.1.1", "达到绩效目标完成时间计5分，少于60%的不计分。"),
              (PROJECT_FW, "3.4.1", "100%计满分，每下降5个百分点扣2分")]
    for path, node_id, phrase in checks:
        node = load_framework(path).node(node_id)
        squeezed = "".join(node.criteria.split())
        assert phrase in squeezed and phrase in text, (node_id, phrase)


# -- department findings --------------------------------------------------------------------

def test_dept_project_expenditure_final_accounts_do_not_add_up():
    ev = reviewed("000-heshan-2020-dept")
    sums = findings(ev, "分项与合计不符")
    # 附件2: 1634.243937 + 111.0902 + 53.872 = 1799.206137 ≠ 1733.634137 (2020年决算数)
    assert len(sums) == 1
    assert "2020年决算数" in sums[0].indicator and sums[0].severity == "错误"
    assert sums[0].claimed == "1733.634137" and sums[0].recomputed == "1799.206137"
    assert "65.572" in sums[0].message
    # the 2020年预算数 column (1634.243937 + 45.5182 + 53.872) and 附件3's categories
    # (0 + 1520.987337 + 0 + 212.6468) both add up to 1733.634137: no finding
    assert not [f for f in sums if "预算数" in f.indicator or "类别" in f.indicator]


def test_dept_sum_check_reacts_to_the_figure():
    def fix(data):
        row = next(r for r in data["tables"][0]["rows"] if r["name"] == "项目支出")
        row["parts"][1]["values"][2] = D("45.5182")  # 附件4-2's 全年执行数 for 运维经费
    ev = reviewed("000-heshan-2020-dept", variant("000-heshan-2020-dept", fix))
    assert not findings(ev, "分项与合计不符")


def test_dept_consistent_items_produce_no_findings():
    ev = reviewed("000-heshan-2020-dept")
    categories = {f.category for f in ev.findings}
    assert categories == {"合计不符", "分项与合计不符", "指标体系自身问题", "评分标准方向与指标相反", "满分缺少依据"}
    inverted = {f.indicator.split(" / ")[-1] for f in findings(ev, "评分标准方向与指标相反")}
    assert inverted == {"预算调整率", "实际完成率", "完成及时率", "质量达标率"}  # the four notes in the framework
    staffing = ev.leaves["1.2.1"]  # 11 / 18 = 61.11% ≤ 100%: 2 of 2, as self-scored; printed 61% agrees
    assert staffing.source == "复算" and staffing.score == 2 == staffing.self_score
    assert "61.11%" in staffing.trace.result
    # the four projects add up to 项目支出 both ways: 212.6468 + 45.5182 + 53.872 + 1421.597137 = 1733.634137
    assert not findings(ev, "项目清单与项目支出不符")


# -- project framework (附件4-1) findings ----------------------------------------------------

def test_project_satisfaction_self_score_below_its_own_figure():
    ev = reviewed("000-heshan-2020-project")
    found = findings(ev, "得分与规则不符")
    assert len(found) == 1 and found[0].indicator.endswith("社会公众或服务对象满意度")
    assert (found[0].claimed, found[0].recomputed, found[0].delta) == ("9", "10", 1)  # 满意度 100% (附件5-1)


def test_project_printed_execution_rate_agrees():
    ev = reviewed("000-heshan-2020-project")
    assert not findings(ev, "所述数值与数据不符") and not findings(ev, "所述数值舍入差异")
    framework_issues = findings(ev, "指标体系自身问题")
    assert len(framework_issues) == 4
    assert {f.category for f in ev.findings} == {"合计不符", "得分与规则不符", "指标体系自身问题", "评分口径差异",
                                                 "评分标准方向与指标相反", "满分缺少依据"}


def test_project_self_scores_above_the_printed_maximum():
    """完成及时性 (10) and 实施效益 (20) print "计5分": full self-scores exceed what the rule can give."""
    ev = reviewed("000-heshan-2020-project")
    over = {f.indicator.split(" / ")[-1]: (f.claimed, f.recomputed, f.severity) for f in findings(ev, "评分口径差异")}
    # the reading "计5分 is a slip" reproduces the full self-scores: a difference of basis, 警告, not 错误
    assert over == {"完成及时性": ("10", "5", "警告"), "实施效益": ("20", "5", "警告")}
    # and the reviewed total counts what the findings say
    by_name = {leaf.node.name: leaf for leaf in ev.leaf_list()}
    assert by_name["完成及时性"].score == 5 and by_name["实施效益"].score == 5
    assert all(f.effect_total == f.delta for f in findings(ev, "评分口径差异"))


# -- project target tables (附件4-2) ---------------------------------------------------------

def test_p1_cost_targets_without_actuals():
    ev = reviewed("000-heshan-2020-p1-linpin")
    missing = findings(ev, "缺少实际完成值")
    assert sorted(f.indicator.split(" / ")[-1] for f in missing) == ["临聘、后台绩效", "临聘劳务费", "临聘工资"]
    over = findings(ev, "成本指标超出项目资金")  # 190.08 + 2.88 + 88.224 = 281.184 > 212.6468
    assert [(f.claimed, f.recomputed) for f in over] == [("281.184", "212.6468")]
    assert len(ev.findings) == 4
    assert ev.leaves["funds"].score == 10  # 212.6468 / 212.6468 × 10


def test_p2_execution_conflicts_with_basic_data_table():
    ev = reviewed("000-heshan-2020-p2-yunwei")
    conflict = findings(ev, "同一数据两处不一致")
    assert len(conflict) == 1 and "项目资金.全年执行数" in conflict[0].indicator
    assert (conflict[0].claimed, conflict[0].recomputed) == ("111.0902", "45.5182")
    # 效果明显 / 效果明显 self-scored 9 with its own reason (拟加强运维管理): a qualitative judgement,
    # not a rule violation, so the filed 9 stands and there is no finding.
    assert not findings(ev, "得分与规则不符")
    leaf = next(l for l in ev.leaf_list() if l.node.name == "确保政务中心稳定运行")
    assert leaf.score == 9 and leaf.source == "采用自评分" and "定性指标" in leaf.trace.reason
    copied = findings(ev, "实际完成值未如实填报")
    assert sorted(f.claimed for f in copied) == ["≤100%", "≤30分钟"]
    assert len(ev.findings) == 3


def test_p3_only_copied_comparators():
    ev = reviewed("000-heshan-2020-p3-wangluo")
    assert {f.category for f in ev.findings} == {"实际完成值未如实填报", "成本指标超出项目资金"}  # rows with actuals: no 补证
    copied = findings(ev, "实际完成值未如实填报")
    assert sorted(f.claimed for f in copied) == ["≥10G", "≥274", "≥90%", "≥95%"]
    over = findings(ev, "成本指标超出项目资金")  # 11.78 + 17.76 + 26.67 = 56.21 > 53.872
    assert [(f.claimed, f.recomputed) for f in over] == [("56.21", "53.872")]
    # 附件2's 网络、视频租赁费 53.872 / 53.872 agrees with the table's 全年预算数 / 全年执行数
    assert not findings(ev, "同一数据两处不一致")


def test_p4_partial_completion_recomputes_as_printed():
    ev = reviewed("000-heshan-2020-p4-dalou")
    assert ev.findings == []
    by_name = {leaf.node.name: leaf for leaf in ev.leaf_list()}
    for name in ("项目验收合格率", "项目完成率"):  # 70% of a 100% target × 10 = 7, as self-scored
        assert by_name[name].source == "复算" and by_name[name].score == 7 == by_name[name].self_score
    assert not ev.leaves["p4-economic-1"].applicable


def test_target_weights_fill_the_printed_headers():
    """产出 50, 效益 30, 满意度 10 in every table (不适用 rows carry no weight)."""
    for name in ("000-heshan-2020-p1-linpin", "000-heshan-2020-p2-yunwei",
                 "000-heshan-2020-p3-wangluo", "000-heshan-2020-p4-dalou"):
        ev = reviewed(name)
        weights = {n.id: n.weight for n in ev.evaluation.nodes()}
        sums = {}
        for leaf in ev.leaf_list():
            sums[leaf.node.path[0]] = sums.get(leaf.node.path[0], 0) + leaf.weight
        assert sums == {"预算执行率": 10, "产出指标": 50, "效益指标": 30, "满意度指标": 10}, name
        assert weights["output"] == 50 and weights["benefit"] == 30 and weights["satisfaction"] == 10
