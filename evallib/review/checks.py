"""Review (复核): recompute what the filed figures determine, check the document's own arithmetic,
and list every discrepancy with its evidence. Each check is a small function registered in CHECKS.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any, Callable

from ..rules.formulas import NoValue
from ..core.numbers import ZERO, decimal_places, fmt, fmt_percent, json_number, round_score, to_decimal
from ..engine.scoring import Evaluation

SEVERITIES = ("错误", "警告", "提示")


@dataclass
class Finding:
    severity: str  # 错误 / 警告 / 提示
    category: str
    indicator: str  # the indicator or figure concerned
    message: str  # a sentence a consultant can paste into a 复核意见
    claimed: str | None = None
    recomputed: str | None = None
    delta: Decimal | None = None  # score difference (recomputed − claimed), where scores are compared
    trace: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        out = dict(self.__dict__)
        out["delta"] = json_number(self.delta)
        return out


@dataclass
class Review:
    ev: Evaluation
    tolerance: Decimal
    findings: list[Finding] = field(default_factory=list)
    not_recomputable: list[tuple[str, str]] = field(default_factory=list)  # (indicator, reason)
    readings: list[tuple[str, str, Decimal, str | None]] = field(default_factory=list)  # id, 说明, total, grade
    lint_messages: list[Any] = field(default_factory=list)

    def add(self, *args, **kwargs) -> None:
        self.findings.append(Finding(*args, **kwargs))

    @property
    def grade_changes(self) -> bool:
        return self.ev.self_grade != self.ev.grade

    def readings_dict(self) -> list[dict[str, Any]]:
        return [{"id": rid, "description": text, "total": json_number(total), "grade": grade}
                for rid, text, total, grade in self.readings]


CHECKS: list[Callable[[Review], None]] = []


def check(func: Callable[[Review], None]) -> Callable[[Review], None]:
    CHECKS.append(func)
    return func


def _rounding_level(delta: Decimal) -> bool:
    return abs(delta) <= Decimal("0.05")


@check
def recomputed_scores(rv: Review) -> None:
    for leaf in rv.ev.leaf_list():
        name = " / ".join(leaf.node.path)
        trace = leaf.trace.as_dict()
        if leaf.self_score is not None and leaf.applicable and leaf.self_score > leaf.limit:
            rv.add("错误", "自评分超出分值", name, f"“{leaf.node.name}”自评{fmt(leaf.self_score)}分，超过该项分值{fmt(leaf.limit)}分。",
                   fmt(leaf.self_score), fmt(leaf.limit), leaf.limit - leaf.self_score, trace)
        rule = leaf.node.rule
        if rule is not None and leaf.self_score is not None and leaf.applicable and leaf.limit:
            printed_max = rule.full_marks(leaf.limit)
            if printed_max < leaf.limit and leaf.self_score > printed_max:
                rv.add("错误", "自评分超出评分标准", name,
                       f"“{leaf.node.name}”按评分标准最高可得{fmt(printed_max)}分，自评{fmt(leaf.self_score)}分。",
                       fmt(leaf.self_score), fmt(printed_max), printed_max - leaf.self_score, trace)
        if not leaf.applicable:
            if leaf.self_score:
                rv.add("警告", "不适用项计分", name, f"“{leaf.node.name}”为不适用项，却自评{fmt(leaf.self_score)}分。",
                       fmt(leaf.self_score), None, -leaf.self_score, trace)
            continue
        if leaf.source == "采用自评分" or leaf.source == "未评分":
            rv.not_recomputable.append((name, leaf.trace.reason))
            if leaf.bounds and leaf.self_score is not None:
                low, high = (round_score(b) for b in leaf.bounds)
                if not low <= leaf.self_score <= high:
                    nearest = low if leaf.self_score < low else high
                    rv.add("错误", "得分与规则不符", name,
                           f"“{leaf.node.name}”无法完全复算，但按可复算部分，得分应在{fmt(low)}至{fmt(high)}分之间，"
                           f"自评{fmt(leaf.self_score)}分（{leaf.trace.result}）。",
                           fmt(leaf.self_score), f"{fmt(low)}–{fmt(high)}", nearest - leaf.self_score, trace)
            continue
        if leaf.self_score is None:
            continue
        delta = leaf.score - leaf.self_score
        if abs(delta) <= rv.tolerance:
            continue
        if leaf.source == "评价人员判断":
            rv.add("警告", "评价人员判断与自评不同", name,
                   f"“{leaf.node.name}”自评{fmt(leaf.self_score)}分，评价人员评定{fmt(leaf.score)}分。理由：{leaf.trace.evidence or '未写明'}",
                   fmt(leaf.self_score), fmt(leaf.score), delta, trace)
            continue
        severity = "提示" if _rounding_level(delta) else "错误"
        rv.add(severity, "得分与规则不符" if severity == "错误" else "得分舍入差异", name,
               f"“{leaf.node.name}”自评{fmt(leaf.self_score)}分，按评分标准复算应得{fmt(leaf.score)}分"
               f"（{leaf.trace.result}）。",
               fmt(leaf.self_score), fmt(leaf.score), delta, trace)


@check
def shared_weights(rv: Review) -> None:
    for node in rv.ev.nodes():
        if not node.shared or node.weight is None:
            continue
        claimed = rv.ev.self_subtotals.get(node.id)
        if claimed is not None and claimed > node.weight:
            rv.add("错误", "自评分超出分值", " / ".join(node.path),
                   f"“{node.name}”共用分值{fmt(node.weight)}分，其下各项自评分合计{fmt(claimed)}分，超出共用分值。",
                   fmt(claimed), fmt(node.weight), node.weight - claimed, {"formula": f"Σ {node.name}下各项自评分 ≤ {fmt(node.weight)}"})


@check
def stated_totals(rv: Review) -> None:
    ev = rv.ev
    stated = ev.subject.spec.stated
    if stated.total is not None and ev.self_total is not None and stated.total != ev.self_total:
        delta = ev.self_total - stated.total
        rv.add("错误", "合计不符", "总分", f"文件所述总分为{fmt(stated.total)}分，但各项自评分相加为{fmt(ev.self_total)}分，相差{fmt(delta)}分。",
               fmt(stated.total), fmt(ev.self_total), delta,
               {"formula": "总分 = Σ 末级指标自评分", "inputs": {"末级指标数": str(len(ev.leaves))}})
    for node_id, value in stated.subtotals.items():
        node = ev.node(node_id)
        mine = ev.self_subtotals.get(node_id)
        if node is not None and mine is not None and mine != value:
            rv.add("错误", "小计不符", " / ".join(node.path),
                   f"“{node.name}”文件所述小计为{fmt(value)}分，但其下各项自评分相加为{fmt(mine)}分。",
                   fmt(value), fmt(mine), mine - value, {"formula": f"{node.name}小计 = Σ 下级自评分"})
    if stated.grade and ev.self_total is not None:
        expected = ev.framework.grade(stated.total if stated.total is not None else ev.self_total)
        if expected and expected != stated.grade:
            rv.add("错误", "等级不符", "等级", f"文件所述等级为“{stated.grade}”，但按本指标体系的等级划分应为“{expected}”。",
                   stated.grade, expected, None, {"formula": "；".join(f"{g.grade} {g.describe()}" for g in ev.framework.spec.grades)})


def _sum_rows(rows, column):
    values = [r.values[column] if column < len(r.values) else None for r in rows]
    known = [v for v in values if v is not None]
    return (sum(known, ZERO) if known else None), len(known), len(values)


@check
def table_arithmetic(rv: Review) -> None:
    for table in rv.ev.subject.spec.tables:
        def visit(row, trail):
            if row.parts:
                for col, header in enumerate(table.columns):
                    if col >= len(row.values) or row.values[col] is None:
                        continue
                    total, known, count = _sum_rows(row.parts, col)
                    if total is None or known < count:
                        continue
                    delta = total - row.values[col]
                    if delta != 0:
                        severity = "提示" if abs(delta) <= Decimal("0.01") * count else "错误"
                        parts = " + ".join(f"{p.name} {fmt(p.values[col])}" for p in row.parts)
                        rv.add(severity, "分项与合计不符", f"{table.title}：{row.name}（{header}）",
                               f"{table.title}中“{row.name}”{header}为{fmt(row.values[col])}{table.unit}，"
                               f"但分项之和为{fmt(total)}{table.unit}（{parts}），相差{fmt(delta)}{table.unit}。",
                               fmt(row.values[col]), fmt(total), None,
                               {"formula": f"{row.name} = " + " + ".join(p.name for p in row.parts), "source": table.source})
            for part in row.parts:
                visit(part, trail + (row.name,))
        for row in table.rows:
            visit(row, ())


@check
def table_figures(rv: Review) -> None:
    figures = rv.ev.calc.figures
    for table in rv.ev.subject.spec.tables:
        def visit(row):
            if row.figure and row.values and row.values[0] is not None and row.figure in figures:
                if row.values[0] != figures[row.figure]:
                    rv.add("警告", "同一数据两处不一致", rv.ev.calc.label(row.figure),
                           f"{table.title}中“{row.name}”为{fmt(row.values[0])}{table.unit}，而基础数据“{row.figure}”为{fmt(figures[row.figure])}。",
                           fmt(row.values[0]), fmt(figures[row.figure]), None, {"source": table.source})
            for part in row.parts:
                visit(part)
        for row in table.rows:
            visit(row)


def _compare_stated(claimed_text: str, value: Decimal, is_rate: bool) -> tuple[str, str] | None:
    """None when the printed value agrees with the computed one at its printed precision."""
    places = decimal_places(claimed_text)
    claimed = to_decimal(claimed_text if not is_rate or "%" in claimed_text else claimed_text)
    if is_rate and "%" not in claimed_text and claimed > 1:
        claimed = claimed / 100
    scale = Decimal(100) if is_rate else Decimal(1)
    computed_printed = (value * scale).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP) if places >= 0 else value
    claimed_printed = (claimed * scale).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    diff = abs(computed_printed - claimed_printed)
    if diff == 0:
        return None
    unit = Decimal(1).scaleb(-places)
    # an amount is shown as the data hold it (3179.61, not 3179.6 at the claim's precision)
    shown = fmt_percent(value, places) if is_rate else fmt(value.quantize(Decimal(1).scaleb(-max(places, 2)), rounding=ROUND_HALF_UP))
    # Rounding level: one unit of the printed precision apart. The inputs are themselves printed rounded
    # (46.18 / 53.00), so e.g. 87.12% for a computed 87.13% or 6.83 for 6.82 may be honest rounding.
    return ("提示" if diff <= unit else "错误"), shown


def _same_printed_number(a: str, b: str) -> bool:
    """Two printed values of one figure agree if they are equal at the coarser of their precisions (195.7 = 195.70)."""
    def parse(text: str):
        text = text.strip()
        return to_decimal(text.rstrip("%％")), text.endswith(("%", "％")), decimal_places(text)
    try:
        (x, pct_a, da), (y, pct_b, db) = parse(a), parse(b)
    except ValueError:
        return a.strip() == b.strip()
    if pct_a != pct_b:
        return a.strip() == b.strip()
    q = Decimal(1).scaleb(-min(da, db))
    return x.quantize(q, rounding=ROUND_HALF_UP) == y.quantize(q, rounding=ROUND_HALF_UP)


@check
def stated_values(rv: Review) -> None:
    calc = rv.ev.calc
    by_metric: dict[str, list] = {}
    for sv in rv.ev.subject.spec.stated.values:
        key = sv.metric or sv.name
        by_metric.setdefault(key, []).append(sv)
        value = calc.value(key)
        if isinstance(value, NoValue):
            continue
        is_rate = key in calc.metrics.metrics and calc.metrics.metrics[key].unit == "%"
        try:
            outcome = _compare_stated(sv.value, value, is_rate)
        except ValueError:
            continue
        if outcome:
            severity, shown = outcome
            inputs = {k: calc.show(k, v) for k, v in calc.leaf_inputs(key).items()}
            rv.add(severity, "所述数值与数据不符" if severity == "错误" else "所述数值舍入差异", calc.label(key),
                   f"文件{('（' + sv.where + '）') if sv.where else ''}称{sv.name}为{sv.value}，按其自身数据计算为{shown}。",
                   sv.value, shown, None, {"formula": calc.formula(key) or key, "inputs": inputs})
    for key, claims in by_metric.items():
        texts = {c.value.strip() for c in claims}
        if any(not _same_printed_number(a, b) for a in texts for b in texts):
            places = ", ".join(f"{c.where or '某处'}：{c.value}" for c in claims)
            rv.add("警告", "同一数据两处不一致", calc.label(key), f"文件对{calc.label(key)}给出了不同的数值（{places}）。",
                   " / ".join(sorted(texts)), None, None, {})


@check
def quarterly_progress(rv: Review) -> None:
    figures = rv.ev.calc.figures
    names = ["季度支出.一季度累计", "季度支出.二季度累计", "季度支出.三季度累计", "季度支出.四季度累计"]
    values = [(n, figures.get(n)) for n in names]
    for (n1, v1), (n2, v2) in zip(values, values[1:]):
        if v1 is not None and v2 is not None and v2 < v1:
            rv.add("错误", "累计支出下降", n2, f"累计支出应逐季不减，但{n2.split('.')[1]}（{fmt(v2)}）低于{n1.split('.')[1]}（{fmt(v1)}）。",
                   fmt(v2), None, None, {})


# Parts that must add up to a whole, among the catalogue figures.
FIGURE_SUMS = [
    ("决算.支出合计", ["决算.基本支出", "决算.项目支出"]),
    ("决算.基本支出", ["决算.人员经费", "决算.公用经费"]),
    ("预算.调整预算数", ["预算.基本支出", "预算.项目支出"]),
    ("预算.基本支出", ["预算.人员经费", "预算.公用经费"]),
    ("三公经费.决算数", ["三公经费.公务接待费", "三公经费.公务用车运行维护费", "三公经费.公务用车购置费", "三公经费.因公出国境费"]),
]


def _figures_with_table_parts(rv: Review) -> set[str]:
    """Figures that a table row states together with its parts: the table check covers those."""
    out: set[str] = set()

    def visit(row):
        if row.figure and row.parts:
            out.add(row.figure)
        for part in row.parts:
            visit(part)

    for table in rv.ev.subject.spec.tables:
        for row in table.rows:
            visit(row)
    return out


@check
def figure_sums(rv: Review) -> None:
    figures = rv.ev.calc.figures
    covered = _figures_with_table_parts(rv)
    for whole, parts in FIGURE_SUMS:
        if whole not in figures or whole in covered:
            continue
        known = [p for p in parts if p in figures]
        if len(known) < 2 and not (len(known) == 1 and len(parts) > 2):
            continue
        if whole.startswith("三公") and not known:
            continue
        total = sum((figures[p] for p in known), ZERO)
        delta = total - figures[whole]
        if delta != 0 and (len(known) == len(parts) or delta > 0):
            severity = "提示" if abs(delta) <= Decimal("0.01") * len(known) else "错误"
            rv.add(severity, "分项与合计不符", rv.ev.calc.label(whole),
                   f"{whole}为{fmt(figures[whole])}，而" + " + ".join(f"{p} {fmt(figures[p])}" for p in known) + f" = {fmt(total)}，相差{fmt(delta)}。",
                   fmt(figures[whole]), fmt(total), None, {"formula": f"{whole} = " + " + ".join(parts)})
    if "固定资产.在用" in figures and "固定资产.总额" in figures and figures["固定资产.在用"] > figures["固定资产.总额"]:
        rv.add("错误", "数据矛盾", "固定资产.在用", "在用固定资产大于固定资产总额。", fmt(figures["固定资产.在用"]), fmt(figures["固定资产.总额"]))


@check
def project_list(rv: Review) -> None:
    projects = rv.ev.subject.spec.projects
    figures = rv.ev.calc.figures
    if not projects:
        return
    for label, attr, figure in (("预算数", "budget", "预算.项目支出"), ("执行数", "executed", "决算.项目支出")):
        values = [getattr(p, attr) for p in projects]
        if any(v is None for v in values) or figure not in figures:
            continue
        total = sum(values, ZERO)
        if total != figures[figure]:
            delta = total - figures[figure]
            severity = "提示" if abs(delta) <= Decimal("0.01") * len(values) else "警告"
            rv.add(severity, "项目清单与项目支出不符", rv.ev.calc.label(figure),
                   f"项目清单{len(values)}个项目的{label}合计{fmt(total)}万元，与{figure}（{fmt(figures[figure])}万元）相差{fmt(delta)}万元。",
                   fmt(figures[figure]), fmt(total), None, {"formula": f"Σ 项目{label}"})
    for p in projects:
        if p.budget is not None and p.executed is not None and p.executed > p.budget:
            rv.add("警告", "项目超预算执行", p.name, f"项目“{p.name}”执行数{fmt(p.executed)}万元超过预算数{fmt(p.budget)}万元。",
                   fmt(p.executed), fmt(p.budget))
        if p.budget is not None and p.executed is not None and p.returned is not None and p.budget - p.executed != p.returned:
            rv.add("警告", "项目结余不符", p.name, f"项目“{p.name}”预算{fmt(p.budget)}减执行{fmt(p.executed)}应结余{fmt(p.budget - p.executed)}万元，清单列{fmt(p.returned)}万元。",
                   fmt(p.returned), fmt(p.budget - p.executed))


@check
def target_rows(rv: Review) -> None:
    for leaf in rv.ev.leaf_list():
        given = leaf.node.given
        if not given:
            continue
        target, actual = (given.get("target") or "").strip(), (given.get("actual") or "").strip()
        name = " / ".join(leaf.node.path)
        if target and actual and target == actual and target[:1] in "≥≤><＞＜":
            rv.add("提示", "实际完成值未如实填报", name,
                   f"“{leaf.node.name}”的实际完成值“{actual}”照抄了指标值的写法（带比较符），不是实测数值，无法核实完成程度。",
                   actual, None, None, leaf.trace.as_dict())
        if leaf.applicable and not actual and leaf.self_score:
            rv.add("警告", "缺少实际完成值", name, f"“{leaf.node.name}”未填报实际完成值，却自评{fmt(leaf.self_score)}分。",
                   fmt(leaf.self_score), None, None, leaf.trace.as_dict())


@check
def target_table_weights(rv: Review) -> None:
    """Target-table rows (filled into a slot) must add up to the slot's fixed weight."""
    for node in rv.ev.nodes():
        rows = [c for c in node.children if c.given is not None]
        if not rows or len(rows) != len(node.children) or node.weight is None:
            continue
        spec = rv.ev.framework.node(node.id)
        if spec is None or spec.weight is None:
            continue  # the slot takes its weight from the rows
        total = sum((c.weight or ZERO for c in rows), ZERO)
        if total != spec.weight:
            rv.add("错误", "目标表分值不合", " / ".join(node.path),
                   f"“{node.name}”分值为{fmt(spec.weight)}分，所列绩效指标分值合计{fmt(total)}分。",
                   fmt(total), fmt(spec.weight), None, {"formula": f"{node.name} = Σ 所列指标分值"})


