"""Word tables fitted to their content: column widths from the texts, numbers right-aligned, header rows
repeated, short rows kept on one page. Deterministic: widths are integer arithmetic on the cell texts.
"""
from __future__ import annotations

import re

from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from ..core.numbers import NUMBER_TEXT

CELL_MARGIN = 60  # twips left and right inside a table cell (Word's default 108 wastes narrow columns)
_NUMBER = re.compile(NUMBER_TEXT.pattern + r"|^[-—–]$")  # a dash stands for a missing figure


def _text_width(text: str) -> int:
    """Width in half-em units: a CJK character is two, Latin and digits one."""
    return sum(2 if ord(c) >= 0x2E80 else 1 for c in text)


def _min_width(text: str) -> int:
    if _NUMBER.match(text.strip()):
        return _text_width(text.strip())  # numbers never wrap
    tokens = re.findall(r"[\x21-\x7e]+", text)
    longest_latin = max((len(t) for t in tokens), default=0)
    return max(min(_text_width(text), 6), min(longest_latin, 12))  # at least 3 CJK characters a line


def fit_columns(widths: list[tuple[int, int, int]], available: int) -> list[int]:
    """Column widths from (minimum, desired, average) triples.

    Desired widths when they fit (stretched to the line). Otherwise every column gets its minimum and
    the rest is shared by average content, so a column of long texts gets the room, not a column
    with one long label.
    """
    minimum = [m for m, _, _ in widths]
    desired = [max(m, d) for m, d, _ in widths]
    if sum(desired) <= available:
        extra = available - sum(desired)
        return [d + extra * d // sum(desired) for d in desired]
    if sum(minimum) >= available:
        return [available * m // sum(minimum) for m in minimum]
    spare = available - sum(minimum)
    wish = [max(1, min(d - m, a)) for (m, _, a), d in zip(widths, desired)]
    share = [spare * w // sum(wish) for w in wish]
    # a column never grows past its desired width; hand what it cannot use to the others
    for _ in range(len(widths)):
        over = [max(0, m + x - d) for m, x, d in zip(minimum, share, desired)]
        if not sum(over):
            break
        room = [w if m + x < d else 0 for w, m, x, d in zip(wish, minimum, share, desired)]
        if not sum(room):
            break
        share = [x - o + sum(over) * r // sum(room) for x, o, r in zip(share, over, room)]
    return [m + x for m, x in zip(minimum, share)]


def layout_table(table, text_width_twips: int, font_pt: float) -> None:
    rows = table.rows
    grid = _cell_texts(table)
    header_count = sum(1 for tr in table._tbl.tr_lst
                       if tr.trPr is not None and tr.trPr.find(qn("w:tblHeader")) is not None)
    ncols = max((len(r) for r in grid), default=0)
    if not ncols:
        return
    unit = font_pt * 10  # twips per half-em
    pad = 2 * CELL_MARGIN + 20  # margins and a little slack so a line of exactly n characters fits
    measured = []
    for j in range(ncols):
        texts = [r[j] for r in grid if j < len(r)]
        desired = max((_text_width(t) for t in texts), default=2)
        least = max((_min_width(t) for t in texts), default=2)
        if header_count:  # a short header (up to four characters) stays on one line
            least = max(least, max(min(_text_width(r[j]), 8) for r in grid[:header_count] if j < len(r)))
        average = sum(_text_width(t) for t in texts) / max(len(texts), 1)
        measured.append((int(least * unit) + pad, int(desired * unit) + pad, int(average * unit)))
    twips = fit_columns(measured, text_width_twips)
    tbl = table._tbl
    tblpr = tbl.tblPr
    for tag, attrs in (("w:tblW", {"w:type": "dxa", "w:w": str(sum(twips))}), ("w:tblLayout", {"w:type": "fixed"}),
                       ("w:tblCellMar", None)):
        old = tblpr.find(qn(tag))
        if old is not None:
            tblpr.remove(old)
        el = OxmlElement(tag)
        if attrs is None:
            for side in ("left", "right"):
                margin = OxmlElement(f"w:{side}")
                margin.set(qn("w:w"), str(CELL_MARGIN))
                margin.set(qn("w:type"), "dxa")
                el.append(margin)
        else:
            for k, v in attrs.items():
                el.set(qn(k), v)
        tblpr.append(el)
    _order_tblpr(tblpr)
    for col, width in zip(tbl.tblGrid.findall(qn("w:gridCol")), twips):
        col.set(qn("w:w"), str(width))
    for row, texts in zip(rows, grid):  # texts: the row's cell texts by grid column, read once above
        trpr = row._tr.get_or_add_trPr()
        is_header = trpr.find(qn("w:tblHeader")) is not None
        short = max((_text_width(t) for t in texts), default=0) < 120
        if short and trpr.find(qn("w:cantSplit")) is None:  # a tall row may split, or it leaves half a page blank
            trpr.insert(0, OxmlElement("w:cantSplit"))
        for j, cell in enumerate(row.cells[:ncols]):
            cell.width = twips[j] * 635  # EMU per twip
            align = (WD_ALIGN_PARAGRAPH.CENTER if is_header
                     else WD_ALIGN_PARAGRAPH.RIGHT if j < len(texts) and _NUMBER.match(texts[j].strip()) else None)
            if align is not None:
                for p in cell._tc.p_lst:
                    p.alignment = align


def _cell_texts(table) -> list[list[str]]:
    """Texts by grid position; a cell continuing a vertical merge counts as empty (its text is above)."""
    grid = []
    for tr in table._tbl.tr_lst:
        row = []
        for tc in tr.tc_lst:
            merge = tc.tcPr.find(qn("w:vMerge")) if tc.tcPr is not None else None
            continued = merge is not None and merge.get(qn("w:val"), "continue") == "continue"
            text = "" if continued else "".join(t.text or "" for t in tc.iter(qn("w:t")))
            row.extend([text] + [""] * (tc.grid_span - 1))
        grid.append(row)
    return grid


_TBLPR_ORDER = ["w:tblStyle", "w:tblpPr", "w:tblOverlap", "w:bidiVisual", "w:tblStyleRowBandSize",
                "w:tblStyleColBandSize", "w:tblW", "w:jc", "w:tblCellSpacing", "w:tblInd", "w:tblBorders",
                "w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook", "w:tblCaption", "w:tblDescription"]


def _order_tblpr(tblpr) -> None:
    rank = {qn(t): i for i, t in enumerate(_TBLPR_ORDER)}
    children = sorted(tblpr, key=lambda el: rank.get(el.tag, len(rank)))
    for el in children:
        tblpr.append(el)
