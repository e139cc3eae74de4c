"""The 项目清单 sheet: written by the template, read back by the importer."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from ..model.subject import Subject
from .cells import (BLANK_ROWS, cell_text, exact_cell, Reader, rows_with_content, SPARE_ROWS, Validations,
    write_text_cell)
from .fields import PROJECT_COLUMNS, SHEET_PROJECTS
from .sheetstyle import BORDER, header_row, INPUT_FILL, REQUIRED_FILL
from .subject_yaml import plain_number


def projects_sheet(wb, subject: Subject | None) -> None:
    ws = wb.create_sheet(SHEET_PROJECTS)
    header_row(ws, 1, [h for _, h, _, _ in PROJECT_COLUMNS], [w for *_, w in PROJECT_COLUMNS])
    ws.freeze_panes = "B2"
    dv = Validations(ws)
    projects = [p.model_dump() for p in subject.spec.projects] if subject else []
    rows = projects + [{}] * (SPARE_ROWS if subject is not None else BLANK_ROWS)
    for r, project in enumerate(rows, 2):
        for c, (key, header, kind, _) in enumerate(PROJECT_COLUMNS, 1):
            value = project.get(key)
            if kind == "text":
                cell = write_text_cell(ws, r, c, value)
            else:
                cell = ws.cell(row=r, column=c, value=exact_cell(value))
                dv.add(cell, "decimal", 0, prompt=("金额（万元），非负数" if kind == "money" else "项目自评分，非负数"))
            cell.fill = REQUIRED_FILL if key == "name" else INPUT_FILL
            cell.border = BORDER


def read_projects(rd: Reader) -> list[dict]:
    ws = rd.sheet(SHEET_PROJECTS)
    if ws is None:
        return []
    out = []
    for r in rows_with_content(ws, 2, len(PROJECT_COLUMNS)):
        project: dict[str, Any] = {}
        cells = {key: ws.cell(row=r, column=c) for c, (key, *_) in enumerate(PROJECT_COLUMNS, 1)}
        name = cell_text(cells["name"])
        if name is None:
            rd.bad(cells["name"], "项目名称", "本行填有内容，项目名称不能为空")
        label = f"项目“{name or f'第{r}行'}”"
        for key, header, kind, _ in PROJECT_COLUMNS:
            cell = cells[key]
            field = f"{label}·{header.split('（')[0]}"
            if kind == "text":
                text = cell_text(cell)
                if text is not None:
                    project[key] = text
                continue
            value = rd.number(cell, field + ("，金额（万元）" if kind == "money" else ""), low=Decimal(0))
            if value is not None:
                project[key] = plain_number(value)
        out.append(project)
    return out
