"""Unit tests for every rule type in evallib.rules and for the metric formula evaluator.

Each rule is built with `parse_rule` (as a framework file would) and run through a
`Calculator` over a small figures dict. Scores are compared as exact Decimals, at and
on both sides of every boundary the rule has.

`covers(type)` marks a test as a boundary test of a rule type; the last test fails
when a rule type is registered in REGISTRY without one.
"""
from __future__ import annotations

from decimal import Decimal as D

import pytest

from evallib.core.errors import InputError
from evallib.rules.formulas import Calculator, FormulaError, Metric, MetricSet, NoValue, formula_names
from evallib.core.numbers import round_score, to_decimal
from evallib.rules import REGISTRY, RuleContext, parse_rule
from evallib.rules.targets import parse_quantity
from evallib.model.catalogue import base_catalogue

COVERED: set[str] = set()


def covers(*types: str):
    """Mark a test as a boundary test of the given rule types."""

    def mark(func):
        COVERED.update(types)
        return func

    return mark


def calculator(figures: dict | None = None, metrics: dict[str, str] | None = None) -> Calculator:
    extra = {name: Metric(name=name, formula=formula, label=name) for name, formula in (metrics or {}).items()}
    return Calculator({k: to_decimal(v) for k, v in (figures or {}).items()}, MetricSet.library().extended(extra))


def run(rule: dict, figures: dict | None = None, given: dict | None = None, weight="10", metrics=None):
    parsed = parse_rule(rule, "test_rules.py", "rule")
    return parsed.run(RuleContext(calculator(figures, metrics), given or {}, to_decimal(weight)))


def score(rule: dict, figures: dict | None = None, given: dict | None = None, weight="10", metrics=None):
    return run(rule, figures, given, weight, metrics).score


def rule_on_x(**fields) -> dict:
    return {"input": "x", **fields}


# --------------------------------------------------------------------------- deduct

DEDUCT_ABOVE = rule_on_x(type="deduct", target="100%", direction="above", per="1%", points="0.5")


@covers("deduct")
@pytest.mark.parametrize("x, expected", [
    ("1", "5"),         # at the threshold: full
    ("0.99", "5"),      # good side
    ("1.01", "4.5"),    # one unit over
    ("1.1", "0"),       # ten units over: exactly all points gone
    ("2", "0"),         # far over: floor 0, never negative
])
def test_deduct_above(x, expected):
    assert score(DEDUCT_ABOVE, {"x": x}, weight="5") == D(expected)


@covers("deduct")
@pytest.mark.parametrize("x, expected", [
    ("1", "10"), ("1.02", "10"), ("0.99", "9"), ("0.97", "7"), ("0.9", "0"), ("0.5", "0"),
])
def test_deduct_below(x, expected):
    rule = rule_on_x(type="deduct", target="100%", direction="below", per="1%", points=1)
    assert score(rule, {"x": x}) == D(expected)


@covers("deduct")
@pytest.mark.parametrize("x, counting, expected", [
    ("0.1", "exact", "4"),
    ("0.15", "exact", "3"), ("0.05", "exact", "3"),          # one unit off either side
    ("0.125", "exact", "3.5"), ("0.075", "exact", "3.5"),    # half a unit, pro rata
    ("0.125", "started", "3"), ("0.075", "started", "3"),    # a started unit counts whole
    ("0.125", "whole", "4"), ("0.075", "whole", "4"),        # a part unit does not count
    ("0.2", "started", "2"), ("0.2", "whole", "2"),          # exactly on a unit: both agree
    ("0.175", "whole", "3"), ("0.175", "started", "2"),
    ("0.5", "exact", "0"),
])
def test_deduct_both_directions_and_counting(x, counting, expected):
    rule = rule_on_x(type="deduct", target="10%", direction="both", per="5%", points=1, counting=counting)
    assert score(rule, {"x": x}, weight="4") == D(expected)


@covers("deduct")
@pytest.mark.parametrize("x, expected", [
    ("0", "5"), ("0.19", "1.2"), ("0.199", "1.02"), ("0.2", "0"), ("0.21", "0"),
])
def test_deduct_zero_beyond(x, expected):
    rule = rule_on_x(type="deduct", target=0, direction="above", per="5%", points=1, zero_beyond="20%")
    result = run(rule, {"x": x}, weight="5")
    assert result.score == D(expected)
    if expected == "0":
        assert "不得分" in result.explanation


