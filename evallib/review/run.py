"""run_review: every registered check on one scored subject, findings merged and worded for a reviewer,
effects on the total and grade stated, and the coverage of the reviewed result."""
from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Iterable

from ..core.numbers import ZERO, json_number
from ..engine.scoring import Evaluation
from . import framework, projects, scores, stated, tables, targets, totals  # noqa: F401  (register the checks)
from . import reasons  # noqa: F401  (registered last, so the other checks keep their order)
from .conventions import apply_conventions
from .findings import CHECKS, SEVERITIES, Finding, Review, as_reading, path_of

# Internal wording from the rules that a reviewer would not write.
_WORDING = [
    ("缺少评价要点核查结果（met / missed / violations）", "缺少评价要点核查结果（各要点是否满足、不符合例数）"),
    ("met / missed / violations", "评价要点核查结果"),
]
_LONG_DECIMAL = re.compile(r"(?<![\d.])(\d+\.\d{4,})(?![\d.])")  # unrounded intermediates only


def reviewer_text(text: str) -> str:
    """No internal keys, numbers as a report prints them (83.3333 -> 83.33)."""
    for internal, plain in _WORDING:
        text = text.replace(internal, plain)
    return _LONG_DECIMAL.sub(lambda m: f"{Decimal(m.group(1)).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):f}", text)


def _merge(findings: list[Finding]) -> list[Finding]:
    """One finding per discrepancy: the same indicator, claim and recomputed value found by two checks."""
    out: dict[tuple, Finding] = {}
    for f in findings:
        key = (f.category, f.indicator, f.claimed, f.recomputed)
        if key in out:
            kept = out[key]
            kept.places.extend(p for p in f.places if p not in kept.places)
        else:
            out[key] = f
    return list(out.values())


def _effect_on_grade(rv: Review, f: Finding) -> str | None:
    if f.effect_total is None or rv.ev.self_total is None:
        return None
    before = rv.ev.framework.grade(rv.ev.self_total)
    after = rv.ev.framework.grade(rv.ev.self_total + f.effect_total)
    return "等级不变" if before == after else f"等级由{before}变为{after}"


COVERAGE_KINDS = {"复算": "recomputed", "评价人员判断": "judged", "采用自评分": "adopted", "未评分": "unscored"}


def coverage(ev: Evaluation) -> dict[str, Any]:
    """Points of the reviewed result by where they come from: recomputed from figures, judged by the
    reviewer, adopted from the filed scores (listed with the reason), or unscored."""
    points = {kind: ZERO for kind in COVERAGE_KINDS.values()}
    adopted = []
    for leaf in ev.leaf_list():
        if not leaf.applicable:
            continue
        kind = COVERAGE_KINDS[leaf.source]
        points[kind] += leaf.weight
        if kind in ("adopted", "unscored"):
            adopted.append({"indicator": path_of(leaf), "points": json_number(leaf.limit),
                            "reason": reviewer_text(leaf.trace.reason or "未写明")})
    for node in ev.nodes():  # a shared weight counts once, by the weakest source among its items
        if node.shared and node.weight is not None:
            kinds = {COVERAGE_KINDS[ev.leaves[c.id].source] for c in node.children if c.id in ev.leaves}
            weakest = next((k for k in ("unscored", "adopted", "judged", "recomputed") if k in kinds), "adopted")
            points[weakest] += node.weight
    total = sum(points.values(), ZERO)
    return {**{k: json_number(v) for k, v in points.items()}, "total": json_number(total), "adopted_items": adopted}


def coverage_text(cov: dict[str, Any], filed: str = "自评分") -> str:
    return (f"各项分值合计{cov['total']}分中：按数据复算{cov['recomputed']}分，评价人员判断{cov['judged']}分，"
            f"采用{filed}{cov['adopted']}分" + (f"，未评分{cov['unscored']}分" if cov["unscored"] else "") + "。")


def run_review(ev: Evaluation, tolerance: Decimal = Decimal("0.01"), readings: Iterable[Any] = (),
               lint_messages: Iterable[Any] = (), conventions: Iterable[Any] = ()) -> Review:
    """Run every check on a scored subject. `readings` are the assessment's alternative readings (each with
    its Evaluation, or plain (id, description, total, grade) tuples); `lint_messages` the framework's lint;
    `conventions` the firm's review conventions switched on (none by default)."""
    rv = Review(ev, tolerance, readings=[as_reading(r) for r in readings], lint_messages=list(lint_messages),
                conventions=list(conventions))
    for func in CHECKS:
        func(rv)
    apply_conventions(rv)
    rv.findings = _merge(rv.findings)
    for f in rv.findings:
        f.message = reviewer_text(f.message)
        f.effect_grade = _effect_on_grade(rv, f)
    rv.not_recomputable = [(name, reviewer_text(reason)) for name, reason in rv.not_recomputable]
    rv.coverage = coverage(ev)
    order = {s: i for i, s in enumerate(SEVERITIES)}
    rv.findings.sort(key=lambda f: order[f.severity])
    return rv
