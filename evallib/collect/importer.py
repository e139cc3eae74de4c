"""`evalbook import`: read a filled data-collection template back into a subject YAML file.

Every cell is checked; the problems name the sheet, the cell, the field and the bad value in
Chinese. Nothing is written unless every cell is right; the YAML is written atomically.
"""
from __future__ import annotations

import datetime as _dt
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from openpyxl import load_workbook

from ..core.errors import InputError, Problem
from ..model.framework import Framework, find_framework, load_framework
from ..core.numbers import fmt, to_decimal
from ..model.catalogue import catalogue_for
from .sheetstyle import atomic_write
from .fields import (CORE_SHEETS, GRADE_KEY, MAX_TABLE_LEVEL, META_FIELDS, NARRATIVE_FIELDS, NO, NO_VALUE_MARKS,
                     PROJECT_COLUMNS, SECTION_SHEETS, SHEET_INPUTS, SHEET_META, SHEET_NARRATIVE, SHEET_OTHER,
                     SHEET_PROJECTS, SHEET_README, SHEET_SELF, SHEET_STATED, SHEET_TABLES, STATED_COLUMNS,
                     TABLE_FIELDS, TABLE_FIRST_VALUE_COLUMN, TABLE_MARK, TARGET_KEYS, TARGET_MARK, TOTAL_KEY,
                     VALUE_TYPES, YES, input_fields, slot_nodes)
from .fields import SHEET_FIGURES

ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


class _Bad(ValueError):
    pass


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text(value) -> str:
    if isinstance(value, bool):
        return YES if value else NO
    if isinstance(value, float):
        return fmt(Decimal(repr(value)))
    if isinstance(value, _dt.datetime):
        return value.date().isoformat() if value.time() == _dt.time(0) else value.isoformat(sep=" ")
    if isinstance(value, _dt.date):
        return value.isoformat()
    return str(value).strip()


def _cell_text(cell) -> str | None:
    """A text cell's content; a number Excel stored for '100%' typed into a percent cell comes back as '100%'."""
    value = cell.value
    if _blank(value):
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool) and "%" in (cell.number_format or ""):
        return f"{fmt(Decimal(repr(value)) * 100)}%"
    return _text(value)


def _number(value, allow_percent: bool = False) -> Decimal:
    if isinstance(value, bool) or isinstance(value, (_dt.date, _dt.datetime, _dt.time)):
        raise _Bad("应为数字")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    text = str(value).strip()
    if not allow_percent and text.endswith(("%", "％")):
        raise _Bad("应为数字，不带百分号")
    try:
        return to_decimal(text)
    except ValueError:
        raise _Bad("应为数字") from None


def _plain(value: Decimal):
    """Decimal -> int or Decimal for YAML (written with its own digits)."""
    return int(value) if value == value.to_integral_value() else value.normalize()


class _Dumper(yaml.SafeDumper):
    pass


def _repr_decimal(dumper, value: Decimal):
    if value == value.to_integral_value():
        return dumper.represent_int(int(value))
    return dumper.represent_scalar("tag:yaml.org,2002:float", f"{value.normalize():f}")  # every digit, no exponent


def _repr_str(dumper, value: str):
    style = "|" if "\n" in value else None  # narrative and evidence paragraphs stay readable
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _repr_list(dumper, value: list):
    # short scalars in one line ([1733.63, null, 1650.5], [年初预算数, 执行数]); paragraphs one per line
    flat = all(not isinstance(v, (dict, list)) and not (isinstance(v, str) and (len(v) > 40 or "\n" in v))
               for v in value)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=flat and bool(value))


_Dumper.add_representer(Decimal, _repr_decimal)
_Dumper.add_representer(str, _repr_str)
_Dumper.add_representer(list, _repr_list)


def dump_subject(data: dict) -> str:
    head = "# 由 evalbook import 从数据填报模板导入；请以模板为准修改后重新导入。\n"
    return head + yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, default_flow_style=False,
                            width=1000)


def template_version(wb) -> int:
    """The 模板版本 a template states on 说明 (1 when unreadable: the oldest layout)."""
    ws = wb[SHEET_README]
    for r in range(1, ws.max_row + 1):
        if ws.cell(row=r, column=1).value == "模板版本":
            try:
                return int(ws.cell(row=r, column=2).value)
            except (TypeError, ValueError):
                return 1
    return 1