@covers("deduct")
def test_deduct_on_a_metric_traces_its_figures():
    rule = {"type": "deduct", "input": "在职人员控制率", "target": "100%", "direction": "above", "per": "1%", "points": "0.5"}
    result = run(rule, {"人员.在职人数": 20, "人员.编制数": 16}, weight="5")
    assert result.score == D("0")  # 125%: 25 points over
    assert result.inputs["人员.在职人数"] == "20" and result.inputs["人员.编制数"] == "16"
    assert "125.00%" in result.explanation


def test_deduct_per_must_be_positive():
    with pytest.raises(InputError):
        parse_rule({**DEDUCT_ABOVE, "per": 0}, "f", "rule")


# --------------------------------------------------------------------------- bands

SATISFACTION = rule_on_x(type="bands", bands=[
    {"min": "95%", "score": 6},
    {"min": "90%", "max": "95%", "score": 4},
    {"min": "80%", "max": "90%", "score": 2},
    {"max": "80%", "score": 1},
])


@covers("bands")
@pytest.mark.parametrize("x, expected", [
    ("1", "6"), ("0.95", "6"), ("0.9499", "4"), ("0.9", "4"), ("0.8999", "2"), ("0.8", "2"), ("0.7999", "1"), ("0", "1"),
])
def test_bands_inclusive_lower_bounds(x, expected):
    assert score(SATISFACTION, {"x": x}, weight="6") == D(expected)


BUDGET_CONTROL = rule_on_x(type="bands", bands=[
    {"equals": 0, "score": 5},
    {"min": 0, "min_inclusive": False, "max": "10%", "max_inclusive": True, "score": 4},
    {"min": "10%", "min_inclusive": False, "max": "20%", "max_inclusive": True, "score": 3},
    {"min": "20%", "min_inclusive": False, "max": "30%", "max_inclusive": True, "score": 2},
    {"min": "30%", "min_inclusive": False, "score": 0},
])


@covers("bands")
@pytest.mark.parametrize("x, expected", [
    ("0", "5"), ("0.0001", "4"), ("0.1", "4"), ("0.1001", "3"), ("0.2", "3"), ("0.3", "2"), ("0.3001", "0"),
])
def test_bands_exclusive_lower_inclusive_upper_and_equals(x, expected):
    assert score(BUDGET_CONTROL, {"x": x}, weight="5") == D(expected)


@covers("bands")
def test_bands_equals_describes_itself_and_matches_only_that_value():
    result = run(BUDGET_CONTROL, {"x": "0"}, weight="5")
    assert "等于0.00%" in result.explanation
    assert score(BUDGET_CONTROL, {"x": "-0.0001"}, weight="5") == D(0)  # below every band: default 0


@covers("bands")
def test_bands_otherwise_and_full_marks():
    rule = rule_on_x(type="bands", bands=[{"min": "90%", "score": 1}, {"min": "75%", "max": "90%", "score": "0.7"}],
                     otherwise="0.2")
    assert score(rule, {"x": "0.9"}, weight=1) == D(1)
    assert score(rule, {"x": "0.75"}, weight=1) == D("0.7")
    assert score(rule, {"x": "0.7499"}, weight=1) == D("0.2")
    assert parse_rule(rule, "f", "r").full_marks(D(1)) == D(1)


@covers("bands")
def test_bands_missing_value_is_unscored_with_reason():
    result = run(SATISFACTION, {}, weight="6")
    assert result.score is None and "缺少数据“x”" in result.reason


# --------------------------------------------------------------------------- proportional

@covers("proportional")
@pytest.mark.parametrize("x, above, expected", [
    ("0", "cap", "0"), ("0.9", "cap", "0.9"), ("1", "cap", "1"), ("1.2", "cap", "1"),
    ("0.9", "zero", "0.9"), ("1", "zero", "1"), ("1.0001", "zero", "0"), ("1.2", "zero", "0"),
])
def test_proportional(x, above, expected):
    rule = rule_on_x(type="proportional", points=1, above_full=above)
    assert score(rule, {"x": x}, weight=1) == D(expected)


@covers("proportional")
def test_proportional_defaults_to_weight():
    rule = rule_on_x(type="proportional")
    assert score(rule, {"x": "0.9642"}, weight=3) == D("2.8926")
    assert parse_rule(rule, "f", "r").full_marks(D(3)) == D(3)


@covers("proportional")
def test_proportional_zero_denominator_is_unscored():
    rule = {"type": "proportional", "input": "政府采购执行率", "points": 1}
    result = run(rule, {"政府采购.实际数": 10, "政府采购.预算数": 0}, weight=1)
    assert result.score is None and "为零" in result.reason


