"""Composite: several sub-rules added up (e.g. 福田 预算执行率, 公用经费控制率)."""
from __future__ import annotations

from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ..core.yamlio import translate
from ..core.numbers import ZERO, Points, fmt, round_score
from .base import ANNOTATIONS, REGISTRY, InputIssue, Rule, RuleContext, RuleResult, register, unique


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
        return unique(parts, lambda p: p.name, "子规则名称")

    def full_marks(self, weight: Decimal) -> Decimal:
        return self.max if self.max is not None else sum((p.points for p in self.parts), ZERO)

    def inputs_named(self) -> set[str]:
        return set().union(*(p.rule.inputs_named() for p in self.parts)) if self.parts else set()

    def accepted_inputs(self) -> dict[str, str]:
        return {p.name: f"“{p.name}”部分的输入（键值表）" for p in self.parts}

    def check_given(self, given: dict[str, Any], weight: Decimal, filed=None) -> list[InputIssue]:
        """Each part's inputs sit under the part's name; a flat key would reach every part at once."""
        names = "、".join(f"“{p.name}”" for p in self.parts)
        issues: list[InputIssue] = []
        for key in (given if filed is None else filed):
            value = given[key]
            part = next((p for p in self.parts if p.name == key), None)
            if part is not None:
                if not isinstance(value, dict):
                    issues.append(InputIssue(key, "应为键值表（该部分的录入字段）", value))
                    continue
                issues += [InputIssue(f"{key}.{i.key}", i.message, i.value) for i in part.rule.check_given(value, part.points)]
            elif key in ANNOTATIONS:
                continue
            elif any(key in p.rule.accepts() for p in self.parts):
                issues.append(InputIssue(key, f"复合规则的输入须写在所属部分的名称之下，不能平铺；部分名称：{names}"
                                              f"（例如 {self.parts[0].name}: {{{key}: ...}}）", value))
            else:
                issues.append(InputIssue(key, f"不是此复合规则的部分名称；部分名称：{names}，另可填写 evidence", value))
        return issues

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