class Reader:
    def __init__(self, path: Path, wb=None):
        self.path = Path(path)
        self.file = str(path)
        self.problems: list[Problem] = []
        if wb is not None:
            self.wb = wb
            self.version = template_version(wb) if SHEET_README in wb.sheetnames else 1
            return
        try:
            self.wb = load_workbook(self.path, data_only=True)
        except FileNotFoundError:
            raise InputError.single(self.file, "", "文件不存在") from None
        except Exception as exc:  # not a zip / not a workbook
            raise InputError.single(self.file, "", f"无法作为 Excel 工作簿读取（{type(exc).__name__}）") from None
        missing = [s for s in CORE_SHEETS if s not in self.wb.sheetnames]
        if missing:
            raise InputError.single(self.file, "", f"不是 evalbook 数据填报模板：缺少工作表 {'、'.join(missing)}")
        self.version = template_version(self.wb)
        missing = [s for s in SECTION_SHEETS if s not in self.wb.sheetnames]
        if missing and self.version >= 2:
            raise InputError.single(self.file, "", f"数据填报模板缺少工作表 {'、'.join(missing)}（请勿删除或改名工作表）")

    @classmethod
    def of_workbook(cls, wb, name: str) -> "Reader":
        """A reader over a workbook in memory (the template writer checks what its own cells import as)."""
        return cls(Path(name), wb)

    def sheet(self, name: str):
        """A section sheet, or None in a version-1 template (which had none)."""
        return self.wb[name] if name in self.wb.sheetnames else None

    def bad(self, cell, field: str, message: str, value=None) -> None:
        where = f"{cell.parent.title}!{cell.coordinate}"
        self.problems.append(Problem(self.file, where, f"{field}：{message}", value))

    def number(self, cell, field: str, low=None, high=None, whole=False, allow_percent=False,
               verbatim=False) -> Decimal | None:
        value = cell.value
        if _blank(value):
            return None
        try:
            number = _number(value, allow_percent)
        except _Bad as exc:
            self.bad(cell, field, str(exc), value)
            return None
        if whole and number != number.to_integral_value():
            self.bad(cell, field, "应为整数", value)
            return None
        if low is not None and number < low:
            self.bad(cell, field, f"不能小于 {fmt(low)}", value)
            return None
        if high is not None and number > high and not verbatim:
            self.bad(cell, field, f"不能大于 {fmt(high)}（照录原文错误时请在本行“原文照录”列填“是”）", value)
            return None
        return number

    def flag(self, cell, field: str) -> bool:
        value = cell.value
        if _blank(value):
            return False
        if _text(value) == YES:
            return True
        self.bad(cell, field, "只能填“是”或留空", value)
        return False


def read_meta(rd: Reader) -> dict[str, Any]:
    ws = rd.wb[SHEET_META]
    rows = {str(ws.cell(row=r, column=1).value or "").strip(): r for r in range(2, ws.max_row + 1)}
    meta: dict[str, Any] = {}
    for key, label, _hint, required in META_FIELDS:
        if key not in rows:
            rd.problems.append(Problem(rd.file, f"{SHEET_META}!A", f"缺少“{label}”（{key}）一行（A列字段名被修改？）"))
            continue
        cell = ws.cell(row=rows[key], column=3)
        if _blank(cell.value):
            if required:
                rd.bad(cell, label, "必填，不能为空")
            continue
        if key == "year":
            year = rd.number(cell, label, 1900, 2100, whole=True)
            if year is not None:
                meta[key] = int(year)
            continue
        text = _text(cell.value)
        if key == "id" and not ID_PATTERN.match(text):
            rd.bad(cell, label, "只能由英文字母、数字、-、_、. 组成，且以字母或数字开头", cell.value)
            continue
        if key == "kind" and text not in ("部门整体", "项目支出"):
            rd.bad(cell, label, "应为“部门整体”或“项目支出”", cell.value)
            continue
        meta[key] = text
    return meta