# --------------------------------------------------------------------------- linear

@covers("linear")
@pytest.mark.parametrize("x, expected", [
    ("1", "2"), ("0.96", "2"), ("0.95", "2"), ("0.93", "1.6"), ("0.9", "1"), ("0.85", "0"), ("0.84", "0"),
])
def test_linear_continuous_higher_is_better(x, expected):
    rule = rule_on_x(type="linear", full_at="95%", zero_at="85%")
    assert score(rule, {"x": x}, weight=2) == D(expected)


@covers("linear")
@pytest.mark.parametrize("x, expected", [
    ("0", "3"), ("0.04", "3"), ("0.05", "3"), ("0.275", "1.5"), ("0.5", "0"), ("0.6", "0"),
])
def test_linear_continuous_lower_is_better(x, expected):
    rule = rule_on_x(type="linear", full_at="5%", zero_at="50%")
    assert score(rule, {"x": x}, weight=3) == D(expected)


@covers("linear")
@pytest.mark.parametrize("x, counting, expected", [
    ("0.95", "started", "2"),
    ("0.94", "started", "1.8"),        # one point under: −1/10 of the weight (default step points)
    ("0.945", "started", "1.8"), ("0.945", "whole", "2"), ("0.945", "exact", "1.9"),
    ("0.86", "started", "0.2"),
    ("0.855", "started", "0"), ("0.855", "whole", "0.2"),
    ("0.85", "started", "0"),
])
def test_linear_stepped_higher_is_better(x, counting, expected):
    rule = rule_on_x(type="linear", full_at="95%", zero_at="85%", step="1%", counting=counting)
    assert score(rule, {"x": x}, weight=2) == D(expected)


@covers("linear")
@pytest.mark.parametrize("x, counting, expected", [
    ("0.05", "started", "2"), ("0.1", "started", "1.8"),
    ("0.11", "started", "1.6"), ("0.11", "whole", "1.8"),
    ("0.49", "started", "0.2"), ("0.5", "started", "0"), ("0.7", "started", "0"),
])
def test_linear_stepped_lower_is_better(x, counting, expected):
    rule = rule_on_x(type="linear", full_at="5%", zero_at="50%", step="5%", step_points="0.2", counting=counting)
    assert score(rule, {"x": x}, weight=2) == D(expected)


def test_linear_step_must_be_positive():
    with pytest.raises(InputError):
        parse_rule(rule_on_x(type="linear", full_at="95%", zero_at="85%", step=0), "f", "rule")


# --------------------------------------------------------------------------- checklist

EARN = {"type": "checklist", "mode": "earn", "items": [
    {"id": "1", "text": "有制度", "points": 1}, {"id": "2", "text": "合规", "points": 1}, {"id": "3", "text": "执行", "points": 1}]}
DEDUCT_LIST = {"type": "checklist", "mode": "deduct", "per_item": "0.5", "items": [
    {"id": "a", "text": "无截留挪用"}, {"id": "b", "text": "无超范围支出"}, {"id": "c", "text": "手续完整", "points": 2}]}


@covers("checklist")
@pytest.mark.parametrize("given, expected", [
    ({"met": ["1", "2", "3"]}, "3"), ({"met": ["1", "3"]}, "2"), ({"met": []}, "0"),
    ({"missed": ["2"]}, "2"), ({"missed": []}, "3"), ({"missed": ["1", "2", "3"]}, "0"),
])
def test_checklist_earn(given, expected):
    result = run(EARN, given=given, weight=3)
    assert result.score == D(expected)
    assert parse_rule(EARN, "f", "r").full_marks(D(3)) == D(3)


@covers("checklist")
@pytest.mark.parametrize("given, expected", [
    ({"missed": []}, "3"), ({"missed": ["a"]}, "2.5"), ({"missed": ["a", "b"]}, "2"),
    ({"missed": ["c"]}, "1"), ({"missed": ["a", "b", "c"]}, "0"),   # 3 lost on 3: floor 0
    ({"met": ["a", "b"]}, "1"),
    ({"violations": 0}, "3"), ({"violations": 1}, "2.5"), ({"violations": 6}, "0"), ({"violations": 9}, "0"),
])
def test_checklist_deduct(given, expected):
    assert score(DEDUCT_LIST, given=given, weight=3) == D(expected)


@covers("checklist")
def test_checklist_deduct_floor_when_items_outweigh_the_weight():
    assert score(DEDUCT_LIST, given={"missed": ["a", "b", "c"]}, weight=2) == D(0)


