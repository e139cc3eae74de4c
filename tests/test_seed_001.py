"""Seed 001 (机关事务局): the project self-evaluation table and the department framework table.

Every expected number below was checked by hand against seeds/001_3d9eaf59f4690dd6.txt:
all items are self-scored at full marks (both tables add up to 100, no total is printed);
the department table states 编制20人 and 实有在职人数23人, so 在职人员控制率 = 23/20 = 115%,
15 points over the 100% standard at 0.5 per point: 0 of 5, yet self-scored 5.
"""
import json
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from conftest import ROOT, require_seed, run_cli
from evallib.model.framework import load_framework
from evallib.model.lint import lint
from evallib.assess.assessment import assess

FRAMEWORKS = ROOT / "parameters" / "frameworks"
SUBJECTS = ROOT / "parameters" / "subjects"
PROJECT_FW = FRAMEWORKS / "jiguan-project.yaml"
DEPT_FW = FRAMEWORKS / "jiguan-dept.yaml"
PROJECT = SUBJECTS / "001-jiguan-project.yaml"
DEPT = SUBJECTS / "001-jiguan-dept.yaml"
SEED = ROOT.parent / "shared" / "seeds" / "001_3d9eaf59f4690dd6.txt"


def score_json(capsys, path):
    code, out, err = run_cli(capsys, "score", "--json", path)
    assert code == 0, err
    return json.loads(out)


def by_id(data):
    return {row["id"]: row for row in data["indicators"]}


def variant(tmp_path: Path, source: Path, change) -> Path:
    """A copy of a subject file with one edit applied (the framework is still found by its id)."""
    data = yaml.safe_load(source.read_text(encoding="utf-8"))
    change(data)
    path = tmp_path / source.name
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def findings(ev, category=None):
    return [f for f in ev.findings if category is None or f.category == category]


# -- frameworks ---------------------------------------------------------------------------------

def test_dept_framework_lints_clean():
    assert [str(m) for m in lint(load_framework(DEPT_FW))] == []


def test_project_framework_lint_reports_only_the_missing_scoring_column():
    """The printed project table has no 评分标准 column; lint says so for the items without 评价要点."""
    messages = lint(load_framework(PROJECT_FW))
    assert [m for m in messages if m.level == "错误"] == []
    flagged = {m.where.rsplit("（", 1)[1].rstrip("）") for m in messages}
    assert flagged == {"1.2.1", "1.2.2", "3.1.1", "3.1.2", "3.1.3", "3.1.4",
                       "4.1.1", "4.1.2", "4.1.3", "4.1.4", "4.1.5"}
    assert all("评分标准原文" in m.message for m in messages)


def test_printed_weights():
    project = load_framework(PROJECT_FW)
    assert [(r.name, r.weight) for r in project.roots] == [("投入", 25), ("过程", 25), ("产出", 20), ("效果", 30)]
    assert sum(n.weight for n in project.leaves()) == 100 and len(project.leaves()) == 20
    dept = load_framework(DEPT_FW)
    assert [(r.name, r.weight) for r in dept.roots] == [("投入", 13), ("过程", 61), ("产出及效率", 26)]
    assert [(n.name, n.weight) for n in dept.nodes() if n.level == 2] == [
        ("预算配置", 13), ("预算执行", 20), ("预算管理", 41), ("职责履行", 8), ("履职效益", 18)]
    shared = dept.node("3.2.1")
    assert shared.shared and shared.weight == 6
    assert [(c.name, c.weight, c.limit) for c in shared.children] == [("经济效益", None, 6), ("社会效益", None, 6)]


def _seed_text():
    require_seed(SEED)
    return SEED.read_text(encoding="utf-8")


def test_printed_texts_are_verbatim():
    seed = _seed_text()
    for path in (PROJECT_FW, DEPT_FW):
        for node in load_framework(path).nodes():
            for text in (node.criteria, node.definition):
                for line in text.split("\n"):
                    assert line in seed, f"{path.name} {node.id}: “{line}” is not in the seed"
    for path in (PROJECT, DEPT):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for key, given in data["inputs"].items():
            assert given["evidence"] in seed, f"{path.name} {key}"
        for value in data["stated"]["values"]:
            assert value["value"] in seed


def test_dept_self_scores_as_printed():
    """The department table prints each 得分 as a full-width space and a number, in table order."""
    import re

    seed = _seed_text()
    printed = [Decimal(m) for m in re.findall(r"^\t\u3000(\d+)$", seed.split("部门整体支出绩效评价指标表", 1)[1], re.M)]
    data = yaml.safe_load(DEPT.read_text(encoding="utf-8"))
    order = [n.id for n in load_framework(DEPT_FW).leaves()]
    encoded = [Decimal(data["self_scores"][i]) for i in order if data["self_scores"].get(i) is not None]
    assert encoded == printed and len(printed) == 16 and sum(printed) == 100


