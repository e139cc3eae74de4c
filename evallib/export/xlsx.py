"""Excel deliverables: one workbook per subject (评分表, 复核发现, 基础数据, 收支与资产表, 项目清单) and a batch league table."""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from ..review.findings import severity_counts
from ..core.numbers import fmt
from ..report.ranking import framework_groups
from .xlsxdata import projects_sheet, tables_sheet
from ..collect.sheetstyle import (BOLD, BORDER, CENTER, GREY, SEVERITY_FILL, TITLE_FONT, WRAP, cell_number, header_row,
                     save_workbook, workbook_bytes)

LEVEL_NAMES = ["一级指标", "二级指标", "三级指标", "四级指标", "五级指标", "六级指标"]
SCORE_SHEET, FINDINGS_SHEET, DATA_SHEET = "评分表", "复核发现", "基础数据"


def _parents(ev) -> dict[str, list]:
    """Leaf id -> the chain of nodes from the 一级 indicator down to the leaf."""
    chains: dict[str, list] = {}

    def walk(node, trail):
        trail = trail + [node]
        if node.id in ev.leaves:
            chains[node.id] = trail
        for child in node.children:
            walk(child, trail)

    for root in ev.roots:
        walk(root, [])
    return chains


def _title(ws, text: str, sub: str, width: int) -> None:
    ws.cell(row=1, column=1, value=text).font = TITLE_FONT
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    ws.cell(row=2, column=1, value=sub).font = GREY
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)


def _subject_line(ev) -> str:
    meta = ev.meta
    return (f"{meta.unit} · {meta.name}（{meta.year or '年度未注明'}） · 指标体系：{ev.framework_meta.name}"
            f"（{ev.framework_meta.id}） · 评价对象编号：{meta.id}")


def sum_formula(ws, column: int, rows, values: list, total):
    """=SUM over the leaf rows when the leaves add up to the stated total; the plain value when they do not
    (a rule that caps or reweights), so the workbook never shows a figure the report does not."""
    rows = list(rows)
    if total is None or not rows or any(v is None for v in values):
        return cell_number(total)
    if sum((Decimal(str(v)) for v in values), Decimal(0)) != Decimal(str(total)):
        return cell_number(total)
    if rows != list(range(rows[0], rows[-1] + 1)):
        return cell_number(total)
    letter = get_column_letter(column)
    return f"=SUM({letter}{rows[0]}:{letter}{rows[-1]})"


