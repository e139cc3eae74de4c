"""The 评分依据 sheet (each rule's inputs): written by the template, read back by the importer."""
from __future__ import annotations

from decimal import Decimal

from openpyxl.comments import Comment
from openpyxl.styles import Font

from ..model.framework import Framework
from ..model.subject import Subject
from .cells import (as_text, BLANK_TARGET_ROWS, cell_text, exact_cell, is_blank, over_limit, Reader,
    SPARE_TARGET_ROWS, Validations)
from .fields import input_fields, INPUT_HEADERS, NO, SHEET_INPUTS, slot_nodes, TARGET_HEADERS, TARGET_MARK, YES
from .sheet_scores import read_targets
from .sheetstyle import BORDER, cell_number, GREY, header_row, INPUT_FILL, WRAP
from .subject_yaml import plain_number


def _inputs_for(subject: Subject | None, node_id: str, parts: tuple[str, ...]) -> dict:
    if subject is None:
        return {}
    given = subject.spec.inputs.get(node_id, {}) or {}
    # A composite part is prefilled from its own sub-dict only: values given for the whole indicator (which
    # every part reads when it has no sub-dict) stay where they are and travel on 其他输入, so the import
    # rebuilds the inputs exactly as written.
    for part in parts:
        nested = given.get(part)
        if not isinstance(nested, dict):
            return {}
        given = nested
    return given


def _field_key(f, given: dict) -> str:
    """A checklist point recorded as `missed` keeps that form through its key (filled the same way)."""
    if f.kind == "point" and given.get("met") is None and given.get("missed") is not None:
        return f.key.replace("|point:", "|missed:", 1)
    return f.key


def _prefill(f, given: dict):
    if f.kind == "point":
        if "met" in given:
            return YES if f.item in [str(x) for x in given["met"] or []] else NO
        if "missed" in given:
            return NO if f.item in [str(x) for x in given["missed"] or []] else YES
        return None
    value = given.get(f.kind)
    if f.kind == "series":
        value = {str(k): v for k, v in value.items()}.get(f.item) if isinstance(value, dict) else None
    if value is None:
        return None
    if f.kind in ("score", "outside_score", "violations", "cases", "series"):
        from ..core.numbers import to_decimal

        return cell_number(to_decimal(value))
    return str(value)


def inputs_sheet(wb, framework: Framework, subject: Subject | None) -> None:
    ws = wb.create_sheet(SHEET_INPUTS)
    header_row(ws, 1, INPUT_HEADERS, [22, 40, 34, 30, 44, 9])
    ws.freeze_panes = "D2"
    dv = Validations(ws)
    r = 1
    for f in input_fields(framework):
        r += 1
        given = _inputs_for(subject, f.node_id, f.parts)
        value = _prefill(f, given)
        ws.cell(row=r, column=1, value=_field_key(f, given)).font = GREY
        ws.cell(row=r, column=2, value=f.indicator)
        ws.cell(row=r, column=3, value=f.label)
        cell = ws.cell(row=r, column=4, value=value)
        cell.fill = INPUT_FILL
        ws.cell(row=r, column=5, value=f.hint)
        if f.kind in ("point",) or f.choices:
            dv.add(cell, "list", choices=f.choices)
        elif f.kind in ("violations", "cases"):
            dv.add(cell, "whole", 0)
        elif f.kind == "series":
            pass  # any number, as the document prints it
        elif f.kind in ("score", "outside_score"):
            dv.add(cell, "decimal", 0, cell_number(f.max), prompt=f.hint)
            if over_limit(value, f.max):
                ws.cell(row=r, column=6, value=YES)
        else:
            cell.number_format = "@"
            cell.alignment = WRAP
        for c in range(1, 7):
            ws.cell(row=r, column=c).border = BORDER
        ws.cell(row=r, column=2).alignment = WRAP
    dv.add(f"F2:F{max(r, 2)}", "list", choices=[YES])
    slots = slot_nodes(framework)
    if not slots:
        return
    r += 2
    ws.cell(row=r, column=1, value=TARGET_MARK + "（每行一个绩效目标；“目标编号”在全表内唯一，可沿用预填编号）").font = Font(bold=True)
    r += 1
    header_row(ws, r, TARGET_HEADERS)
    for slot in slots:
        rows = []
        if subject is not None:
            # the item as written; inputs.<id> and self_scores.<id> given for a target travel on 其他输入 / 自评分
            rows.extend(item.model_dump() for item in subject.spec.targets.get(slot.id, []))
        spare = SPARE_TARGET_ROWS if subject is not None else BLANK_TARGET_ROWS
        used = {row["id"] for row in rows}
        n = 0
        for _ in range(spare):
            n += 1
            while f"{slot.id}-{n}" in used:
                n += 1
            rows.append({"id": f"{slot.id}-{n}", "is_blank": True})
        for row in rows:
            r += 1
            ws.cell(row=r, column=1, value=slot.id).font = GREY
            ws.cell(row=r, column=2, value=row.get("id")).font = GREY if row.get("is_blank") else Font()
            ws.cell(row=r, column=3, value=row.get("name"))
            weight = row.get("weight")
            ws.cell(row=r, column=4, value=exact_cell(weight))
            for c, k in ((5, "target"), (6, "actual")):
                cell = ws.cell(row=r, column=c, value=None if row.get(k) is None else str(row[k]))
                cell.number_format = "@"
            for c, k in ((7, "self_score"), (8, "score")):
                value = row.get(k)
                ws.cell(row=r, column=c, value=exact_cell(value))
                if weight is not None and over_limit(value, Decimal(str(weight))):
                    ws.cell(row=r, column=11, value=YES)
            ws.cell(row=r, column=9, value=row.get("evidence") or None)
            ws.cell(row=r, column=10, value=row.get("note") or None)
            for c in range(1, 12):
                ws.cell(row=r, column=c).border = BORDER
                if c >= 2:
                    ws.cell(row=r, column=c).fill = INPUT_FILL
            dv.add(ws.cell(row=r, column=4), "decimal", 0, prompt="该目标的分值")
            dv.add(ws.cell(row=r, column=7), "decimal", 0, prompt="不超过分值")
            dv.add(ws.cell(row=r, column=8), "decimal", 0, prompt="定性指标的评价人员评分，不超过分值")
            dv.add(ws.cell(row=r, column=11), "list", choices=[YES])
        ws.cell(row=r, column=1).comment = None
    ws.cell(row=1, column=1).comment = Comment("“输入编号”“所属指标”列由模板生成，导入时据此识别，请勿修改。", "evalbook")