@covers("checklist")
def test_checklist_unscored_cases():
    unknown = run(EARN, given={"met": ["1", "9"]}, weight=3)
    assert unknown.score is None and "9" in unknown.reason
    nothing = run(EARN, given={}, weight=3)
    assert nothing.score is None and "缺少评价要点核查结果" in nothing.reason
    earn_with_violations = run(EARN, given={"violations": 1}, weight=3)
    assert earn_with_violations.score is None


@covers("checklist")
def test_checklist_evidence_and_missed_texts():
    result = run(EARN, given={"met": ["1", "3"], "evidence": "未提供合规性审查材料"}, weight=3)
    assert result.evidence == "未提供合规性审查材料"
    assert "未满足：合规" in result.explanation
    assert result.inputs == {"满足的要点": "1、3", "未满足的要点": "2"}


# --------------------------------------------------------------------------- judgement

@covers("judgement")
def test_judgement_with_and_without_score():
    rule = {"type": "judgement"}
    judged = run(rule, given={"score": "4.5", "evidence": "效果较好"}, weight=6)
    assert judged.score == D("4.5") and not judged.recomputable and judged.evidence == "效果较好"
    unscored = run(rule, given={}, weight=6)
    assert unscored.score is None and not unscored.recomputable and "未录入评价人员评分" in unscored.reason
    no_reason = run(rule, given={"score": 6}, weight=6)
    assert "未写明得分依据" in no_reason.explanation


@covers("judgement")
@pytest.mark.parametrize("given, expected", [
    ({"level": "效果较好"}, "6"), ({"level": "一般"}, "3"), ({"level": "无效果"}, "0"),
    ({"level": "一般", "score": "4"}, "4"),   # an explicit score wins
    ({"level": "很好"}, None),                # not a printed level
    ({}, None),
])
def test_judgement_levels(given, expected):
    rule = {"type": "judgement", "levels": [{"label": "效果较好", "score": 6}, {"label": "一般", "score": 3},
                                             {"label": "无效果", "score": 0}]}
    result = run(rule, given=given, weight=6)
    assert result.score == (None if expected is None else D(expected))
    assert not result.recomputable
    assert "效果较好6分；一般3分；无效果0分" in result.formula
    if given.get("level") == "很好":
        assert "不在评分标准所列档次中" in result.reason


@covers("judgement")
def test_judgement_bands_of_weight_formula():
    rule = {"type": "judgement", "bands_of_weight": [1, "0.8", "0.6", 0]}
    result = run(rule, given={"score": 8}, weight=10)
    assert result.score == D(8)
    assert "100%–80%；80%–60%；60%–0%" in result.formula


# --------------------------------------------------------------------------- conversion

@covers("conversion")
@pytest.mark.parametrize("outside, expected", [("0", "0"), ("280", "6.4"), ("350", "8"), ("400", "8")])
def test_conversion(outside, expected):
    rule = {"type": "conversion", "outside_max": 350, "outside_name": "绩效办考核得分"}
    assert score(rule, given={"outside_score": outside}, weight=8) == D(expected)


@covers("conversion")
def test_conversion_missing_and_invalid_maximum():
    result = run({"type": "conversion", "outside_max": 350}, given={}, weight=8)
    assert result.score is None and "outside_score" in result.reason
    with pytest.raises(InputError):
        parse_rule({"type": "conversion", "outside_max": 0}, "f", "rule")


# --------------------------------------------------------------------------- composite

PUBLIC_COST = {"type": "composite", "parts": [
    {"name": "三公经费", "points": 3, "rule": {"type": "bands", "input": "x", "bands": [
        {"max": "100%", "max_inclusive": True, "score": 3}, {"min": "100%", "min_inclusive": False, "score": 0}]}},
    {"name": "日常公用经费", "points": 3, "rule": {"type": "bands", "input": "y", "bands": [
        {"max": "100%", "max_inclusive": True, "score": 3}, {"min": "100%", "min_inclusive": False, "score": 0}]}},
]}


@covers("composite")
@pytest.mark.parametrize("x, y, expected", [("1", "1", "6"), ("1", "1.0001", "3"), ("1.0001", "0.5", "3"), ("2", "2", "0")])
def test_composite_adds_parts(x, y, expected):
    assert score(PUBLIC_COST, {"x": x, "y": y}, weight=6) == D(expected)
    assert parse_rule(PUBLIC_COST, "f", "r").full_marks(D(6)) == D(6)


