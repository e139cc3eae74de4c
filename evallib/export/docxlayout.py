"""Word layout laid over pandoc's .docx: page breaks, a TOC field, header/footer with PAGE fields,
outline-numbered headings, content-fitted tables and SEQ-numbered captions.

Everything here is a pure function of the document, so reruns give the same bytes.
"""
from __future__ import annotations

import re

from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

PAGEBREAK, TOC = "EBMARK-PAGEBREAK", "EBMARK-TOC"
NUMBERING_ID = 900  # abstractNum/num id for the heading outline; far from pandoc's list ids

_CN = "一二三四五六七八九十"
# Heading number styles of a Chinese report, outermost first: 一、 （一） 1. （1）
_LEVELS = [
    (re.compile(rf"^([{_CN}]+)、\s*"), "%1、", "chineseCounting"),
    (re.compile(rf"^（([{_CN}]+)）\s*"), "（%2）", "chineseCounting"),
    (re.compile(r"^(\d+)[.．]\s*"), "%3.", "decimal"),
    (re.compile(r"^（(\d+)）\s*"), "（%4）", "decimal"),
]
_CAPTION_NO = re.compile(r"^(图|表)\s*(\d+)\s*")
_UNIT_LINE = re.compile(r"单位：\S{1,10}")


def _cn_value(text: str) -> int:
    if text.isdigit():
        return int(text)
    if text == "十":
        return 10
    if text.startswith("十"):
        return 10 + _CN.index(text[1]) + 1
    if text.endswith("十"):
        return (_CN.index(text[0]) + 1) * 10
    if "十" in text:
        tens, ones = text.split("十")
        return (_CN.index(tens) + 1) * 10 + _CN.index(ones) + 1
    return _CN.index(text) + 1


# ---------------------------------------------------------------- fields and breaks

def _run(parent, text: str | None = None):
    r = OxmlElement("w:r")
    if text is not None:
        t = OxmlElement("w:t")
        t.set(qn("xml:space"), "preserve")
        t.text = text
        r.append(t)
    parent.append(r)
    return r


def _field(paragraph_el, instruction: str, shown: str) -> None:
    """A complex field (begin / instrText / separate / cached result / end) appended to a paragraph."""
    for kind, text in (("begin", None), ("instr", instruction), ("separate", None), ("result", shown), ("end", None)):
        if kind == "result":
            _run(paragraph_el, text)
            continue
        r = _run(paragraph_el)
        if kind == "instr":
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = f" {instruction} "
        else:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
            if kind == "begin":
                el.set(qn("w:dirty"), "true")  # Word recomputes the field on open
        r.append(el)


def _clear(paragraph) -> None:
    for child in list(paragraph._p):
        if child.tag != qn("w:pPr"):
            paragraph._p.remove(child)


def _page_break(paragraph) -> None:
    _clear(paragraph)
    br = OxmlElement("w:br")
    br.set(qn("w:type"), "page")
    _run(paragraph._p).append(br)


def _toc(doc, paragraph, headings: list[tuple[int, str]]) -> None:
    """目录 title, then a TOC field whose cached result lists the headings (Word fills in pages on update)."""
    title = paragraph.insert_paragraph_before("目录")
    title.style = _style(doc, "TOC Heading", "Heading 1")
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _clear(paragraph)
    paragraph.style = _style(doc, "Normal")
    _field(paragraph._p, 'TOC \\o "1-3" \\h \\z \\u', "")
    end = paragraph._p[-1]
    paragraph._p.remove(end)  # the field ends after the cached entries
    last = paragraph
    styles = {level: _toc_style(doc, level) for level in sorted({level for level, _ in headings})}
    for level, text in headings:
        entry = _after(last)
        entry.style = styles[level]
        _run(entry._p, text)
        last = entry
    last._p.append(end)


