"""The stable result contract (`evalbook score --json`), built from an Evaluation.

Numbers are emitted as JSON numbers printed from their exact decimal value
(94.79, never 94.78999999). Field list: docs/输出说明.md.
"""
from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from .. import __version__
from ..engine.scoring import Evaluation

SCHEMA_VERSION = 1


def number(value: Decimal | None):
    if value is None:
        return None
    if value == value.to_integral_value():
        return int(value)
    return float(value)  # shortest repr of a float round-trips the decimal's own digits


def indicator_record(ev: Evaluation, leaf) -> dict[str, Any]:
    node = leaf.node
    return {
        "id": node.id,
        "path": list(node.path),
        "name": node.name,
        "level": node.level,
        "weight": number(leaf.node.weight) if leaf.applicable else None,  # null: 不适用, or part of a shared weight
        "shared_weight": number(leaf.node.cap),
        "score": number(leaf.score),
        "self_score": number(leaf.self_score),
        "recomputed": number(leaf.recomputed),
        "source": leaf.source,
        "applicable": leaf.applicable,
        "trace": leaf.trace.as_dict(),
    }


def result_dict(ev: Evaluation) -> dict[str, Any]:
    meta = ev.subject.meta
    review = getattr(ev, "review", None)
    data = {
        "schema": SCHEMA_VERSION,
        "id": meta.id,
        "unit": meta.unit,
        "subject": meta.name,
        "kind": meta.kind,
        "year": meta.year,
        "framework": ev.framework.id,
        "framework_name": ev.framework.meta.name,
        "total": number(ev.total),
        "grade": ev.grade,
        "self_total": number(ev.self_total),
        "self_grade": ev.self_grade,
        "stated_total": number(ev.stated_total),
        "stated_grade": ev.subject.spec.stated.grade,
        "reviewed_total": number(ev.total),
        "reviewed_grade": ev.grade,
        "subtotals": [
            {"id": n.id, "path": list(n.path), "name": n.name, "weight": number(n.weight),
             "score": number(ev.subtotals.get(n.id)), "self_score": number(ev.self_subtotals.get(n.id))}
            for n in ev.nodes() if n.children
        ],
        "indicators": [indicator_record(ev, leaf) for leaf in ev.leaf_list()],
        "findings": [f.as_dict() for f in ev.findings],
        "readings": review.readings_dict() if review else [],
        "log": list(ev.log),
        "provenance": {
            "subject_file": ev.subject.path.name,
            "subject_sha256": ev.subject.sha256,
            "framework_file": ev.framework.path.name,
            "framework_sha256": ev.framework.sha256,
            "evalbook": __version__,
        },
    }
    return data


def to_json(ev: Evaluation) -> str:
    return json.dumps(result_dict(ev), ensure_ascii=False, indent=2)
