"""A document's tables cut into blocks — one printed table each — and every number in them with its labels.

One Word table or one text table often holds several printed tables (a self-evaluation form: basic
information, income, expenditure, 三公经费, fixed assets …). A block starts at its header rows (two or more
text cells, no number) or at a row of numbers after a title; a one-cell row is a title (or, numbered
"二、…", a section heading) and ends the block before it.

Each number gets the labels a reader would use: its row's label (the first text cell before it), its
column's header, and — in a row printed "label number label number" — the label just before it.
Headers printed on two or three rows are read bottom-up; a "其中：" cell spans the sub-columns printed
under it (text exports print a merged cell once, so the cells after it shift left).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from .normalize import clean, half_width, key
from .readers import Document, Row, Table
from .tables import column_role

_AMOUNT = re.compile(r"^([+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?|[+-]?\d+(?:\.\d+)?)\s*(亿元|万元|元|人|个|项|件|%|％)?$")
_DASH = re.compile(r"^[—–\-－/／\s]*$")
_SECTION = re.compile(r"^[一二三四五六七八九十]+、")
_SPAN = {"其中", "其中:", "其中："}
_NOTE = re.compile(r"^\(.*\)$")
_UNIT_NOTE = re.compile(r"[(（]\s*(亿元|万元|元)\s*[)）]|单位[:：]")


def amount(text: str) -> tuple[Decimal, str] | None:
    """'1,317.55' -> (1317.55, ''); '212.6468万元' -> (212.6468, '万元'); '61%' -> (61, '%'); '提升' -> None."""
    m = _AMOUNT.match(half_width(clean(text)).replace(" ", ""))
    if not m:
        return None
    unit = (m.group(2) or "").replace("％", "%")
    return Decimal(m.group(1).replace(",", "")), unit


def _blank(text: str) -> bool:
    return bool(_DASH.match(clean(text)))


@dataclass
class Cell:
    value: Decimal
    unit: str  # printed in the cell: 万元, 元, 人, %, or ""
    text: str
    row_label: str | None  # None: no text cell before it in its row
    column_label: str | None  # None: the block has no header over this column
    pair_label: str | None  # the label just before it in a "label number label number" row
    where: str
    column: int


@dataclass
class Block:
    table: Table
    titles: list[str]  # title rows above the block (the table's own title first)
    section: str  # the last "一、…" heading before the block
    headers: list[list[str]] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    positions: list[tuple[int, int]] = field(default_factory=list)
    where: str = ""

    @property
    def width(self) -> int:
        return max((len(r) for r in self.headers), default=0)

    @property
    def kind(self) -> str:
        """indicator (a score or target table: read elsewhere), projects (a project list) or data."""
        roles = {column_role(c) for h in self.headers for c in h}
        if roles & {"L1", "L2", "L3", "L4", "target"}:
            return "indicator"
        labels = {key(c) for h in self.headers for c in h}
        if labels & {"项目名称", "项目"} and any(column_role(c) is None and amount_word(c) for h in self.headers for c in h):
            return "projects"
        return "data"

    def context(self) -> str:
        """Everything around the numbers that may name their amount, unit or subject."""
        return " ".join([*self.titles, self.section, *(c for h in self.headers for c in h if c)])

    def column_labels(self, width: int) -> list[str | None]:
        return column_labels(self.headers, width)

    def cells(self) -> list[Cell]:
        out = []
        width = max((len(r.cells) for r in self.rows), default=0)
        labels = self.column_labels(width)
        for row in self.rows:
            cells = [clean(c) for c in row.cells]
            values = [None if _blank(c) else amount(c) for c in cells]
            pairs = sum(1 for j in range(1, len(cells)) if values[j] and not values[j - 1]
                        and 0 < len(cells[j - 1]) <= 30 and not _blank(cells[j - 1]))
            row_label = None
            for j, (text, value) in enumerate(zip(cells, values)):
                if value is None:
                    if row_label is None and text and not _blank(text):
                        row_label = text
                    continue
                beside = j > 0 and values[j - 1] is None and 0 < len(cells[j - 1]) <= 30 and not _blank(cells[j - 1])
                no_column = j >= len(labels) or labels[j] is None
                pair = cells[j - 1] if beside and (pairs >= 2 or no_column) else None
                out.append(Cell(value[0], value[1], text, row_label, labels[j] if j < len(labels) else None,
                                pair, row.where, j))
        return out


def amount_word(text: str) -> bool:
    return any(w in key(text) for w in ("预算", "执行", "支出", "金额", "资金", "决算"))


def column_labels(headers: list[list[str]], width: int) -> list[str | None]:
    """Each column's label: the lowest header row with text over it, after spreading "其中：" cells."""
    placed: list[list[str]] = []
    for h in reversed(headers):  # bottom-up: a row's "其中：" spans what the row below prints under it
        row = [clean(c) for c in h]
        below = placed[0] if placed else None
        j = 0
        while below is not None and j < len(row):
            if key(row[j]) in _SPAN and j + 1 < len(row) and row[j + 1]:
                run = 0  # the sub-columns printed under it, side by side
                while j + run < len(below) and below[j + run]:
                    run += 1
                if run > 1:  # printed once (a merged cell in a text export): the cells after it shift left
                    row = row[:j] + [row[j]] * run + row[j + 1:]
                    j += run - 1
            j += 1
        placed.insert(0, (row + [""] * width)[:width])
    labels: list[str | None] = []
    for j in range(width):
        label, notes = None, ""
        for row in reversed(placed):
            text = clean(row[j]) if j < len(row) else ""
            if not text or key(text) in _SPAN:
                continue
            if _NOTE.match(half_width(text)):  # "(调整后)" under "预算数": a note on the label above
                notes = text + notes
                continue
            label = text + notes
            break
        labels.append(label)
    return labels