def _toc_style(doc, level: int):
    """Word's built-in "toc N" style (styleId TOCN), added when the reference document lacks it."""
    from docx.enum.style import WD_STYLE_TYPE
    from docx.shared import Pt

    known = {s.name.lower(): s for s in doc.styles}
    if f"toc {level}" in known:
        return known[f"toc {level}"]
    style = doc.styles.add_style(f"toc {level}", WD_STYLE_TYPE.PARAGRAPH)
    style.element.set(qn("w:styleId"), f"TOC{level}")
    style.base_style = known.get("normal")
    style.paragraph_format.left_indent = Pt(12 * (level - 1))
    style.paragraph_format.first_line_indent = Pt(0)
    style.paragraph_format.space_after = Pt(3)
    return style


def _after(paragraph):
    from docx.text.paragraph import Paragraph

    new = OxmlElement("w:p")
    paragraph._p.addnext(new)
    return Paragraph(new, paragraph._parent)


def _style(doc, *names):
    known = {s.name: s for s in doc.styles}
    for name in names:
        if name in known:
            return known[name]
    return known["Normal"]


# ---------------------------------------------------------------- headings

def style_names(doc) -> dict[str | None, str]:
    """Paragraph style id -> name, read once: python-docx looks a paragraph's style up by XPath each time."""
    from docx.enum.style import WD_STYLE_TYPE

    default = doc.styles.default(WD_STYLE_TYPE.PARAGRAPH)
    names: dict[str | None, str] = {s.style_id: s.name for s in doc.styles}
    names[None] = default.name if default is not None else "Normal"  # a paragraph without or with an unknown style
    return names


def _style_name(paragraph, names: dict) -> str:
    return names.get(paragraph._p.style, names[None]) or ""


def _heading_level(paragraph, names: dict) -> int | None:
    m = re.fullmatch(r"Heading (\d)", _style_name(paragraph, names))
    return int(m.group(1)) if m else None


def number_headings(doc) -> bool:
    """Turn typed heading numbers (一、 （一） 1. （1）) into Word outline numbering when they run in order."""
    found = []
    counters = [0] * len(_LEVELS)
    names = style_names(doc)
    for p in doc.paragraphs:
        if _heading_level(p, names) is None:
            continue
        for depth, (pattern, _, _) in enumerate(_LEVELS):
            m = pattern.match(p.text)
            if m:
                counters[depth] += 1
                counters[depth + 1:] = [0] * (len(_LEVELS) - depth - 1)
                if _cn_value(m.group(1)) != counters[depth]:
                    return False  # numbering out of order: keep the typed numbers as they are
                found.append((p, depth, m.end()))
                break
    if not found:
        return False
    _add_outline_numbering(doc)
    for p, depth, cut in found:
        _strip_prefix(p, cut)
        ppr = p._p.get_or_add_pPr()
        numpr = OxmlElement("w:numPr")
        for tag, val in (("w:ilvl", depth), ("w:numId", NUMBERING_ID)):
            el = OxmlElement(tag)
            el.set(qn("w:val"), str(val))
            numpr.append(el)
        ppr.insert_element_before(numpr, *_PPR_AFTER_NUMPR)
    return True


_PPR_AFTER_NUMPR = ("w:suppressLineNumbers", "w:pBdr", "w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku",
                    "w:wordWrap", "w:overflowPunct", "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi",
                    "w:adjustRightInd", "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing",
                    "w:mirrorIndents", "w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment",
                    "w:textboxTightWrap", "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr",
                    "w:pPrChange")


def _strip_prefix(paragraph, length: int) -> None:
    """Remove the first `length` characters of the paragraph text, across runs."""
    for t in paragraph._p.iter(qn("w:t")):
        if length <= 0:
            break
        text = t.text or ""
        cut = min(length, len(text))
        t.text = text[cut:]
        length -= cut


