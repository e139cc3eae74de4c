"""Framework checks: weights add up, rules fit their items, grade bands tile the range, inputs exist."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .framework import Framework, Node
from ..rules.formulas import FormulaError, formula_cycles, formula_names
from ..core.numbers import ZERO, fmt, settle
from ..rules.quantitative import BandsRule


@dataclass(frozen=True)
class LintMessage:
    level: str  # 错误 / 警告
    where: str
    message: str

    def __str__(self) -> str:
        return f"[{self.level}] {self.where}：{self.message}"


def _where(node: Node) -> str:
    return f"{' > '.join(node.path)}（{node.id}）"


def _check_intervals(bands, low: Decimal, high: Decimal, describe) -> list[str]:
    """Gaps and overlaps of inclusive/exclusive intervals over [low, high]."""
    problems = []
    ordered = sorted(bands, key=lambda b: (b.min if b.min is not None else Decimal("-Infinity")))
    for a, b in zip(ordered, ordered[1:]):
        if a.max is None or b.min is None:
            problems.append(f"“{describe(a)}”与“{describe(b)}”重叠")
            continue
        if a.max > b.min or (a.max == b.min and a.max_inclusive and b.min_inclusive):
            problems.append(f"“{describe(a)}”与“{describe(b)}”重叠")
        elif a.max < b.min or (a.max == b.min and not a.max_inclusive and not b.min_inclusive):
            problems.append(f"“{describe(a)}”与“{describe(b)}”之间有空档")
    if ordered:
        first, last = ordered[0], ordered[-1]
        if first.min is not None and (first.min > low or (first.min == low and not first.min_inclusive)):
            problems.append(f"低于 {fmt(first.min)} 的得分没有对应档次")
        if last.max is not None and (last.max < high or (last.max == high and not last.max_inclusive)):
            problems.append(f"高于 {fmt(last.max)} 的得分没有对应档次")
    return problems


def lint(framework: Framework) -> list[LintMessage]:
    out: list[LintMessage] = []
    total = framework.meta.total
    catalogue = framework.catalogue
    known = set(catalogue) | set(framework.metric_set.metrics)

    for name, metric in framework.metric_set.metrics.items():
        try:
            refs = formula_names(metric.formula)
        except FormulaError as exc:
            out.append(LintMessage("错误", f"公式 {name}", str(exc)))
            continue
        for ref in sorted(refs - known):
            if name in framework.spec.metrics:
                out.append(LintMessage("错误", f"公式 {name}", f"引用了不存在的数据项或公式“{ref}”"))
    for cycle in formula_cycles(framework.metric_set.metrics):
        out.append(LintMessage("错误", f"公式 {cycle[0]}", f"公式循环引用：{' → '.join(cycle)}，无法计算"))

    leaf_sum = ZERO
    for node in framework.nodes():
        where = _where(node)
        if node.children and not node.shared and node.weight is not None:
            weights = [c.weight for c in node.children]
            if all(w is not None for w in weights):
                child_sum = sum(weights, ZERO)
                if settle(child_sum) != settle(node.weight):
                    out.append(LintMessage("错误", where, f"分值为 {fmt(node.weight)} 分，下级指标分值合计 {fmt(child_sum)} 分，二者不一致"))
        if node.shared and any(c.weight is not None for c in node.children):
            out.append(LintMessage("警告", where, "共享分值的指标，其下级指标不应再单列分值"))
        if node.is_leaf and node.weight is not None:
            leaf_sum += node.weight
        if node.shared:
            leaf_sum += node.weight or ZERO
        if node.slot is not None and node.weight is not None:
            leaf_sum += node.weight
        for reading, rule in [(None, node.rule)] + list(node.alternatives.items()):
            if rule is None:
                continue
            label = f"（解读“{reading}”）" if reading else ""
            if node.limit is not None:
                full = settle(rule.full_marks(node.limit))
                if full > settle(node.limit):
                    out.append(LintMessage("错误", where, f"评分规则{label}最高可得 {fmt(full)} 分，超过该指标分值 {fmt(node.limit)} 分"))
                elif full < settle(node.limit) and rule.type not in ("not_applicable",) and node.weight is not None:
                    out.append(LintMessage("警告", where, f"评分规则{label}最高只能得 {fmt(full)} 分，低于分值 {fmt(node.limit)} 分，满分不可达"))
            for ref in sorted(rule.inputs_named() - known):
                out.append(LintMessage("错误", where, f"评分规则引用了评价对象数据中不存在的数据项或公式“{ref}”"))
            for sub in _sub_rules(rule):
                if isinstance(sub, BandsRule):
                    low, high = (Decimal(0), Decimal(10 ** 9))
                    for problem in _check_intervals(sub.bands, low, high, lambda b: b.describe(sub.percent)):
                        if "没有对应档次" not in problem:
                            out.append(LintMessage("警告", where, f"计分档次：{problem}"))
        if node.is_leaf and not node.criteria:
            out.append(LintMessage("警告", where, "未录入评分标准原文（criteria）"))

    open_slots = any(n.slot is not None and n.weight is None for n in framework.nodes())
    if settle(leaf_sum) != settle(total) and not open_slots:
        out.append(LintMessage("错误", "指标体系", f"末级指标分值合计 {fmt(leaf_sum)} 分，与声明的总分 {fmt(total)} 分不一致"))
    roots_sum = sum((r.weight or ZERO for r in framework.roots), ZERO)
    if all(r.weight is not None for r in framework.roots) and settle(roots_sum) != settle(total):
        out.append(LintMessage("错误", "指标体系", f"一级指标分值合计 {fmt(roots_sum)} 分，与声明的总分 {fmt(total)} 分不一致"))
    for problem in _check_intervals(framework.spec.grades, Decimal(0), total, lambda g: f"{g.grade} {g.describe()}"):
        out.append(LintMessage("错误", "等级 grades", problem))
    return out


def _sub_rules(rule):
    yield rule
    for part in getattr(rule, "parts", []) or []:
        yield from _sub_rules(part.rule)