@covers("composite")
def test_composite_round_parts():
    parts = [{"name": n, "points": 1, "rule": {"type": "proportional", "input": n}} for n in ("a", "b")]
    figures = {"a": "0.33333", "b": "0.33333"}
    assert score({"type": "composite", "parts": parts}, figures, weight=2) == D("0.66666")
    assert score({"type": "composite", "parts": parts, "round_parts": True}, figures, weight=2) == D("0.66")


@covers("composite")
def test_composite_missing_part_names_it():
    result = run(PUBLIC_COST, {"x": "1"}, weight=6)
    assert result.score is None and result.reason.startswith("日常公用经费：")


@covers("composite")
def test_composite_parts_take_their_own_inputs_and_are_capped():
    rule = {"type": "composite", "parts": [
        {"name": "制度", "points": 2, "rule": {"type": "checklist", "mode": "earn", "per_item": 1,
                                              "items": [{"id": "1", "text": "有"}, {"id": "2", "text": "全"}]}},
        {"name": "效果", "points": 3, "rule": {"type": "judgement"}},
    ]}
    result = run(rule, given={"制度": {"met": ["1"]}, "效果": {"score": 5, "evidence": "较好"}}, weight=5)
    assert result.score == D(4)  # 1 + min(3, 5)
    assert not result.recomputable and result.evidence == "较好"


# --------------------------------------------------------------------------- target_completion

def target(target_text, actual_text, method="ratio", weight=10, **extra):
    rule = {"type": "target_completion", "method": method, **extra.pop("rule", {})}
    return run(rule, given={"target": target_text, "actual": actual_text, **extra}, weight=weight)


@covers("target_completion")
@pytest.mark.parametrize("target_text, actual_text, ratio, threshold60", [
    ("≥274", "274", "10", "10"), ("≥274", "300", "10", "10"), ("≥274", "137", "5", "0"),
    ("≥250", "150", "6", "0"),              # completion exactly 60%: threshold60 gives 0
    ("≥250", "200", "8", "5"),
    ("≥250", "249", "9.96", "9.9"),
    ("≤30分钟", "30分钟", "10", "10"), ("≤30分钟", "25分钟", "10", "10"), ("≤30分钟", "40分钟", "7.5", "3.75"),
    ("100%", "100%", "10", "10"), ("100%", "70%", "7", "2.5"), ("100%", "100.5%", "10", "10"),
    ("≥95%", "95.00%", "10", "10"),
    ("=50人", "50人", "10", "10"), ("=50人", "45人", "9", "7.5"), ("=50人", "55人", "9", "7.5"),
    ("1421.597137万元", "1421.597137万元", "10", "10"),
    ("5%以下", "4%", "10", "10"), ("5%以下", "8%", "6.25", "0.625"),
    ("30分钟以内", "24分钟", "10", "10"),
    ("≥1,000份", "1,000份", "10", "10"),
])
def test_target_completion_quantitative(target_text, actual_text, ratio, threshold60):
    assert target(target_text, actual_text).score == D(ratio)
    assert target(target_text, actual_text, method="threshold60").score == D(threshold60)


@covers("target_completion")
def test_target_completion_seed_example():
    # 000 附件4-2 style: 验收合格率 target 100%, actual 70%, weight 10 → 7
    result = target("100%", "70%")
    assert result.score == D(7) and result.inputs["完成率"] == "70.00%" and result.recomputable


@covers("target_completion")
@pytest.mark.parametrize("direction, actual_text, expected", [
    ("higher", "10天", "10"), ("higher", "8天", "8"), ("lower", "8天", "10"), ("lower", "12.5天", "8"),
])
def test_target_completion_default_direction_without_comparator(direction, actual_text, expected):
    assert target("10天", actual_text, rule={"direction": direction}).score == D(expected)


@covers("target_completion")
def test_target_completion_qualitative():
    same = target("提升", "提升")  # matching wording: full marks by default, yielding to a filed score
    assert same.score == D(10) and not same.recomputable and same.default_only
    differs = target("效果明显", "效果一般")
    assert differs.score is None and not differs.recomputable and "需评价人员判断" in differs.reason
    judged = target("效果明显", "效果一般", score=7, evidence="部分达成")
    assert judged.score == D(7) and not judged.recomputable and judged.evidence == "部分达成"
    assert target("提升10%以上", "提升12%").score is None  # not a plain quantity: evaluator decides
    assert parse_quantity("10%左右") is None


@covers("target_completion")
@pytest.mark.parametrize("target_text", ["不适用", "无", "/", "—"])
def test_target_completion_not_applicable(target_text):
    result = target(target_text, "不适用", rule={"when_missing": "full"})
    assert result.score is None and not result.applicable


