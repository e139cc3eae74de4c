"""The 表格 sheet (budget tables with nested rows): written by the template, read back by the importer."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from ..model.catalogue import catalogue_for
from ..model.framework import Framework
from ..model.subject import Subject
from .cells import (as_text, BLANK_TABLE_ROWS, BLANK_TABLES, cell_text, exact_cell, is_blank, is_no_value, Reader,
    SPARE_TABLE_ROWS, Validations, write_text_cell)
from .fields import (MAX_TABLE_LEVEL, NO, NO_VALUE, SHEET_TABLES, TABLE_FIELDS, TABLE_FIRST_VALUE_COLUMN,
    TABLE_MARK, TABLE_ROW_HEADERS, YES)
from .sheetstyle import BORDER, GREY, header_row, INPUT_FILL, REQUIRED_FILL, WRAP
from .subject_yaml import plain_number


def _table_rows(rows, level: int = 1):
    for row in rows:
        yield level, row
        yield from _table_rows(row.parts, level + 1)


def tables_sheet(wb, framework: Framework, subject: Subject | None) -> None:
    ws = wb.create_sheet(SHEET_TABLES)
    tables = list(subject.spec.tables) if subject else []
    width = max([len(t.columns) for t in tables] + [4])
    header_row(ws, 1, ["标记（勿改）", "项目", "内容"])
    for col, w in enumerate([10, 36, 24, 24] + [14] * width, 1):
        ws.column_dimensions[get_column_letter(col)].width = w
    ws.cell(row=2, column=1, value="每张报表一块：A列“【报表】”行起依次为报表编号、名称、单位、资料来源，"
                                   "其下一行为栏目行（E列起每列一个栏目），再下为各行数据；层级1为顶层，2为上方最近一个1级行的组成部分，依此类推。"
            ).font = GREY
    dv = Validations(ws)
    blocks = [(t.model_dump(), list(_table_rows(t.rows)), SPARE_TABLE_ROWS) for t in tables]
    if subject is None:
        blocks = [({"unit": "万元", "columns": []}, [], BLANK_TABLE_ROWS)] * BLANK_TABLES
    r = 3
    for table, rows, spare in blocks:
        r += 1
        ws.cell(row=r, column=1, value=TABLE_MARK).font = Font(bold=True)
        for i, (key, label) in enumerate(TABLE_FIELDS):
            ws.cell(row=r + i, column=2, value=label).font = Font(bold=True)
            cell = write_text_cell(ws, r + i, 3, table.get(key), wrap=False)
            cell.fill = REQUIRED_FILL if "必填" in label else INPUT_FILL
            cell.border = BORDER
        r += len(TABLE_FIELDS)
        header_row(ws, r, TABLE_ROW_HEADERS)
        columns = table.get("columns") or []
        for c in range(TABLE_FIRST_VALUE_COLUMN, TABLE_FIRST_VALUE_COLUMN + max(len(columns), width)):
            i = c - TABLE_FIRST_VALUE_COLUMN
            cell = ws.cell(row=r, column=c, value=columns[i] if i < len(columns) else None)
            cell.font = Font(bold=True)
            cell.fill = INPUT_FILL
            cell.border = BORDER
            cell.alignment = WRAP
            cell.number_format = "@"
        first = r + 1
        for level, row in rows + [(None, None)] * spare:
            r += 1
            ws.cell(row=r, column=1, value=level)
            name = write_text_cell(ws, r, 2, row.name if row else None, wrap=False)
            name.alignment = Alignment(indent=(level - 1) * 2 if level else 0)
            write_text_cell(ws, r, 3, row.figure if row else None, wrap=False)
            write_text_cell(ws, r, 4, row.note if row else None, wrap=False)
            # “其中” listing: the parts need not cover the whole
            write_text_cell(ws, r, 5, YES if row is not None and row.partial else None, wrap=False)
            for i, value in enumerate(row.values if row else []):
                shown = NO_VALUE if value is None else exact_cell(value)  # “—”: the document prints no number
                ws.cell(row=r, column=TABLE_FIRST_VALUE_COLUMN + i, value=shown)
            for c in range(1, TABLE_FIRST_VALUE_COLUMN + max(len(columns), width)):
                ws.cell(row=r, column=c).border = BORDER
                ws.cell(row=r, column=c).fill = INPUT_FILL
        if r >= first:
            last = get_column_letter(TABLE_FIRST_VALUE_COLUMN + max(len(columns), width) - 1)
            dv.add(f"A{first}:A{r}", "whole", 1, MAX_TABLE_LEVEL, prompt="1 为顶层行；2 为上方最近一个1级行的组成部分")
            dv.add(f"{get_column_letter(TABLE_FIRST_VALUE_COLUMN)}{first}:{last}{r}", "decimal", -1e15, 1e15,
                   prompt="数字；文件该栏为“—”的可留空")
        r += 1


def _table_value(rd: Reader, cell, field: str):
    """A table cell: a number, None for an explicit “—”, or _MISSING when blank or wrong."""
    if is_blank(cell.value):
        return _MISSING
    if is_no_value(cell.value):
        return None
    value = rd.number(cell, field, allow_percent=True)
    return _MISSING if value is None else plain_number(value)


_MISSING = object()


def read_tables(rd: Reader, framework: Framework) -> list[dict]:
    ws = rd.sheet(SHEET_TABLES)
    if ws is None:
        return []
    catalogue = catalogue_for(framework.spec.figures)
    marks = [r for r in range(1, ws.max_row + 1) if as_text(ws.cell(row=r, column=1).value or "") == TABLE_MARK]
    out: list[dict] = []
    ids: set[str] = set()
    for n, start in enumerate(marks):
        end = marks[n + 1] - 1 if n + 1 < len(marks) else ws.max_row
        header = start + len(TABLE_FIELDS)  # the 栏目 row
        table: dict[str, Any] = {}
        for i, (key, label) in enumerate(TABLE_FIELDS):
            if as_text(ws.cell(row=start + i, column=2).value or "") != label:
                rd.bad(ws.cell(row=start + i, column=2), "报表", f"此格应为“{label}”（报表块的格式被改动？）",
                       ws.cell(row=start + i, column=2).value)
            text = cell_text(ws.cell(row=start + i, column=3))
            if text is not None:
                table[key] = text
        last = ws.max_column
        while last >= TABLE_FIRST_VALUE_COLUMN and is_blank(ws.cell(row=header, column=last).value):
            last -= 1
        columns = []
        for c in range(TABLE_FIRST_VALUE_COLUMN, last + 1):
            text = cell_text(ws.cell(row=header, column=c))
            if text is None:
                rd.bad(ws.cell(row=header, column=c), "报表栏目", "栏目名称不能为空（栏目须从E列起连续填写）")
            columns.append(text or "")
        body = [r for r in range(header + 1, end + 1)
                if any(not is_blank(ws.cell(row=r, column=c).value) for c in range(2, ws.max_column + 1))]
        if not table.keys() - {"unit"} and not columns and not body:
            continue  # an unused block
        title = table.get("title") or table.get("id") or f"第{start}行起的报表"
        if not table.get("id"):
            rd.bad(ws.cell(row=start, column=3), f"报表“{title}”·报表编号", "不能为空")
        elif table["id"] in ids:
            rd.bad(ws.cell(row=start, column=3), f"报表“{title}”·报表编号", "与其他报表重复", table["id"])
        ids.add(table.get("id", ""))
        if not table.get("title"):
            rd.bad(ws.cell(row=start + 1, column=3), f"报表“{title}”·报表名称", "不能为空")
        table["columns"] = columns
        table["rows"] = []
        stack: list[dict] = []  # the open row at each level
        for r in body:
            level_cell, name_cell = ws.cell(row=r, column=1), ws.cell(row=r, column=2)
            name = cell_text(name_cell)
            label = f"报表“{title}”“{name or f'第{r}行'}”"
            row: dict[str, Any] = {"name": name or ""}
            if name is None:
                rd.bad(name_cell, f"报表“{title}”·行名称", "本行填有数据，行名称不能为空")
            level = rd.number(level_cell, f"{label}·层级", low=Decimal(1), high=Decimal(MAX_TABLE_LEVEL), whole=True)
            if level is None:
                if is_blank(level_cell.value):
                    rd.bad(level_cell, f"{label}·层级", "不能为空：1 为顶层行，2 为上方最近一个1级行的组成部分")
                continue
            level = int(level)
            if level > len(stack) + 1:
                rd.bad(level_cell, f"{label}·层级",
                       f"上方没有第{level - 1}级的行，本行不能是第{level}级" if stack else "报表的第一行应为1级", level)
                continue
            values = []
            for c in range(TABLE_FIRST_VALUE_COLUMN, ws.max_column + 1):
                cell = ws.cell(row=r, column=c)
                if c > last and not is_blank(cell.value):
                    rd.bad(cell, f"{label}", "此列没有栏目名称（在栏目行补上名称，或把数值移入有栏目的列）", cell.value)
                    continue
                if c > last:
                    continue
                header_text = columns[c - TABLE_FIRST_VALUE_COLUMN] or f"第{c - TABLE_FIRST_VALUE_COLUMN + 1}栏"
                values.append((cell, _table_value(rd, cell, f"{label}·{header_text}")))
            while values and values[-1][1] is _MISSING and is_blank(values[-1][0].value):
                values.pop()  # blank cells after the row's last value
            row["values"] = [None if v is _MISSING else v for _, v in values]
            figure = cell_text(ws.cell(row=r, column=3))
            if figure is not None:
                if figure not in catalogue:
                    rd.bad(ws.cell(row=r, column=3), f"{label}·对应数据项编号", "不是本指标体系的基础数据编号（见“基础数据”A列）",
                           figure)
                row["figure"] = figure
            note = cell_text(ws.cell(row=r, column=4))
            if note is not None:
                row["note"] = note
            partial = cell_text(ws.cell(row=r, column=5))
            if partial == YES:
                row["partial"] = True
            elif partial not in (None, NO):
                rd.bad(ws.cell(row=r, column=5), f"{label}·其中列示", f"应填“{YES}”或留空", partial)
            del stack[level - 1:]
            if stack:
                stack[-1].setdefault("parts", []).append(row)
            else:
                table["rows"].append(row)
            stack.append(row)
        out.append({k: table[k] for k in ("id", "title", "unit", "columns", "rows", "source") if k in table})
    return out