# -- the project table -------------------------------------------------------------------------

def test_project_totals_and_nothing_recomputable(capsys):
    data = score_json(capsys, PROJECT)
    assert data["self_total"] == 100 and data["total"] == 100 and data["grade"] == "优"
    assert data["stated_total"] is None and data["stated_grade"] is None and data["year"] is None
    rows = by_id(data)
    assert len(rows) == 20
    # No figure behind any printed rate and no scoring column: every score is the self-score.
    assert {r["source"] for r in rows.values()} == {"采用自评分"}
    assert rows["2.2.2"]["self_score"] == 5 and rows["4.1.5"]["self_score"] == 6
    assert data["findings"] == []


def test_project_cost_table_adds_up_and_satisfaction_is_consistent():
    ev = assess(PROJECT)
    table = ev.subject.spec.tables[0]
    assert table.rows[0].values == [3000] and sum(p.values[0] for p in table.rows[0].parts) == 3000
    assert ev.evaluation.calc.figures["调查.满意度"] == Decimal("0.98")
    assert findings(ev) == []


def test_project_table_arithmetic_check_can_fail(tmp_path):
    def change(data):
        data["tables"][0]["rows"][0]["parts"][5]["values"] = [160]  # 其他 150 -> 160

    ev = assess(variant(tmp_path, PROJECT, change))
    [f] = findings(ev, "分项与合计不符")
    assert f.claimed == "3000" and f.recomputed == "3010"


def test_project_stated_satisfaction_twice_with_two_values(tmp_path):
    def change(data):
        data["stated"]["values"][4]["value"] = "95%"

    ev = assess(variant(tmp_path, PROJECT, change))
    # one discrepancy, one finding: stated twice with two values, one of them off the data, both places listed
    assert not findings(ev, "同一数据两处不一致")
    [f] = findings(ev, "所述数值与数据不符")
    assert f.claimed == "95% / 98%" and f.recomputed == "98%" and len(f.places) == 2 and f.action == "更正"


def test_project_rules_follow_the_corrected_formulas(tmp_path):
    """资金到位率 '/' restored; 质量达标率 over 实际产出数; 完成及时率 0% (on time) is full marks."""
    def change(data):
        data["figures"].update({
            "项目资金": {"全年预算数": 3000, "实际到位": 2700},
            "工作任务": {"计划工作数": 10, "实际完成数": 9, "质量达标数": 9},
            "项目进度": {"计划完成时间": 360, "实际完成时间": 360},
        })

    ev = assess(variant(tmp_path, PROJECT, change))
    leaves = ev.leaves
    assert leaves["1.2.1"].recomputed == Decimal("4.50")  # 90% × 5
    assert leaves["3.1.1"].recomputed == Decimal("4.50")  # 9/10 × 5
    assert leaves["3.1.3"].recomputed == 5  # 9/9, not 9/10
    assert leaves["3.1.2"].recomputed == 5  # (360 − 360)/360 = 0: on time
    wrong = {f.indicator.rsplit(" / ", 1)[1]: f.delta for f in findings(ev, "得分与规则不符")}
    assert wrong == {"资金到位率": Decimal("-0.50"), "实际完成率": Decimal("-0.50")}


# -- the department table ----------------------------------------------------------------------

def test_dept_totals_and_staffing_finding(capsys):
    data = score_json(capsys, DEPT)
    assert data["self_total"] == 100 and data["self_grade"] == "优"
    assert data["total"] == 95 and data["grade"] == "优" and data["stated_total"] is None
    rows = by_id(data)
    staffing = rows["1.1.1"]
    assert (staffing["score"], staffing["self_score"], staffing["source"]) == (0, 5, "复算")
    assert staffing["trace"]["inputs"]["人员.在职人数"] == "23"
    assert staffing["trace"]["inputs"]["人员.编制数"] == "20"
    assert "115.00%" in staffing["trace"]["result"]
    [finding] = data["findings"]
    assert finding["severity"] == "错误" and finding["category"] == "得分与规则不符"
    assert finding["indicator"] == "投入 / 预算配置 / 在职人员控制率"
    assert (finding["claimed"], finding["recomputed"], finding["delta"]) == ("5", "0", -5)


