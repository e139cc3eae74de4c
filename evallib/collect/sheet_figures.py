"""The 基础数据 sheet: written by the template, read back by the importer."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from ..core.numbers import fmt
from ..model.catalogue import catalogue_for, check_figures
from ..model.framework import Framework
from ..model.subject import Subject
from .cells import as_text, exact_cell, is_blank, number_limits, Reader, Validations
from .fields import figure_rows, KIND_TEXT, NOT_FILED, SHEET_FIGURES, YES
from .sheetstyle import BORDER, GREY, header_row, INPUT_FILL, REQUIRED_FILL
from .subject_yaml import plain_number


def figures_sheet(wb, framework: Framework, subject: Subject | None) -> None:
    ws = wb.create_sheet(SHEET_FIGURES)
    header_row(ws, 1, ["编号（勿改）", "数据项", "数值", "单位", "填写要求", "评分需要", "无此数据的说明"],
               [28, 46, 18, 8, 22, 9, 30])
    ws.freeze_panes = "C2"
    dv = Validations(ws)
    filed: dict[str, Decimal] = {}
    if subject is not None:
        filed = check_figures(subject.spec.figures, catalogue_for(framework.spec.figures), str(subject.path))
    for i, (key, spec, needed) in enumerate(figure_rows(framework), 2):
        ws.cell(row=i, column=1, value=key).font = GREY
        ws.cell(row=i, column=2, value=spec.label)
        value = filed.get(key)
        cell = ws.cell(row=i, column=3, value=exact_cell(value))
        if spec.kind == "ratio":
            cell.number_format = "0.00%"
        cell.fill = REQUIRED_FILL if needed else INPUT_FILL
        ws.cell(row=i, column=4, value=spec.unit)
        ws.cell(row=i, column=5, value=KIND_TEXT[spec.kind])
        ws.cell(row=i, column=6, value=YES if needed else None)
        if needed and value is None and subject is not None:
            ws.cell(row=i, column=7, value=NOT_FILED)
        kind, low, high = number_limits(spec)
        dv.add(cell, kind, low, high, prompt=f"{spec.label}：{KIND_TEXT[spec.kind]}（{spec.unit}）")
        for c in range(1, 8):
            ws.cell(row=i, column=c).border = BORDER


def read_figures(rd: Reader, framework: Framework) -> dict[str, dict[str, Any]]:
    ws = rd.wb[SHEET_FIGURES]
    catalogue = catalogue_for(framework.spec.figures)
    from ..model.needs import needed_figures

    needed = set(needed_figures(framework))
    out: dict[str, dict[str, Any]] = {}
    seen = set()
    for r in range(2, ws.max_row + 1):
        key_cell, cell, reason = ws.cell(row=r, column=1), ws.cell(row=r, column=3), ws.cell(row=r, column=7)
        key = as_text(key_cell.value) if not is_blank(key_cell.value) else ""
        if not key:
            if not is_blank(cell.value):
                rd.bad(key_cell, "编号", "有数值但缺少数据项编号（A列请勿修改）")
            continue
        spec = catalogue.get(key)
        if spec is None:
            rd.bad(key_cell, "编号", "不是本指标体系的数据项编号（A列请勿修改）", key)
            continue
        if key in seen:
            rd.bad(key_cell, "编号", "数据项重复出现", key)
            continue
        seen.add(key)
        field = f"{spec.label}（{key}）"
        if is_blank(cell.value):
            if key in needed and is_blank(reason.value):
                rd.bad(cell, field, "评分需要此数据，不能留空；确无此数据请在G列写明原因")
            continue
        if spec.kind == "money":
            value = rd.number(cell, field + "，金额", low=Decimal(0))
        elif spec.kind == "count":
            value = rd.number(cell, field + "，数量", low=Decimal(0), whole=True)
        elif spec.kind == "ratio":
            value = rd.number(cell, field + "，比例", low=Decimal(0), high=Decimal(1), allow_percent=True)
        else:
            value = rd.number(cell, field, allow_percent=True)
        if value is None:
            continue
        group, name = key.split(".", 1)
        shown: Any = f"{fmt(value * 100)}%" if spec.kind == "ratio" else plain_number(value)
        out.setdefault(group, {})[name] = shown
    return out
