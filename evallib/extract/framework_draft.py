"""Draft a framework (指标体系) from a framework table: tree, weights, texts verbatim, suggested rules."""
from __future__ import annotations

import re
from decimal import Decimal

from ..core.errors import InputError
from ..rules import parse_rule
from .readers import Document
from .report import Report
from .suggest import suggest
from .repair import group_shared, rebalance
from .form_draft import draft_from_form
from .tables import IndicatorTable, Item, find_indicator_tables
from .target_form import TargetForm, find_target_forms, rows_in_order

DEFAULT_GRADES = [
    {"grade": "优", "min": 90},
    {"grade": "良", "min": 80, "max": 90, "max_inclusive": False},
    {"grade": "中", "min": 60, "max": 80, "max_inclusive": False},
    {"grade": "差", "max": 60, "max_inclusive": False},
]


def pick_table(doc: Document, number: int | None, report: Report) -> tuple[IndicatorTable, list[IndicatorTable]]:
    tables = find_indicator_tables(doc)
    if not tables:
        raise InputError.single(str(doc.path), "", "未找到指标表（需有“一级指标/二级指标/三级指标”等表头的表格）")
    for k, t in enumerate(tables, start=1):
        report.found.append(f"指标表 {k}：{t.where}，{t.title or '无标题'}，末级指标 {len(t.leaves())} 项")
    return _choose(tables, number, doc, report, "指标表"), tables


def _choose(items: list, number: int | None, doc: Document, report: Report, noun: str):
    """The table --table N names (1-based); the first, with a warning when there are more, if none is named."""
    if number is None:
        number = 1
        if len(items) > 1:
            report.warn(f"文件中有 {len(items)} 张{noun}，本次使用第 1 张；用 --table N 选择其他表")
    if not 1 <= number <= len(items):
        raise InputError.single(str(doc.path), "--table", f"文件中只有 {len(items)} 张{noun}", number)
    return items[number - 1]


def guess_kind(table: IndicatorTable, doc: Document) -> str:
    names = " ".join(i.name for i in table.items()) + table.title
    return "项目支出" if re.search(r"项目立项|项目产出|项目效益|项目决策|项目管理|项目支出|项目绩效|预算支出决策", names) else "部门整体"


def framework_sources(doc: Document) -> list[IndicatorTable | TargetForm]:
    """Indicator tables and project self-evaluation forms, in the order the document prints them."""
    positions = {row.where: (ti, ri) for ti, ri, row in rows_in_order(doc)}
    found: list[tuple[tuple[int, int], IndicatorTable | TargetForm]] = \
        [(positions.get(t.where, (0, 0)), t) for t in find_indicator_tables(doc)]
    found += [(f.start, f) for f in find_target_forms(doc)]
    return [source for _, source in sorted(found, key=lambda x: x[0])]


def pick_source(doc: Document, number: int | None, report: Report) -> IndicatorTable | TargetForm:
    sources = framework_sources(doc)
    if not sources:
        raise InputError.single(str(doc.path), "", "未找到指标表（需有“一级指标/二级指标/三级指标”等表头的表格）"
                                                   "或项目支出绩效自评表（含“年度指标值、实际完成值”）")
    for k, s in enumerate(sources, start=1):
        if isinstance(s, TargetForm):
            report.found.append(f"表 {k}（项目支出绩效自评表）：{s.where}，{s.name or '未写项目名称'}，"
                                f"一级指标 {len(s.groups)} 项、二级指标 {sum(len(g.children) for g in s.groups)} 项")
        else:
            report.found.append(f"表 {k}（指标表）：{s.where}，{s.title or '无标题'}，末级指标 {len(s.leaves())} 项")
    return _choose(sources, number, doc, report, "指标表或项目自评表")


def draft_framework(doc: Document, framework_id: str, table_no: int | None, report: Report) -> dict:
    source = pick_source(doc, table_no, report)
    if isinstance(source, TargetForm):
        indicators, total = draft_from_form(source, report)
        title, kind, where = "预算支出绩效自评表（项目支出）", "项目支出", source.where
    else:
        table = source
        rebalance(table.roots, table.notes)
        group_shared(table.roots)
        for note in table.notes:
            report.warn(note)
        indicators = [_node(item, str(k), report) for k, item in enumerate(table.roots, start=1)]
        total = sum((r.weight or Decimal(0)) for r in table.roots)
        title, kind, where = table.title or doc.path.stem, guess_kind(table, doc), table.where
    report.warn("等级划分未从表中读取，暂用常见划分（优≥90、良80–90、中60–80、差<60），请按文件核对")
    return {
        "draft": {"status": "草稿", "confirmed": False, "source": f"{doc.path.name} {where}",
                  "note": "由 evalbook extract 自动生成：树结构、分值与文字照表录入，评分规则为建议，须逐项核对后将 confirmed 改为 true"},
        "meta": {"id": framework_id, "name": title, "kind": kind, "source": f"{doc.path.name}，{where}起的指标表",
                 "total": total if total else Decimal(100)},
        "grades": DEFAULT_GRADES,
        "indicators": indicators,
    }


def _node(item: Item, ident: str, report: Report) -> dict:
    node: dict = {"id": ident, "name": item.name}
    if item.weight is not None:
        node["weight"] = item.weight
    if getattr(item, "shared", False):
        node["shared"] = True
    if item.definition:
        node["definition"] = item.definition
    if item.criteria:
        node["criteria"] = item.criteria
    where = f"{item.where}" + (f"（分值见{item.weight_where}）" if item.weight_where and item.weight_where != item.where else "")
    if item.children:
        node["children"] = [_node(c, f"{ident}.{k}", report) for k, c in enumerate(item.children, start=1)]
        total = sum((c.weight or Decimal(0)) for c in item.children)
        if item.weight is not None and any(c.weight is not None for c in item.children) and total != item.weight \
                and not getattr(item, "shared", False):
            report.warn(f"{ident} {item.name}：分值 {item.weight} 与下级分值之和 {total} 不符（{where}）")
        report.matched.append((ident, item.name, item.weight, where))
        return node
    text = item.criteria or item.definition
    s = suggest(text, item.name, item.weight)
    rule = dict(s.rule)
    try:
        parse_rule(rule, "草稿", ident)
    except InputError:
        rule = {"type": "judgement"}
    node["rule"] = rule
    node["note"] = f"建议规则（待确认）：{s.type}，依据“{s.reason}”" + ("" if s.complete else "；参数未能从文字中读全，请补全")
    report.suggestions.append((ident, item.name, s.type, s.complete))
    report.matched.append((ident, item.name, item.weight, where))
    if item.weight is None and not getattr(item, "shared", False):
        report.warn(f"{ident} {item.name}：表中未给出分值（{where}）")
    return node