def read_figures(rd: Reader, framework: Framework) -> dict[str, dict[str, Any]]:
    ws = rd.wb[SHEET_FIGURES]
    catalogue = catalogue_for(framework.spec.figures)
    from ..model.needs import needed_figures

    needed = set(needed_figures(framework))
    out: dict[str, dict[str, Any]] = {}
    seen = set()
    for r in range(2, ws.max_row + 1):
        key_cell, cell, reason = ws.cell(row=r, column=1), ws.cell(row=r, column=3), ws.cell(row=r, column=7)
        key = _text(key_cell.value) if not _blank(key_cell.value) else ""
        if not key:
            if not _blank(cell.value):
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
        if _blank(cell.value):
            if key in needed and _blank(reason.value):
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
        shown: Any = f"{fmt(value * 100)}%" if spec.kind == "ratio" else _plain(value)
        out.setdefault(group, {})[name] = shown
    return out


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
        if not _blank(raw) and _text(raw).startswith(TARGET_MARK):
            mark_row = r
            break
        if _blank(raw):
            if not _blank(ws.cell(row=r, column=4).value):
                rd.bad(key_cell, "输入编号", "有填写内容但缺少输入编号（A列请勿修改）")
            r += 1
            continue
        key = _text(raw)
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
            value = None if _blank(cell.value) else _text(cell.value)
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
                _put(inputs, f.node_id, f.parts + ("series",), f.item, _plain(value))
        elif f.kind in ("score", "outside_score"):
            value = rd.number(cell, name, low=Decimal(0), high=f.max, verbatim=verbatim)
            if value is not None:
                _put(inputs, f.node_id, f.parts, f.kind, _plain(value))
        else:
            value = _cell_text(cell)
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
        content = [k for k in TARGET_KEYS[2:] if not _blank(cells[k].value)]
        if not content:
            continue  # blank row (a pre-numbered spare row counts as blank)
        slot_id = _text(cells["slot"].value) if not _blank(cells["slot"].value) else ""
        if slot_id not in slots:
            rd.bad(cells["slot"], "所属指标", "不是本指标体系中可填写绩效目标的指标（A列请勿修改）", cells["slot"].value)
            continue
        slot = slots[slot_id]
        label = f"绩效目标表（{slot.name}）"
        row: dict[str, Any] = {}
        tid = _text(cells["id"].value) if not _blank(cells["id"].value) else ""
        if not tid:
            rd.bad(cells["id"], f"{label}·目标编号", "不能为空")
        elif tid in node_ids or tid in seen_ids:
            rd.bad(cells["id"], f"{label}·目标编号", "与指标编号或其他目标编号重复", tid)
        else:
            seen_ids[tid] = slot_id
        row["id"] = tid
        name = _cell_text(cells["name"])
        if name is None:
            rd.bad(cells["name"], f"{label}·指标名称", "不能为空")
        row["name"] = name or ""
        field = f"{label}“{name or tid}”"
        verbatim = rd.flag(cells["verbatim"], f"{field}·原文照录")
        weight = rd.number(cells["weight"], f"{field}·分值", low=Decimal(0))
        if weight is not None:
            row["weight"] = _plain(weight)
        for k in ("target", "actual"):
            text = _cell_text(cells[k])
            if text is not None:
                row[k] = text
        for k, text in (("self_score", "自评分"), ("score", "评价人员评分")):
            value = rd.number(cells[k], f"{field}·{text}", low=Decimal(0), high=weight, verbatim=verbatim)
            if value is not None:
                row[k] = _plain(value)
        for k in ("evidence", "note"):
            text = _cell_text(cells[k])
            if text is not None:
                row[k] = text
        targets.setdefault(slot_id, []).append(row)
    for slot_id, slot in slots.items():
        count = len(targets.get(slot_id, []))
        if count < slot.slot.min_items:
            rd.problems.append(Problem(rd.file, f"{SHEET_INPUTS}!A{mark_row}",
                                       f"绩效目标表（{slot.name}）：至少需要 {slot.slot.min_items} 项目标，实有 {count} 项"))
    return targets, {}


def _no_value(value) -> bool:
    return isinstance(value, str) and value.strip() in NO_VALUE_MARKS


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
        if _blank(key_cell.value):
            continue
        key = _text(key_cell.value)
        value_cell = ws.cell(row=r, column=5)
        if key == TOTAL_KEY:
            total = rd.number(value_cell, "文件所述总分", low=Decimal(0))
            if total is not None:
                stated["total"] = _plain(total)
            continue
        if key == GRADE_KEY:
            grade = _cell_text(value_cell)
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
            if _no_value(value_cell.value):
                scores[key] = None  # listed with no score printed
            else:
                value = rd.number(value_cell, f"“{name}”自评分", low=Decimal(0), high=weight, verbatim=verbatim)
                if value is not None:
                    scores[key] = _plain(value)
            if not _blank(ws.cell(row=r, column=6).value):
                rd.bad(ws.cell(row=r, column=6), f"“{name}”", "末级指标没有小计，请把自评分填在E列",
                       ws.cell(row=r, column=6).value)
        else:
            if not _blank(value_cell.value):
                rd.bad(value_cell, f"“{node.name}”", "不是末级指标，自评分请填在其下级指标；小计填F列", value_cell.value)
            value = rd.number(ws.cell(row=r, column=6), f"“{node.name}”文件所述小计", low=Decimal(0),
                              high=node.weight, verbatim=verbatim)
            if value is not None:
                subtotals[key] = _plain(value)
    if subtotals:
        stated["subtotals"] = subtotals
    return scores, stated


