"""The 其他输入 sheet (inputs no other sheet holds): written by the template, read back by the importer."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

import yaml

from ..core.errors import Problem
from ..model.framework import Framework
from ..model.subject import Subject
from .cells import as_text, cell_text, exact_cell, is_blank, Reader, rows_with_content, SPARE_ROWS, Validations
from .fields import NO, OTHER_HEADERS, SHEET_OTHER, VALUE_TYPES, YES
from .sheetstyle import BORDER, header_row, INPUT_FILL, WRAP
from .subject_yaml import plain_number


def _same(a, b) -> bool:
    """Equal as YAML data, numbers compared by value (1.97 read from YAML equals Decimal('1.97'))."""
    numeric = (int, float, Decimal)
    if isinstance(a, numeric) and isinstance(b, numeric) and not isinstance(a, bool) and not isinstance(b, bool):
        from ..core.numbers import to_decimal

        return to_decimal(a) == to_decimal(b)
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return type(a) is type(b) and a == b


def _remainder(original, produced) -> list[tuple[tuple, object]]:
    """(path, value) of what `original` holds and `produced` (the import of the other sheets) does not."""
    out = []
    for key, value in original.items():
        if key in produced and _same(produced[key], value):
            continue
        if isinstance(value, dict) and value and isinstance(produced.get(key), dict) \
                and all(isinstance(k, str) and "/" not in k for k in value):
            out.extend(((key,) + path, v) for path, v in _remainder(value, produced[key]))
        else:
            out.append(((key,), value))
    return out


def _typed(value) -> tuple[object, str]:
    """The cell value and the 值的类型 of one remaining input value."""
    import yaml

    if isinstance(value, bool):
        return (YES if value else NO), VALUE_TYPES["bool"]
    if value is None:
        return None, VALUE_TYPES["null"]
    if isinstance(value, str):
        return value, VALUE_TYPES["text"]
    if isinstance(value, (int, float, Decimal)):
        return exact_cell(Decimal(repr(value)) if isinstance(value, float) else Decimal(value)), VALUE_TYPES["number"]
    text = yaml.safe_dump(value, allow_unicode=True, default_flow_style=True, width=10 ** 6, sort_keys=False)
    return text.strip(), VALUE_TYPES["yaml"]


def other_sheet(wb, framework: Framework, subject: Subject | None) -> None:
    """Inputs the subject gives that no cell of 指标输入 carries, key by key, so the import loses nothing."""
    ws = wb.create_sheet(SHEET_OTHER)
    header_row(ws, 1, OTHER_HEADERS, [16, 30, 70, 10])
    dv = Validations(ws)
    rows = []
    if subject is not None and subject.spec.inputs:
        from .cells import Reader
        from .sheet_inputs import read_inputs

        produced, _, _ = read_inputs(Reader.of_workbook(wb, "（模板）"), framework)
        for node_id, given in subject.spec.inputs.items():
            if not isinstance(given, dict) or any(not isinstance(k, str) or "/" in k for k in given):
                rows.append((node_id, None, given))
                continue
            rest = _remainder(given, produced.get(node_id, {}))
            rows.extend((node_id, "/".join(path), value) for path, value in rest)
    r = 1
    for node_id, path, value in rows + [(None, None, None)] * (SPARE_ROWS if subject is not None else 5):
        r += 1
        ws.cell(row=r, column=1, value=node_id).number_format = "@"
        ws.cell(row=r, column=2, value=path).number_format = "@"
        shown, kind = _typed(value) if node_id is not None else (None, None)
        cell = ws.cell(row=r, column=3, value=shown)
        if kind != VALUE_TYPES["number"]:
            cell.number_format = "@"
        cell.alignment = WRAP
        ws.cell(row=r, column=4, value=kind)
        for c in range(1, 5):
            ws.cell(row=r, column=c).border = BORDER
            ws.cell(row=r, column=c).fill = INPUT_FILL
    dv.add(f"D2:D{r}", "list", choices=list(VALUE_TYPES.values()))


def read_other_inputs(rd: Reader, known_ids: set[str]) -> list[tuple[str, tuple[str, ...], Any]]:
    """(node id, key path, value) rows of 其他输入: inputs no other cell carries."""
    ws = rd.sheet(SHEET_OTHER)
    if ws is None:
        return []
    kinds = {v: k for k, v in VALUE_TYPES.items()}
    out = []
    for r in rows_with_content(ws, 2, 4):
        id_cell, path_cell, cell, kind_cell = (ws.cell(row=r, column=c) for c in range(1, 5))
        node_id = as_text(id_cell.value) if not is_blank(id_cell.value) else ""
        if not node_id:
            rd.bad(id_cell, "其他输入·指标编号", "本行填有内容，指标编号不能为空")
            continue
        if node_id not in known_ids:
            rd.bad(id_cell, "其他输入·指标编号", "不是本指标体系的指标编号，也不是绩效目标表中的目标编号", node_id)
            continue
        path = tuple(p.strip() for p in as_text(path_cell.value).split("/")) if not is_blank(path_cell.value) else ()
        if any(not p for p in path):
            rd.bad(path_cell, f"其他输入（{node_id}）·键", "多级键的各级不能为空", path_cell.value)
            continue
        field = f"其他输入（{node_id}{'：' + '/'.join(path) if path else ''}）"
        kind = kinds.get(as_text(kind_cell.value) if not is_blank(kind_cell.value) else "")
        if kind is None:
            rd.bad(kind_cell, f"{field}·值的类型", "应为：" + "、".join(VALUE_TYPES.values()), kind_cell.value)
            continue
        raw = cell.value
        if kind == "null":
            if not is_blank(raw):
                rd.bad(cell, field, "类型为“空”时值应留空", raw)
                continue
            value = None
        elif kind == "text":
            value = "" if is_blank(raw) else cell_text(cell)
        elif kind == "number":
            if is_blank(raw):
                rd.bad(cell, field, "类型为“数字”时值不能为空")
                continue
            number = rd.number(cell, field)
            if number is None:
                continue
            value = plain_number(number)
        elif kind == "bool":
            text = as_text(raw) if not is_blank(raw) else ""
            if text not in (YES, NO):
                rd.bad(cell, field, "类型为“是非”时值只能填“是”或“否”", raw)
                continue
            value = text == YES
        else:
            try:
                value = yaml.safe_load(str(raw)) if not is_blank(raw) else None
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
