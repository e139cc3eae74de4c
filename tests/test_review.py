"""Review (复核) checks: each new kind with a positive and a negative case, conventions, coverage, wording."""
import copy
from decimal import Decimal

import pytest

from conftest import ROOT
from evallib.assess.assessment import assess, assess_loaded
from evallib.engine.scoring import load_pair
from evallib.model.subject import Subject, SubjectSpec
from evallib.review.findings import Finding
from evallib.review.run import reviewer_text
from evallib.review.targets import _missed
from evallib.rules.targets import parse_quantity

SUBJECTS = ROOT / "parameters" / "subjects"
D = Decimal


def cats(a, category):
    return [f for f in a.findings if f.category == category]


def variant(name, change, conventions=()):
    framework, subject = load_pair(SUBJECTS / f"{name}.yaml")
    data = copy.deepcopy(subject.spec.model_dump(mode="python"))
    change(data)
    return assess_loaded(framework, Subject(spec=SubjectSpec.model_validate(data), path=subject.path),
                         conventions=conventions)


def test_finding_needs_a_known_action():
    with pytest.raises(ValueError):
        Finding(severity="错误", category="x", indicator="y", message="z", action="忽略")
    with pytest.raises(TypeError):
        Finding("错误", "x", "y", "z", "更正")  # keyword arguments only


def test_reviewer_wording_has_no_internal_keys_and_rounds_intermediates():
    text = reviewer_text("缺少评价要点核查结果（met / missed / violations），计83.3333个单位，原值1634.242")
    assert "met" not in text and "83.33个单位" in text and "1634.242" in text


def test_inverted_rule_direction_positive_and_negative():
    assert len(cats(assess(SUBJECTS / "000-heshan-2020-dept.yaml"), "评分标准方向与指标相反")) == 4
    assert not cats(assess(SUBJECTS / "003-futian-2021-dept.yaml"), "评分标准方向与指标相反")


def test_other_year_positive_and_negative():
    [f] = cats(assess(SUBJECTS / "002-junshan-2021-dept.yaml"), "年度不符")
    assert f.claimed == "2015年" and f.action == "说明口径"
    assert not cats(assess(SUBJECTS / "003-futian-2021-dept.yaml"), "年度不符")


@pytest.mark.parametrize("target, actual, missed", [("≥95%", "90%", True), ("≥95%", "96%", False),
                                                     ("≤30分钟", "45分钟", True), ("≤30分钟", "20分钟", False),
                                                     ("274", "300", False), ("274", "200", True)])
def test_missed_target(target, actual, missed):
    assert _missed(parse_quantity(target), parse_quantity(actual)) is missed


def test_partial_listing_remainder_unexplained_is_a_hint_and_excess_is_an_error():
    def shrink(data):  # 人员经费 458.99 -> 400.00: the remainder no longer equals 三公经费
        table = next(t for t in data["tables"] if t["id"] == "资金执行")
        table["rows"][0]["parts"][0]["values"][0] = D("400.00")
    a = variant("003-futian-2021-dept", shrink)
    [f] = cats(a, "其中项未列明")
    assert f.severity == "提示" and f.action == "仅提示"

    def grow(data):  # parts now exceed the whole
        table = next(t for t in data["tables"] if t["id"] == "资金执行")
        table["rows"][0]["parts"][0]["values"][0] = D("600.00")
    a = variant("003-futian-2021-dept", grow)
    [f] = cats(a, "其中项超过合计")
    assert f.severity == "错误" and f.action == "更正"


def test_full_marks_without_support_ask_for_evidence():
    a = assess(SUBJECTS / "000-heshan-2020-project.yaml")
    unsupported = cats(a, "满分缺少依据")
    assert unsupported and all(f.action == "补证" for f in unsupported)
    # negative: a target table whose rows carry actual values asks for nothing
    assert not cats(assess(SUBJECTS / "000-heshan-2020-p3-wangluo.yaml"), "满分缺少依据")


def test_conventions_off_by_default_and_named_when_on():
    plain = assess(SUBJECTS / "000-heshan-2020-project.yaml")
    assert not [f for f in plain.findings if f.category.startswith("复核口径")]
    on = variant("000-heshan-2020-project", lambda d: None, conventions=["无佐证资料不得分"])
    named = [f for f in on.findings if f.category == "复核口径：无佐证资料不得分"]
    assert named and all(f.action == "补证" and "未按本口径调整" in f.message for f in named)


def test_every_error_naming_a_reviewed_score_is_in_the_total():
    for path in sorted(SUBJECTS.glob("00*.yaml")):
        a = assess(path)
        for f in a.findings:
            assert f.action in ("更正", "补证", "说明口径", "仅提示")
            if f.severity == "错误" and f.effect_total is not None:
                leaf = next(l for l in a.leaf_list() if " / ".join(l.node.path) == f.indicator)
                assert leaf.score - leaf.self_score == f.effect_total, (path.name, f.indicator)


