"""Word (.docx) from the exported report HTML with pandoc (bundled by pypandoc-binary).

Headings become Word headings, HTML tables real Word tables, embedded charts pictures; docxlayout then
adds the TOC field, page numbers, outline numbering and fitted tables. The default reference document
made here sets A4 and 公文-like fonts (titles 黑体, body and tables 宋体, with w:eastAsia so Word
and WPS use them for Chinese text). A firm replaces it with its own reference .docx through
`evalbook run --reference-docx FILE` (or the environment variable EVALBOOK_REFERENCE_DOCX).
Fixed properties and zip timestamps make the bytes identical on rerun.
"""
from __future__ import annotations

import io
import os
import re
import subprocess
import tempfile
from functools import lru_cache
from pathlib import Path

from ..collect.sheetstyle import atomic_write, fixed_datetime, fixed_zip
from .docxlayout import PAGEBREAK, TOC

BODY_FONT, TABLE_FONT, HEADING_FONT, LATIN_FONT = "宋体", "宋体", "黑体", "Times New Roman"
TABLE_PT = 9  # 小五: the wide score and findings tables of the annexes stay readable without wrapping
REFERENCE_ENV = "EVALBOOK_REFERENCE_DOCX"
_CAPTION_P = re.compile(r'<p\b[^>]*class="[^"]*\beb-caption\b[^"]*"[^>]*>(.*?)</p>', re.S | re.I)
_DROP = [re.compile(p, re.S | re.I) for p in (
    r"<style\b.*?</style>", r"<script\b.*?</script>", r"<title\b.*?</title>", r"<link\b[^>]*>",
    r'<a\b[^>]*class="anchor-link"[^>]*>.*?</a>')]


def pandoc() -> str:
    import pypandoc

    return pypandoc.get_pandoc_path()


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["SOURCE_DATE_EPOCH"] = str(int(fixed_datetime().replace(tzinfo=__import__("datetime").timezone.utc).timestamp()))
    return env


def _set_fonts(style, east_asia: str, latin: str, size_pt: float | None = None, bold: bool | None = None) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor

    font = style.font
    font.name = latin
    if size_pt:
        font.size = Pt(size_pt)
    if bold is not None:
        font.bold = bold
    font.color.rgb = RGBColor(0, 0, 0)
    rpr = style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(attr), latin)
    fonts.set(qn("w:eastAsia"), east_asia)
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(theme), None)


def _doc_defaults(doc) -> None:
    """Document-wide default fonts and language: explicit names instead of theme fonts, Chinese for East Asian text."""
    from docx.oxml.ns import qn

    rpr = doc.styles.element.find(qn("w:docDefaults") + "/" + qn("w:rPrDefault") + "/" + qn("w:rPr"))
    if rpr is None:
        return
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.insert(0, fonts)
    fonts.attrib.clear()
    for attr in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(attr), LATIN_FONT)
    fonts.set(qn("w:eastAsia"), BODY_FONT)
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = rpr.makeelement(qn("w:lang"), {})
        rpr.append(lang)
    lang.set(qn("w:eastAsia"), "zh-CN")


def _table_borders(doc) -> None:
    from docx.oxml.ns import qn

    for style in doc.styles:
        if style.style_id != "Table":
            continue
        el = style.element
        tblpr = el.find(qn("w:tblPr"))
        if tblpr is None:
            tblpr = el.makeelement(qn("w:tblPr"), {})
            el.append(tblpr)
        old = tblpr.find(qn("w:tblBorders"))
        if old is not None:
            tblpr.remove(old)
        borders = tblpr.makeelement(qn("w:tblBorders"), {})
        for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
            b = borders.makeelement(qn(f"w:{side}"), {qn("w:val"): "single", qn("w:sz"): "4", qn("w:space"): "0",
                                                       qn("w:color"): "808080"})
            borders.append(b)
        tblpr.append(borders)


@lru_cache(maxsize=1)
def reference_docx() -> bytes:
    """pandoc's default reference document, set to A4 with Chinese fonts."""
    import docx
    from docx.shared import Mm, Pt

    raw = subprocess.run([pandoc(), "--print-default-data-file", "reference.docx"], check=True,
                         capture_output=True, env=_env()).stdout
    doc = docx.Document(io.BytesIO(raw))
    for section in doc.sections:
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.top_margin = section.bottom_margin = Mm(25)
        section.left_margin = section.right_margin = Mm(22)
    styles = {s.name: s for s in doc.styles}
    names = set(styles)
    for name in ("Normal", "Body Text", "First Paragraph", "Compact", "Block Text", "Footnote Text", "Caption",
                 "Table Caption", "Image Caption", "Figure", "Captioned Figure"):
        if name in names:
            _set_fonts(styles[name], BODY_FONT, LATIN_FONT, 12 if name in ("Normal", "Body Text", "First Paragraph") else None)
    for name, size in (("Title", 20), ("Subtitle", 14), ("TOC Heading", 16), ("Heading 1", 18), ("Heading 2", 15), ("Heading 3", 13),
                       ("Heading 4", 12), ("Heading 5", 12), ("Heading 6", 12)):
        if name in names:
            _set_fonts(styles[name], HEADING_FONT, LATIN_FONT, size, bold=True)
    for name in ("Body Text", "First Paragraph"):
        if name in names:
            styles[name].paragraph_format.first_line_indent = Pt(24)  # 首行缩进两字
    if "Compact" in names:
        styles["Compact"].paragraph_format.first_line_indent = Pt(0)
        _set_fonts(styles["Compact"], TABLE_FONT, LATIN_FONT, TABLE_PT)
    for name in ("Title", "Heading 1", "TOC Heading"):
        if name in names:
            styles[name].paragraph_format.space_before = Pt(12)
    _doc_defaults(doc)
    _table_borders(doc)
    return _docx_bytes(doc)