def _rows_with_content(ws, first: int, columns: int):
    for r in range(first, ws.max_row + 1):
        if any(not _blank(ws.cell(row=r, column=c).value) for c in range(1, columns + 1)):
            yield r


def read_projects(rd: Reader) -> list[dict]:
    ws = rd.sheet(SHEET_PROJECTS)
    if ws is None:
        return []
    out = []
    for r in _rows_with_content(ws, 2, len(PROJECT_COLUMNS)):
        project: dict[str, Any] = {}
        cells = {key: ws.cell(row=r, column=c) for c, (key, *_) in enumerate(PROJECT_COLUMNS, 1)}
        name = _cell_text(cells["name"])
        if name is None:
            rd.bad(cells["name"], "项目名称", "本行填有内容，项目名称不能为空")
        label = f"项目“{name or f'第{r}行'}”"
        for key, header, kind, _ in PROJECT_COLUMNS:
            cell = cells[key]
            field = f"{label}·{header.split('（')[0]}"
            if kind == "text":
                text = _cell_text(cell)
                if text is not None:
                    project[key] = text
                continue
            value = rd.number(cell, field + ("，金额（万元）" if kind == "money" else ""), low=Decimal(0))
            if value is not None:
                project[key] = _plain(value)
        out.append(project)
    return out


def _table_value(rd: Reader, cell, field: str):
    """A table cell: a number, None for an explicit “—”, or _MISSING when blank or wrong."""
    if _blank(cell.value):
        return _MISSING
    if _no_value(cell.value):
        return None
    value = rd.number(cell, field, allow_percent=True)
    return _MISSING if value is None else _plain(value)


_MISSING = object()


def read_tables(rd: Reader, framework: Framework) -> list[dict]:
    ws = rd.sheet(SHEET_TABLES)
    if ws is None:
        return []
    catalogue = catalogue_for(framework.spec.figures)
    marks = [r for r in range(1, ws.max_row + 1) if _text(ws.cell(row=r, column=1).value or "") == TABLE_MARK]
    out: list[dict] = []
    ids: set[str] = set()
    for n, start in enumerate(marks):
        end = marks[n + 1] - 1 if n + 1 < len(marks) else ws.max_row
        header = start + len(TABLE_FIELDS)  # the 栏目 row
        table: dict[str, Any] = {}
        for i, (key, label) in enumerate(TABLE_FIELDS):
            if _text(ws.cell(row=start + i, column=2).value or "") != label:
                rd.bad(ws.cell(row=start + i, column=2), "报表", f"此格应为“{label}”（报表块的格式被改动？）",
                       ws.cell(row=start + i, column=2).value)
            text = _cell_text(ws.cell(row=start + i, column=3))
            if text is not None:
                table[key] = text
        last = ws.max_column
        while last >= TABLE_FIRST_VALUE_COLUMN and _blank(ws.cell(row=header, column=last).value):
            last -= 1
        columns = []
        for c in range(TABLE_FIRST_VALUE_COLUMN, last + 1):
            text = _cell_text(ws.cell(row=header, column=c))
            if text is None:
                rd.bad(ws.cell(row=header, column=c), "报表栏目", "栏目名称不能为空（栏目须从E列起连续填写）")
            columns.append(text or "")
        body = [r for r in range(header + 1, end + 1)
                if any(not _blank(ws.cell(row=r, column=c).value) for c in range(2, ws.max_column + 1))]
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
            name = _cell_text(name_cell)
            label = f"报表“{title}”“{name or f'第{r}行'}”"
            row: dict[str, Any] = {"name": name or ""}
            if name is None:
                rd.bad(name_cell, f"报表“{title}”·行名称", "本行填有数据，行名称不能为空")
            level = rd.number(level_cell, f"{label}·层级", low=Decimal(1), high=Decimal(MAX_TABLE_LEVEL), whole=True)
            if level is None:
                if _blank(level_cell.value):
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
                if c > last and not _blank(cell.value):
                    rd.bad(cell, f"{label}", "此列没有栏目名称（在栏目行补上名称，或把数值移入有栏目的列）", cell.value)
                    continue
                if c > last:
                    continue
                header_text = columns[c - TABLE_FIRST_VALUE_COLUMN] or f"第{c - TABLE_FIRST_VALUE_COLUMN + 1}栏"
                values.append((cell, _table_value(rd, cell, f"{label}·{header_text}")))
            while values and values[-1][1] is _MISSING and _blank(values[-1][0].value):
                values.pop()  # blank cells after the row's last value
            row["values"] = [None if v is _MISSING else v for _, v in values]
            figure = _cell_text(ws.cell(row=r, column=3))
            if figure is not None:
                if figure not in catalogue:
                    rd.bad(ws.cell(row=r, column=3), f"{label}·对应数据项编号", "不是本指标体系的基础数据编号（见“基础数据”A列）",
                           figure)
                row["figure"] = figure
            note = _cell_text(ws.cell(row=r, column=4))
            if note is not None:
                row["note"] = note
            del stack[level - 1:]
            if stack:
                stack[-1].setdefault("parts", []).append(row)
            else:
                table["rows"].append(row)
            stack.append(row)
        out.append({k: table[k] for k in ("id", "title", "unit", "columns", "rows", "source") if k in table})
    return out


