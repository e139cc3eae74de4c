"""Checks on the subject's tables: rows against their parts, rows against the filed figures."""
from __future__ import annotations

from ..core.numbers import ZERO, fmt
from .findings import Review, check
from .precision import rounding_allowance


def _column(rows, col):
    values = [r.values[col] if col < len(r.values) else None for r in rows]
    return [v for v in values if v is not None], len(values)


def _explained_by_figure(rv: Review, remainder) -> str | None:
    """The filed figure a “其中” listing's remainder equals (e.g. the 三公经费 it leaves out)."""
    for name, value in rv.ev.calc.figures.items():
        if value == remainder:
            return rv.ev.calc.label(name)
    return None


def _check_row(rv: Review, table, row) -> None:
    for col, header in enumerate(table.columns):
        if col >= len(row.values) or row.values[col] is None:
            continue
        known, count = _column(row.parts, col)
        if not known or len(known) < count:
            continue
        total = sum(known, ZERO)
        whole = row.values[col]
        delta = total - whole
        if delta == 0:
            continue
        where = f"{table.title}：{row.name}（{header}）"
        parts = " + ".join(f"{p.name} {fmt(p.values[col])}" for p in row.parts)
        trace = {"formula": f"{row.name} = " + " + ".join(p.name for p in row.parts), "source": table.source}
        allowance = rounding_allowance(known + [whole])
        if row.partial and delta < 0:
            if abs(delta) <= allowance or _explained_by_figure(rv, -delta):
                continue  # a “其中” listing leaves parts out; this remainder is accounted for
            rv.add(severity="提示", category="其中项未列明", indicator=where, action="仅提示", places=[table.source or table.title],
                   message=(f"{table.title}中“{row.name}”{header}为{fmt(whole)}{table.unit}，所列其中项（{parts}）合计{fmt(total)}{table.unit}，"
                            f"余下{fmt(-delta)}{table.unit}未说明构成。"),
                   claimed=fmt(whole), recomputed=fmt(total), trace=trace)
            continue
        severity = "提示" if abs(delta) <= allowance else "错误"
        rv.add(severity=severity, category="分项与合计不符" if not row.partial else "其中项超过合计", indicator=where,
               action="仅提示" if severity == "提示" else "更正", places=[table.source or table.title],
               message=(f"{table.title}中“{row.name}”{header}为{fmt(whole)}{table.unit}，但分项之和为{fmt(total)}{table.unit}"
                        f"（{parts}），相差{fmt(delta)}{table.unit}"
                        + ("，在所列数据的舍入范围内。" if severity == "提示" else "。")),
               claimed=fmt(whole), recomputed=fmt(total), trace=trace)


@check
def table_arithmetic(rv: Review) -> None:
    for table in rv.ev.subject.spec.tables:
        def visit(row):
            if row.parts:
                _check_row(rv, table, row)
            for part in row.parts:
                visit(part)
        for row in table.rows:
            visit(row)


@check
def table_figures(rv: Review) -> None:
    """A table row stating a filed figure with another value: one figure with two values."""
    calc = rv.ev.calc
    for table in rv.ev.subject.spec.tables:
        def visit(row):
            if row.figure and row.values and row.values[0] is not None and row.figure in calc.figures:
                value = calc.figures[row.figure]
                if row.values[0] != value:
                    rv.add(severity="警告", category="同一数据两处不一致", indicator=calc.label(row.figure), action="更正",
                           places=[table.source or table.title, "基础数据"],
                           message=(f"{calc.label(row.figure)}在{table.title}“{row.name}”中为{fmt(row.values[0])}{table.unit}，"
                                    f"而评价所用数据为{fmt(value)}{table.unit}；请单位核实并统一。"),
                           claimed=fmt(row.values[0]), recomputed=fmt(value), trace={"source": table.source})
            for part in row.parts:
                visit(part)
        for row in table.rows:
            visit(row)
