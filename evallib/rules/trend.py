"""Trend over a yearly series: 连续稳步提升 / 逐年提高 / 不低于上年 / 年均增长率 ≥ x.

The series is filed per indicator (`series: {"2019": 120, "2020": 135, "2021": 150}`), with the years
the criteria name declared on the rule, so a missing or extra year is an error rather than a guess.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, model_validator

from ..core.numbers import ONE, ZERO, Num, fmt, fmt_percent, fmt_unit, to_decimal
from .base import InputIssue, Rule, RuleContext, RuleResult, register

_CRITERIA = {"rising": "逐年提高（每年均高于上年）", "not_falling": "逐年不低于上年",
             "average_growth": "年均增长率"}


def _series(given: dict) -> dict[str, Any]:
    raw = given.get("series")
    return {str(year): value for year, value in raw.items()} if isinstance(raw, dict) else {}


@register
class TrendRule(Rule):
    """Full marks when the yearly series moves as the criteria require; else `otherwise`, or `per_break` per bad year."""

    type: Literal["trend"]
    criterion: Literal["rising", "not_falling", "average_growth"]
    measure: str  # what the series measures, as printed (本级一般公共预算收入)
    years: list[Annotated[str, BeforeValidator(str)]] = Field(min_length=2)  # the years the criteria cover, oldest first
    unit: str = ""  # unit of the values (万元, 人, 次, %)
    min_growth: Num | None = None  # average_growth: the least compound yearly growth (5% written as 5%)
    per_break: Num | None = None  # points lost per year that breaks the trend (rising / not_falling)
    otherwise: Num = ZERO  # score when the trend does not hold and per_break is not given

    label = "趋势（多年序列）"

    @model_validator(mode="after")
    def _consistent(self):
        if self.criterion == "average_growth" and self.min_growth is None:
            raise ValueError("criterion 为 average_growth 时须给出 min_growth（年均增长率下限，如 5%）")
        if self.criterion != "average_growth" and self.min_growth is not None:
            raise ValueError("min_growth 只用于 criterion: average_growth")
        if self.criterion == "average_growth" and self.per_break is not None:
            raise ValueError("per_break 只用于 rising / not_falling")
        return self

    def accepted_inputs(self) -> dict[str, str]:
        return {"series": f"{self.measure}各年数值：{'、'.join(self.years)}（年份 → 数值）", "evidence": "得分依据（文字）"}

    def check_values(self, given, weight) -> list[InputIssue]:
        if given.get("series") is None:
            return []
        if not isinstance(given["series"], dict):
            return [InputIssue("series", "应为键值表：年份 → 数值", given["series"])]
        issues = []
        series = _series(given)
        for year in [y for y in series if y not in self.years]:
            issues.append(InputIssue(f"series.{year}", f"评分标准只涉及 {'、'.join(self.years)} 年", year))
        for year, value in series.items():
            try:
                to_decimal(value)
            except ValueError:
                issues.append(InputIssue(f"series.{year}", "应为数字", value))
        return issues

    def evaluate(self, ctx: RuleContext) -> RuleResult:
        full = self.full_marks(ctx.weight)
        span = f"{self.years[0]}—{self.years[-1]}年"
        if self.criterion == "average_growth":
            rule = f"{span}{self.measure}年均增长率（复合）≥{fmt_percent(self.min_growth)}得满分，否则得{fmt(self.otherwise)}分"
        elif self.per_break is not None:
            rule = f"{span}{self.measure}{_CRITERIA[self.criterion]}得满分，每有一年未做到扣{fmt(self.per_break)}分"
        else:
            rule = f"{span}{self.measure}{_CRITERIA[self.criterion]}得满分，否则得{fmt(self.otherwise)}分"
        series = _series(ctx.given)
        missing = [y for y in self.years if series.get(y) is None]
        inputs = {f"{y}年{self.measure}": fmt_unit(to_decimal(series[y]), self.unit) for y in self.years if y not in missing}
        if missing:
            return RuleResult.missing(rule, f"缺少{'、'.join(missing)}年{self.measure}（series）", inputs)
        values = [to_decimal(series[y]) for y in self.years]
        evidence = str(ctx.given.get("evidence", "") or "")
        if self.criterion == "average_growth":
            if values[0] <= 0 or values[-1] < 0:
                return RuleResult.missing(rule, f"{self.years[0]}年数值不为正，无法计算年均增长率", inputs)
            growth = (values[-1] / values[0]) ** (ONE / (len(values) - 1)) - ONE
            inputs["年均增长率"] = fmt_percent(growth)
            met = growth >= self.min_growth
            text = (f"年均增长率 = ({fmt(values[-1])} / {fmt(values[0])})^(1/{len(values) - 1}) − 1 = {fmt_percent(growth)}，"
                    + ("达到" if met else "未达到") + f"{fmt_percent(self.min_growth)}")
            score = full if met else self.otherwise
            return RuleResult(score, rule, inputs, f"{text}，得{fmt(score)}分", evidence=evidence)
        breaks = [self.years[i] for i in range(1, len(values))
                  if (values[i] <= values[i - 1] if self.criterion == "rising" else values[i] < values[i - 1])]
        steps = "，".join(f"{y}年{fmt_unit(v, self.unit)}" for y, v in zip(self.years, values))
        if not breaks:
            return RuleResult(full, rule, inputs, f"{steps}，{_CRITERIA[self.criterion]}，得满分", evidence=evidence)
        word = "未高于上年" if self.criterion == "rising" else "低于上年"
        if self.per_break is not None:
            lost = self.per_break * len(breaks)
            score = max(ZERO, full - lost)
            text = f"{steps}；{'、'.join(breaks)}年{word}，扣{fmt(lost)}分"
        else:
            score = self.otherwise
            text = f"{steps}；{'、'.join(breaks)}年{word}，得{fmt(score)}分"
        return RuleResult(score, rule, inputs, text, evidence=evidence)
