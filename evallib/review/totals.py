"""Checks on the document's own totals: stated total, subtotals and grade, figure breakdowns, quarterly progress."""
from __future__ import annotations


from ..core.numbers import ZERO, fmt
from .findings import Review, check, review_data
from .precision import rounding_allowance


@check
def stated_totals(rv: Review) -> None:
    """A stated total or subtotal that differs from the filed scores' sum is always reported."""
    ev = rv.ev
    stated = ev.subject.spec.stated
    filed = rv.filed
    if stated.total is not None and ev.self_total is not None and stated.total != ev.self_total:
        delta = ev.self_total - stated.total
        rv.add(severity="错误", category="合计不符", indicator="总分", action="更正",
               message=f"文件所述总分为{fmt(stated.total)}分，但各项{filed}相加为{fmt(ev.self_total)}分，相差{fmt(delta)}分。",
               claimed=fmt(stated.total), recomputed=fmt(ev.self_total), delta=delta, places=["文件所述总分"],
               trace={"formula": f"总分 = Σ 末级指标{filed}", "inputs": {"末级指标数": str(len(ev.leaves))}})
    for node_id, value in stated.subtotals.items():
        node = ev.node(node_id)
        mine = ev.self_subtotals.get(node_id)
        if node is not None and mine is not None and mine != value:
            rv.add(severity="错误", category="小计不符", indicator=" / ".join(node.path), action="更正",
                   message=f"“{node.name}”文件所述小计为{fmt(value)}分，但其下各项{filed}相加为{fmt(mine)}分，相差{fmt(mine - value)}分。",
                   claimed=fmt(value), recomputed=fmt(mine), delta=mine - value,
                   trace={"formula": f"{node.name}小计 = Σ 下级{filed}"})
    if stated.grade and ev.self_total is not None:
        expected = ev.framework.grade(stated.total if stated.total is not None else ev.self_total)
        if expected and expected != stated.grade:
            rv.add(severity="错误", category="等级不符", indicator="等级", action="更正",
                   message=f"文件所述等级为“{stated.grade}”，但按本指标体系的等级划分应为“{expected}”。",
                   claimed=stated.grade, recomputed=expected,
                   trace={"formula": "；".join(f"{g.grade} {g.describe()}" for g in ev.framework.spec.grades)})


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
    for item in review_data()["figure_sums"]:
        whole, parts, partial = item["whole"], item["parts"], item.get("partial", False)
        if whole not in figures or whole in covered:
            continue
        known = [p for p in parts if p in figures]
        if not known or (len(known) < 2 and not partial):
            continue
        total = sum((figures[p] for p in known), ZERO)
        delta = total - figures[whole]
        complete = len(known) == len(parts)
        if delta == 0 or (delta < 0 and not complete):
            continue  # some parts not filed: a shortfall is the parts not given
        allowance = rounding_allowance([figures[p] for p in known] + [figures[whole]])
        severity = "提示" if abs(delta) <= allowance else "错误"
        rv.add(severity=severity, category="分项与合计不符", indicator=rv.ev.calc.label(whole),
               action="仅提示" if severity == "提示" else "更正",
               message=(f"{rv.ev.calc.label(whole)}为{fmt(figures[whole])}，而"
                        + " + ".join(f"{rv.ev.calc.label(p)} {fmt(figures[p])}" for p in known)
                        + f" = {fmt(total)}，相差{fmt(delta)}。"),
               claimed=fmt(figures[whole]), recomputed=fmt(total), trace={"formula": f"{whole} = " + " + ".join(parts)})
    if "固定资产.在用" in figures and "固定资产.总额" in figures and figures["固定资产.在用"] > figures["固定资产.总额"]:
        rv.add(severity="错误", category="数据矛盾", indicator=rv.ev.calc.label("固定资产.在用"), action="更正",
               message=f"在用固定资产{fmt(figures['固定资产.在用'])}大于固定资产总额{fmt(figures['固定资产.总额'])}。",
               claimed=fmt(figures["固定资产.在用"]), recomputed=fmt(figures["固定资产.总额"]))


@check
def quarterly_progress(rv: Review) -> None:
    figures = rv.ev.calc.figures
    quarters = [(q["name"], figures.get(q["figure"]), q["figure"]) for q in review_data()["quarters"]]
    for (n1, v1, _), (n2, v2, figure) in zip(quarters, quarters[1:]):
        if v1 is not None and v2 is not None and v2 < v1:
            rv.add(severity="错误", category="累计支出下降", indicator=rv.ev.calc.label(figure), action="更正",
                   message=f"累计支出应逐季不减，但{n2}末累计支出（{fmt(v2)}）低于{n1}末（{fmt(v1)}）。",
                   claimed=fmt(v2), recomputed=None)


