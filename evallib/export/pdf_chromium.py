"""PDF from the exported report HTML with headless Chromium, one browser page kept open per thread.

The same print rules as the WeasyPrint path (`pdf.print_css`: A4, margins, running header, page
numbers, break rules, the Noto Sans CJK SC font) are laid over the report's HTML; Chromium (≥ 131)
draws the @page margin boxes itself. The font is the full Noto file: Chromium embeds the glyphs
a document uses (as Type 3 fonts with a ToUnicode map, so text stays searchable and copyable),
and with one page kept open the font is read once per worker, not once per report.

Byte-identical PDFs: the only varying bytes Chromium writes are the creation and modification
dates of the document information dictionary. They are overwritten in place (same length, so the
cross-reference offsets stay valid) with SOURCE_DATE_EPOCH when set, else 2000-01-01 00:00:00 UTC.

Chromium is Debian's /usr/bin/chromium (or EVALBOOK_CHROMIUM), driven through Playwright's Python
package; `playwright install` (a downloaded browser) is never needed.
"""
from __future__ import annotations

import os
import re
import shutil
import threading
import time
from pathlib import Path

from ..collect.sheetstyle import atomic_write
from .pdf import document_title, font_path, print_css

LAUNCH_ARGS = ["--no-sandbox", "--headless", "--disable-gpu"]
TIMEOUT_MS = 120_000
_DATE = re.compile(rb"(/(?:CreationDate|ModDate) ?\(D:)(\d{14})")
_local = threading.local()


def chromium_path() -> str | None:
    """The Chromium executable to drive, or None when there is none."""
    given = os.environ.get("EVALBOOK_CHROMIUM")
    if given:
        return given if Path(given).is_file() else None
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").is_file() else None


def available() -> bool:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return False
    return chromium_path() is not None


def fixed_date() -> bytes:
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    seconds = int(epoch) if epoch.isdigit() else 946684800  # 2000-01-01T00:00:00Z
    return time.strftime("%Y%m%d%H%M%S", time.gmtime(seconds)).encode("ascii")


def fix_dates(pdf: bytes) -> bytes:
    """Chromium stamps 'now' into CreationDate/ModDate: put a fixed date there (same byte length)."""
    date = fixed_date()
    return _DATE.sub(lambda m: m.group(1) + date, pdf)


class _Printer:
    """A Playwright driver, a Chromium browser and one page, owned by the thread that made them."""

    def __init__(self):
        from playwright.sync_api import sync_playwright

        exe = chromium_path()
        if exe is None:
            raise RuntimeError("找不到 Chromium（/usr/bin/chromium 或环境变量 EVALBOOK_CHROMIUM）；"
                               "请安装 chromium，或改用 --pdf-engine weasyprint")
        self.pw = sync_playwright().start()
        try:
            self.browser = self.pw.chromium.launch(executable_path=exe, args=LAUNCH_ARGS)
            self.page = self.browser.new_page()
        except BaseException:
            self.pw.stop()
            raise
        self.page.set_default_timeout(TIMEOUT_MS)

    def pdf(self, html_path: Path, css: str) -> bytes:
        page = self.page
        page.goto(html_path.resolve().as_uri(), wait_until="load")
        page.add_style_tag(content=css)
        page.evaluate("document.fonts.ready.then(() => document.fonts.size)")
        return page.pdf(prefer_css_page_size=True, print_background=True)

    def close(self) -> None:
        try:
            self.browser.close()
        finally:
            self.pw.stop()


def _printer() -> _Printer:
    printer = getattr(_local, "printer", None)
    if printer is None:
        printer = _local.printer = _Printer()
    return printer


def close() -> None:
    """Close this thread's browser (call from the thread that printed); nothing to do when none."""
    printer = getattr(_local, "printer", None)
    _local.printer = None
    if printer is not None:
        try:
            printer.close()
        except Exception:  # noqa: BLE001 - the browser is gone already
            pass


def html_to_pdf(html_path: Path, out: Path, title: str = "") -> Path:
    """`title` is the running header only when the HTML has no <title> (as in pdf.html_to_pdf)."""
    html_path = Path(html_path)
    title = document_title(html_path.read_text(encoding="utf-8"), title)
    css = print_css(font_path(), title)
    try:
        data = _printer().pdf(html_path, css)
    except Exception:
        close()  # a browser that failed once is started anew for the next report
        raise
    atomic_write(Path(out), fix_dates(data))
    return Path(out)
