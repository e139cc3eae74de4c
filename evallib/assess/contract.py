"""The serialised assessment: the stable JSON contract (`evalbook score --json`, result.json, the
report notebook's input). Schema 2 extends schema 1 (same fields, same meaning) with everything the
later stages read: the indicator tree, figures and metrics with their labels, the subject's tables,
projects, narrative and stated values, the framework's grades and readings, lint messages.

Numbers are JSON numbers printed from their exact decimal value (94.79, never 94.78999999).
Field list: docs/输出说明.md.
"""
from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from .. import __version__
from ..core.numbers import json_number
from ..engine.scoring import Evaluation, LeafScore
from ..model.engagement import engagement_dict
from ..model.needs import needed_metrics
from ..rules.formulas import NoValue, formula_names
from .assessment import Assessment

SCHEMA_VERSION = 2
number = json_number


def plain(value: Any) -> Any:
    """Model dumps and containers as JSON-ready data, Decimals as exact JSON numbers."""
    if isinstance(value, Decimal):
        return json_number(value)
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if hasattr(value, "model_dump"):
        return plain(value.model_dump())
    return value


def indicator_record(ev: Evaluation, leaf: LeafScore) -> dict[str, Any]:
    node = leaf.node
    given = ev.subject.spec.inputs.get(node.id, {})
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
        # schema 2
        "limit": number(leaf.limit),
        "definition": node.definition,
        "given": plain(node.given) if node.given else None,
        "bounds": [number(b) for b in leaf.bounds] if leaf.bounds else None,
        "evidence_refs": plain(given.get("evidence_refs") or []),
        "data_source": given.get("source"),
    }


def node_records(ev: Evaluation) -> list[dict[str, Any]]:
    """The instantiated indicator tree, parents before children (target-table rows included)."""
    out = []

    def visit(node, parent):
        out.append({"id": node.id, "parent": parent, "name": node.name, "level": node.level,
                    "path": list(node.path), "weight": number(node.weight), "shared": node.shared,
                    "leaf": node.id in ev.leaves, "children": [c.id for c in node.children]})
        for child in node.children:
            visit(child, node.id)

    for root in ev.roots:
        visit(root, None)
    return out


def figure_records(ev: Evaluation) -> list[dict[str, Any]]:
    """Filed figures, and catalogue figures a score's trace names though they were not filed (value null)."""
    figures = ev.calc.figures
    named = {key for leaf in ev.leaves.values() for key in leaf.trace.inputs}
    return [{"name": name, "label": spec.label, "unit": spec.unit, "kind": spec.kind, "value": number(figures.get(name))}
            for name, spec in ev.framework.catalogue.items() if name in figures or name in named]


def metric_records(ev: Evaluation) -> list[dict[str, Any]]:
    calc, figures = ev.calc, ev.calc.figures
    needed = set(needed_metrics(ev.framework))
    stated = {sv.metric for sv in ev.subject.spec.stated.values if sv.metric}
    out = []
    for name, metric in calc.metrics.metrics.items():
        refs = formula_names(metric.formula)
        value = calc.value(name)
        out.append({"name": name, "label": metric.label or name, "unit": metric.unit, "formula": metric.formula,
                    "refs": sorted(refs), "value": None if isinstance(value, NoValue) else number(value),
                    "shown": calc.show(name, value),
                    "no_value": value.reason if isinstance(value, NoValue) else None,
                    # every reference filed or itself a metric (a metric of unfiled figures is not shown as data)
                    "complete": bool(refs) and all(r in figures or r in calc.metrics.metrics for r in refs),
                    "used": name in needed or name in stated,
                    "inputs": [{"name": k, "shown": calc.show(k, v)} for k, v in calc.leaf_inputs(name).items()]})
    return out


def assessment_dict(a: Assessment) -> dict[str, Any]:
    ev, review = a.evaluation, a.review
    meta = ev.subject.meta
    spec = ev.subject.spec
    return {
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
        "stated_grade": spec.stated.grade,
        "reviewed_total": number(ev.total),
        "reviewed_grade": ev.grade,
        "subtotals": [
            {"id": n.id, "path": list(n.path), "name": n.name, "weight": number(n.weight),
             "score": number(ev.subtotals.get(n.id)), "self_score": number(ev.self_subtotals.get(n.id))}
            for n in ev.nodes() if n.children
        ],
        "indicators": [indicator_record(ev, leaf) for leaf in ev.leaf_list()],
        "findings": [f.as_dict() for f in review.findings],
        "readings": review.readings_dict(),
        "log": list(ev.log),
        "provenance": {
            "subject_file": ev.subject.path.name,
            "subject_sha256": ev.subject.sha256,
            "framework_file": ev.framework.path.name,
            "framework_sha256": ev.framework.sha256,
            "evalbook": __version__,
        },
        # schema 2: what the report, exporters and summary read
        "meta": plain(meta),
        "framework_meta": plain(ev.framework.meta),
        "grades": [{"grade": g.grade, "describe": g.describe()} for g in ev.framework.spec.grades],
        "nodes": node_records(ev),
        "figures": figure_records(ev),
        "metrics": metric_records(ev),
        "data": {"tables": plain(spec.tables), "projects": plain(spec.projects), "narrative": plain(spec.narrative),
                 "stated": plain(spec.stated)},
        "not_recomputable": [{"indicator": name, "reason": reason} for name, reason in review.not_recomputable],
        "coverage": review.coverage,
        "lint": [{"level": m.level, "where": m.where, "message": m.message} for m in a.lint],
        "engagement": engagement_dict(a.engagement),
    }


def to_json(a: Assessment) -> str:
    return json.dumps(assessment_dict(a), ensure_ascii=False, indent=2)


def read_json(text: str) -> dict[str, Any]:
    """A serialised assessment back as data, every number an exact Decimal."""
    return json.loads(text, parse_float=Decimal, parse_int=Decimal)