def _put(inputs: dict, node_id: str, parts: tuple[str, ...], key: str, value) -> None:
    target = inputs.setdefault(node_id, {})
    for part in parts:
        target = target.setdefault(part, {})
    target[key] = value


def read_inputs(rd: Reader, framework: Framework) -> tuple[dict, dict, dict]:
    """(inputs, targets, target self-scores)."""
    ws = rd.wb[SHEET_INPUTS]
    fields = {f.key: f for f in input_fields(framework)}
    inputs: dict[str, dict] = {}
    points: dict[tuple, list] = {}  # (node, parts) -> [(field, cell, value)]
    missed_groups: set[tuple] = set()
    r = 2
    mark_row = None
    while r <= ws.max_row:
        key_cell = ws.cell(row=r, column=1)
        raw = key_cell.value
        if not is_blank(raw) and as_text(raw).startswith(TARGET_MARK):
            mark_row = r
            break
        if is_blank(raw):
            if not is_blank(ws.cell(row=r, column=4).value):
                rd.bad(key_cell, "输入编号", "有填写内容但缺少输入编号（A列请勿修改）")
            r += 1
            continue
        key = as_text(raw)
        missed_form = "|missed:" in key  # a checklist point recorded as `missed` (filled the same way)
        f = fields.get(key.replace("|missed:", "|point:", 1) if missed_form else key)
        if f is None:
            rd.bad(key_cell, "输入编号", "不是本指标体系的输入项（A列请勿修改）", key)
            r += 1
            continue
        cell = ws.cell(row=r, column=4)
        verbatim = rd.flag(ws.cell(row=r, column=6), "原文照录")
        name = f"{f.indicator}·{f.label}"
        if f.kind == "point":
            value = None if is_blank(cell.value) else as_text(cell.value)
            if value is not None and value not in (YES, NO):
                rd.bad(cell, name, "只能填“是”或“否”", cell.value)
                value = "?"
            points.setdefault((f.node_id, f.parts), []).append((f, cell, value))
            if missed_form:
                missed_groups.add((f.node_id, f.parts))
        elif f.kind == "violations":
            value = rd.number(cell, name, low=Decimal(0), whole=True)
            if value is not None:
                _put(inputs, f.node_id, f.parts, "violations", int(value))
        elif f.kind == "cases":
            value = rd.number(cell, name, low=Decimal(0), whole=True)
            if value is not None:
                _put(inputs, f.node_id, f.parts, "cases", int(value))
        elif f.kind == "series":
            value = rd.number(cell, name, verbatim=verbatim)
            if value is not None:
                _put(inputs, f.node_id, f.parts + ("series",), f.item, plain_number(value))
        elif f.kind in ("score", "outside_score"):
            value = rd.number(cell, name, low=Decimal(0), high=f.max, verbatim=verbatim)
            if value is not None:
                _put(inputs, f.node_id, f.parts, f.kind, plain_number(value))
        else:
            value = cell_text(cell)
            if value is not None:
                _put(inputs, f.node_id, f.parts, f.kind, value)
        r += 1
    for (node_id, parts), rows in points.items():
        filled = [x for x in rows if x[2] is not None]
        if filled and len(filled) < len(rows):
            for f, cell, value in rows:
                if value is None:
                    rd.bad(cell, f"{f.indicator}·{f.label}", "评价要点须逐项填写“是”或“否”，或全部留空")
            continue
        if filled and all(v in (YES, NO) for _, _, v in rows):
            if (node_id, parts) in missed_groups:
                _put(inputs, node_id, parts, "missed", [f.item for f, _, v in rows if v == NO])
            else:
                _put(inputs, node_id, parts, "met", [f.item for f, _, v in rows if v == YES])
    targets, self_scores = read_targets(rd, framework, ws, mark_row)
    return inputs, targets, self_scores
