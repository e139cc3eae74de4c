"""Draft a framework from a project self-evaluation form (项目支出绩效自评表, 附件4-2 form).

The form's fixed part becomes the framework: the funds item (分值 / 执行率 / 得分 on the 年度资金总额 row)
as a leaf scored on the project's budget execution rate, each 一级指标 with the weight printed beside it,
and each 二级指标 as a slot whose indicators (三级指标) every project fills in its own targets. The 三级
rows of the form belong to the one project it was filed for, not to the framework.
"""
from __future__ import annotations

from decimal import Decimal

from .normalize import key
from .report import Report
from .target_form import TargetForm

# Suggested slot rule: completion of the stated target (年度指标值) by the actual value (实际完成值).
SLOT_RULE = {"type": "target_completion", "method": "ratio"}
# 成本指标 are ceilings: a target printed without ≤/≥ is read as "not above".
LOWER_IS_BETTER = ("成本",)


def draft_from_form(form: TargetForm, report: Report) -> tuple[list[dict], Decimal]:
    """The indicator tree of a form and its total weight."""
    indicators: list[dict] = []
    funds_weight = form.funds_number("分值")
    if form.funds_where:
        rule = {"type": "proportional", "input": "项目预算执行率"}
        if funds_weight is not None:
            rule["points"] = funds_weight
        columns = "、".join(k for k in form.funds if form.funds[k] or k in ("分值", "执行率", "得分"))
        indicators.append({
            "id": "1", "name": "预算执行率", **({"weight": funds_weight} if funds_weight is not None else {}),
            "definition": "执行率=全年执行数/全年预算数×100%（项目资金“年度资金总额”行）",
            "criteria": f"项目资金（万元）：{columns}（表中未写计分方法）",
            "rule": rule,
            "note": "建议规则（待确认）：proportional，依据“项目资金”栏的“分值、执行率、得分”：按执行率 × 分值计分，超过100%按满分计",
        })
        report.suggestions.append(("1", "预算执行率", "proportional", funds_weight is not None))
        report.matched.append(("1", "预算执行率", funds_weight, f"{form.funds_where}（年度资金总额行的“分值”）"))
        if funds_weight is None:
            report.warn(f"1 预算执行率：年度资金总额行没有读到分值（{form.funds_where}）")
    else:
        report.unmatched.append("自评表中没有找到“年度资金总额”行：预算执行率一项须人工补录")
    for g_no, group in enumerate(form.groups, start=len(indicators) + 1):
        ident = str(g_no)
        node: dict = {"id": ident, "name": group.name}
        if group.weight is not None:
            node["weight"] = group.weight
        else:
            report.warn(f"{ident} {group.name}：表中未印分值（{group.where}）")
        children = []
        for c_no, category in enumerate(group.children, start=1):
            child_id = f"{ident}.{c_no}"
            rule = dict(SLOT_RULE)
            note = "建议规则（待确认）：target_completion，三级指标由各项目的评价对象文件在 targets 中填写，按实际完成值/年度指标值计分"
            if any(word in key(category.name) for word in LOWER_IS_BETTER):
                rule["direction"] = "lower"
                note += "；成本类指标越低越好，指标值未写比较符时按“不高于指标值”判断"
            children.append({"id": child_id, "name": category.name, "slot": {"rule": rule}, "note": note})
            report.suggestions.append((child_id, category.name, "target_completion（slot）", True))
            report.matched.append((child_id, category.name, None, category.where))
        if children:
            node["children"] = children
        indicators.append(node)
        report.matched.append((ident, group.name, group.weight, group.where))
    total = sum((Decimal(str(n["weight"])) for n in indicators if n.get("weight") is not None), Decimal(0))
    if form.total_weight is not None and total != form.total_weight:
        report.warn(f"各项分值之和 {total} 与“总分”行的分值 {form.total_weight} 不符（{form.total_where}）")
    rows = sum(len(c.rows) for g in form.groups for c in g.children)
    report.warn(f"自评表中的 {rows} 行三级指标（年度指标值、实际完成值）属于“{form.name or '该项目'}”，不录入指标体系；"
                "提取该项目的评价对象时用 evalbook extract --framework 本指标体系 --table N 录入 targets")
    for note in form.notes:
        report.warn(note)
    return indicators, total