def test_coverage_adds_up_and_lists_adopted_items():
    a = assess(SUBJECTS / "003-futian-2021-dept.yaml")
    cov = a.review.coverage
    assert cov["recomputed"] + cov["judged"] + cov["adopted"] + cov["unscored"] == cov["total"] == 100
    assert cov["recomputed"] == 15
    assert sum(i["points"] for i in cov["adopted_items"]) == cov["adopted"] + cov["unscored"]
    assert all("met" not in i["reason"] for i in cov["adopted_items"])


def _reason(item, text):
    def change(data):
        data["inputs"].setdefault(item, {})["evidence"] = text
    return change


def test_deduction_reason_seed_instances_agree_with_rule_and_score():
    # 002: 扣分原因 "公务刷卡率未达50%" (rule deducts below 50%) and "资产调拨不及时"; 004: 33 items each
    # ending "故此项得N分", all equal to the filed score (2.1.1's "100%" is a stated value, reported once by
    # the stated-values check); 003 quotes "自评得分1.97分" for a filed 1.97; 001's "满意率为98%" is its figure.
    for name in ("001-jiguan-dept", "002-junshan-2021-dept", "003-futian-2021-dept", "004-gaoyi-2021-dept"):
        assert not cats(assess(SUBJECTS / f"{name}.yaml"), "扣分理由与评分不符"), name


@pytest.mark.parametrize("text, claimed, recomputed", [
    ("公务刷卡率未达60%", "60%", "50%"),  # another threshold than the rule's
    ("公务刷卡率超过50%", "超过50%", "低于50%扣分"),  # the opposite condition
    ("公务刷卡率未达50%，扣0.5分", "扣0.5分", "扣1分"),  # another deduction than weight − self-score (3 − 2)
])
def test_deduction_reason_not_matching_the_rule_is_a_warning(text, claimed, recomputed):
    a = variant("002-junshan-2021-dept", _reason("2.2.5", text))
    [f] = cats(a, "扣分理由与评分不符")
    assert (f.claimed, f.recomputed) == (claimed, recomputed)
    assert f.severity == "警告" and f.action == "说明口径" and f.effect_total is None
    assert "公务卡刷卡率" in f.indicator and text in f.message and "请单位更正扣分理由" in f.message


def test_deduction_reason_stating_another_score():
    a = variant("004-gaoyi-2021-dept", _reason("2.2.3", "经自评，部门基础数据信息和会计信息资料真实、完整，故此项得 0.5 分。"))
    [f] = cats(a, "扣分理由与评分不符")
    assert (f.claimed, f.recomputed, f.severity) == ("0.5分", "1分", "警告")


def test_deduction_reason_naming_another_rate_than_the_rule_scores():
    def reason_only(text):  # the rate named in the reason alone, not also among the stated values
        def change(data):
            _reason("3.2.3", text)(data)
            data["stated"]["values"] = [v for v in data["stated"]["values"] if v["metric"] != "满意度"]
        return change
    a = variant("001-jiguan-dept", reason_only("2016年年度考核民意调查满意率为90%。"))
    [f] = cats(a, "扣分理由与评分不符")
    assert (f.claimed, f.recomputed, f.severity, f.action) == ("90%", "98%", "警告", "说明口径")
    assert "所述90%与按其自身数据计算的" in f.message
    # the stated values (98%) do not cover the reason's 90%: still reported here
    assert len(cats(variant("001-jiguan-dept", _reason("3.2.3", "满意率为90%。")), "扣分理由与评分不符")) == 1
    # the same rate within its printed precision: no finding
    assert not cats(variant("001-jiguan-dept", reason_only("满意率为98.0%。")), "扣分理由与评分不符")


@pytest.mark.parametrize("text, deducted", [
    ("公务卡刷卡率每减少一个百分点扣0.2分，扣完为止", None),  # the rule quoted, not a deduction
    ("①未按时报送扣1分；②资料不全扣0.5分", D("1.5")),
    ("（正文未说明自评扣1分的理由）", None),  # the encoder's remark, not the unit's reason
])
def test_stated_deduction_reads_only_the_units_own_amounts(text, deducted):
    from evallib.review.reasons import reason_text, stated_deduction
    assert stated_deduction(reason_text(text)) == deducted


def test_deduction_reason_on_a_target_row_is_its_deviation_note():
    # 000 p4: 项目验收合格率 70% against 100%, scored 7 of 10, note "疫情影响" (no amount): nothing to compare
    assert not cats(assess(SUBJECTS / "000-heshan-2020-p4-dalou.yaml"), "扣分理由与评分不符")

    def note(data):
        data["targets"]["output.quality"][0]["note"] = "疫情影响，扣2分"
    [f] = cats(variant("000-heshan-2020-p4-dalou", note), "扣分理由与评分不符")
    assert (f.claimed, f.recomputed, f.places) == ("扣2分", "扣3分", ["偏差原因"])
