"""The rule registry. A rule type is a pydantic model registered under its YAML `type` name.

To add a rule type: subclass `Rule`, give it a `type: Literal["name"]` field,
implement `evaluate`, decorate with `@register`. Frameworks then use it by name.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from ..core.errors import InputError, Problem
from ..core.yamlio import translate
from .formulas import Calculator, NoValue, Value
from ..core.numbers import ZERO, Num, fmt

REGISTRY: dict[str, type["Rule"]] = {}


def register(cls: type["Rule"]) -> type["Rule"]:
    name = cls.model_fields["type"].annotation.__args__[0]
    REGISTRY[name] = cls
    return cls


@dataclass
class RuleContext:
    """What a rule may read: computed values, the subject's inputs for this indicator, the weight."""

    calc: Calculator
    given: dict[str, Any]
    weight: Decimal

    def value(self, name: str) -> Value:
        return self.calc.value(name)


@dataclass
class RuleResult:
    score: Decimal | None  # unrounded; None when the rule cannot be evaluated
    formula: str  # the rule as applied, in words
    inputs: dict[str, str] = field(default_factory=dict)  # name -> shown value
    explanation: str = ""  # why this score / what was deducted
    evidence: str = ""  # 得分依据 for judgement items
    reason: str = ""  # why no score could be computed
    recomputable: bool = True  # False where the score is an evaluator's judgement
    applicable: bool = True  # False for 不适用 items (no weight)
    default_only: bool = False  # a default (e.g. matching wording of a qualitative target) that yields to a filed score
    bounds: tuple[Decimal, Decimal] | None = None  # when no score: the range the computable parts still allow

    @classmethod
    def missing(cls, formula: str, reason: str, inputs=None) -> "RuleResult":
        return cls(score=None, formula=formula, inputs=inputs or {}, reason=reason)


class Rule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    type: str
    max: Num | None = None  # full marks of the rule as printed; defaults to the item's weight
    when_missing: Literal["unscored", "full", "zero"] = "unscored"

    label: ClassVar[str] = ""  # Chinese name of the rule type

    def full_marks(self, weight: Decimal) -> Decimal:
        return self.max if self.max is not None else weight

    def inputs_named(self) -> set[str]:
        """Metric or figure names this rule reads (checked by lint)."""
        name = getattr(self, "input", None)
        return {name} if name else set()

    def accepted_inputs(self) -> dict[str, str]:
        """The keys this rule reads from the subject's `inputs` for its indicator, each with what it holds.

        Declared once per rule type: the structure check, `new-subject` and the Excel template read it.
        """
        return {"evidence": "得分依据（文字）"}

    def input_problems(self, given: Any, where: str) -> list[tuple[str, str, Any]]:
        """Inputs that do not fit this rule, as (field path, message, value): never ignored quietly."""
        if not isinstance(given, dict):
            return [(where, "应为键值表（填写项: 值）", given)]
        valid = self.accepted_inputs()
        return [(f"{where}.{key}", f"{self.label}不读取“{key}”；可填写：{'、'.join(valid)}", value)
                for key, value in given.items() if key not in valid]

    def evaluate(self, ctx: RuleContext) -> RuleResult:
        raise NotImplementedError

    def run(self, ctx: RuleContext) -> RuleResult:
        result = self.evaluate(ctx)
        if result.score is None and result.applicable and self.when_missing != "unscored":
            full = self.full_marks(ctx.weight)
            result.score = full if self.when_missing == "full" else ZERO
            result.explanation = (f"{result.reason}；按评分标准，无此情形时"
                                  f"{'计满分' if self.when_missing == 'full' else '不得分'}（{fmt(result.score)} 分）")
            result.reason = ""
        return result

    def read(self, ctx: RuleContext, name: str) -> tuple[Value, dict[str, str]]:
        """A value and the trace of the figures behind it."""
        value = ctx.value(name)
        shown = {ctx.calc.label(name): ctx.calc.show(name, value)}
        for ref, ref_value in ctx.calc.leaf_inputs(name).items():
            if ref != name:
                shown[ref] = ctx.calc.show(ref, ref_value)
        return value, shown


def parse_rule(data: Any, file: str, where: str) -> Rule:
    if not isinstance(data, dict):
        raise InputError.single(file, where, "评分规则应为键值表（含 type 字段）", data)
    kind = data.get("type")
    if kind not in REGISTRY:
        known = "、".join(sorted(REGISTRY))
        raise InputError.single(file, f"{where}.type", f"未知的评分规则类型；可用类型：{known}", kind)
    try:
        return REGISTRY[kind].model_validate(data)
    except ValidationError as exc:
        raise InputError(translate(exc, file, where)) from None


def as_problem(file: str, where: str, message: str, value=None) -> Problem:
    return Problem(file, where, message, value)


def is_missing(value: Value) -> bool:
    return isinstance(value, NoValue)
