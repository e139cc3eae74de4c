"""Scoring: one Evaluation carries every stage — framework instantiated for the subject,
figures, computed values, leaf scores with traces, subtotals, total and grade — and a log.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..core.errors import InputError, Problem
from ..core.stagelog import record_stage
from ..model.framework import Framework, Node, find_framework, load_framework_cached
from ..rules.formulas import Calculator
from ..core.numbers import ZERO, clamp, fmt, round_score
from ..rules import RuleContext, RuleResult, parse_rule
from ..model.subject import Subject, load_subject, scorer_label
from ..model.catalogue import check_figures


@dataclass
class Trace:
    rule: str  # rule type, in Chinese
    criteria: str  # 评分标准 as printed
    formula: str
    inputs: dict[str, str]
    result: str  # the sentence explaining the score
    evidence: str = ""
    reason: str = ""  # why the rule could not be evaluated
    note: str = ""  # encoder's note on the printed rule

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class LeafScore:
    node: Node
    score: Decimal | None  # the score evalbook gives (recomputed, judged, or the self-score as fallback)
    self_score: Decimal | None
    source: str  # 复算 / 评价人员判断 / 采用自评分 / 未评分 / 不适用
    recomputed: Decimal | None  # the rule's own result, when the rule could be evaluated from the figures
    trace: Trace
    applicable: bool = True
    bounds: tuple[Decimal, Decimal] | None = None  # what the computable parts allow, when the rule gave no score

    @property
    def weight(self) -> Decimal:
        """Own weight (zero for 不适用 items and for children of a shared weight)."""
        return self.node.weight if self.applicable and self.node.weight is not None else ZERO

    @property
    def limit(self) -> Decimal:
        """The most this item can score: own weight or the shared weight."""
        return self.node.limit if self.applicable and self.node.limit is not None else ZERO

    @property
    def lost(self) -> Decimal:
        return self.weight - (self.score or ZERO)


@dataclass
class Evaluation:
    framework: Framework
    subject: Subject
    roots: list[Node]
    calc: Calculator
    reading: str | None = None
    leaves: dict[str, LeafScore] = field(default_factory=dict)
    subtotals: dict[str, Decimal | None] = field(default_factory=dict)
    self_subtotals: dict[str, Decimal | None] = field(default_factory=dict)
    log: list[str] = field(default_factory=list)

    # -- results -------------------------------------------------------
    @property
    def total(self) -> Decimal:
        """Σ of the 一级 subtotals (a shared weight caps its children's sum)."""
        return sum((aggregate(r, self, lambda s: s.score) or ZERO for r in self.roots), ZERO)

    @property
    def self_total(self) -> Decimal | None:
        scores = [s.self_score for s in self.leaves.values() if s.self_score is not None]
        return sum(scores, ZERO) if scores else None

    @property
    def grade(self) -> str | None:
        return self.framework.grade(self.total)

    @property
    def self_grade(self) -> str | None:
        return self.framework.grade(self.self_total)

    @property
    def stated_total(self) -> Decimal | None:
        return self.subject.spec.stated.total

    def nodes(self):
        for root in self.roots:
            yield from root.walk()

    def node(self, node_id: str) -> Node | None:
        return next((n for n in self.nodes() if n.id == node_id), None)

    def leaf_list(self) -> list[LeafScore]:
        return [self.leaves[n.id] for n in self.nodes() if n.id in self.leaves]


def instantiate(framework: Framework, subject: Subject) -> list[Node]:
    """Copy the framework tree, filling slot nodes with the subject's target-table rows."""
    file = str(subject.path)
    problems: list[Problem] = []
    targets = subject.spec.targets

    def copy_node(node: Node) -> Node:
        children = [copy_node(c) for c in node.children]
        if node.slot is not None:
            rows = targets.get(node.id, [])
            if len(rows) < node.slot.min_items:
                problems.append(Problem(file, f"targets.{node.id}", f"“{node.name}”至少需要 {node.slot.min_items} 项指标"))
            rule = parse_rule(node.slot.rule, str(framework.path), f"指标 {node.name} 的 slot.rule")
            for row in rows:
                children.append(Node(id=row.id, name=row.name, weight=row.weight, level=node.level + 1,
                                     path=node.path + (row.name,), rule=rule, criteria="",
                                     given=row.model_dump()))
            filled = sum((row.weight or ZERO for row in rows), ZERO)
            if node.weight is not None and rows and filled != node.weight:
                problems.append(Problem(file, f"targets.{node.id}", f"各项分值 weight 合计 {fmt(filled)} 分，"
                                        f"与指标体系中“{node.name}”的分值 {fmt(node.weight)} 分不一致"))
        weight = node.weight
        if node.slot is not None and weight is None:
            weight = sum((c.weight or ZERO for c in children), ZERO)
        return Node(id=node.id, name=node.name, weight=weight, level=node.level, path=node.path,
                    definition=node.definition, criteria=node.criteria, note=node.note, rule=node.rule,
                    shared=node.shared, slot=None, alternatives=node.alternatives, children=children,
                    given=node.given, cap=node.cap)

    roots = [copy_node(r) for r in framework.roots]
    for slot_id in targets:
        slot = framework.node(slot_id)
        if slot is None or slot.slot is None:
            problems.append(Problem(file, f"targets.{slot_id}", "指标体系中没有这个可填写目标的指标", slot_id))
    if problems:
        raise InputError(problems)
    return roots


def check_references(roots: list[Node], subject: Subject, known_values=()) -> None:
    """Every indicator id, value name and row id the subject names exists in the framework, once."""
    file = str(subject.path)
    nodes = [n for r in roots for n in r.walk()]
    ids = {n.id for n in nodes}
    leaves = {n.id for n in nodes if not n.children}
    problems = []
    for section in ("inputs", "self_scores"):
        for key in getattr(subject.spec, section):
            if key not in ids:
                problems.append(Problem(file, f"{section}.{key}", "指标体系中没有这个指标编号", key))
            elif key not in leaves:
                problems.append(Problem(file, f"{section}.{key}", "不是末级指标（有下级指标），不直接评分；请填在末级指标下", key))
    for key in subject.spec.stated.subtotals:
        if key not in ids:
            problems.append(Problem(file, f"stated.subtotals.{key}", "指标体系中没有这个指标编号", key))
    for n, stated in enumerate(subject.spec.stated.values, 1):
        if stated.metric is not None and stated.metric not in known_values:
            problems.append(Problem(file, f"stated.values[{n}].metric", "指标体系中没有这个公式或数据项（拼写是否有误？）",
                                    stated.metric))
    seen: dict[str, Node] = {}
    for node in nodes:
        if node.id in seen and node.given is not None:
            problems.append(Problem(file, f"targets 中的指标 {node.name}", f"编号与指标“{seen[node.id].name}”重复", node.id))
        seen.setdefault(node.id, node)
    if problems:
        raise InputError(problems)


def check_inputs(ev: "Evaluation") -> None:
    """Each leaf's inputs and self-score checked against its rule before any scoring: an input the rule
    does not read, or one out of its range, is an error — never ignored or capped quietly."""
    file = str(ev.subject.path)
    inputs = ev.subject.spec.inputs
    problems = []
    for node in ev.nodes():
        if node.children or node.rule is None:
            continue
        rule = node.alternatives.get(ev.reading, node.rule) if ev.reading else node.rule
        own = inputs.get(node.id, {})
        given = {**(node.given or {}), **own}
        limit = node.limit if node.limit is not None else ZERO
        for issue in rule.check_given(given, limit, filed=own):
            where = (f"inputs.{node.id}.{issue.key}" if issue.key.split(".")[0] in own
                     else _row_place(ev.subject, node, issue.key))
            problems.append(Problem(file, where, f"指标“{' > '.join(node.path)}”：{issue.message}", issue.value))
    if problems:
        raise InputError(problems)


def _row_place(subject: Subject, node: Node, key: str) -> str:
    """Where a target-table row's field is written: targets.<slot>[n].<key>."""
    for slot, rows in subject.spec.targets.items():
        for n, row in enumerate(rows, 1):
            if row.id == node.id:
                return f"targets.{slot}[{n}]（{row.name}）.{key}"
    return f"指标 {node.name}（{node.id}）.{key}"


def score_leaf(node: Node, ev: Evaluation) -> LeafScore:
    rule = node.alternatives.get(ev.reading, node.rule) if ev.reading else node.rule
    given = dict(node.given or {})
    given.update(ev.subject.spec.inputs.get(node.id, {}))
    self_score = ev.subject.spec.self_scores.get(node.id)
    if self_score is None and node.given:
        self_score = node.given.get("self_score")
    weight = node.limit if node.limit is not None else ZERO
    result: RuleResult = rule.run(RuleContext(ev.calc, given, weight))
    evidence = result.evidence or str(given.get("evidence", "") or "")
    trace = Trace(rule=rule.label, criteria=node.criteria, formula=result.formula, inputs=result.inputs,
                  result=result.explanation, evidence=evidence, reason=result.reason, note=node.note)
    if not result.applicable:
        return LeafScore(node, None, self_score, "不适用", None, trace, applicable=False)
    if result.default_only and self_score is not None:
        result.score = None  # the filed score stands; the default only fills a gap
    printed_max = rule.full_marks(weight)
    if result.score is None and self_score is not None and self_score > printed_max:
        # the filed score cannot stand above the printed maximum, whatever else is missing
        trace.result = (f"无法按规则复算（{result.reason}）；所报{fmt(self_score)}分超过评分标准规定的最高分"
                        f"{fmt(printed_max)}分，按{fmt(printed_max)}分计")
        return LeafScore(node, printed_max, self_score, "采用自评分", None, trace, bounds=result.bounds)
    if result.score is not None:
        score = round_score(clamp(result.score, ZERO, weight))
        if result.score > weight:
            trace.result += f"；规则结果{fmt(result.score)}分超过分值，按分值{fmt(weight)}分计"
        source = "复算" if result.recomputable else "评价人员判断"
        return LeafScore(node, score, self_score, source, score if result.recomputable else None, trace)
    if self_score is not None:
        partial = f"；可复算部分：{result.explanation}" if result.explanation else ""
        trace.result = f"无法按规则复算（{result.reason}），采用{scorer_label(ev.subject.meta)}{fmt(self_score)}分{partial}"
        return LeafScore(node, self_score, self_score, "采用自评分", None, trace, bounds=result.bounds)
    trace.result = f"未评分：{result.reason}"
    return LeafScore(node, None, None, "未评分", None, trace)


def aggregate(node: Node, ev: Evaluation, pick) -> Decimal | None:
    """Sum children; a shared node caps its children's sum at its own weight."""
    if node.id in ev.leaves:
        return pick(ev.leaves[node.id])
    values = [aggregate(c, ev, pick) for c in node.children]
    known = [v for v in values if v is not None]
    if not known:
        return None
    total = sum(known, ZERO)
    if node.shared and node.weight is not None:
        total = min(total, node.weight)
    return total


def evaluate(framework: Framework, subject: Subject, reading: str | None = None) -> Evaluation:
    file = str(subject.path)
    catalogue = framework.catalogue
    figures = check_figures(subject.spec.figures, catalogue, file)
    roots = instantiate(framework, subject)
    check_references(roots, subject, set(catalogue) | set(framework.metric_set.metrics))
    labels = {name: f"{spec.label}（{name}）" for name, spec in catalogue.items()}
    units = {name: spec.unit for name, spec in catalogue.items()}
    ev = Evaluation(framework, subject, roots, Calculator(figures, framework.metric_set, labels, units), reading=reading)
    check_inputs(ev)
    ev.log.append(f"读取指标体系 {framework.id}（{framework.path.name}，sha256 {framework.sha256[:12]}）")
    ev.log.append(f"读取评价对象 {subject.id}（{subject.path.name}，sha256 {subject.sha256[:12]}），数据项 {len(figures)} 个")
    if reading:
        ev.log.append(f"采用解读“{reading}”：{framework.spec.readings.get(reading, '')}")
    for node in ev.nodes():
        if not node.children:
            if node.rule is None:
                continue  # an empty slot
            ev.leaves[node.id] = score_leaf(node, ev)
    counts: dict[str, int] = {}
    for leaf in ev.leaves.values():
        counts[leaf.source] = counts.get(leaf.source, 0) + 1
    ev.log.append("末级指标评分：" + "，".join(f"{k} {v} 项" for k, v in counts.items()))
    for node in ev.nodes():
        if node.children:
            ev.subtotals[node.id] = aggregate(node, ev, lambda s: s.score)
            ev.self_subtotals[node.id] = aggregate(node, ev, lambda s: s.self_score)
    ev.log.append(f"合计 {fmt(ev.total)} 分，等级 {ev.grade or '—'}；{scorer_label(subject.meta)}合计 {fmt(ev.self_total)} 分")
    record_stage("score", subject.id)
    return ev


def load_pair(subject_path: Path, framework_dirs: list[Path] | None = None) -> tuple[Framework, Subject]:
    subject = load_subject(subject_path)
    framework_path = find_framework(subject.meta.framework, framework_dirs, referrer=str(subject_path))
    return load_framework_cached(framework_path), subject


def evaluate_file(subject_path: Path, framework_dirs: list[Path] | None = None, reading: str | None = None) -> Evaluation:
    framework, subject = load_pair(Path(subject_path), framework_dirs)
    return evaluate(framework, subject, reading)
