"""Which engine writes PDFs (the report's pdf format and the 复核意见书), and getting it ready.

Chromium is the default: ~1–2 s a report with the browser kept open (WeasyPrint: 8–14 s), byte-
identical on rerun, and with the TrueType font (`pdf_font`) it embeds one CID TrueType font, like
WeasyPrint's CID font, and no Type 3 fonts. WeasyPrint stays behind `--pdf-engine weasyprint`
(EVALBOOK_PDF_ENGINE=weasyprint).

When Chromium cannot run here (no browser found, or no playwright package):
- asked for by name (`--pdf-engine chromium`): an error that says why and names
  `--pdf-engine weasyprint` — what was asked for is never swapped silently;
- by default: the PDFs are written by WeasyPrint, with a warning (once per process) saying why and
  how to get Chromium, and the run manifest records the engine actually used ("pdf_engine"). A
  default that fails would stop every report run on a machine without a browser, although WeasyPrint
  (a required dependency) makes the same documents there, only slower.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Callable

ENGINE_ENV = "EVALBOOK_PDF_ENGINE"
ENGINES = ("chromium", "weasyprint")
PDF_FORMATS = ("pdf", "opinion")  # the formats that write a PDF
_warned: set[str] = set()


class EngineError(RuntimeError):
    """The requested PDF engine cannot run here (the message is for the user, in Chinese)."""


def requested() -> str:
    """The engine asked for in EVALBOOK_PDF_ENGINE ("" for the default)."""
    engine = os.environ.get(ENGINE_ENV, "").strip().lower()
    if engine and engine not in ENGINES:
        raise ValueError(f"不支持的 PDF 引擎“{engine}”；可用：{'、'.join(ENGINES)}")
    return engine


def pdf_engine(say: Callable[[str], None] | None = None) -> str:
    """The engine PDFs are written with here: the one asked for, else Chromium when it can run,
    else WeasyPrint (and `say` — default: stderr — gets the warning, once per process)."""
    engine = requested()
    if engine == "weasyprint":
        return engine
    from .pdf_chromium import BROWSER_ENV, unavailable

    problem = unavailable()
    if problem is None:
        return "chromium"
    if engine == "chromium":
        raise EngineError(f"无法用 Chromium 生成 PDF：{problem}。请安装 Chromium、Chrome 或 Edge（或用环境变量 "
                          f"{BROWSER_ENV} 指定浏览器），或改用 --pdf-engine weasyprint")
    if problem not in _warned:
        _warned.add(problem)
        (say or _stderr)(f"警告：{problem}，PDF 改用 WeasyPrint 生成（每份约慢 10 秒，版式略有不同）。"
                         f"安装 Chromium、Chrome 或 Edge（或用环境变量 {BROWSER_ENV} 指定）后即用 Chromium；"
                         "要固定使用 WeasyPrint 且不再提示，请加 --pdf-engine weasyprint")
    return "weasyprint"


def _stderr(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def prepare(formats, say: Callable[[str], None] | None = None) -> str | None:
    """Before a batch starts its workers: the engine for `formats` (None when none writes a PDF), and
    for Chromium the TrueType font built now, once, so workers never build it at the same time."""
    if not set(formats) & set(PDF_FORMATS):
        return None
    engine = pdf_engine(say)
    if engine == "chromium":
        from .pdf_font import truetype_font

        truetype_font(say=say)
    return engine


def html_to_pdf(html_path: Path, out: Path, title: str = "") -> Path:
    """The PDF of an HTML page with this machine's engine (`pdf_engine`)."""
    if pdf_engine() == "chromium":
        from .pdf_chromium import html_to_pdf as convert
    else:
        from .pdf import html_to_pdf as convert
    return convert(html_path, out, title)
