"""Shared pieces of the deliverables: deterministic .xlsx bytes, atomic writes, cell styles."""
from __future__ import annotations

import datetime as _dt
import io
import os
import zipfile
from decimal import Decimal
from pathlib import Path

from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.writer.excel import ExcelWriter

from ..core.writing import write_atomic

# Every workbook carries the same timestamps, so identical data gives identical bytes.
# SOURCE_DATE_EPOCH (the reproducible-builds convention) overrides the default.
_DEFAULT_EPOCH = 946684800  # 2000-01-01T00:00:00Z


def fixed_datetime() -> _dt.datetime:
    epoch = int(os.environ.get("SOURCE_DATE_EPOCH", _DEFAULT_EPOCH))
    return _dt.datetime.fromtimestamp(epoch, tz=_dt.timezone.utc).replace(tzinfo=None)


atomic_write = write_atomic  # one atomic-write mechanism for the whole project (evallib.core.writing)


def fixed_zip(raw: bytes, when: _dt.datetime) -> bytes:
    """Re-pack an Office (zip) document with fixed timestamps and permissions: same bytes on every run."""
    out = io.BytesIO()
    stamp = when.timetuple()[:6]
    with zipfile.ZipFile(io.BytesIO(raw)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=stamp)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()


def workbook_bytes(wb, title: str = "", creator: str = "evalbook") -> bytes:
    """Serialise an openpyxl workbook with fixed properties and zip timestamps."""
    when = fixed_datetime()
    props = wb.properties
    props.creator = creator
    props.lastModifiedBy = creator
    props.title = title or None
    props.created = when
    props.modified = when
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        ExcelWriter(wb, archive).write_data()  # save_workbook() would stamp `modified` with now()
    return fixed_zip(raw.getvalue(), when)


def save_workbook(wb, path: Path, title: str = "") -> Path:
    atomic_write(Path(path), workbook_bytes(wb, title))
    return Path(path)


def cell_number(value: Decimal | None):
    """A Decimal as an Excel number (int where integral), or None."""
    if value is None:
        return None
    if value == value.to_integral_value():
        return int(value)
    return float(value)


THIN = Side(style="thin", color="999999")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_FILL = PatternFill("solid", fgColor="DDE5F0")
TITLE_FONT = Font(bold=True, size=14)
BOLD = Font(bold=True)
GREY = Font(color="808080")
WRAP = Alignment(wrap_text=True, vertical="top")
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
SEVERITY_FILL = {"错误": PatternFill("solid", fgColor="F8D7DA"), "警告": PatternFill("solid", fgColor="FFF3CD"),
                 "提示": PatternFill("solid", fgColor="E2E3E5")}
INPUT_FILL = PatternFill("solid", fgColor="FFFDE7")
REQUIRED_FILL = PatternFill("solid", fgColor="FFE0B2")


def header_row(ws, row: int, headers: list[str], widths: list[float] | None = None) -> None:
    for col, text in enumerate(headers, 1):
        cell = ws.cell(row=row, column=col, value=text)
        cell.font = BOLD
        cell.fill = HEADER_FILL
        cell.border = BORDER
        cell.alignment = CENTER
    if widths:
        from openpyxl.utils import get_column_letter

        for col, width in enumerate(widths, 1):
            ws.column_dimensions[get_column_letter(col)].width = width