def read_stated_values(rd: Reader) -> list[dict]:
    ws = rd.sheet(SHEET_STATED)
    if ws is None:
        return []
    out = []
    for r in _rows_with_content(ws, 2, len(STATED_COLUMNS)):
        item: dict[str, Any] = {}
        name = _cell_text(ws.cell(row=r, column=1))
        for c, (key, header, _) in enumerate(STATED_COLUMNS, 1):
            cell = ws.cell(row=r, column=c)
            text = _cell_text(cell)
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
        if _blank(key_cell.value):
            if not _blank(cell.value):
                rd.bad(key_cell, "字段", "有填写内容但缺少字段名（A列请勿修改；插入的行请照抄上一行的A列）")
            continue
        key = _text(key_cell.value)
        if key not in fields:
            rd.bad(key_cell, "字段", "不是情况说明的字段（A列请勿修改）", key)
            continue
        label, is_list = fields[key]
        text = _cell_text(cell)
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


def read_other_inputs(rd: Reader, known_ids: set[str]) -> list[tuple[str, tuple[str, ...], Any]]:
    """(node id, key path, value) rows of 其他输入: inputs no other cell carries."""
    ws = rd.sheet(SHEET_OTHER)
    if ws is None:
        return []
    kinds = {v: k for k, v in VALUE_TYPES.items()}
    out = []
    for r in _rows_with_content(ws, 2, 4):
        id_cell, path_cell, cell, kind_cell = (ws.cell(row=r, column=c) for c in range(1, 5))
        node_id = _text(id_cell.value) if not _blank(id_cell.value) else ""
        if not node_id:
            rd.bad(id_cell, "其他输入·指标编号", "本行填有内容，指标编号不能为空")
            continue
        if node_id not in known_ids:
            rd.bad(id_cell, "其他输入·指标编号", "不是本指标体系的指标编号，也不是绩效目标表中的目标编号", node_id)
            continue
        path = tuple(p.strip() for p in _text(path_cell.value).split("/")) if not _blank(path_cell.value) else ()
        if any(not p for p in path):
            rd.bad(path_cell, f"其他输入（{node_id}）·键", "多级键的各级不能为空", path_cell.value)
            continue
        field = f"其他输入（{node_id}{'：' + '/'.join(path) if path else ''}）"
        kind = kinds.get(_text(kind_cell.value) if not _blank(kind_cell.value) else "")
        if kind is None:
            rd.bad(kind_cell, f"{field}·值的类型", "应为：" + "、".join(VALUE_TYPES.values()), kind_cell.value)
            continue
        raw = cell.value
        if kind == "null":
            if not _blank(raw):
                rd.bad(cell, field, "类型为“空”时值应留空", raw)
                continue
            value = None
        elif kind == "text":
            value = "" if _blank(raw) else _cell_text(cell)
        elif kind == "number":
            if _blank(raw):
                rd.bad(cell, field, "类型为“数字”时值不能为空")
                continue
            number = rd.number(cell, field)
            if number is None:
                continue
            value = _plain(number)
        elif kind == "bool":
            text = _text(raw) if not _blank(raw) else ""
            if text not in (YES, NO):
                rd.bad(cell, field, "类型为“是非”时值只能填“是”或“否”", raw)
                continue
            value = text == YES
        else:
            try:
                value = yaml.safe_load(str(raw)) if not _blank(raw) else None
            except yaml.YAMLError:
                rd.bad(cell, field, "不是有效的 YAML 写法（如 [1, 2]、{a: 1}）", raw)
                continue
        if not path and not isinstance(value, dict):
            rd.bad(cell, field, "未填键时，值应为键值表（YAML，如 {score: 3}）", raw)
            continue
        out.append((node_id, path, value))
    return out


