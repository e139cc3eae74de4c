"""The 自评分 sheet with the target tables: written by the template, read back by the importer."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from openpyxl.styles import Font

from ..core.errors import Problem
from ..core.numbers import fmt, to_decimal
from ..model.framework import Framework
from ..model.subject import Subject
from .cells import as_text, cell_text, exact_cell, is_blank, is_no_value, over_limit, Reader, Validations
from .fields import (GRADE_KEY, NO_VALUE, SELF_HEADERS, self_rows, SHEET_INPUTS, SHEET_SELF, slot_nodes,
    TARGET_KEYS, TARGET_MARK, TOTAL_KEY, YES)
from .sheetstyle import BORDER, cell_number, GREY, header_row, INPUT_FILL
from .subject_yaml import plain_number


def _self_score_cell(spec, key: str):
    if spec is None or key not in spec.self_scores:
        return None
    value = spec.self_scores[key]
    return NO_VALUE if value is None else exact_cell(value)


def _self_score_rows(framework: Framework, subject: Subject | None) -> list[tuple]:
    """(id, level, name, weight, is_leaf, is_target): the framework's nodes, and under a slot the targets the
    subject gives a self_scores entry for (otherwise a target's self-score sits in its row on 指标输入)."""
    spec = subject.spec if subject else None
    rows = []
    for node in self_rows(framework):
        rows.append((node.id, node.level, node.name, node.weight, node.is_leaf, False))
        if spec is not None and node.slot is not None:
            for item in spec.targets.get(node.id, []):
                if item.id in spec.self_scores:
                    rows.append((item.id, node.level + 1, f"绩效目标：{item.name}", item.weight, True, True))
    return rows


def self_sheet(wb, framework: Framework, subject: Subject | None) -> None:
    ws = wb.create_sheet(SHEET_SELF)
    header_row(ws, 1, SELF_HEADERS, [16, 6, 44, 8, 10, 14, 9])
    ws.freeze_panes = "D2"
    dv = Validations(ws)
    spec = subject.spec if subject else None
    r = 1
    for node_id, level, name, weight, is_leaf, _target in _self_score_rows(framework, subject):
        r += 1
        ws.cell(row=r, column=1, value=node_id).font = GREY
        ws.cell(row=r, column=2, value=level)
        ws.cell(row=r, column=3, value="    " * (level - 1) + name)
        ws.cell(row=r, column=4, value=exact_cell(weight))
        limit = Decimal(str(weight)) if weight is not None else None
        if is_leaf:
            value = _self_score_cell(spec, node_id)
            cell = ws.cell(row=r, column=5, value=value)
            cell.fill = INPUT_FILL
            dv.add(cell, "decimal", 0, cell_number(limit), prompt=f"0–{fmt(limit)} 分")
        else:
            ws.cell(row=r, column=3).font = Font(bold=True)
            value = spec.stated.subtotals.get(node_id) if spec else None
            cell = ws.cell(row=r, column=6, value=exact_cell(value))
            cell.fill = INPUT_FILL
            dv.add(cell, "decimal", 0, cell_number(limit) if limit is not None else None,
                   prompt="单位自评报告所列小计（没有则留空）")
        if value != NO_VALUE and over_limit(value, limit):
            ws.cell(row=r, column=7, value=YES)
        for c in range(1, 8):
            ws.cell(row=r, column=c).border = BORDER
    dv.add(f"G2:G{r}", "list", choices=[YES])
    r += 2
    ws.cell(row=r, column=1, value=TOTAL_KEY).font = GREY
    ws.cell(row=r, column=3, value="文件所述总分（单位自评报告所列，没有则留空）")
    cell = ws.cell(row=r, column=5, value=exact_cell(spec.stated.total) if spec else None)
    cell.fill = INPUT_FILL
    dv.add(cell, "decimal", 0, prompt="单位自评报告所列总分")
    r += 1
    ws.cell(row=r, column=1, value=GRADE_KEY).font = GREY
    ws.cell(row=r, column=3, value="文件所述等级")
    cell = ws.cell(row=r, column=5, value=spec.stated.grade if spec else None)
    cell.fill = INPUT_FILL
    cell.number_format = "@"


def read_targets(rd: Reader, framework: Framework, ws, mark_row: int | None) -> tuple[dict, dict]:
    slots = {n.id: n for n in slot_nodes(framework)}
    targets: dict[str, list] = {}
    if mark_row is None:
        if slots:
            rd.problems.append(Problem(rd.file, SHEET_INPUTS, f"缺少“{TARGET_MARK}”部分（模板被改动？）"))
        return targets, {}
    node_ids = {n.id for n in framework.nodes()}
    seen_ids: dict[str, str] = {}
    for r in range(mark_row + 2, ws.max_row + 1):
        cells = {k: ws.cell(row=r, column=c) for c, k in enumerate(TARGET_KEYS, 1)}
        content = [k for k in TARGET_KEYS[2:] if not is_blank(cells[k].value)]
        if not content:
            continue  # blank row (a pre-numbered spare row counts as blank)
        slot_id = as_text(cells["slot"].value) if not is_blank(cells["slot"].value) else ""
        if slot_id not in slots:
            rd.bad(cells["slot"], "所属指标", "不是本指标体系中可填写绩效目标的指标（A列请勿修改）", cells["slot"].value)
            continue
        slot = slots[slot_id]
        label = f"绩效目标表（{slot.name}）"
        row: dict[str, Any] = {}
        tid = as_text(cells["id"].value) if not is_blank(cells["id"].value) else ""
        if not tid:
            rd.bad(cells["id"], f"{label}·目标编号", "不能为空")
        elif tid in node_ids or tid in seen_ids:
            rd.bad(cells["id"], f"{label}·目标编号", "与指标编号或其他目标编号重复", tid)
        else:
            seen_ids[tid] = slot_id
        row["id"] = tid
        name = cell_text(cells["name"])
        if name is None:
            rd.bad(cells["name"], f"{label}·指标名称", "不能为空")
        row["name"] = name or ""
        field = f"{label}“{name or tid}”"
        verbatim = rd.flag(cells["verbatim"], f"{field}·原文照录")
        weight = rd.number(cells["weight"], f"{field}·分值", low=Decimal(0))
        if weight is not None:
            row["weight"] = plain_number(weight)
        for k in ("target", "actual"):
            text = cell_text(cells[k])
            if text is not None:
                row[k] = text
        for k, text in (("self_score", "自评分"), ("score", "评价人员评分")):
            value = rd.number(cells[k], f"{field}·{text}", low=Decimal(0), high=weight, verbatim=verbatim)
            if value is not None:
                row[k] = plain_number(value)
        for k in ("evidence", "note"):
            text = cell_text(cells[k])
            if text is not None:
                row[k] = text
        targets.setdefault(slot_id, []).append(row)
    for slot_id, slot in slots.items():
        count = len(targets.get(slot_id, []))
        if count < slot.slot.min_items:
            rd.problems.append(Problem(rd.file, f"{SHEET_INPUTS}!A{mark_row}",
                                       f"绩效目标表（{slot.name}）：至少需要 {slot.slot.min_items} 项目标，实有 {count} 项"))
    return targets, {}


def read_self(rd: Reader, framework: Framework, targets: dict | None = None) -> tuple[dict, dict]:
    """(self_scores, stated total/grade/subtotals). Rows may also give a self-score to a target of 指标输入."""
    ws = rd.wb[SHEET_SELF]
    nodes = {n.id: n for n in framework.nodes()}
    target_rows = {row["id"]: row for rows in (targets or {}).values() for row in rows if row.get("id")}
    scores: dict[str, Any] = {}
    stated: dict[str, Any] = {}
    subtotals: dict[str, Any] = {}
    for r in range(2, ws.max_row + 1):
        key_cell = ws.cell(row=r, column=1)
        if is_blank(key_cell.value):
            continue
        key = as_text(key_cell.value)
        value_cell = ws.cell(row=r, column=5)
        if key == TOTAL_KEY:
            total = rd.number(value_cell, "文件所述总分", low=Decimal(0))
            if total is not None:
                stated["total"] = plain_number(total)
            continue
        if key == GRADE_KEY:
            grade = cell_text(value_cell)
            if grade is not None:
                stated["grade"] = grade
            continue
        node = nodes.get(key)
        target = target_rows.get(key)
        if node is None and target is None:
            rd.bad(key_cell, "指标编号", "不是本指标体系的指标编号，也不是绩效目标表中的目标编号（A列请勿修改）", key)
            continue
        name = node.name if node is not None else target.get("name") or key
        verbatim = rd.flag(ws.cell(row=r, column=7), f"{name}·原文照录")
        if key in scores:
            rd.bad(key_cell, "指标编号", "自评分重复填写", key)
            continue
        if node is None or node.is_leaf:
            weight = node.weight if node is not None else (
                to_decimal(target["weight"]) if target.get("weight") is not None else None)
            if is_no_value(value_cell.value):
                scores[key] = None  # listed with no score printed
            else:
                value = rd.number(value_cell, f"“{name}”自评分", low=Decimal(0), high=weight, verbatim=verbatim)
                if value is not None:
                    scores[key] = plain_number(value)
            if not is_blank(ws.cell(row=r, column=6).value):
                rd.bad(ws.cell(row=r, column=6), f"“{name}”", "末级指标没有小计，请把自评分填在E列",
                       ws.cell(row=r, column=6).value)
        else:
            if not is_blank(value_cell.value):
                rd.bad(value_cell, f"“{node.name}”", "不是末级指标，自评分请填在其下级指标；小计填F列", value_cell.value)
            value = rd.number(ws.cell(row=r, column=6), f"“{node.name}”文件所述小计", low=Decimal(0),
                              high=node.weight, verbatim=verbatim)
            if value is not None:
                subtotals[key] = plain_number(value)
    if subtotals:
        stated["subtotals"] = subtotals
    return scores, stated
