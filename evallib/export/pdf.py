"""PDF from the exported report HTML with WeasyPrint: A4, page numbers, the Noto CJK font embedded.

The machine may have no CJK system font, so the font is given to WeasyPrint by @font-face with a
file:// URL. Byte-identical PDFs: WeasyPrint's own subsetting goes through the native
HarfBuzz-subset library, whose CFF output is not guaranteed to be the same from one process (or
library build) to the next. So the one Noto Sans CJK SC file shipped by mplfonts (never the whole
folder, which also holds a commercial font) is first cut down with fontTools — pure Python, fixed
options, timestamps kept — to the characters the document can print, and WeasyPrint embeds that
small font as it is (`full_fonts=True`), never subsetting it again.
"""
from __future__ import annotations

import io
import logging
import re
import tempfile
from functools import lru_cache
from pathlib import Path

from ..collect.sheetstyle import atomic_write

FONT_FAMILY = "Noto Sans CJK SC Embedded"  # a name of its own: a system Noto CJK never stands in for the subset
FONT_FILE = "NotoSansCJKsc-Regular.otf"
PAGE_WIDTH_MM = 210  # A4
MARGIN_MM = (20, 18, 20, 18)  # top, right, bottom, left
# Characters the print CSS can add that are not in the HTML text (page counters, footer words).
_GENERATED_TEXT = "0123456789第页共，、 -–—…·()（）"


@lru_cache(maxsize=1)
def font_path() -> Path:
    from ..report.fonts import font_path as report_font_path

    return report_font_path()


def subset_font(text: str) -> bytes:
    """The Noto font reduced to the glyphs of `text` (plus layout closure); same text, same bytes."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    options.recalc_timestamp = False  # keep head.modified of the source file, never "now"
    options.desubroutinize = True
    font = TTFont(str(font_path()), lazy=True, recalcTimestamp=False)
    subsetter = subset.Subsetter(options)
    subsetter.populate(text="".join(sorted(set(text + _GENERATED_TEXT))))
    subsetter.subset(font)
    out = io.BytesIO()
    font.save(out, reorderTables=True)
    return out.getvalue()


def print_css(font_file: Path, title: str = "", face: str = 'format("opentype")') -> str:
    """Print rules laid over the report's own CSS (the running header shows `title`); `face` ends the
    @font-face rule (its format, and any more descriptors)."""
    font_url = Path(font_file).resolve().as_uri()
    footer = '"第 " counter(page) " 页，共 " counter(pages) " 页"'
    header = _css_string(title)
    return f"""
@font-face {{ font-family: "{FONT_FAMILY}"; src: url("{font_url}") {face}; }}
@page {{
  size: A4;
  margin: {' '.join(f'{m}mm' for m in MARGIN_MM)};
  @top-center {{ content: {header}; font-family: "{FONT_FAMILY}"; font-size: 8.5pt; color: #666; }}
  @bottom-center {{ content: {footer}; font-family: "{FONT_FAMILY}"; font-size: 9pt; color: #555; }}
}}
@page cover {{ @top-center {{ content: none; }} @bottom-center {{ content: none; }} }}
html, body, body * {{ font-family: "{FONT_FAMILY}", sans-serif !important; }}
body.jp-Notebook {{ max-width: none !important; margin: 0 !important; padding: 0 !important; }}
.jp-OutputArea-child, .jp-Cell, .jp-OutputArea, .jp-Cell-outputWrapper {{ break-inside: auto !important; }}
/* A heading keeps room for some text below it: it moves to the next page rather than end one. Each
   notebook output is its own block, so break-after: avoid alone does not reach the next output. */
h1, h2, h3, h4 {{ break-inside: avoid; }}
h1::after, h2::after, h3::after, h4::after {{ content: ""; display: block; height: 30mm; margin-bottom: -30mm; }}
/* JupyterLab lays outputs out as flex boxes; page breaks inside flex items are not honoured */
.jp-OutputArea-child, .jp-OutputArea-output, .jp-OutputArea, .jp-Cell, .jp-Cell-outputWrapper {{ display: block !important; }}
section.eb-cover {{ page: cover; break-after: page; min-height: 230mm; }}
nav.eb-toc {{ break-after: page; }}
section.eb-signature, section.eb-annex {{ break-before: page; }}
section.eb-signature {{ break-inside: avoid; }}
table {{ break-inside: auto; }}
thead {{ display: table-header-group; }}
tfoot {{ display: table-footer-group; }}
tr, img, figure, .eb-kpi {{ break-inside: avoid; }}
h1, h2, h3, h4, h5, .eb-caption, caption {{ break-after: avoid; break-inside: avoid; }}
figcaption.eb-caption {{ break-before: avoid; text-align: center; font-size: 10pt; }}
th, td {{ min-width: 3em; word-break: keep-all; overflow-wrap: normal; }}
td.num, th.num {{ white-space: nowrap; text-align: right; }}
img {{ max-width: 100% !important; height: auto; }}
a[href]::after {{ content: none !important; }}
"""


def _css_string(text: str) -> str:
    if not text:
        return "none"
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def document_title(html: str, fallback: str = "") -> str:
    """The running header: the HTML's own <title>, so the PDF is a function of the HTML file alone."""
    import html as html_lib

    found = re.search(r"<title>(.*?)</title>", html, re.S | re.I)
    text = html_lib.unescape(found.group(1)).strip() if found else ""
    return text or fallback


def html_to_pdf(html_path: Path, out: Path, title: str = "") -> Path:
    """`title` is the running header only when the HTML has no <title>."""
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    html_path = Path(html_path)
    text = html_path.read_text(encoding="utf-8")
    title = document_title(text, title)
    logging.getLogger("weasyprint").setLevel(logging.ERROR)  # unsupported JupyterLab CSS rules are expected
    with tempfile.TemporaryDirectory(prefix="evalbook-pdf-") as tmp:
        font_file = Path(tmp) / FONT_FILE
        rules = print_css(font_file, title)
        # the characters of the HTML and of the header text; never of `rules`, whose font URL names a random folder
        font_file.write_bytes(subset_font(text + title))
        fonts = FontConfiguration()
        css = CSS(string=rules, font_config=fonts)
        document = HTML(filename=str(html_path), base_url=str(html_path.parent))
        buf = io.BytesIO()
        document.write_pdf(buf, stylesheets=[css], font_config=fonts, full_fonts=True)
    atomic_write(Path(out), buf.getvalue())
    return Path(out)
