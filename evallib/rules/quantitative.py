"""Rules on a computed rate or figure: deduct per unit, bands, proportional, linear."""
from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ..core.numbers import ONE, ZERO, Interval, Num, Points, clamp, fmt, fmt_percent, fmt_unit, round_score
from .base import Rule, RuleContext, RuleResult, is_missing, register

UnitCounting = Literal["exact", "started", "whole"]
_COUNTING = {"exact": "按比例折算不足一个单位的部分", "started": "不足一个单位按一个单位计",
             "whole": "不足一个单位不计"}


def count_units(distance: Decimal, per: Decimal, counting: str) -> Decimal:
    units = distance / per
    if counting == "started":
        return units.to_integral_value(rounding=ROUND_CEILING)
    if counting == "whole":
        return units.to_integral_value(rounding=ROUND_FLOOR)
    return units


def show_number(value: Decimal, unit: bool | str) -> str:
    """A value in its unit; True / False are the older percent flag."""
    if isinstance(unit, bool):
        return fmt_percent(value) if unit else fmt(value)
    return fmt_unit(value, unit)


class _NumericInput(Rule):
    input: str
    percent: bool = True  # the input is a rate shown as a percentage
    unit: str | None = None  # the unit values and bounds print in (万元, 人, 次, %); default: the formula's unit

    def shown_unit(self, ctx: RuleContext) -> str:
        """The unit written on the rule, else `percent` if written, else the unit of the formula or figure read."""
        if self.unit is not None:
            return self.unit
        if "percent" in self.model_fields_set:
            return "%" if self.percent else ""
        known = ctx.calc.unit(self.input)
        return "%" if known is None else known  # an input of unknown unit reads as a rate, as before units


@register
class DeductRule(_NumericInput):
    """Full marks at the target; each unit beyond it in the bad direction costs `points`; floor 0."""

    type: Literal["deduct"]
    target: Num
    direction: Literal["above", "below", "both"]
    per: Num = Field(gt=0)
    points: Points = Field(ge=0)
    counting: UnitCounting = "exact"
    zero_beyond: Num | None = None  # distance from target at which the score becomes 0

    label = "按单位扣分"

    def evaluate(self, ctx: RuleContext) -> RuleResult:
        full = self.full_marks(ctx.weight)
        side = {"above": "高于", "below": "低于", "both": "偏离"}[self.direction]
        unit = self.shown_unit(ctx)
        target = show_number(self.target, unit)
        per = show_number(self.per, unit)
        formula = (f"{ctx.calc.label(self.input)}以{target}为标准，{side}标准每{per}扣{fmt(self.points)}分，"
                   f"扣完为止（{_COUNTING[self.counting]}）")
        value, shown = self.read(ctx, self.input)
        if is_missing(value):
            return RuleResult.missing(formula, value.reason, shown)
        if self.direction == "above":
            distance = max(ZERO, value - self.target)
        elif self.direction == "below":
            distance = max(ZERO, self.target - value)
        else:
            distance = abs(value - self.target)
        if distance == 0:
            return RuleResult(full, formula, shown, f"{ctx.calc.label(self.input)}为{show_number(value, unit)}，达到标准，得满分")
        if self.zero_beyond is not None and distance >= self.zero_beyond:
            return RuleResult(ZERO, formula, shown,
                              f"{ctx.calc.label(self.input)}为{show_number(value, unit)}，偏离标准达"
                              f"{show_number(self.zero_beyond, unit)}及以上，不得分")
        units = count_units(distance, self.per, self.counting)
        deduction = units * self.points
        score = max(ZERO, full - deduction)
        return RuleResult(score, formula, shown,
                          f"{ctx.calc.label(self.input)}为{show_number(value, unit)}，{side}标准"
                          f"{show_number(distance, unit)}，计{fmt(units.quantize(Decimal('0.0001')))}个单位，"
                          f"扣{fmt(min(full, deduction).quantize(Decimal('0.0001')))}分")


class Band(Interval):
    model_config = ConfigDict(extra="forbid", frozen=True)
    equals: Num | None = None
    score: Points = Field(ge=0)
    label: str = ""

    @model_validator(mode="after")
    def _equals(self):
        if self.equals is not None:
            object.__setattr__(self, "min", self.equals)
            object.__setattr__(self, "max", self.equals)
            object.__setattr__(self, "min_inclusive", True)
            object.__setattr__(self, "max_inclusive", True)
        return self

    def describe(self, percent: bool | str) -> str:
        if self.label:
            return self.label
        show = (lambda v: show_number(v, percent))
        if self.min is not None and self.max is not None and self.min == self.max:
            return f"等于{show(self.min)}"
        parts = []
        if self.min is not None:
            parts.append(f"{'≥' if self.min_inclusive else '>'}{show(self.min)}")
        if self.max is not None:
            parts.append(f"{'≤' if self.max_inclusive else '<'}{show(self.max)}")
        return " 且 ".join(parts) or "任意值"


def bands_text(bands: list[Band], percent: bool | str) -> str:
    return "；".join(f"{b.describe(percent)}得{fmt(b.score)}分" for b in bands)