@covers("target_completion")
@pytest.mark.parametrize("target_text", [None, "", "  "])
def test_target_completion_blank_target_with_weight_is_missing_not_not_applicable(target_text):
    result = target(target_text, "100%")
    assert result.applicable and result.score is None and result.reason == "缺少年度指标值"


@covers("target_completion")
def test_target_completion_unit_mismatch_and_missing_actual():
    mismatch = target("48人", "48")
    assert mismatch.score is None and "单位" in mismatch.reason
    mismatch_percent = target("100%", "1")
    assert mismatch_percent.score is None and "单位" in mismatch_percent.reason
    for actual_text in (None, "", "不适用"):
        missing = target("≥274", actual_text)
        assert missing.score is None and missing.reason == "缺少实际完成值"
    words = target("≥274", "约三百")
    assert words.score is None and "不是数值" in words.reason


@covers("target_completion")
def test_target_completion_when_missing():
    assert target("≥274", None, rule={"when_missing": "zero"}).score == D(0)
    assert target("≥274", None, rule={"when_missing": "full"}).score == D(10)


@pytest.mark.parametrize("text, direction, value, unit", [
    ("≥274", "higher", "274", ""), ("≤30分钟", "lower", "30", "分钟"), ("100%", None, "1", "%"),
    ("48人", None, "48", "人"), ("不低于90%", "higher", "0.9", "%"), ("不超过5天", "lower", "5", "天"),
    ("10%以上", "higher", "0.1", "%"), ("95%及以上", "higher", "0.95", "%"), ("5%以下", "lower", "0.05", "%"),
    ("30分钟以内", "lower", "30", "分钟"),
])
def test_parse_quantity(text, direction, value, unit):
    q = parse_quantity(text)
    assert (q.direction, q.value, q.unit) == (direction, D(value), unit)


# --------------------------------------------------------------------------- not_applicable / when_missing

@covers("not_applicable")
@pytest.mark.parametrize("when_missing", ["unscored", "full", "zero"])
def test_not_applicable(when_missing):
    result = run({"type": "not_applicable", "when_missing": when_missing}, weight=5)
    assert result.score is None and not result.applicable and result.formula == "不适用，不计分值"


@pytest.mark.parametrize("when_missing, expected", [("unscored", None), ("full", "5"), ("zero", "0")])
def test_when_missing(when_missing, expected):
    result = run({**DEDUCT_ABOVE, "when_missing": when_missing}, {}, weight=5)
    assert result.score == (None if expected is None else D(expected))
    if expected is not None:
        assert "缺少数据“x”" in result.explanation and result.reason == ""
    # when the value exists, when_missing changes nothing
    assert run({**DEDUCT_ABOVE, "when_missing": when_missing}, {"x": "1.01"}, weight=5).score == D("4.5")


def test_when_missing_full_uses_the_rule_maximum():
    assert run({**SATISFACTION, "when_missing": "full"}, {}, weight=6).score == D(6)
    assert run({**PUBLIC_COST, "when_missing": "full"}, {"x": "1"}, weight=6).score == D(6)


# --------------------------------------------------------------------------- metric formulas

def test_missing_figure_gives_novalue_with_chinese_reason():
    calc = calculator({"人员.编制数": 18})
    value = calc.value("在职人员控制率")
    assert isinstance(value, NoValue) and value.reason == "缺少数据“人员.在职人数”"
    assert calc.show("在职人员控制率", value) == "无值（缺少数据“人员.在职人数”）"
    assert isinstance(calc.value("不存在的数据"), NoValue)


@pytest.mark.parametrize("figures", [{"人员.在职人数": 5, "人员.编制数": 0}, {"人员.在职人数": 0, "人员.编制数": 0}])
def test_zero_denominator_gives_novalue(figures):
    value = calculator(figures).value("在职人员控制率")
    assert isinstance(value, NoValue) and value.reason == "分母“人员.编制数”为零"


def test_zero_compound_denominator_and_nested_metrics():
    calc = calculator({"人员.编外人数": 0, "人员.在编人数": 0}, metrics={"两倍": "编外人员控制率 * 2"})
    assert calc.value("编外人员控制率").reason == "分母“人员.在编人数 + 人员.编外人数”为零"
    assert isinstance(calc.value("两倍"), NoValue)