def _docx_bytes(doc, title: str = "") -> bytes:
    when = fixed_datetime()
    props = doc.core_properties
    props.author = "evalbook"
    props.last_modified_by = "evalbook"
    props.title = title
    props.created = when
    props.modified = when
    props.revision = 1
    raw = io.BytesIO()
    doc.save(raw)
    return fixed_zip(raw.getvalue(), when)


def clean_html(text: str) -> str:
    """Drop what pandoc should not see: styles, scripts, the <title> (it would repeat the h1), anchor links."""
    for pattern in _DROP:
        text = pattern.sub("", text)
    # a caption paragraph keeps its role in Word: pandoc maps data-custom-style to a paragraph style
    text = _CAPTION_P.sub(lambda m: f'<div data-custom-style="Table Caption"><p>{m.group(1)}</p></div>', text)
    return text.replace("¶", "")


def _section_open(cls: str) -> re.Pattern:
    return re.compile(rf'<(section|nav)\b[^>]*class="[^"]*\b{cls}\b[^"]*"[^>]*>', re.I)


def mark_pages(text: str, toc_wanted: bool = True) -> tuple[str, bool]:
    """Put page-break and TOC markers around the report's cover, 目录, signature and annex sections.

    Returns the HTML and whether it has a cover. Works on HTML without those sections too: the TOC
    then goes before the first chapter heading. `toc_wanted=False` (a letter such as the 复核意见书): no TOC.
    """
    if not toc_wanted:
        return text, False
    brk, toc = f"<p>{PAGEBREAK}</p>", f"<p>{TOC}</p>"
    cover = _section_open("eb-cover").search(text)
    if cover:
        end = text.find("</section>", cover.end())
        if end >= 0:
            end += len("</section>")
            text = text[:end] + brk + text[end:]
    nav = _section_open("eb-toc").search(text)
    if nav:
        end = text.find("</nav>", nav.end())
        text = text[:nav.start()] + toc + brk + text[end + len("</nav>"):]
    elif cover:
        at = text.find(brk, cover.end()) + len(brk)
        text = text[:at] + toc + brk + text[at:]
    else:
        first = re.search(r"<h2\b", text, re.I)
        if first:
            text = text[:first.start()] + toc + brk + text[first.start():]
    for cls in ("eb-signature", "eb-annex"):
        text = _section_open(cls).sub(lambda m: brk + m.group(0), text)
    return text, bool(cover)


def reference_path() -> Path | None:
    """The firm's reference .docx, when one is configured; checked so a wrong file fails clearly."""
    import zipfile

    from ..core.errors import InputError

    value = os.environ.get(REFERENCE_ENV, "").strip()
    if not value:
        return None
    path = Path(value)
    if not path.is_file():
        raise InputError.single(str(path), "--reference-docx", "找不到 Word 参考模板文件")
    try:
        with zipfile.ZipFile(path) as zf:
            if "word/styles.xml" not in zf.namelist():
                raise InputError.single(str(path), "--reference-docx", "Word 参考模板不是 .docx 文件（缺少 word/styles.xml）")
    except zipfile.BadZipFile:
        raise InputError.single(str(path), "--reference-docx", "Word 参考模板不是 .docx 文件") from None
    return path


def html_to_docx(html_path: Path, out: Path, title: str = "", toc: bool = True) -> Path:
    """`toc=False`: a short document without 目录 (and without cover or section page breaks)."""
    import docx

    from .docxlayout import apply_layout

    html_path = Path(html_path)
    firm_reference = reference_path()
    with tempfile.TemporaryDirectory(prefix="evalbook-docx-") as tmp:
        tmp = Path(tmp)
        ref = tmp / "reference.docx"
        ref.write_bytes(firm_reference.read_bytes() if firm_reference else reference_docx())
        source = tmp / "report.html"
        marked, has_cover = mark_pages(clean_html(html_path.read_text(encoding="utf-8")), toc)
        source.write_text(marked, encoding="utf-8")
        target = tmp / "report.docx"
        result = subprocess.run(
            [pandoc(), str(source), "-f", "html", "-t", "docx", "-o", str(target), f"--reference-doc={ref}",
             f"--resource-path={html_path.parent}"],
            capture_output=True, text=True, env=_env(), cwd=tmp)
        if result.returncode != 0:
            raise RuntimeError(f"pandoc 转换 Word 失败：{result.stderr.strip()[:500]}")
        doc = docx.Document(str(target))
        compact = next((st for st in doc.styles if st.name == "Compact"), None)
        table_pt = compact.font.size.pt if compact is not None and compact.font.size else TABLE_PT
        apply_layout(doc, title, has_cover, table_pt)
        data = _docx_bytes(doc, title)
    atomic_write(Path(out), data)
    return Path(out)