def find_blocks(doc: Document, exclude: set[str] = frozenset()) -> list[Block]:
    """The printed tables of a document; rows in `exclude` (read as score or target tables) end a block."""
    blocks: list[Block] = []
    current: Block | None = None
    titles: list[str] = []
    section = ""
    for ti, table in enumerate(doc.tables):
        kinds = [_row_kind(r) for r in table.rows]
        first_kind = next((k for k in kinds if k != "empty"), "end")
        width = max((len(r.cells) for r in table.rows), default=0)
        if not (first_kind == "data" and current is not None and width == current.width):
            titles = [t for t in (table.title, f"单位：{table.unit}" if table.unit else "") if t]
            section, current = "", None  # else: a table broken by a page continues the block before it
        for ri, row in enumerate(table.rows):
            kind = kinds[ri]
            if row.where in exclude:
                current = None
                continue
            if kind == "empty":
                continue
            first = next(clean(c) for c in row.cells if clean(c))
            if kind == "one" and current is not None and current.headers and not _SECTION.match(first) \
                    and not _UNIT_NOTE.search(half_width(first)) \
                    and (len(row.cells) > 1 or _next_kind(kinds, ri) != "header"):
                kind = "data"  # a row label whose values are blank ("三公经费" above its parts)
            if kind == "one":
                current = None
                if _SECTION.match(first):
                    section, titles = first, [t for t in titles if t.startswith("单位")]
                else:
                    titles = titles + [first]
                continue
            if kind == "header":
                if current is None or current.rows:
                    current = Block(table, titles, section, where=row.where)
                    blocks.append(current)
                    titles = [t for t in titles if t.startswith("单位")]
                current.headers.append(row.cells)
                continue
            if current is None:
                current = Block(table, titles, section, where=row.where)
                blocks.append(current)
                titles = [t for t in titles if t.startswith("单位")]
            current.rows.append(row)
            current.positions.append((ti, ri))
    return [b for b in blocks if b.rows]


def _row_kind(row: Row) -> str:
    """empty, one (a single text cell: a title or heading), header (text cells only) or data."""
    cells = [clean(c) for c in row.cells]
    filled = [c for c in cells if c and not _blank(c)]
    if not filled:
        return "empty"
    if any(amount(c) for c in filled):
        return "data"
    if len([c for c in cells if c]) == 1:
        return "one"
    return "header" if len(filled) >= 2 else "data"


def _next_kind(kinds: list[str], i: int) -> str:
    return next((k for k in kinds[i + 1:] if k not in ("empty", "one")), "end")
