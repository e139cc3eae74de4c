"""The subject workbook's source-data sheets: the budget/asset/staff tables and the project list.

Read from the assessment record (rec.tables, rec.projects); totals are Excel formulas over the rows.
"""
from __future__ import annotations

from decimal import Decimal

from openpyxl.utils import get_column_letter

from ..collect.sheetstyle import BOLD, BORDER, GREY, TITLE_FONT, WRAP, cell_number, header_row

TABLES_SHEET, PROJECTS_SHEET = "收支与资产表", "项目清单"
PROJECT_COLUMNS = [  # (record field, Chinese header, width)
    ("name", "项目名称", 30), ("category", "类别", 10), ("initial_budget", "年初预算", 11),
    ("budget", "全年预算（调整后）", 13), ("executed", "执行数", 11), (None, "执行率", 9),
    ("returned", "结余交回", 10), ("self_score", "自评得分", 9), ("goal", "绩效目标", 40), ("result", "完成情况", 40)]
_SUMMED = {"initial_budget", "budget", "executed", "returned"}


def _number(value):
    return cell_number(Decimal(str(value))) if value is not None and not isinstance(value, str) else value


def tables_sheet(wb, rec) -> None:
    """Each table of the source report: rows with their parts indented beneath them, as published."""
    ws = wb.create_sheet(TABLES_SHEET)
    ws.cell(row=1, column=1, value="收支、资产与人员情况（按所报）").font = TITLE_FONT
    ws.column_dimensions["A"].width = 36
    r = 2
    tables = list(rec.tables or [])
    if not tables:
        ws.cell(row=3, column=1, value="（资料未列报表格）")
        return
    for table in tables:
        r += 2
        unit = f"（单位：{table.unit}）" if getattr(table, "unit", "") else ""
        ws.cell(row=r, column=1, value=f"{table.title}{unit}").font = BOLD
        if getattr(table, "source", ""):
            ws.cell(row=r + 1, column=1, value=f"来源：{table.source}").font = GREY
            r += 1
        r += 1
        header_row(ws, r, ["项目"] + list(table.columns))
        for depth, row in _flatten(table.rows):
            r += 1
            ws.cell(row=r, column=1, value="　" * depth + row.name).border = BORDER
            for c, value in enumerate(row.values, 2):
                cell = ws.cell(row=r, column=c, value=_number(value))
                cell.border = BORDER
                cell.number_format = "#,##0.00" if table.unit == "万元" else "#,##0.##"
            if getattr(row, "note", ""):
                ws.cell(row=r, column=len(table.columns) + 2, value=row.note).font = GREY
    for c in range(2, 8):
        ws.column_dimensions[get_column_letter(c)].width = 16


def _flatten(rows, depth: int = 0):
    for row in rows:
        yield depth, row
        yield from _flatten(getattr(row, "parts", None) or [], depth + 1)


def projects_sheet(wb, rec) -> None:
    """Every project with all its columns; 合计 and 执行率 are formulas."""
    ws = wb.create_sheet(PROJECTS_SHEET)
    projects = list(rec.projects or [])
    ws.cell(row=1, column=1, value="项目清单（金额单位：万元）").font = TITLE_FONT
    top = 3
    header_row(ws, top, [h for _, h, _ in PROJECT_COLUMNS], [w for _, _, w in PROJECT_COLUMNS])
    ws.freeze_panes = ws.cell(row=top + 1, column=2)
    letter = {field: get_column_letter(i) for i, (field, _, _) in enumerate(PROJECT_COLUMNS, 1) if field}
    rate_col = next(i for i, (f, _, _) in enumerate(PROJECT_COLUMNS, 1) if f is None)
    for i, project in enumerate(projects, 1):
        r = top + i
        for c, (field, _, _) in enumerate(PROJECT_COLUMNS, 1):
            if field is None:
                value = f'=IF(N({letter["budget"]}{r})=0,"",{letter["executed"]}{r}/{letter["budget"]}{r})'
            else:
                value = _number(getattr(project, field, None))
                if value == "":
                    value = None
            cell = ws.cell(row=r, column=c, value=value)
            cell.border = BORDER
            if field in ("goal", "result", "name"):
                cell.alignment = WRAP
            elif field in _SUMMED:
                cell.number_format = "#,##0.00"
        ws.cell(row=r, column=rate_col).number_format = "0.00%"
    if not projects:
        ws.cell(row=top + 1, column=1, value="（资料未列报项目清单）")
        return
    r = top + len(projects) + 1
    ws.cell(row=r, column=1, value="合计").font = BOLD
    for field in _SUMMED:
        col = letter[field]
        cell = ws.cell(row=r, column=PROJECT_COLUMNS.index(next(p for p in PROJECT_COLUMNS if p[0] == field)) + 1,
                       value=f"=SUM({col}{top + 1}:{col}{r - 1})")
        cell.font = BOLD
        cell.number_format = "#,##0.00"
    rate = ws.cell(row=r, column=rate_col,
                   value=f'=IF(N({letter["budget"]}{r})=0,"",{letter["executed"]}{r}/{letter["budget"]}{r})')
    rate.number_format = "0.00%"
    for c in range(1, len(PROJECT_COLUMNS) + 1):
        ws.cell(row=r, column=c).border = BORDER
