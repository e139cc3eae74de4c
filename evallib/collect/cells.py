"""Cell helpers shared by the template's sheets: validations, exact cells, and the importer's Reader."""
from __future__ import annotations

import datetime as _dt
import re
from decimal import Decimal
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.worksheet.datavalidation import DataValidation

from ..core.errors import InputError, Problem
from ..core.numbers import fmt, to_decimal
from .fields import CORE_SHEETS, NO, NO_VALUE_MARKS, SECTION_SHEETS, SHEET_README, YES
from .sheetstyle import WRAP


SPARE_TARGET_ROWS = 3


BLANK_TARGET_ROWS = 10


SPARE_ROWS, BLANK_ROWS = 3, 15  # spare rows under prefilled lists / rows of a blank template's lists


SPARE_TABLE_ROWS, BLANK_TABLE_ROWS, BLANK_TABLES = 2, 12, 2


class Validations:
    """One DataValidation object per distinct rule, each covering many cells."""

    def __init__(self, ws):
        self.ws = ws
        self.cache: dict[tuple, DataValidation] = {}

    def add(self, cell, kind: str, low=None, high=None, choices=None, prompt: str = "") -> None:
        key = (kind, str(low), str(high), tuple(choices or ()))
        dv = self.cache.get(key)
        if dv is None:
            if kind == "list":
                dv = DataValidation(type="list", formula1='"' + ",".join(choices) + '"', allow_blank=True)
                dv.error = "请从下拉列表中选择：" + "、".join(choices)
            else:
                if high is None:
                    dv = DataValidation(type=kind, operator="greaterThanOrEqual", formula1=str(low), allow_blank=True)
                    dv.error = f"请填写不小于 {low} 的{'整数' if kind == 'whole' else '数'}"
                else:
                    dv = DataValidation(type=kind, operator="between", formula1=str(low), formula2=str(high),
                                        allow_blank=True)
                    dv.error = f"请填写 {low} 到 {high} 之间的{'整数' if kind == 'whole' else '数'}"
            dv.errorTitle = "填写有误"
            dv.showErrorMessage = True
            if prompt:
                dv.promptTitle = "填写要求"
                dv.prompt = prompt[:250]
                dv.showInputMessage = True
            self.ws.add_data_validation(dv)
            self.cache[key] = dv
        dv.add(cell)


def exact_cell(value):
    """A Decimal as an Excel number when a float holds it exactly, else as text (read back digit for digit)."""
    if value is None:
        return None
    value = Decimal(value)
    if value == value.to_integral_value() and abs(value) < 2 ** 53:
        return int(value)
    as_float = float(value)
    if Decimal(repr(as_float)) == value:
        return as_float
    return fmt(value)


def number_limits(spec) -> tuple[str, object, object]:
    if spec.kind == "money":
        return "decimal", 0, None
    if spec.kind == "count":
        return "whole", 0, None
    if spec.kind == "ratio":
        return "decimal", 0, 1
    return "decimal", -1e15, 1e15


def write_text_cell(ws, row: int, column: int, value, wrap: bool = True):
    cell = ws.cell(row=row, column=column, value=value if value not in (None, "") else None)
    cell.number_format = "@"
    if wrap:
        cell.alignment = WRAP
    return cell


ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


class _Bad(ValueError):
    pass


def is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def as_text(value) -> str:
    if isinstance(value, bool):
        return YES if value else NO
    if isinstance(value, float):
        return fmt(Decimal(repr(value)))
    if isinstance(value, _dt.datetime):
        return value.date().isoformat() if value.time() == _dt.time(0) else value.isoformat(sep=" ")
    if isinstance(value, _dt.date):
        return value.isoformat()
    return str(value).strip()


def cell_text(cell) -> str | None:
    """A text cell's content; a number Excel stored for '100%' typed into a percent cell comes back as '100%'."""
    value = cell.value
    if is_blank(value):
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool) and "%" in (cell.number_format or ""):
        return f"{fmt(Decimal(repr(value)) * 100)}%"
    return as_text(value)


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


def open_workbook(path: Path, read_only: bool = False):
    """A workbook a user hands back; anything that is not one is a Chinese error naming the file."""
    try:
        return load_workbook(path, read_only=read_only, data_only=True)
    except FileNotFoundError:
        raise InputError.single(str(path), "", "文件不存在") from None
    except Exception:  # openpyxl raises many kinds for a file that is not a workbook
        raise InputError.single(str(path), "", "无法作为 Excel 工作簿读取（文件已损坏，或不是 .xlsx 格式）") from None


def sheet_rows(path: Path, sheet: str, what: str) -> list[tuple]:
    """The values of `sheet` in a workbook evalbook wrote (`what` names the kind, for the error)."""
    wb = open_workbook(path, read_only=True)
    if sheet not in wb.sheetnames:
        raise InputError.single(str(path), "", f"缺少工作表“{sheet}”：这不是 evalbook 生成的{what}")
    return list(wb[sheet].iter_rows(values_only=True))


class Reader:
    def __init__(self, path: Path, wb=None):
        self.path = Path(path)
        self.file = str(path)
        self.problems: list[Problem] = []
        if wb is not None:
            self.wb = wb
            self.version = template_version(wb) if SHEET_README in wb.sheetnames else 1
            return
        self.wb = open_workbook(self.path)
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
        if is_blank(value):
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
        if is_blank(value):
            return False
        if as_text(value) == YES:
            return True
        self.bad(cell, field, "只能填“是”或留空", value)
        return False


def rows_with_content(ws, first: int, columns: int):
    for r in range(first, ws.max_row + 1):
        if any(not is_blank(ws.cell(row=r, column=c).value) for c in range(1, columns + 1)):
            yield r


def is_no_value(value) -> bool:
    return isinstance(value, str) and value.strip() in NO_VALUE_MARKS


def over_limit(value, limit) -> bool:
    from ..core.numbers import to_decimal

    try:
        return value is not None and limit is not None and to_decimal(value) > limit
    except ValueError:
        return False
