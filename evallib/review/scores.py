"""Checks on indicator scores: recomputed against filed, printed maxima, shared weights, unsupported full marks."""
from __future__ import annotations

from ..core.numbers import fmt, round_score
from .findings import Review, check, path_of


def _reading_reproducing(rv: Review, leaf) -> str | None:
    """The description of an alternative reading under which this item scores its filed score."""
    for reading in rv.readings:
        other = reading.leaf(leaf.node.id)
        if other is not None and other.score is not None and abs(other.score - leaf.self_score) <= rv.tolerance:
            return reading.description
    return None


def _printed_maximum(rv: Review, leaf) -> None:
    rule = leaf.node.rule
    if rule is None or leaf.self_score is None or not leaf.applicable or not leaf.limit:
        return
    printed_max = rule.full_marks(leaf.limit)
    if not (printed_max < leaf.limit and leaf.self_score > printed_max):
        return
    name, filed = leaf.node.name, rv.filed
    delta = printed_max - leaf.self_score
    reading = _reading_reproducing(rv, leaf)
    in_total = leaf.score == printed_max
    text = (f"“{name}”评分标准规定最高可得{fmt(printed_max)}分，而该项分值为{fmt(leaf.limit)}分，{filed}{fmt(leaf.self_score)}分。"
            + ("复核按评分标准计" + fmt(printed_max) + "分。" if in_total else f"复核采用{filed}，理由：{leaf.trace.result}。"))
    if reading:
        text += f"若按“{reading}”理解，{filed}成立；请单位说明评分口径。"
    rv.add(severity="警告" if reading else "错误", category="评分口径差异" if reading else "自评分超出评分标准",
           indicator=path_of(leaf), message=text, action="说明口径" if reading else "更正",
           claimed=fmt(leaf.self_score), recomputed=fmt(printed_max), delta=delta,
           effect_indicator=delta if in_total else None, effect_total=delta if in_total else None,
           trace=leaf.trace.as_dict())


def _adopted_out_of_bounds(rv: Review, leaf) -> None:
    if not leaf.bounds or leaf.self_score is None:
        return
    low, high = (round_score(b) for b in leaf.bounds)
    if low <= leaf.self_score <= high:
        return
    nearest = low if leaf.self_score < low else high
    rv.add(severity="错误", category="得分与规则不符", indicator=path_of(leaf), action="更正",
           message=(f"“{leaf.node.name}”无法完全复算，但按可复算部分，得分应在{fmt(low)}至{fmt(high)}分之间，"
                    f"{rv.filed}{fmt(leaf.self_score)}分（{leaf.trace.result}）。复核合计暂采用{rv.filed}，待补齐数据后复算。"),
           claimed=fmt(leaf.self_score), recomputed=f"{fmt(low)}–{fmt(high)}", delta=nearest - leaf.self_score,
           trace=leaf.trace.as_dict())


@check
def recomputed_scores(rv: Review) -> None:
    filed = rv.filed
    for leaf in rv.ev.leaf_list():
        name = path_of(leaf)
        trace = leaf.trace.as_dict()
        if leaf.self_score is not None and leaf.applicable and leaf.self_score > leaf.limit:
            delta = leaf.limit - leaf.self_score
            rv.add(severity="错误", category="自评分超出分值", indicator=name, action="更正",
                   message=f"“{leaf.node.name}”{filed}{fmt(leaf.self_score)}分，超过该项分值{fmt(leaf.limit)}分。",
                   claimed=fmt(leaf.self_score), recomputed=fmt(leaf.limit), delta=delta, trace=trace)
        _printed_maximum(rv, leaf)
        if not leaf.applicable:
            if leaf.self_score:
                rv.add(severity="警告", category="不适用项计分", indicator=name, action="说明口径",
                       message=f"“{leaf.node.name}”为不适用项，却{filed}{fmt(leaf.self_score)}分；复核不计此分。",
                       claimed=fmt(leaf.self_score), delta=-leaf.self_score, effect_indicator=-leaf.self_score,
                       effect_total=-leaf.self_score, trace=trace)
            continue
        if leaf.source in ("采用自评分", "未评分"):
            rv.not_recomputable.append((name, leaf.trace.reason))
            _adopted_out_of_bounds(rv, leaf)
            continue
        if leaf.self_score is None:
            continue
        delta = leaf.score - leaf.self_score
        if abs(delta) <= rv.tolerance:
            continue
        if leaf.source == "评价人员判断":
            rv.add(severity="警告", category="评价人员判断与自评不同", indicator=name, action="说明口径",
                   message=(f"“{leaf.node.name}”{filed}{fmt(leaf.self_score)}分，评价人员评定{fmt(leaf.score)}分。"
                            f"理由：{leaf.trace.evidence or '未写明'}"),
                   claimed=fmt(leaf.self_score), recomputed=fmt(leaf.score), delta=delta,
                   effect_indicator=delta, effect_total=delta, trace=trace)
            continue
        reading = _reading_reproducing(rv, leaf)
        message = (f"“{leaf.node.name}”{filed}{fmt(leaf.self_score)}分，按评分标准复算应得{fmt(leaf.score)}分"
                   f"（{leaf.trace.result}）。")
        if reading:
            message += f"按“{reading}”可得{filed}{fmt(leaf.self_score)}分，差异来自评分口径，请单位说明所用口径。"
        rv.add(severity="警告" if reading else "错误", category="评分口径差异" if reading else "得分与规则不符",
               indicator=name, message=message, action="说明口径" if reading else "更正",
               claimed=fmt(leaf.self_score), recomputed=fmt(leaf.score), delta=delta,
               effect_indicator=delta, effect_total=delta, trace=trace)


@check
def shared_weights(rv: Review) -> None:
    for node in rv.ev.nodes():
        if not node.shared or node.weight is None:
            continue
        claimed = rv.ev.self_subtotals.get(node.id)
        if claimed is not None and claimed > node.weight:
            rv.add(severity="错误", category="自评分超出分值", indicator=path_of(node), action="更正",
                   message=f"“{node.name}”共用分值{fmt(node.weight)}分，其下各项{rv.filed}合计{fmt(claimed)}分，超出共用分值；复核按共用分值计。",
                   claimed=fmt(claimed), recomputed=fmt(node.weight), delta=node.weight - claimed,
                   effect_total=node.weight - claimed,
                   trace={"formula": f"Σ {node.name}下各项{rv.filed} ≤ {fmt(node.weight)}"})


@check
def full_marks_without_support(rv: Review) -> None:
    """Full marks adopted although neither figures nor a checklist result nor evidence stand behind them."""
    for leaf in rv.ev.leaf_list():
        if leaf.source != "采用自评分" or not leaf.applicable or leaf.self_score is None or not leaf.limit:
            continue
        if leaf.self_score < leaf.limit or leaf.trace.evidence.strip() or not leaf.trace.reason.startswith("缺少"):
            continue  # scored below full, or evidence given, or the row's own actual value stands behind it
        if leaf.node.given:
            continue  # a target-table row: its actual value is checked by the target checks
        rv.add(severity="警告", category="满分缺少依据", indicator=path_of(leaf), action="补证",
               message=(f"“{leaf.node.name}”{rv.filed}为满分{fmt(leaf.self_score)}分，但未提供支撑数据或佐证资料"
                        f"（{leaf.trace.reason}），无法核实；请补充相应数据或佐证资料。"),
               claimed=fmt(leaf.self_score), trace=leaf.trace.as_dict())