def score_sheet(wb, ev) -> None:
    ws = wb.create_sheet(SCORE_SHEET)
    data = ev.data
    records = {r["id"]: r for r in data["indicators"]}
    chains = _parents(ev)
    depth = max((len(c) for c in chains.values()), default=1)
    depth = max(depth, 2)
    levels = LEVEL_NAMES[:depth] if depth <= len(LEVEL_NAMES) else [f"{i + 1}级指标" for i in range(depth)]
    headers = levels + ["指标编号", "分值", "自评分", "复核得分", "差异（复核−自评）", "得分来源", "评分标准",
                        "复核计算与理由", "得分依据"]
    ncol = len(headers)
    _title(ws, f"{ev.meta.unit} 绩效评价评分表", _subject_line(ev), ncol)
    top = 4
    header_row(ws, top, headers, [14] * depth + [9, 7, 8, 9, 10, 12, 40, 40, 36])
    ws.freeze_panes = ws.cell(row=top + 1, column=depth + 1)
    leaves = ev.leaf_list()
    col = {name: depth + i + 1 for i, name in enumerate(headers[depth:])}
    for i, leaf in enumerate(leaves):
        r = top + 1 + i
        rec = records[leaf.node.id]
        chain = chains[leaf.node.id]
        for k, node in enumerate(chain):
            text = node.name
            if node is not leaf.node and node.weight is not None:
                text = f"{node.name}（{fmt(node.weight)}分）"
            ws.cell(row=r, column=k + 1, value=text)
        if len(chain) < depth:  # a shallower leaf spans the deeper level columns
            ws.merge_cells(start_row=r, start_column=len(chain), end_row=r, end_column=depth)
        delta = None
        if leaf.score is not None and leaf.self_score is not None:
            delta = leaf.score - leaf.self_score
        trace = rec["trace"]
        reason = trace["result"] or trace["reason"]
        if trace.get("note"):
            reason += f"\n【规则说明】{trace['note']}"
        values = {"指标编号": leaf.node.id, "分值": cell_number(rec["weight"]), "自评分": cell_number(rec["self_score"]),
                  "复核得分": cell_number(rec["score"]),
                  "差异（复核−自评）": cell_number(delta) if delta is not None else None, "得分来源": rec["source"],
                  "评分标准": trace["criteria"] or trace["formula"], "复核计算与理由": reason,
                  "得分依据": trace["evidence"]}
        for name, value in values.items():
            ws.cell(row=r, column=col[name], value=value)
        for c in range(1, ncol + 1):
            cell = ws.cell(row=r, column=c)
            cell.border = BORDER
            cell.alignment = CENTER if c <= depth + 6 else WRAP
        if delta is not None and delta != 0:
            ws.cell(row=r, column=col["差异（复核−自评）"]).font = BOLD
    # merge the 一级/二级/... cells over the rows they span
    first = top + 1
    for k in range(depth - 1):
        start = 0
        while start < len(leaves):
            chain = chains[leaves[start].node.id]
            if len(chain) <= k + 1:
                start += 1
                continue
            node_id = chain[k].id
            end = start
            while end + 1 < len(leaves):
                nxt = chains[leaves[end + 1].node.id]
                if len(nxt) > k + 1 and nxt[k].id == node_id:
                    end += 1
                else:
                    break
            if end > start:
                ws.merge_cells(start_row=first + start, start_column=k + 1, end_row=first + end, end_column=k + 1)
            start = end + 1
    r = top + 1 + len(leaves)
    ws.cell(row=r, column=1, value="合计")
    ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=depth + 1)
    leaf_rows = range(first, first + len(leaves))
    weight_total = sum((leaf.weight for leaf in leaves), Decimal(0))
    for name, field, total in (("分值", "weight", weight_total), ("自评分", "self_score", data["self_total"]),
                               ("复核得分", "score", data["total"])):
        values = [records[leaf.node.id][field] for leaf in leaves]
        ws.cell(row=r, column=col[name], value=sum_formula(ws, col[name], leaf_rows, values, total))
    if ev.self_total is not None:
        diff = f"={get_column_letter(col['复核得分'])}{r}-{get_column_letter(col['自评分'])}{r}"
        ws.cell(row=r, column=col["差异（复核−自评）"], value=diff)
    r += 1
    ws.cell(row=r, column=1, value="等级")
    ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=depth + 1)
    ws.cell(row=r, column=col["自评分"], value=data["self_grade"])
    ws.cell(row=r, column=col["复核得分"], value=data["grade"])
    for rr in (r - 1, r):
        for c in range(1, ncol + 1):
            cell = ws.cell(row=rr, column=c)
            cell.border = BORDER
            cell.font = BOLD
            cell.alignment = CENTER
    r += 2
    stated = ev.stated
    ws.cell(row=r, column=1, value=f"文件所述总分：{fmt(stated.total)}；文件所述等级：{stated.grade or '—'}").font = GREY
    r += 2
    header_row(ws, r, ["小计", "路径", "分值", "自评小计", "复核小计"])
    for sub in data["subtotals"]:
        r += 1
        rows = [first + i for i, leaf in enumerate(leaves) if any(n.id == sub["id"] for n in chains[leaf.node.id])]
        under = [records[leaves[row - first].node.id] for row in rows]
        cells = [sub["name"], " / ".join(sub["path"]), cell_number(sub["weight"]),
                 sum_formula(ws, col["自评分"], rows, [u["self_score"] for u in under], sub["self_score"]),
                 sum_formula(ws, col["复核得分"], rows, [u["score"] for u in under], sub["score"])]
        for c, value in enumerate(cells, 1):
            ws.cell(row=r, column=c, value=value).border = BORDER
    ws.print_title_rows = f"{top}:{top}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def findings_sheet(wb, ev) -> None:
    ws = wb.create_sheet(FINDINGS_SHEET)
    headers = ["序号", "严重程度", "类别", "指标或数据项", "说明", "所报", "复核", "分差"]
    _title(ws, "复核发现", _subject_line(ev), len(headers))
    top = 4
    header_row(ws, top, headers, [6, 9, 16, 28, 70, 12, 12, 8])
    ws.freeze_panes = ws.cell(row=top + 1, column=1)
    for i, f in enumerate(ev.findings, 1):
        r = top + i
        for c, value in enumerate([i, f.severity, f.category, f.indicator, f.message, f.claimed, f.recomputed,
                                   cell_number(f.delta)], 1):
            cell = ws.cell(row=r, column=c, value=value)
            cell.border = BORDER
            cell.alignment = WRAP
        ws.cell(row=r, column=2).fill = SEVERITY_FILL.get(f.severity)
    r = top + len(ev.findings) + 2
    if not ev.findings:
        ws.cell(row=top + 1, column=1, value="未发现问题。")
    if ev.not_recomputable:
        ws.cell(row=r, column=1, value="无法复算的指标（采用自评分）").font = BOLD
        for name, reason in ev.not_recomputable:
            r += 1
            ws.cell(row=r, column=2, value=name)
            ws.cell(row=r, column=5, value=reason)
        r += 2
    if ev.readings:
        ws.cell(row=r, column=1, value="评分标准的不同解读").font = BOLD
        r += 1
        ws.cell(row=r, column=2, value="默认解读")
        ws.cell(row=r, column=5, value=f"{fmt(ev.total)} 分（{ev.grade or '—'}）")
        for _, text, total, grade in ev.readings:  # by its Chinese description; the reading's key is internal
            r += 1
            ws.cell(row=r, column=2, value=text)
            ws.cell(row=r, column=5, value=f"{fmt(total)} 分（{grade or '—'}）")
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4


