"""PDF from the exported report HTML with WeasyPrint: A4, page numbers, the Noto CJK font embedded.

The machine may have no CJK system font, so the font is given to WeasyPrint by @font-face with a
file:// URL to the one Noto Sans CJK SC file shipped by mplfonts (never the whole folder, which
also holds a commercial font). The same HTML gives byte-identical PDF bytes.
"""
from __future__ import annotations

import io
import logging
from functools import lru_cache
from pathlib import Path

from ..collect.sheetstyle import atomic_write

FONT_FAMILY = "Noto Sans CJK SC"
FONT_FILE = "NotoSansCJKsc-Regular.otf"


@lru_cache(maxsize=1)
def font_path() -> Path:
    try:
        from ..report.fonts import font_path as report_font_path

        return report_font_path()
    except ImportError:
        import mplfonts

        path = Path(mplfonts.__file__).parent / "fonts" / FONT_FILE
        if not path.is_file():
            raise FileNotFoundError(f"找不到中文字体文件 {path}（mplfonts 安装不完整）")
        return path


def print_css(title: str = "") -> str:
    """Extra print rules laid over the report's own CSS."""
    font_url = font_path().resolve().as_uri()
    footer = '"第 " counter(page) " 页，共 " counter(pages) " 页"'
    return f"""
@font-face {{ font-family: "{FONT_FAMILY}"; src: url("{font_url}") format("opentype"); }}
@page {{
  size: A4;
  margin: 18mm 15mm 20mm 15mm;
  @bottom-center {{ content: {footer}; font-family: "{FONT_FAMILY}"; font-size: 9pt; color: #555; }}
}}
html, body, body * {{ font-family: "{FONT_FAMILY}", sans-serif !important; }}
body.jp-Notebook {{ max-width: none !important; margin: 0 !important; padding: 0 !important; }}
.jp-OutputArea-child, .jp-Cell, .jp-OutputArea, .jp-Cell-outputWrapper {{ break-inside: auto !important; }}
table {{ break-inside: auto; }}
thead {{ display: table-header-group; }}
tfoot {{ display: table-footer-group; }}
tr, img, .eb-kpi {{ break-inside: avoid; }}
h1, h2, h3, h4, .eb-caption {{ break-after: avoid; }}
img {{ max-width: 100% !important; height: auto; }}
a[href]::after {{ content: none !important; }}
"""


def html_to_pdf(html_path: Path, out: Path, title: str = "") -> Path:
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    html_path = Path(html_path)
    logging.getLogger("weasyprint").setLevel(logging.ERROR)  # unsupported JupyterLab CSS rules are expected
    fonts = FontConfiguration()
    css = CSS(string=print_css(title), font_config=fonts)
    document = HTML(filename=str(html_path), base_url=str(html_path.parent))
    buf = io.BytesIO()
    document.write_pdf(buf, stylesheets=[css], font_config=fonts)
    atomic_write(Path(out), buf.getvalue())
    return Path(out)
