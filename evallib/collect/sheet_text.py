"""The 所述数值 and 文字 sheets: written by the template, read back by the importer."""
from __future__ import annotations

from typing import Any

from ..model.subject import Subject
from .cells import as_text, BLANK_ROWS, cell_text, is_blank, Reader, rows_with_content, SPARE_ROWS, write_text_cell
from .fields import NARRATIVE_FIELDS, SHEET_NARRATIVE, SHEET_STATED, STATED_COLUMNS
from .sheetstyle import BORDER, GREY, header_row, INPUT_FILL, REQUIRED_FILL, WRAP


def stated_sheet(wb, subject: Subject | None) -> None:
    ws = wb.create_sheet(SHEET_STATED)
    header_row(ws, 1, [h for _, h, _ in STATED_COLUMNS], [w for *_, w in STATED_COLUMNS])
    ws.freeze_panes = "A2"
    values = [v.model_dump() for v in subject.spec.stated.values] if subject else []
    for r, item in enumerate(values + [{}] * (SPARE_ROWS if subject is not None else BLANK_ROWS), 2):
        for c, (key, header, _) in enumerate(STATED_COLUMNS, 1):
            cell = write_text_cell(ws, r, c, item.get(key), wrap=key == "where")
            cell.fill = REQUIRED_FILL if "必填" in header else INPUT_FILL
            cell.border = BORDER


def narrative_sheet(wb, subject: Subject | None) -> None:
    ws = wb.create_sheet(SHEET_NARRATIVE)
    header_row(ws, 1, ["字段（勿改）", "项目", "内容", "填写要求"], [12, 18, 90, 30])
    narrative = subject.spec.narrative if subject else None
    r = 1
    for key, label, is_list, hint in NARRATIVE_FIELDS:
        value = getattr(narrative, key) if narrative else ([] if is_list else "")
        items = (list(value) + [None] * (SPARE_ROWS if subject is not None else 5)) if is_list else [value]
        for i, item in enumerate(items, 1):
            r += 1
            ws.cell(row=r, column=1, value=key).font = GREY
            ws.cell(row=r, column=2, value=f"{label} {i}" if is_list else label)
            cell = write_text_cell(ws, r, 3, item)
            cell.fill = INPUT_FILL
            ws.cell(row=r, column=4, value=hint if i == 1 else None).alignment = WRAP
            for c in range(1, 5):
                ws.cell(row=r, column=c).border = BORDER
            if item and not is_list:
                ws.row_dimensions[r].height = min(409, 15 * (1 + len(str(item)) // 60 + str(item).count("\n")))


def read_stated_values(rd: Reader) -> list[dict]:
    ws = rd.sheet(SHEET_STATED)
    if ws is None:
        return []
    out = []
    for r in rows_with_content(ws, 2, len(STATED_COLUMNS)):
        item: dict[str, Any] = {}
        name = cell_text(ws.cell(row=r, column=1))
        for c, (key, header, _) in enumerate(STATED_COLUMNS, 1):
            cell = ws.cell(row=r, column=c)
            text = cell_text(cell)
            if text is None and "必填" in header:
                rd.bad(cell, f"文件所述数值“{name or f'第{r}行'}”·{header.split('（')[0]}", "本行填有内容，此项不能为空")
            if text is not None:
                item[key] = text
        out.append(item)
    return out


def read_narrative(rd: Reader) -> dict[str, Any]:
    ws = rd.sheet(SHEET_NARRATIVE)
    if ws is None:
        return {}
    fields = {key: (label, is_list) for key, label, is_list, _ in NARRATIVE_FIELDS}
    out: dict[str, Any] = {}
    seen: dict[str, int] = {}
    for r in range(2, ws.max_row + 1):
        key_cell, cell = ws.cell(row=r, column=1), ws.cell(row=r, column=3)
        if is_blank(key_cell.value):
            if not is_blank(cell.value):
                rd.bad(key_cell, "字段", "有填写内容但缺少字段名（A列请勿修改；插入的行请照抄上一行的A列）")
            continue
        key = as_text(key_cell.value)
        if key not in fields:
            rd.bad(key_cell, "字段", "不是情况说明的字段（A列请勿修改）", key)
            continue
        label, is_list = fields[key]
        text = cell_text(cell)
        if is_list:
            if text is not None:
                out.setdefault(key, []).append(text)
            continue
        if key in seen:
            rd.bad(key_cell, label, f"与第{seen[key]}行重复（每项只填一行，可在一格内换行）", key)
            continue
        seen[key] = r
        if text is not None:
            out[key] = text
    return {key: out[key] for key, *_ in NARRATIVE_FIELDS if key in out}
