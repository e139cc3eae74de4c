"""`assess`: the one place that loads, scores (under every reading), reviews and lints a subject.

Every later stage — CLI printing, the report notebook, CSV/JSON, exporters, the summary — reads the
Assessment (in this process) or its serialised form (`contract.assessment_dict`), never re-scores.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from ..core.numbers import to_decimal
from ..engine.scoring import Evaluation, LeafScore, evaluate, load_pair
from ..model.framework import Framework
from ..model.engagement import Engagement, engagement_for
from ..model.lint import LintMessage, lint
from ..model.subject import Subject
from ..review.findings import Finding, Review
from ..review.run import run_review


@dataclass(frozen=True)
class Reading:
    """The subject scored under one alternative reading (解读) of the framework's rules."""
    id: str
    description: str
    evaluation: Evaluation

    @property
    def total(self) -> Decimal:
        return self.evaluation.total

    @property
    def grade(self) -> str | None:
        return self.evaluation.grade


@dataclass
class Assessment:
    evaluation: Evaluation  # the default reading: the reviewed result
    readings: list[Reading]
    lint: list[LintMessage]
    review: Review
    log: list[str] = field(default_factory=list)
    engagement: tuple[Engagement, Path] | None = None  # the engagement settings and their file, if any

    # the figures most readers want, named once here
    @property
    def subject(self) -> Subject:
        return self.evaluation.subject

    @property
    def framework(self) -> Framework:
        return self.evaluation.framework

    @property
    def findings(self) -> list[Finding]:
        return self.review.findings

    @property
    def total(self) -> Decimal:
        return self.evaluation.total

    @property
    def grade(self) -> str | None:
        return self.evaluation.grade

    @property
    def self_total(self) -> Decimal | None:
        return self.evaluation.self_total

    @property
    def self_grade(self) -> str | None:
        return self.evaluation.self_grade

    @property
    def stated_total(self) -> Decimal | None:
        return self.evaluation.stated_total

    @property
    def leaves(self) -> dict[str, LeafScore]:
        return self.evaluation.leaves

    def leaf_list(self) -> list[LeafScore]:
        return self.evaluation.leaf_list()


def assess_loaded(framework: Framework, subject: Subject, tolerance: str | Decimal = "0.01",
                  conventions: list[str] | tuple[str, ...] = ()) -> Assessment:
    evaluation = evaluate(framework, subject)
    readings = []
    for reading, description in framework.spec.readings.items():
        readings.append(Reading(reading, description, evaluate(framework, subject, reading)))
    messages = lint(framework)
    review = run_review(evaluation, to_decimal(tolerance), readings=readings, lint_messages=messages,
                        conventions=conventions)
    return Assessment(evaluation, readings, messages, review, log=list(evaluation.log))


def assess(subject_path: str | Path, framework_dirs: list[Path] | None = None,
           tolerance: str | Decimal = "0.01", engagement: str | Path | None = None,
           conventions: list[str] | tuple[str, ...] = ()) -> Assessment:
    """`engagement`: the engagement settings file; by default engagement.yaml beside the subject.
    `conventions`: the firm's review conventions (复核口径) to apply, by name."""
    framework, subject = load_pair(Path(subject_path), framework_dirs)
    found = engagement_for(Path(subject_path), Path(engagement) if engagement else None)
    result = assess_loaded(framework, subject, tolerance, conventions)
    result.engagement = found
    return result
