"""What a review (复核) produces: findings, the Review they belong to, and the registry of checks.

A finding's severity follows its effect: 错误 changes an indicator score, the total or a figure beyond
the precision of its inputs; 警告 depends on a reading (口径差异) or needs the unit's explanation;
提示 is a rounding difference within the printed precision of the inputs.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from importlib import resources
from typing import Any, Callable, Iterable

import yaml

from ..core.numbers import json_number
from ..engine.scoring import Evaluation, LeafScore
from ..model.subject import scorer_label

SEVERITIES = ("错误", "警告", "提示")
ACTIONS = ("更正", "补证", "说明口径", "仅提示")


@dataclass(kw_only=True)
class Finding:
    severity: str  # 错误 / 警告 / 提示
    category: str
    indicator: str  # the indicator or figure concerned
    message: str  # a sentence a consultant can paste into a 复核意见
    action: str  # 更正 / 补证 / 说明口径 / 仅提示: what the unit must do
    claimed: str | None = None
    recomputed: str | None = None
    delta: Decimal | None = None  # score difference (recomputed − claimed), where scores are compared
    places: list[str] = field(default_factory=list)  # every place of the document where it appears
    effect_indicator: Decimal | None = None  # change of the indicator's score in the reviewed result
    effect_total: Decimal | None = None  # change of the reviewed total
    effect_grade: str | None = None  # e.g. "等级不变" or "等级由优变为良"
    trace: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.severity not in SEVERITIES:
            raise ValueError(f"unknown severity {self.severity!r}")
        if self.action not in ACTIONS:
            raise ValueError(f"unknown action {self.action!r}")

    def as_dict(self) -> dict[str, Any]:
        out = dict(self.__dict__)
        for key in ("delta", "effect_indicator", "effect_total"):
            out[key] = json_number(out[key])
        out["places"] = list(self.places)
        return out


@dataclass(frozen=True)
class ReviewReading:
    """One alternative reading as the review sees it; unpacks as (id, description, total, grade)."""
    id: str
    description: str
    total: Decimal
    grade: str | None
    evaluation: Evaluation | None = None

    def __iter__(self):
        return iter((self.id, self.description, self.total, self.grade))

    def leaf(self, leaf_id: str) -> LeafScore | None:
        return self.evaluation.leaves.get(leaf_id) if self.evaluation is not None else None


def as_reading(item: Any) -> ReviewReading:
    """Accept an assessment Reading (with .evaluation) or a plain (id, description, total, grade) tuple."""
    if isinstance(item, ReviewReading):
        return item
    if hasattr(item, "evaluation"):
        return ReviewReading(item.id, item.description, item.total, item.grade, item.evaluation)
    rid, text, total, grade = item
    return ReviewReading(rid, text, total, grade)


@dataclass
class Review:
    ev: Evaluation
    tolerance: Decimal
    findings: list[Finding] = field(default_factory=list)
    not_recomputable: list[tuple[str, str]] = field(default_factory=list)  # (indicator, reason)
    readings: list[ReviewReading] = field(default_factory=list)
    lint_messages: list[Any] = field(default_factory=list)
    conventions: list[Any] = field(default_factory=list)  # firm conventions switched on (conventions.py)
    coverage: dict[str, Any] = field(default_factory=dict)

    def add(self, **kwargs) -> None:
        self.findings.append(Finding(**kwargs))

    @property
    def filed(self) -> str:
        """What the filed scores are called: 自评分 / 评价机构评分 / 财政评价评分."""
        return scorer_label(self.ev.subject.meta)

    @property
    def grade_changes(self) -> bool:
        return self.ev.self_grade != self.ev.grade

    def counts(self) -> dict[str, int]:
        return severity_counts(self.findings)

    def readings_dict(self) -> list[dict[str, Any]]:
        return [{"id": r.id, "description": r.description, "total": json_number(r.total), "grade": r.grade}
                for r in self.readings]


def severity_counts(findings: Iterable[Any]) -> dict[str, int]:
    """Findings per severity, every severity present (the one place this is counted)."""
    counts = {s: 0 for s in SEVERITIES}
    for f in findings:
        counts[f.severity] += 1
    return counts


CHECKS: list[Callable[[Review], None]] = []


def check(func: Callable[[Review], None]) -> Callable[[Review], None]:
    CHECKS.append(func)
    return func


@cache
def review_data() -> dict[str, Any]:
    """evallib/data/review.yaml: the figure breakdowns and quarter names the checks read."""
    return yaml.safe_load(resources.files("evallib.data").joinpath("review.yaml").read_text("utf-8"))


def path_of(leaf_or_node) -> str:
    node = getattr(leaf_or_node, "node", leaf_or_node)
    return " / ".join(node.path)