def test_formula_arithmetic_is_exact():
    calc = calculator({"a": "0.1", "b": "0.2", "c": 3}, metrics={"和": "a + b", "差": "(a - b) / 4 * c", "常数": "0.1 * 3",
                                                                  "最小": "min(a, b)", "负": "-a"})
    assert calc.value("和") == D("0.3")
    assert calc.value("差") == D("-0.075")
    assert calc.value("常数") == D("0.3")
    assert calc.value("最小") == D("0.1")
    assert calc.value("负") == D("-0.1")
    assert calculator({"人员.在职人数": 20, "人员.编制数": 16}).value("在职人员控制率") == D("1.25")


def test_missing_inside_function_call_and_self_reference():
    calc = calculator({"a": 1}, metrics={"m": "max(a, b)", "n": "abs(b)", "loop": "loop + 1"})
    assert calc.value("m").reason == "缺少数据“b”"
    assert calc.value("n").reason == "缺少数据“b”"
    assert isinstance(calc.value("loop"), NoValue)


def test_formula_rejects_code():
    with pytest.raises(FormulaError):
        formula_names("__import__('os').system('x')")
    with pytest.raises(FormulaError):
        formula_names("a ** 2")


@pytest.mark.parametrize("fill", [None, 0, 1])
def test_no_library_metric_is_ever_inf_or_nan(fill):
    """Every library formula, over all-missing, all-zero or all-one figures: a finite Decimal or NoValue."""
    figures = {} if fill is None else {name: D(fill) for name in base_catalogue()}
    calc = calculator(figures)
    for name in calc.metrics.metrics:
        value = calc.value(name)
        if isinstance(value, NoValue):
            assert value.reason and any("\u4e00" <= ch <= "\u9fff" for ch in value.reason)
        else:
            assert isinstance(value, D) and value.is_finite(), name
    if fill is None:
        assert all(isinstance(calc.value(n), NoValue) for n in calc.metrics.metrics)


# --------------------------------------------------------------------------- issue 14: trend, shares, fractions, units

TREND = {"type": "trend", "criterion": "rising", "measure": "服务人次", "years": [2019, 2020, 2021], "unit": "人次"}


@covers("trend")
@pytest.mark.parametrize("series, expected", [
    ({"2019": 100, "2020": 101, "2021": 102}, "4"),  # rising every year
    ({"2019": 100, "2020": 100, "2021": 102}, "0"),  # flat is not rising
    ({"2019": 100, "2020": 99, "2021": 102}, "0"),
])
def test_trend_rising_all_or_nothing(series, expected):
    assert score(TREND, given={"series": series}, weight="4") == D(expected)


@covers("trend")
@pytest.mark.parametrize("series, expected", [
    ({2019: 100, 2020: 100, 2021: 100}, "4"),  # equal is not falling; unquoted years are read as years
    ({2019: 100, 2020: "99.99", 2021: 120}, "3"),  # one year falls: per_break 1
    ({2019: 100, 2020: 90, 2021: 80}, "2"),
])
def test_trend_not_falling_per_break(series, expected):
    rule = dict(TREND, criterion="not_falling", per_break=1)
    assert score(rule, given={"series": series}, weight="4") == D(expected)


@covers("trend")
@pytest.mark.parametrize("last, expected", [("110.25", "4"), ("110.24", "1")])
def test_trend_average_growth_at_the_boundary(last, expected):
    """(110.25/100)^(1/2) − 1 is exactly 5%: met; a hair below is not."""
    rule = dict(TREND, criterion="average_growth", min_growth="5%", otherwise=1)
    result = run(rule, given={"series": {"2019": 100, "2020": 104, "2021": last}}, weight="4")
    assert result.score == D(expected)
    assert "年均增长率" in result.explanation and "2019年服务人次" in result.inputs


@covers("trend")
def test_trend_missing_year_is_unscored_and_names_it():
    result = run(TREND, given={"series": {"2019": 1, "2021": 3}}, weight="4")
    assert result.score is None and "2020" in result.reason


@covers("trend")
def test_trend_declares_its_inputs_and_rejects_other_years():
    rule = parse_rule(TREND, "f", "rule")
    assert "series" in rule.accepted_inputs()
    problems = rule.check_given({"series": {"2018": 1, "2019": 2}, "flat": 1}, D(5))
    assert {p.key for p in problems} == {"series.2018", "flat"}
    with pytest.raises(InputError, match="min_growth"):
        parse_rule(dict(TREND, criterion="average_growth"), "f", "rule")


