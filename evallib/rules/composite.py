"""Composite: several sub-rules added up (e.g. 福田 预算执行率, 公用经费控制率)."""
from __future__ import annotations

from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ..core.yamlio import translate
from ..core.numbers import ZERO, Points, fmt, round_score
from .base import REGISTRY, InputIssue, Rule, RuleContext, RuleResult, register


class Part(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str
    points: Points = Field(ge=0)
    rule: Any

    @field_validator("rule", mode="before")
    @classmethod
    def _rule(cls, value):
        if isinstance(value, Rule):
            return value
        if not isinstance(value, dict) or not isinstance(value.get("type"), str) or value["type"] not in REGISTRY:
            known = "、".join(sorted(REGISTRY))
            raise ValueError(f"未知的评分规则类型“{value.get('type') if isinstance(value, dict) else value}”；可用类型：{known}")
        try:
            return REGISTRY[value["type"]].model_validate(value)
        except ValidationError as exc:
            raise ValueError("；".join(f"{p.where}：{p.message}" for p in translate(exc, ""))) from None


@register
class CompositeRule(Rule):
    type: Literal["composite"]
    parts: list[Part]
    round_parts: bool = False  # round each part to two decimals before adding

    label = "复合规则（子规则相加）"

    @field_validator("parts")
    @classmethod
    def _unique_parts(cls, parts):
        names = [p.name for p in parts]
        repeated = sorted({x for x in names if names.count(x) > 1})
        if repeated:
            raise ValueError(f"子规则名称重复：{'、'.join(repeated)}")
        return parts

    def accepts(self) -> list[str]:
        named = [p.name for p in self.parts]
        return named + [k for p in self.parts for k in p.rule.accepts() if k not in named]

    def check_values(self, given, weight) -> list[InputIssue]:
        # A part reads the inputs filed under its name, or else the indicator's inputs (see evaluate).
        issues: list[InputIssue] = []
        for part in self.parts:
            own = given.get(part.name)
            if own is None:
                issues += part.rule.check_values(given, part.points)
            elif not isinstance(own, dict):
                issues.append(InputIssue(part.name, "应为键值表（该子规则的录入字段）", own))
            else:
                issues += [InputIssue(f"{part.name}.{i.key}", i.message, i.value)
                           for i in part.rule.check_given(own, part.points)]
        return issues

    def full_marks(self, weight: Decimal) -> Decimal:
        return self.max if self.max is not None else sum((p.points for p in self.parts), ZERO)

    def inputs_named(self) -> set[str]:
        return set().union(*(p.rule.inputs_named() for p in self.parts)) if self.parts else set()

    def evaluate(self, ctx: RuleContext) -> RuleResult:
        formulas, inputs, texts, evidence, missing = [], {}, [], [], []
        total = open_points = ZERO
        recomputable = True
        for part in self.parts:
            sub_ctx = RuleContext(ctx.calc, ctx.given.get(part.name, ctx.given), part.points)
            result = part.rule.run(sub_ctx)
            formulas.append(f"【{part.name}，{fmt(part.points)}分】{result.formula}")
            for key, shown in result.inputs.items():
                # parts may read same-named inputs (each quarter's 完成值): keep them apart
                inputs[key if inputs.get(key, shown) == shown else f"{part.name}：{key}"] = shown
            recomputable = recomputable and result.recomputable
            if result.evidence:
                evidence.append(result.evidence)
            if result.score is None:
                missing.append(f"{part.name}：{result.reason}")
                open_points += part.points
                continue
            score = min(part.points, result.score)
            if self.round_parts:
                score = round_score(score)
            total += score
            texts.append(f"{part.name}{fmt(score.quantize(Decimal('0.0001')))}分（{result.explanation}）")
        if missing:
            # The parts that could be scored still bound the whole: [their sum, their sum + the open parts' points].
            bounds = (total, total + open_points) if texts else None
            return RuleResult(None, "；".join(formulas), inputs, "；".join(texts), evidence="；".join(evidence),
                              reason="；".join(missing), recomputable=recomputable, bounds=bounds)
        return RuleResult(total, "；".join(formulas), inputs, "；".join(texts), evidence="；".join(evidence),
                          recomputable=recomputable)
