"""Checks on target-table rows (绩效目标表): actual values, missed targets scored in full, weights, cost targets,
and rules or evidence that speak of another year than the one evaluated."""
from __future__ import annotations

import re

from ..core.numbers import ZERO, fmt
from ..rules.targets import parse_quantity
from .findings import Review, check, path_of


@check
def target_rows(rv: Review) -> None:
    for leaf in rv.ev.leaf_list():
        given = leaf.node.given
        if not given:
            continue
        target, actual = (given.get("target") or "").strip(), (given.get("actual") or "").strip()
        name = path_of(leaf)
        if target and actual and target == actual and target[:1] in "≥≤><＞＜":
            rv.add(severity="提示", category="实际完成值未如实填报", indicator=name, action="补证", places=["绩效目标表"],
                   message=(f"“{leaf.node.name}”的实际完成值“{actual}”照抄了指标值的写法（带比较符），不是实测数值，"
                            "无法核实完成程度；请补充实际完成数值。"),
                   claimed=actual, trace=leaf.trace.as_dict())
        if leaf.applicable and not actual and leaf.self_score:
            rv.add(severity="警告", category="缺少实际完成值", indicator=name, action="补证", places=["绩效目标表"],
                   message=f"“{leaf.node.name}”未填报实际完成值，却{rv.filed}{fmt(leaf.self_score)}分；请补充实际完成值及佐证资料。",
                   claimed=fmt(leaf.self_score), trace=leaf.trace.as_dict())


def _missed(target, actual) -> bool:
    if target is None or actual is None or target.unit != actual.unit:
        return False
    if target.direction == "lower":
        return actual.value > target.value
    return actual.value < target.value  # ≥, =, or no comparator: the target is a level to reach


@check
def missed_targets_in_full(rv: Review) -> None:
    """A quantitative target missed by the row's own actual value, yet scored in full without the rule saying so."""
    for leaf in rv.ev.leaf_list():
        given = leaf.node.given
        if not given or not leaf.applicable or leaf.self_score is None or not leaf.limit or leaf.self_score < leaf.limit:
            continue
        if leaf.source == "复算":
            continue  # the rule scored it: a difference is reported with the recomputed score
        target, actual = parse_quantity(given.get("target")), parse_quantity(given.get("actual"))
        if not _missed(target, actual):
            continue
        reason = (given.get("note") or "").strip()
        rv.add(severity="警告", category="未达目标仍得满分", indicator=path_of(leaf), action="说明口径", places=["绩效目标表"],
               message=(f"“{leaf.node.name}”指标值{target.text}，实际完成{actual.text}，未达到目标，却{rv.filed}满分{fmt(leaf.self_score)}分"
                        + (f"（偏差原因：{reason}）" if reason else "，且未说明偏差原因")
                        + "；请单位说明理由或更正得分。"),
               claimed=fmt(leaf.self_score), trace=leaf.trace.as_dict())


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
            rv.add(severity="错误", category="目标表分值不合", indicator=path_of(node), action="更正", places=["绩效目标表"],
                   message=f"“{node.name}”分值为{fmt(spec.weight)}分，所列绩效指标分值合计{fmt(total)}分；请更正各指标分值。",
                   claimed=fmt(total), recomputed=fmt(spec.weight), trace={"formula": f"{node.name} = Σ 所列指标分值"})


@check
def cost_targets_within_funds(rv: Review) -> None:
    """Cost targets in 万元 (成本指标) should not add up to more than the project's funds."""
    funds = rv.ev.calc.figures.get("项目资金.全年预算数")
    if funds is None:
        return
    rows = [leaf for leaf in rv.ev.leaf_list() if leaf.node.given and leaf.applicable]
    costs = [(leaf, parse_quantity(leaf.node.given.get("target"))) for leaf in rows]
    costs = [(leaf, q) for leaf, q in costs if q is not None and q.unit == "万元"]
    total = sum((q.value for _, q in costs), ZERO)
    if costs and total > funds:
        parts = " + ".join(f"{leaf.node.name} {fmt(q.value)}" for leaf, q in costs)
        rv.add(severity="警告", category="成本指标超出项目资金", indicator="成本指标", action="说明口径", places=["绩效目标表"],
               message=f"以万元计的成本指标目标值合计{fmt(total)}万元（{parts}），超过项目全年预算{fmt(funds)}万元；请单位说明。",
               claimed=fmt(total), recomputed=fmt(funds), trace={"formula": "Σ 成本指标目标值 ≤ 项目全年预算数"})


_YEAR = re.compile(r"(?<!\d)(20\d\d)\s*年")


@check
def other_year(rv: Review) -> None:
    """Rules or evidence naming a year other than the one evaluated (or the year before): one finding per
    kind of text and year, listing every indicator where it appears."""
    year = rv.ev.subject.meta.year
    if not year:
        return
    groups: dict[tuple[str, str], list] = {}
    for leaf in rv.ev.leaf_list():
        given = leaf.node.given or {}
        texts = {"评分标准": leaf.node.criteria, "得分依据": leaf.trace.evidence,
                 "实际完成值": str(given.get("actual") or ""), "指标值": str(given.get("target") or "")}
        for where, text in texts.items():
            years = sorted({int(y) for y in _YEAR.findall(text or "")} - {year, year - 1})
            if years:
                groups.setdefault((where, "、".join(f"{y}年" for y in years)), []).append(leaf)
    for (where, shown), leaves in groups.items():
        names = "、".join(f"“{leaf.node.name}”" for leaf in leaves)
        rv.add(severity="警告", category="年度不符", indicator=path_of(leaves[0]) if len(leaves) == 1 else f"{len(leaves)}项指标",
               action="说明口径", places=[path_of(leaf) for leaf in leaves],
               message=(f"{names}的{where}提到{shown}，而评价年度为{year}年；请单位核实所用评分标准或佐证资料的年度。"),
               claimed=shown, recomputed=f"{year}年")