def test_dept_items_that_agree_produce_no_finding():
    ev = assess(DEPT)
    leaves = ev.leaves
    # 满意度 98% ≥ 90% -> 6 of 6; no new building -> full marks as the printed rule says.
    assert (leaves["3.2.3"].source, leaves["3.2.3"].score, leaves["3.2.3"].self_score) == ("复算", 6, 6)
    for item in ("2.1.3", "2.1.4"):
        assert (leaves[item].source, leaves[item].score) == ("复算", 5)
    # 经济效益 6 stays within the 6 points it shares with 社会效益 (blank in the table).
    assert leaves["3.2.1.1"].score == 6 and leaves["3.2.1.2"].score is None
    assert ev.evaluation.subtotals["3.2.1"] == 6 and ev.evaluation.subtotals["3"] == 26
    assert [f.indicator for f in ev.findings] == ["投入 / 预算配置 / 在职人员控制率"]
    assert all(total == 95 for _, _, total, _ in ev.review.readings)


def test_dept_judgement_and_missing_inputs_are_listed_not_scored():
    ev = assess(DEPT)
    listed = {name.rsplit(" / ", 1)[1] for name, _ in ev.review.not_recomputable}
    assert {"重点工作实际完成率", "管理制度健全性", "“三公经费”控制率", "行政效能", "社会效益"} <= listed
    # the conversion needs the 绩效办 score out of 350, which the table does not print
    assert ev.leaves["3.1.1"].source == "采用自评分"
    assert "绩效办对应部分考核得分" in ev.leaves["3.1.1"].trace.result


@pytest.mark.parametrize("staff, expected", [(20, "5"), (21, "2.5"), (22, "0"), (23, "0")])
def test_dept_staffing_rule(tmp_path, staff, expected):
    """≤100% full; −0.5 per point over: 21/20 = 105% -> 2.5 off; 22/20 = 110% -> 5 off."""
    def change(data):
        data["figures"]["人员"]["在职人数"] = staff

    ev = assess(variant(tmp_path, DEPT, change))
    assert ev.leaves["1.1.1"].score == Decimal(expected)
    assert bool(findings(ev, "得分与规则不符")) == (staff != 20)


@pytest.mark.parametrize("added, score", [(0, 5), (100, 4), ("100.1", 3), (200, 3), (300, 2), ("300.1", 0)])
def test_dept_budget_control_bands_include_upper_bounds(tmp_path, added, score):
    def change(data):
        data["figures"]["预算"] = {"年初预算数": 1000, "本年追加": added}

    ev = assess(variant(tmp_path, DEPT, change))
    assert ev.leaves["2.1.2"].recomputed == score


@pytest.mark.parametrize("rate, score", [("90%", 6), ("89.99%", 4), ("80%", 4), ("70%", 2), ("69.9%", 0)])
def test_dept_satisfaction_bands(tmp_path, rate, score):
    def change(data):
        data["figures"]["调查"]["满意度"] = rate
        data["stated"]["values"] = []
        data["inputs"]["3.2.3"]["evidence"] = f"民意调查满意率为{rate}。"  # the reason names the varied rate

    ev = assess(variant(tmp_path, DEPT, change))
    assert ev.leaves["3.2.3"].recomputed == score
    assert bool([f for f in findings(ev) if "满意度" in f.indicator]) == (score != 6)


def test_dept_budget_completion_formula_and_readings(tmp_path):
    """(上年结转+年初+追加−年末结余)/(上年结转+年初+追加): 97/100 = 97%, 3 points under, 2 per 5%."""
    def change(data):
        data["figures"]["预算"] = {"上年结转": 100, "年初预算数": 900, "本年追加": 0}
        data["figures"]["决算"] = {"结转结余": 30}

    ev = assess(variant(tmp_path, DEPT, change))
    assert ev.leaves["2.1.1"].recomputed == Decimal("3.80")  # 3/5 of a step × 2
    readings = {rid: total for rid, _, total, _ in ev.review.readings}
    assert ev.total == Decimal("93.80")
    assert readings == {"step-started": Decimal(93), "step-whole": Decimal(95)}


def test_dept_key_work_conversion(tmp_path):
    def change(data):
        data["inputs"]["3.1.1"]["outside_score"] = 280

    ev = assess(variant(tmp_path, DEPT, change))
    assert ev.leaves["3.1.1"].recomputed == Decimal("6.40")  # 280 / 350 × 8
    [f] = [f for f in findings(ev, "得分与规则不符") if "重点工作" in f.indicator]
    assert f.delta == Decimal("-1.60")


def test_cli_review_prints_the_staffing_finding(capsys):
    code, out, err = run_cli(capsys, "review", DEPT)
    assert code == 0, err
    assert "自评合计 100 分（优）；复核后合计 95 分（优）" in out
    assert "在职人员控制率为115.00%" in out and "发现 1 项" in out
