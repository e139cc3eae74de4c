"""Target completion (年度指标值 vs 实际完成值) for project target tables."""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from ..core.numbers import HUNDRED, ONE, ZERO, Num, fmt, fmt_percent, to_decimal
from .base import InputIssue, Rule, RuleContext, RuleResult, read_number, register

_OPS = {"≥": "higher", ">=": "higher", "＞": "higher", ">": "higher", "不低于": "higher", "不少于": "higher",
        "≤": "lower", "<=": "lower", "＜": "lower", "<": "lower", "不高于": "lower", "不超过": "lower",
        "=": "equal", "＝": "equal"}
_NUMBER = re.compile(r"^\s*(≥|>=|＞|>|≤|<=|＜|<|=|＝|不低于|不少于|不高于|不超过)?\s*([0-9][0-9,]*(?:\.[0-9]+)?)\s*(%|％)?\s*(.*?)\s*$")
NOT_APPLICABLE = {"不适用", "无", "—", "-", "——", "/"}
_SUFFIXES = (("及以上", "higher"), ("以上", "higher"), ("及以下", "lower"), ("以下", "lower"), ("以内", "lower"))


@dataclass(frozen=True)
class Quantity:
    text: str
    direction: str | None  # higher / lower / equal / None when no comparator was written
    value: Decimal
    unit: str  # '%' for percentages

    def show(self) -> str:
        return fmt_percent(self.value) if self.unit == "%" else f"{fmt(self.value)}{self.unit}"


def parse_quantity(text) -> Quantity | None:
    """'≥274' -> higher 274; '≤30分钟' -> lower 30 分钟; '100%' -> 1 %; '提升' -> None (qualitative)."""
    if text is None:
        return None
    raw = str(text).strip()
    match = _NUMBER.match(raw)
    if not match:
        return None
    op, number, percent, unit = match.groups()
    direction = _OPS.get(op) if op else None
    for word, side in _SUFFIXES:  # '5%以下', '30分钟以内': the comparator written after the number
        if unit.endswith(word):
            unit = unit[: -len(word)].strip()
            direction = direction or side
            break
    value = to_decimal(number)
    if percent:
        if unit:
            return None  # '10%左右' style text: not a plain quantity
        value, unit = value / HUNDRED, "%"
    if unit and not re.fullmatch(r"[^\d\s]{1,6}", unit):
        return None  # '提升10%以上' style text: not a plain quantity
    return Quantity(raw, direction, value, unit or "")


def is_blank(text) -> bool:
    return text is None or not str(text).strip()


def is_not_applicable(text) -> bool:
    """Written 不适用 (or a dash). A blank cell is missing, not 不适用."""
    return not is_blank(text) and str(text).strip() in NOT_APPLICABLE


@register
class TargetCompletionRule(Rule):
    type: Literal["target_completion"]
    method: Literal["ratio", "threshold60"] = "ratio"
    direction: Literal["higher", "lower", "equal"] = "higher"  # when the target has no comparator

    label = "目标完成情况（指标值与实际完成值）"

    def check_values(self, given, weight) -> list[InputIssue]:
        issues = [InputIssue(key, "应为一个值（文本或数字），如“≥95%”", given[key])
                  for key in ("target", "actual") if isinstance(given.get(key), (list, dict))]
        read_number(given, "score", issues, self.full_marks(weight), "该项分值")
        return issues

    def accepted_inputs(self) -> dict[str, str]:
        return {"target": "年度指标值（照录）", "actual": "实际完成值（照录）", "score": "评价人员评分（定性指标）",
                "evidence": "得分依据（文字）"}

    def evaluate(self, ctx: RuleContext) -> RuleResult:
        full = self.full_marks(ctx.weight)
        if self.method == "ratio":
            formula = "定量指标：达到目标值得满分，未达到按完成比例 × 分值计分（方向按指标值的比较符）；定性指标由评价人员判断"
        else:
            formula = "定量指标：完成率 ≥ 100% 得满分，低于60%不得分，其间得分 = (完成率 − 60%) / 40% × 分值；定性指标由评价人员判断"
        given = ctx.given
        target_text, actual_text = given.get("target"), given.get("actual")
        evidence = str(given.get("evidence", "") or "")
        inputs = {"年度指标值": str(target_text or "—"), "实际完成值": str(actual_text or "—")}
        if is_not_applicable(target_text) or (is_blank(target_text) and not ctx.weight):
            return RuleResult(None, "不适用，不计分值", inputs, "本项不适用", applicable=False)
        target = parse_quantity(target_text)
        actual = parse_quantity(actual_text)
        if given.get("score") is not None:  # an evaluator's judgement, for qualitative items or overrides
            score = to_decimal(given["score"])
            return RuleResult(score, formula, inputs, f"评价人员评定{fmt(score)}分", evidence=evidence,
                              recomputable=False)
        if is_blank(target_text):
            return RuleResult.missing(formula, "缺少年度指标值", inputs)
        if target is None:
            if is_blank(actual_text):
                return RuleResult.missing(formula, "缺少实际完成值", inputs)
            if actual_text is not None and str(actual_text).strip() == str(target_text).strip():
                return RuleResult(full, formula, inputs, "定性指标，实际完成情况与目标表述一致，视为完成", evidence=evidence,
                                  reason="定性指标由评价人员判断（实际完成情况与目标表述一致）", recomputable=False,
                                  default_only=True)
            return RuleResult(None, formula, inputs, evidence=evidence,
                              reason="定性指标，实际完成情况与目标不一致，需评价人员判断", recomputable=False)
        if actual is None:
            reason = "缺少实际完成值" if is_blank(actual_text) or is_not_applicable(actual_text) else f"实际完成值“{actual_text}”不是数值"
            return RuleResult.missing(formula, reason, inputs)
        if target.unit != actual.unit:
            return RuleResult.missing(formula, f"指标值单位“{target.unit}”与实际完成值单位“{actual.unit}”不一致", inputs)
        direction = target.direction or self.direction
        if direction == "higher":
            met = actual.value >= target.value
            completion = ONE if met else (actual.value / target.value if target.value else ZERO)
        elif direction == "lower":
            met = actual.value <= target.value
            completion = ONE if met else (target.value / actual.value if actual.value else ONE)
        else:
            met = actual.value == target.value
            completion = ONE if met else max(ZERO, ONE - abs(actual.value - target.value) / target.value) if target.value else ZERO
        inputs["完成率"] = fmt_percent(completion)
        if met:
            return RuleResult(full, formula, inputs, f"实际完成{actual.show()}，达到目标值{target.text}，得满分", evidence=evidence)
        if self.method == "ratio":
            score = completion * full
            text = f"实际完成{actual.show()}，未达到目标值{target.text}，完成率{fmt_percent(completion)}，得分 = {fmt_percent(completion)} × {fmt(full)}"
        else:
            score = ZERO if completion < Decimal("0.6") else (completion - Decimal("0.6")) / Decimal("0.4") * full
            text = f"实际完成{actual.show()}，完成率{fmt_percent(completion)}，" + (
                "低于60%，不得分" if completion < Decimal("0.6") else f"得分 = ({fmt_percent(completion)} − 60%) / 40% × {fmt(full)}")
        return RuleResult(score, formula, inputs, text, evidence=evidence)