@check
def cost_targets_within_funds(rv: Review) -> None:
    """Cost targets in 万元 (成本指标) should not add up to more than the project's funds."""
    from ..rules.targets import parse_quantity

    funds = rv.ev.calc.figures.get("项目资金.全年预算数")
    if funds is None:
        return
    rows = [leaf for leaf in rv.ev.leaf_list() if leaf.node.given and leaf.applicable]
    costs = [(leaf, parse_quantity(leaf.node.given.get("target"))) for leaf in rows]
    costs = [(leaf, q) for leaf, q in costs if q is not None and q.unit == "万元"]
    total = sum((q.value for _, q in costs), ZERO)
    if len(costs) >= 1 and total > funds:
        parts = " + ".join(f"{leaf.node.name} {fmt(q.value)}" for leaf, q in costs)
        rv.add("警告", "成本指标超出项目资金", "成本指标",
               f"以万元计的成本指标目标值合计{fmt(total)}万元（{parts}），超过项目全年预算{fmt(funds)}万元。",
               fmt(total), fmt(funds), None, {"formula": "Σ 成本指标目标值 ≤ 项目全年预算数"})


@check
def framework_errors(rv: Review) -> None:
    seen = set()
    for message in rv.lint_messages:
        text = re.sub(r"（解读“[^”]*”）", "", message.message)
        if message.level != "错误" or (message.where, text) in seen:
            continue
        seen.add((message.where, text))
        where = message.where if message.where != "指标体系" else "指标体系整体"
        rv.add("警告", "指标体系自身问题", where, f"指标体系问题：{message.message}。", None, None, None, {})


def run_review(ev: Evaluation, tolerance: Decimal = Decimal("0.01"), readings=(), lint_messages=()) -> Review:
    """Run every check on a scored subject. `readings` (id, description, total, grade) and `lint_messages`
    come from the assessment, which scores each reading and lints the framework once."""
    rv = Review(ev, tolerance, readings=list(readings), lint_messages=list(lint_messages))
    for func in CHECKS:
        func(rv)
    order = {s: i for i, s in enumerate(SEVERITIES)}
    rv.findings.sort(key=lambda f: order[f.severity])
    return rv
