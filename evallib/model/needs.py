"""What a framework's rules read: metric names, and the catalogue figures those rest on."""
from __future__ import annotations

from .framework import Framework
from ..rules.formulas import MetricSet, formula_names
from ..rules import parse_rule
from ..rules.composite import CompositeRule


def rule_names(framework: Framework) -> list[str]:
    """Metric or figure names read by any rule (default, alternative readings, slot rules), in tree order."""
    names: list[str] = []

    def add(rule) -> None:
        for name in sorted(rule.inputs_named()):
            if name not in names:
                names.append(name)
        if isinstance(rule, CompositeRule):
            for part in rule.parts:
                add(part.rule)

    for node in framework.nodes():
        if node.rule is not None:
            add(node.rule)
        for alt in node.alternatives.values():
            add(alt)
        if node.slot is not None:
            add(parse_rule(node.slot.rule, str(framework.path), node.id))
    return names


def expand(names: list[str], metrics: MetricSet) -> tuple[list[str], list[str]]:
    """(metrics, figures) behind `names`, metrics resolved recursively, first-seen order."""
    seen_metrics: list[str] = []
    figures: list[str] = []

    def visit(name: str, stack: tuple[str, ...]) -> None:
        if name in metrics.metrics:
            if name in stack:
                return
            if name not in seen_metrics:
                seen_metrics.append(name)
            for ref in sorted(formula_names(metrics.metrics[name].formula)):
                visit(ref, stack + (name,))
        elif name not in figures:
            figures.append(name)

    for name in names:
        visit(name, ())
    return seen_metrics, figures


def needed_figures(framework: Framework) -> list[str]:
    return expand(rule_names(framework), framework.metric_set)[1]


def needed_metrics(framework: Framework) -> list[str]:
    return expand(rule_names(framework), framework.metric_set)[0]