def data_sheet(wb, ev) -> None:
    ws = wb.create_sheet(DATA_SHEET)
    headers = ["数据项编号", "分组", "数据项", "单位", "数值"]
    _title(ws, "基础数据与计算指标", _subject_line(ev), 5)
    top = 4
    ws.cell(row=top - 1, column=1, value="一、基础数据（按所报）").font = BOLD
    header_row(ws, top, headers, [26, 14, 40, 54, 18])
    keys = [k for k, spec in ev.figures.items() if spec.value is not None]
    r = top
    for key in keys:
        r += 1
        spec = ev.figures[key]
        group, name = key.split(".", 1)
        cells = [key, group, spec.label, spec.unit, cell_number(spec.value)]
        for c, v in enumerate(cells, 1):
            ws.cell(row=r, column=c, value=v).border = BORDER
        if spec.kind == "ratio":
            ws.cell(row=r, column=5).number_format = "0.00%"
    if not keys:
        r += 1
        ws.cell(row=r, column=1, value="（未填报基础数据）")
    r += 2
    ws.cell(row=r, column=1, value="二、计算指标（由基础数据按公式计算）").font = BOLD
    r += 1
    header_row(ws, r, ["指标", "名称", "公式", "计算所用数据", "数值"])
    ws.cell(row=r, column=6, value="说明")
    ws.cell(row=r, column=6).font = BOLD
    for name, metric in ev.metrics.items():
        if not (metric.used or metric.value is not None):
            continue
        r += 1
        inputs = "；".join(f"{i.name} = {i.shown}" for i in metric.inputs)
        if metric.value is None:
            shown, note = None, f"无值：{metric.no_value}"
        else:
            shown, note = cell_number(metric.value), ("" if metric.unit == "%" else metric.unit)
        cells = [name, metric.label, metric.formula, inputs, shown, note]
        for c, v in enumerate(cells, 1):
            cell = ws.cell(row=r, column=c, value=v)
            cell.border = BORDER
            cell.alignment = WRAP
        if shown is not None and metric.unit == "%":
            ws.cell(row=r, column=5).number_format = "0.00%"
    ws.column_dimensions["F"].width = 30


def subject_workbook(ev) -> Workbook:
    wb = Workbook()
    wb.remove(wb.active)
    score_sheet(wb, ev)
    findings_sheet(wb, ev)
    data_sheet(wb, ev)
    tables_sheet(wb, ev)
    projects_sheet(wb, ev)
    return wb


def write_subject_xlsx(ev, path: Path) -> Path:
    return save_workbook(subject_workbook(ev), path, title=f"{ev.meta.unit} 绩效评价结果")


SUMMARY_HEADERS = ["排名", "评价对象编号", "单位", "评价对象", "类型", "年度", "指标体系", "复核总分", "复核等级",
                   "自评总分", "自评等级", "文件所述总分", "分差（复核−自评）", "等级变化", "错误", "警告", "提示"]


def summary_workbook(evaluations: list) -> Workbook:
    """League table of a batch, grouped by framework and ranked only within it (report.ranking: ties share
    a rank, as in summary.html); a subject is never ranked against one scored on another framework."""
    wb = Workbook()
    ws = wb.active
    ws.title = "汇总"
    groups = framework_groups(evaluations)
    _title(ws, "绩效评价结果汇总",
           f"共 {len(evaluations)} 个评价对象，按所用指标体系分 {len(groups)} 组；排名只在同一指标体系内按复核总分由高到低排列"
           "（总分相同者名次相同，其后名次顺延），不同指标体系的得分不相互比较", len(SUMMARY_HEADERS))
    top = 4
    header_row(ws, top, SUMMARY_HEADERS, [6, 24, 24, 30, 9, 7, 30, 9, 9, 9, 9, 11, 11, 9, 6, 6, 6])
    ws.freeze_panes = ws.cell(row=top + 1, column=3)
    rows = [(rank, ev, group) for group in groups for rank, ev in group.ranked]
    for i, (rank, ev, group) in enumerate(rows, 1):
        meta = ev.meta
        counts = severity_counts(ev.findings)
        delta = ev.total - ev.self_total if ev.self_total is not None else None
        changed = "—" if ev.self_grade is None else ("是" if ev.self_grade != ev.grade else "否")
        cells = [rank, meta.id, meta.unit, meta.name, meta.kind, meta.year, group.framework_name, cell_number(ev.total),
                 ev.grade, cell_number(ev.self_total), ev.self_grade, cell_number(ev.stated_total),
                 cell_number(delta), changed, counts["错误"], counts["警告"], counts["提示"]]
        for c, value in enumerate(cells, 1):
            cell = ws.cell(row=top + i, column=c, value=value)
            cell.border = BORDER
    ws.auto_filter.ref = f"A{top}:{get_column_letter(len(SUMMARY_HEADERS))}{top + max(1, len(rows))}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    return wb


def write_summary_xlsx(evaluations: list, path: Path) -> Path:
    return save_workbook(summary_workbook(evaluations), path, title="绩效评价结果汇总")