def merge_other_inputs(rd: Reader, inputs: dict, rows) -> None:
    for node_id, path, value in rows:
        if not path:
            inputs[node_id] = value
            continue
        target = inputs.setdefault(node_id, {})
        for key in path[:-1]:
            nested = target.setdefault(key, {})
            if not isinstance(nested, dict):
                rd.problems.append(Problem(rd.file, SHEET_OTHER, f"其他输入（{node_id}）：“{key}”已有值，不能再在其下设键"))
                break
            target = nested
        else:
            target[path[-1]] = value


def framework_of(rd: Reader, meta: dict, framework_dirs: list[Path] | None) -> Framework | None:
    fid = meta.get("framework")
    if not fid:
        return None
    try:
        return load_framework(find_framework(fid, framework_dirs, referrer=f"{rd.file}：{SHEET_META}"))
    except InputError as exc:
        rd.problems.extend(exc.problems)
        return None


def read_template(path: Path, framework_dirs: list[Path] | None = None) -> dict[str, Any]:
    """The subject data of a filled template; InputError listing every bad cell."""
    rd = Reader(path)
    meta = read_meta(rd)
    framework = framework_of(rd, meta, framework_dirs)
    if framework is None:
        raise InputError(rd.problems)
    if meta.get("kind") and meta["kind"] != framework.meta.kind:
        rd.problems.append(Problem(rd.file, f"{SHEET_META}", f"评价类型“{meta['kind']}”与指标体系的类型“{framework.meta.kind}”不一致"))
    figures = read_figures(rd, framework)
    inputs, targets, _ = read_inputs(rd, framework)
    self_scores, stated = read_self(rd, framework, targets)
    tables = read_tables(rd, framework)
    projects = read_projects(rd)
    values = read_stated_values(rd)
    if values:
        stated["values"] = values
    narrative = read_narrative(rd)
    known = {n.id for n in framework.nodes()} | {row["id"] for rows in targets.values() for row in rows if row["id"]}
    merge_other_inputs(rd, inputs, read_other_inputs(rd, known))
    if rd.problems:
        raise InputError(rd.problems)
    order = [k for k, *_ in META_FIELDS]
    data: dict[str, Any] = {"meta": {k: meta[k] for k in order if k in meta}}
    for key, value in (("figures", figures), ("tables", tables), ("projects", projects), ("targets", targets),
                       ("inputs", inputs), ("self_scores", self_scores), ("stated", stated),
                       ("narrative", narrative)):
        if value:
            data[key] = value
    return data


def import_template(path: Path, out: Path, framework_dirs: list[Path] | None = None) -> Path:
    """Read, validate, check that the result loads and scores, then write `out` atomically."""
    from ..engine.scoring import evaluate
    from ..model.subject import Subject, SubjectSpec
    from ..core.yamlio import validate

    data = read_template(path, framework_dirs)
    text = dump_subject(data)
    out = Path(out)
    # The YAML must load and score exactly as written: re-read the text we are about to write.
    spec = validate(SubjectSpec, yaml.safe_load(text), str(out))
    framework = load_framework(find_framework(spec.meta.framework, framework_dirs, referrer=str(path)))

    class _Unsaved(Subject):
        @property
        def sha256(self) -> str:  # the file does not exist yet
            import hashlib

            return hashlib.sha256(text.encode("utf-8")).hexdigest()

    evaluate(framework, _Unsaved(spec=spec, path=out))
    atomic_write(out, text.encode("utf-8"))
    return out
