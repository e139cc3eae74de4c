"""The rule registry. A rule type is a pydantic model registered under its YAML `type` name.

To add a rule type: subclass `Rule`, give it a `type: Literal["name"]` field,
implement `evaluate`, decorate with `@register`. Frameworks then use it by name.
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..core.errors import InputError, Problem
from ..core.yamlio import translate
from .formulas import Calculator, NoValue, Value
from ..core.numbers import ZERO, Num, Points, fmt, to_points  # noqa: F401  (Num re-exported)

REGISTRY: dict[str, type["Rule"]] = {}


# What any indicator's inputs may carry beside the rule's own: the evidence text, where the data came
# from, and references to the documents behind it (working papers read these).
ANNOTATIONS = ("evidence", "source", "evidence_refs")


def unique(values: list, key, what: str) -> list:
    """A validator body: `values` whose `key` repeats are refused, naming the repeats."""
    names = [key(v) for v in values]
    repeated = sorted({str(x) for x in names if names.count(x) > 1})
    if repeated:
        raise ValueError(f"{what}重复：{'、'.join(repeated)}")
    return values


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


@dataclass(frozen=True)
class InputIssue:
    """An evaluator input that does not fit its rule: `key` is its name under the indicator's inputs."""

    key: str
    message: str
    value: object = None


def read_number(given: dict, key: str, issues: list[InputIssue], high: Decimal | None = None,
                high_text: str = "", whole: bool = False) -> Decimal | None:
    """A number the evaluator filed (a score, a count): never negative, never above `high`; None if absent."""
    raw = given.get(key)
    if raw is None:
        return None
    try:
        number = to_points(raw)
    except ValueError as exc:
        issues.append(InputIssue(key, str(exc), raw))
        return None
    if number < 0:
        issues.append(InputIssue(key, "不能为负数", raw))
    elif whole and number != number.to_integral_value():
        issues.append(InputIssue(key, "应为整数（例数）", raw))
    elif high is not None and number > high:
        issues.append(InputIssue(key, f"超过{high_text or '上限'} {fmt(high)}；不会按上限截取，请核对后重填", raw))
    else:
        return number
    return None


class Rule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    type: str
    max: Points | None = Field(default=None, ge=0)  # full marks of the rule as printed; defaults to the item's weight
    when_missing: Literal["unscored", "full", "zero"] = "unscored"

    label: ClassVar[str] = ""  # Chinese name of the rule type

    def accepted_inputs(self) -> dict[str, str]:
        """The keys this rule reads from the subject's `inputs` for its indicator, each with what it holds.

        Declared once per rule type: the input check, `new-subject` and the Excel template read it.
        """
        return {}

    def accepts(self) -> list[str]:
        """Every key an indicator's inputs may carry under this rule: what it reads, and the annotations."""
        own = list(self.accepted_inputs())
        return own + [k for k in ANNOTATIONS if k not in own]

    def check_given(self, given: dict[str, Any], weight: Decimal, filed=None) -> list[InputIssue]:
        """The inputs for one indicator, checked against this rule before anything is scored: names
        the rule does not read (among `filed`, default all), wrong types, values out of range."""
        known = self.accepts()
        issues = []
        for key in (given if filed is None else filed):
            if key not in known:
                close = difflib.get_close_matches(str(key), known, n=1)
                hint = f"是否应为“{close[0]}”？" if close else ""
                issues.append(InputIssue(key, f"此项评分规则（{self.label}）不读取“{key}”这个字段；{hint}可填：{'、'.join(known)}"))
        return issues + self.check_values(given, weight)

    def check_values(self, given: dict[str, Any], weight: Decimal) -> list[InputIssue]:
        """Range checks of the inputs this rule reads (each rule type declares its own)."""
        return []

    def full_marks(self, weight: Decimal) -> Decimal:
        return self.max if self.max is not None else weight

    def inputs_named(self) -> set[str]:
        """Metric or figure names this rule reads (checked by lint)."""
        name = getattr(self, "input", None)
        return {name} if name else set()

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
    if not isinstance(kind, str) or kind not in REGISTRY:
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