@register
class BandsRule(_NumericInput):
    """Fixed points per interval of the input; bounds' inclusiveness is explicit."""

    type: Literal["bands"]
    bands: list[Band] = Field(min_length=1)
    otherwise: Points | None = Field(default=None, ge=0)  # score when no band matches (default: 0)

    label = "分档计分"

    def full_marks(self, weight: Decimal) -> Decimal:
        return self.max if self.max is not None else max(b.score for b in self.bands)

    def evaluate(self, ctx: RuleContext) -> RuleResult:
        unit = self.shown_unit(ctx)
        formula = f"{ctx.calc.label(self.input)}：{bands_text(self.bands, unit)}"
        value, shown = self.read(ctx, self.input)
        if is_missing(value):
            return RuleResult.missing(formula, value.reason, shown)
        shown_value = show_number(value, unit)
        for band in self.bands:
            if band.contains(value):
                return RuleResult(band.score, formula, shown,
                                  f"{ctx.calc.label(self.input)}为{shown_value}，属于“{band.describe(unit)}”档，得{fmt(band.score)}分")
        score = self.otherwise if self.otherwise is not None else ZERO
        return RuleResult(score, formula, shown, f"{ctx.calc.label(self.input)}为{shown_value}，不在任何计分档内，得{fmt(score)}分")


@register
class ProportionalRule(_NumericInput):
    """Score = rate × points, capped at the points (完成率法)."""

    type: Literal["proportional"]
    points: Points | None = Field(default=None, ge=0)
    above_full: Literal["cap", "zero"] = "cap"  # a rate above 100%: capped, or scores 0

    label = "完成率法（按比例计分）"

    def full_marks(self, weight: Decimal) -> Decimal:
        return self.points if self.points is not None else super().full_marks(weight)

    def evaluate(self, ctx: RuleContext) -> RuleResult:
        points = self.full_marks(ctx.weight)
        over = "超过100%的按满分计" if self.above_full == "cap" else "超过100%的不得分"
        formula = f"得分 = {ctx.calc.label(self.input)} × {fmt(points)}分（{over}）"
        value, shown = self.read(ctx, self.input)
        if is_missing(value):
            return RuleResult.missing(formula, value.reason, shown)
        if value > ONE and self.above_full == "zero":
            return RuleResult(ZERO, formula, shown, f"{ctx.calc.label(self.input)}为{fmt_percent(value)}，超过100%，不得分")
        score = clamp(value, ZERO, ONE) * points
        return RuleResult(score, formula, shown,
                          f"{ctx.calc.label(self.input)}为{fmt_percent(value)}，得分 = {fmt_percent(clamp(value, ZERO, ONE))} × {fmt(points)} = {fmt(round_score(score))}")


@register
class LinearRule(_NumericInput):
    """Full at or beyond `full_at`, zero at or beyond `zero_at`; linear or stepped between."""

    type: Literal["linear"]
    full_at: Num
    zero_at: Num
    step: Num | None = Field(default=None, gt=0)  # size of one step; none = continuous
    step_points: Points | None = Field(default=None, ge=0)  # points lost per step; default: full × step / |zero_at − full_at|
    counting: UnitCounting = "started"

    label = "两阈值之间线性（或分步）计分"

    @model_validator(mode="after")
    def _span(self):
        if self.full_at == self.zero_at:
            raise ValueError(f"满分界限 full_at 与不得分界限 zero_at 相同（{fmt(self.full_at)}），无法在两者之间计分")
        return self

    def evaluate(self, ctx: RuleContext) -> RuleResult:
        full = self.full_marks(ctx.weight)
        higher_better = self.full_at > self.zero_at
        span = abs(self.zero_at - self.full_at)
        unit = self.shown_unit(ctx)
        s = (lambda v: show_number(v, unit))
        good, bad = ("≥", "≤") if higher_better else ("≤", "≥")
        if self.step is None:
            between = "之间按线性插值计分"
        else:
            per_step = self.step_points if self.step_points is not None else full * self.step / span
            between = f"之间每{s(self.step)}扣{fmt(per_step)}分（{_COUNTING[self.counting]}）"
        formula = f"{ctx.calc.label(self.input)}{good}{s(self.full_at)}得满分，{bad}{s(self.zero_at)}得0分，{between}"
        value, shown = self.read(ctx, self.input)
        if is_missing(value):
            return RuleResult.missing(formula, value.reason, shown)
        name = ctx.calc.label(self.input)
        if (value >= self.full_at) if higher_better else (value <= self.full_at):
            return RuleResult(full, formula, shown, f"{name}为{s(value)}，达到满分标准")
        if (value <= self.zero_at) if higher_better else (value >= self.zero_at):
            return RuleResult(ZERO, formula, shown, f"{name}为{s(value)}，达到不得分界限")
        distance = abs(value - self.full_at)
        if self.step is None:
            deduction = full * distance / span
        else:
            per_step = self.step_points if self.step_points is not None else full * self.step / span
            deduction = count_units(distance, self.step, self.counting) * per_step
        score = max(ZERO, full - deduction)
        return RuleResult(score, formula, shown, f"{name}为{s(value)}，距满分标准{s(distance)}，扣{fmt(deduction.quantize(Decimal('0.0001')))}分")