def _add_outline_numbering(doc) -> None:
    numbering = doc.part.numbering_part.element
    abstract = OxmlElement("w:abstractNum")
    abstract.set(qn("w:abstractNumId"), str(NUMBERING_ID))
    mlt = OxmlElement("w:multiLevelType")
    mlt.set(qn("w:val"), "multilevel")
    abstract.append(mlt)
    for ilvl, (_, text, fmt) in enumerate(_LEVELS):
        lvl = OxmlElement("w:lvl")
        lvl.set(qn("w:ilvl"), str(ilvl))
        for tag, val in (("w:start", "1"), ("w:numFmt", fmt), ("w:suff", "nothing"), ("w:lvlText", text),
                         ("w:lvlJc", "left")):
            el = OxmlElement(tag)
            el.set(qn("w:val"), val)
            lvl.append(el)
        abstract.append(lvl)
    nums = numbering.findall(qn("w:num"))
    if nums:
        nums[0].addprevious(abstract)
    else:
        numbering.append(abstract)
    num = OxmlElement("w:num")
    num.set(qn("w:numId"), str(NUMBERING_ID))
    ref = OxmlElement("w:abstractNumId")
    ref.set(qn("w:val"), str(NUMBERING_ID))
    num.append(ref)
    numbering.append(num)


# ---------------------------------------------------------------- captions, header, footer

def number_captions(doc) -> None:
    """A caption starting 图N/表N gets its number as a SEQ field, so Word can list and cross-reference it."""
    names = style_names(doc)
    for p in doc.paragraphs:
        if "Caption" not in _style_name(p, names):
            continue
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        m = _CAPTION_NO.match(p.text)
        if not m:
            continue
        _strip_prefix(p, m.end())
        first = p._p.find(qn("w:r"))
        holder = OxmlElement("w:p")
        _run(holder, m.group(1))
        _field(holder, f"SEQ {m.group(1)} \\* ARABIC", m.group(2))
        _run(holder, " ")
        for r in list(holder):
            if first is not None:
                first.addprevious(r)
            else:
                p._p.append(r)


def header_footer(doc, title: str, has_cover: bool) -> None:
    """Running header with the title and 第 N 页 共 M 页 in the footer, unless the reference document has its own."""
    for section in doc.sections:
        if has_cover:
            section.different_first_page_header_footer = True
        if title and not any(p.text.strip() for p in section.header.paragraphs):
            p = section.header.paragraphs[0]
            p.text = title
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        if not section.footer._element.findall(".//" + qn("w:fldChar")) and not any(p.text.strip() for p in section.footer.paragraphs):
            p = section.footer.paragraphs[0]
            _clear(p)
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            _run(p._p, "第 ")
            _field(p._p, "PAGE", "1")
            _run(p._p, " 页，共 ")
            _field(p._p, "NUMPAGES", "1")
            _run(p._p, " 页")


def update_fields_on_open(doc) -> None:
    settings = doc.settings.element
    if settings.find(qn("w:updateFields")) is None:
        el = OxmlElement("w:updateFields")
        el.set(qn("w:val"), "true")
        settings.append(el)


def apply_layout(doc, title: str, has_cover: bool, table_pt: float) -> None:
    """`table_pt`: the table text size the column widths are measured in."""
    from .docxtables import layout_table

    paragraphs = doc.paragraphs
    names = style_names(doc)
    start = next((i for i, p in enumerate(paragraphs) if p.text == TOC), 0)
    headings = [(level, p.text) for p in paragraphs[start:]
                if (level := _heading_level(p, names)) in (1, 2, 3) and p.text.strip()]
    section = doc.sections[0]
    text_width = int((section.page_width - section.left_margin - section.right_margin) / 635)
    for table in doc.tables:
        layout_table(table, text_width, table_pt)
    number_captions(doc)
    for p in list(doc.paragraphs):
        text = p.text
        if text == PAGEBREAK:
            _page_break(p)
        elif text == TOC:
            _toc(doc, p, headings)
        elif _UNIT_LINE.fullmatch(text):  # a table's unit line: right-aligned, on the page of its table
            p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            p.paragraph_format.first_line_indent = 0
            p.paragraph_format.keep_with_next = True
    number_headings(doc)
    header_footer(doc, title, has_cover)
    update_fields_on_open(doc)
