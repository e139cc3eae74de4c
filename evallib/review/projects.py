"""Checks on the project list (项目清单) against the project-spending figures."""
from __future__ import annotations

from ..core.numbers import ZERO, fmt
from .findings import Review, check
from .precision import rounding_allowance


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
            severity = "提示" if abs(delta) <= rounding_allowance(values + [figures[figure]]) else "警告"
            rv.add(severity=severity, category="项目清单与项目支出不符", indicator=rv.ev.calc.label(figure),
                   action="仅提示" if severity == "提示" else "说明口径", places=["项目清单", rv.ev.calc.label(figure)],
                   message=(f"项目清单{len(values)}个项目的{label}合计{fmt(total)}万元，与{rv.ev.calc.label(figure)}"
                            f"（{fmt(figures[figure])}万元）相差{fmt(delta)}万元" + ("，在舍入范围内。" if severity == "提示" else "；请单位说明差异构成。")),
                   claimed=fmt(figures[figure]), recomputed=fmt(total), trace={"formula": f"Σ 项目{label}"})
    for p in projects:
        if p.budget is not None and p.executed is not None and p.executed > p.budget:
            rv.add(severity="警告", category="项目超预算执行", indicator=p.name, action="说明口径", places=["项目清单"],
                   message=f"项目“{p.name}”执行数{fmt(p.executed)}万元超过预算数{fmt(p.budget)}万元；请单位说明超支原因及资金来源。",
                   claimed=fmt(p.executed), recomputed=fmt(p.budget))
        if p.budget is not None and p.executed is not None and p.returned is not None and p.budget - p.executed != p.returned:
            rv.add(severity="警告", category="项目结余不符", indicator=p.name, action="更正", places=["项目清单"],
                   message=(f"项目“{p.name}”预算{fmt(p.budget)}万元减执行{fmt(p.executed)}万元应结余{fmt(p.budget - p.executed)}万元，"
                            f"清单列{fmt(p.returned)}万元。"),
                   claimed=fmt(p.returned), recomputed=fmt(p.budget - p.executed))
