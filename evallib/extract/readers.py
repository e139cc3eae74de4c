"""Readers: .txt/.md, .docx and .pdf into one document model of lines and tables with their source locations.

A location is written the way a person looks it up: 第120行 (text), 表3 第5行 (Word), 第2页 表1 第4行 (PDF).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ..core.errors import InputError

FORMATS = {".txt": "text", ".md": "text", ".docx": "docx", ".pdf": "pdf"}


@dataclass
class Row:
    cells: list[str]
    where: str  # e.g. 第120行 / 表3 第5行 / 第2页 表1 第4行


@dataclass
class Table:
    number: int  # 1-based, in document order
    rows: list[Row]
    where: str  # where the table starts
    title: str = ""  # the nearest text line above the table
    unit: str = ""  # "万元" when a line such as "单位：万元" stands between the title and the table


@dataclass
class Line:
    text: str
    where: str


@dataclass
class Document:
    path: Path
    kind: str
    lines: list[Line] = field(default_factory=list)  # text outside tables
    tables: list[Table] = field(default_factory=list)


def read_document(path: Path) -> Document:
    path = Path(path)
    kind = FORMATS.get(path.suffix.lower())
    if kind is None:
        raise InputError.single(str(path), "", f"不支持的文件格式“{path.suffix or '无扩展名'}”；可读取 .docx、.pdf、.txt、.md")
    if not path.is_file():
        raise InputError.single(str(path), "", "文件不存在")
    reader = {"text": read_text, "docx": read_docx, "pdf": read_pdf}[kind]
    try:
        return reader(path)
    except InputError:
        raise
    except Exception:  # a damaged or mislabelled file: say so, no traceback
        raise InputError.single(str(path), "", f"无法读取此{ {'text': '文本', 'docx': 'Word', 'pdf': 'PDF'}[kind]}文件（文件损坏或格式不符）") from None


# --- plain text -------------------------------------------------------------------------------
# Two table layouts occur in text exported from Word/PDF:
#  * one row per line, cells separated by tabs ("a\tb\tc");
#  * one cell per line-group: every cell starts with a tab, may run over several lines,
#    and rows are separated by a blank line.


def _is_tsv(line: str) -> bool:
    return "\t" in line.lstrip("\t") or line.count("\t") > 1


def read_text(path: Path) -> Document:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        try:
            text = path.read_text(encoding="gb18030")
        except UnicodeDecodeError:
            raise InputError.single(str(path), "", "文件不是 UTF-8 或 GB18030 编码的文本")
    raw = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    doc = Document(path=path, kind="text")
    i, n = 0, len(raw)
    title, unit = "", ""
    while i < n:
        line = raw[i]
        if line.startswith("\t") or _is_tsv(line):
            i, table = _read_table(raw, i, len(doc.tables) + 1, title)
            table.unit, unit = unit, ""
            doc.tables.append(table)
            continue
        if line.strip():
            doc.lines.append(Line(line.strip(), f"第{i + 1}行"))
            stated_unit = re.match(r"^\s*单位\s*[:：]\s*(\S+)", line)
            if stated_unit:  # "单位：万元" is not the table's title
                unit = stated_unit.group(1)
            else:
                title, unit = line.strip(), ""
        i += 1
    return doc


def _read_table(raw: list[str], start: int, number: int, title: str) -> tuple[int, Table]:
    rows: list[Row] = []
    i, n = start, len(raw)
    width = 0
    cur: list[str] | None = None  # cells of the row being read (cell-per-line layout)
    cur_start = start
    blank = 0  # blank lines since the last cell text

    def close():
        nonlocal cur, width
        if cur is not None:
            cells = [c.strip() for c in cur]
            rows.append(Row(cells, f"第{cur_start + 1}行"))
            width = max(width, len(cells))
        cur = None

    while i < n:
        line = raw[i]
        if _is_tsv(line):
            close()
            rows.append(Row([c.strip() for c in line.split("\t")], f"第{i + 1}行"))
            width = max(width, len(rows[-1].cells))
            blank = 0
        elif line.startswith("\t"):
            if cur is None or blank:
                close()
                cur, cur_start = [], i
            cur.append(line[1:])
            blank = 0
        elif not line.strip():
            blank += 1
        else:
            # Text without a tab: it continues the last cell when the row is still short of the
            # table's width or follows directly; otherwise the table has ended.
            if cur is not None and (not blank or (blank < 3 and (len(cur) < width or not cur[-1].strip()
                                                                    or _resumes(raw, i)))):
                cur[-1] += "\n" + line
                blank = 0
            else:
                break
        i += 1
    close()
    return i, Table(number, rows, rows[0].where if rows else f"第{start + 1}行", title)


def _resumes(raw: list[str], i: int, most: int = 2) -> bool:
    """After a blank line, a short run of plain text followed by more cells is still inside a cell."""
    seen = 0
    for j in range(i, min(len(raw), i + 8)):
        line = raw[j]
        if line.startswith("\t") or _is_tsv(line):
            return True
        if line.strip():
            seen += 1
            if seen > most:
                return False
    return False


# --- Word -------------------------------------------------------------------------------------


def read_docx(path: Path) -> Document:
    import docx
    from docx.table import Table as DocxTable
    from docx.text.paragraph import Paragraph

    document = docx.Document(str(path))
    doc = Document(path=path, kind="docx")
    title, paragraph_no = "", 0
    for block in document.element.body.iterchildren():
        tag = block.tag.rsplit("}", 1)[-1]
        if tag == "p":
            paragraph_no += 1
            text = Paragraph(block, document).text.strip()
            if text:
                doc.lines.append(Line(text, f"第{paragraph_no}段"))
                title = text
        elif tag == "tbl":
            number = len(doc.tables) + 1
            rows = []
            for r, row in enumerate(DocxTable(block, document).rows, start=1):
                cells, seen = [], None
                for cell in row.cells:  # a merged cell repeats: keep its text once
                    cells.append("" if cell._tc is seen else cell.text.strip())
                    seen = cell._tc
                rows.append(Row(cells, f"表{number} 第{r}行"))
            doc.tables.append(Table(number, rows, f"表{number}", title))
    return doc


# --- PDF --------------------------------------------------------------------------------------


def read_pdf(path: Path) -> Document:
    import pdfplumber

    doc = Document(path=path, kind="pdf")
    title = ""
    with pdfplumber.open(str(path)) as pdf:
        for p, page in enumerate(pdf.pages, start=1):
            found = page.find_tables()
            boxes = [t.bbox for t in found]
            outside = page.filter(lambda obj: not any(_inside(obj, b) for b in boxes)) if boxes else page
            text_lines = (outside.extract_text() or "").split("\n")
            tops = [t.bbox[1] for t in found]
            words = outside.extract_text_lines() if hasattr(outside, "extract_text_lines") else []
            # order tables and text lines by their position on the page
            items = [(w["top"], "line", w["text"]) for w in words] if words else \
                [(0, "line", t) for t in text_lines]
            items += [(tops[k], "table", k) for k in range(len(found))]
            items.sort(key=lambda x: (x[0], x[1] == "table"))
            line_no = 0
            for _, what, value in items:
                if what == "line":
                    line_no += 1
                    if str(value).strip():
                        doc.lines.append(Line(str(value).strip(), f"第{p}页 第{line_no}行"))
                        title = str(value).strip()
                    continue
                number = len(doc.tables) + 1
                rows = [Row([(c or "").strip() for c in row], f"第{p}页 表{number} 第{r}行")
                        for r, row in enumerate(found[value].extract(), start=1)]
                doc.tables.append(Table(number, rows, f"第{p}页 表{number}", title))
    if not doc.lines and not doc.tables:
        raise InputError.single(str(path), "", "PDF 中没有可提取的文字（可能是扫描件；请先做文字识别）")
    return doc


def _inside(obj, box) -> bool:
    x0, top, x1, bottom = box
    return obj.get("x0", 0) >= x0 - 1 and obj.get("x1", 0) <= x1 + 1 and obj.get("top", 0) >= top - 1 \
        and obj.get("bottom", 0) <= bottom + 1