CHECK3 = {"type": "checklist", "mode": "earn", "items": [
    {"id": "1", "text": "有制度", "points": "1/3"}, {"id": "2", "text": "制度执行", "points": "1/3"},
    {"id": "3", "text": "档案完整", "points": "1/3"}]}


@covers("checklist")
def test_checklist_thirds_stay_exact():
    """Points of 1/3: two met is 2/3 (0.67 once rounded), all three is the whole point, not 0.99."""
    assert round_score(run(CHECK3, given={"met": ["1", "2"]}, weight="1").score) == D("0.67")
    assert round_score(run(CHECK3, given={"met": ["1", "2", "3"]}, weight="1").score) == D("1.00")
    deduct = {"type": "checklist", "mode": "deduct", "per_item": "1/3"}
    result = run(deduct, given={"violations": 2}, weight="1")
    assert round_score(result.score) == D("0.33") and "扣0.6667分" in result.explanation


@covers("checklist")
@pytest.mark.parametrize("lose, expected", [("50%", "7"), ("1/2", "7"), ("10%", "9.4"), (1, "4")])
def test_checklist_point_partly_met(lose, expected):
    rule = {"type": "checklist", "mode": "earn", "items": [
        {"id": "1", "text": "甲", "points": 4}, {"id": "2", "text": "乙", "points": 6}]}
    result = run(rule, given={"met": ["1"], "partly": {"2": {"lose": lose, "evidence": "部分落实"}}}, weight="10")
    assert result.score == D(expected)
    assert "部分满足" in result.explanation and "部分落实" in result.explanation


@covers("checklist")
@pytest.mark.parametrize("cases, expected", [(0, "8"), (1, "7"), (3, "5"), (9, "0")])
def test_checklist_points_and_a_share_of_the_weight_per_case(cases, expected):
    rule = {"type": "checklist", "mode": "deduct", "per_case": "10%", "case_text": "发现违规支出",
            "items": [{"id": "1", "text": "制度健全", "points": 2}, {"id": "2", "text": "审批完整", "points": 8}]}
    result = run(rule, given={"missed": ["1"], "cases": cases}, weight="10")
    assert result.score == D(expected)
    assert run(rule, given={"missed": []}, weight="10").score is None  # cases are required


@covers("checklist")
def test_checklist_partly_inputs_are_checked():
    rule = parse_rule(dict(CHECK3), "f", "rule")
    problems = rule.check_given({"met": ["1", "4"], "partly": {"2": {"lose": "150%"}}}, D(1))
    messages = " ".join(p.message for p in problems)
    assert "4" in messages and "不存在" in messages and "1、2、3" in messages and "扣除比例" in messages and "依据" in messages


def test_min_and_max_take_any_number_of_values():
    calc = calculator({"a": "3", "b": "1", "c": "2"}, {"lo": "min(a, b, c)", "hi": "max(a, b, c, 10)"})
    assert calc.value("lo") == D(1) and calc.value("hi") == D(10)
    assert isinstance(calculator({"a": "1"}, {"lo": "min(a, b, c)"}).value("lo"), NoValue)


@covers("bands", "deduct")
def test_units_of_a_formula_print_in_calculation_and_band_bounds():
    metrics = {"结余": Metric(name="结余", formula="a - b", label="结余", unit="万元"),
               "人数": Metric(name="人数", formula="a", label="新增人数", unit="人")}
    calc = Calculator({"a": D(-2155), "b": D(0)}, MetricSet.library().extended(metrics))
    bands = parse_rule({"type": "bands", "input": "结余", "bands": [{"min": 0, "min_inclusive": False, "score": 2}]}, "f", "r")
    result = bands.run(RuleContext(calc, {}, D(2)))
    assert ">0万元" in result.formula and "-2155万元" in result.explanation and "%" not in result.explanation
    deduct = parse_rule({"type": "deduct", "input": "人数", "target": 10, "direction": "below", "per": 1, "points": "0.5"},
                        "f", "r")
    calc = Calculator({"a": D(6)}, MetricSet.library().extended(metrics))
    result = deduct.run(RuleContext(calc, {}, D(4)))
    assert result.score == D(2) and "6人" in result.explanation and "10人" in result.formula
    assert "600" not in result.explanation


# --------------------------------------------------------------------------- coverage of the registry

def test_every_registered_rule_type_has_boundary_tests():
    missing = sorted(set(REGISTRY) - COVERED)
    assert not missing, f"rule types without boundary tests in tests/test_rules.py: {missing}"
    assert COVERED <= set(REGISTRY), f"tests cover rule types that are not registered: {sorted(COVERED - set(REGISTRY))}"
