"""PDF from the exported report HTML with headless Chromium (the default engine), one page kept open per thread.

The same print rules as the WeasyPrint path (`pdf.print_css`: A4, margins, running header, page
numbers, break rules) are laid over the report's HTML; Chromium (≥ 131) draws the @page margin boxes
itself. Fonts: Chromium's PDF writer (Skia) embeds a font with CFF outlines, such as the Noto Sans
CJK SC .otf, only as Type 3 glyphs, so this engine uses the TrueType conversion of that font
(`pdf_font.truetype_font`, built once per machine), which Skia embeds as a CID TrueType subset with
a ToUnicode map. Two more things would still come out as Type 3: synthetic bold (the report has the
Regular face only) and stroked text. So the @font-face declares the one face for every weight and
`font-synthesis: none` is set everywhere, and before printing every element whose computed weight
is bold (h1–h6, th, b, strong, and any class that sets font-weight) gets a thin text shadow of its
own colour instead — one font in the PDF, no doubled characters in extracted text. This follows the
computed style, so a new bold rule in report.css or the opinion's CSS needs no list kept here.

Byte-identical PDFs: the only varying bytes Chromium writes are the creation and modification
dates of the document information dictionary. They are overwritten in place (same length, so the
cross-reference offsets stay valid) with SOURCE_DATE_EPOCH when set, else 2000-01-01 00:00:00 UTC.

The browser (see `browser`): EVALBOOK_CHROMIUM (an executable's path, or a Playwright channel name
such as msedge or chrome), else Chromium, Chrome or Edge found on PATH or in their usual install
folders (Linux, macOS, Windows), driven through Playwright's Python package; `playwright install`
(a downloaded browser) is never needed.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import threading
import time
from functools import lru_cache
from pathlib import Path

from ..core.writing import write_atomic
from .pdf import FONT_FAMILY, MARGIN_MM, PAGE_WIDTH_MM, document_title, print_css

BROWSER_ENV = "EVALBOOK_CHROMIUM"
CHANNELS = ("chrome", "chrome-beta", "chrome-dev", "chrome-canary",
            "msedge", "msedge-beta", "msedge-dev", "msedge-canary")
_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome",
          "microsoft-edge", "microsoft-edge-stable", "msedge")
LAUNCH_ARGS = ["--no-sandbox", "--headless", "--disable-gpu"]
TIMEOUT_MS = 120_000
BOLD_SHADOW = "0.03em 0 0 currentColor"
_DATE = re.compile(rb"(/(?:CreationDate|ModDate) ?\(D:)(\d{14})")
_local = threading.local()

# No synthetic bold or slant (Skia draws those as Type 3); bold is the shadow set by _BOLD_JS.
# A cell spanning rows that is split by a page break has its background painted down to the bottom
# of the page, past the table's last row: such a cell gets the page's white, not its row's stripe.
CHROMIUM_CSS = """
html, body, body * { font-synthesis: none !important; }
td[rowspan], th[rowspan] { background-color: #fff; }
"""
_BOLD_JS = """shadow => {
  const bold = el => el && parseInt(getComputedStyle(el).fontWeight, 10) >= 600;
  let n = 0;
  for (const el of document.querySelectorAll("body, body *")) {
    if (bold(el)) { el.style.setProperty("text-shadow", shadow, "important"); n++; }
    else if (bold(el.parentElement)) el.style.setProperty("text-shadow", "none", "important");
  }
  return n;
}"""
# The print CSS keeps table cells' words whole (word-break: keep-all: a short phrase in a narrow column
# is not cut into one or two characters a line). Chromium, unlike WeasyPrint, applies that to Chinese
# too, so a cell holding a sentence cannot wrap at all and its table runs past the right margin. So,
# measured at the width of the printed page's content, for a table that does not fit:
#   1. its sentence cells (an unbroken stretch longer than `limit` characters between spaces and
#      Chinese punctuation) wrap anywhere;
#   2. if it still does not fit, or its longest text is left a column narrower than `share` of the
#      table, every body cell wraps anywhere (WeasyPrint's layout); header cells stay whole;
#   3. if it still does not fit, the header cells wrap too.
# Tables that fit are left alone.
_CELLS_JS = """({limit, share}) => {
  const longest = c => Math.max(0, ...c.textContent.split(/[\\s，、；：。！？）】」』]+/u).map(s => s.length));
  const width = e => e.getBoundingClientRect().width;
  const fits = t => width(t) <= width(t.parentElement) + 1;
  const wrap = cells => cells.forEach(c => c.style.setProperty("word-break", "normal", "important"));
  let changed = 0;
  for (const table of document.querySelectorAll("table")) {
    if (fits(table)) continue;
    changed++;
    const cells = [...table.querySelectorAll("td, th")];
    wrap(cells.filter(c => longest(c) > limit));
    const most = cells.reduce((a, c) => c.textContent.length > a.textContent.length ? c : a);
    if (fits(table) && width(most) >= share * width(table)) continue;
    wrap(cells.filter(c => !c.closest("thead")));
    if (!fits(table)) wrap(cells);
  }
  return changed;
}"""
CELL_LIMIT, CELL_SHARE = 12, 0.3
_FONT_JS = """family => document.fonts.load(`16px "${family}"`, "中文 A1").then(() => document.fonts.ready)
  .then(() => document.body.offsetHeight)"""


def _install_paths() -> list[Path]:
    """Where Chromium, Chrome and Edge install themselves when they are not on PATH."""
    if sys.platform == "win32":
        bases = [os.environ.get(v) for v in ("PROGRAMFILES", "PROGRAMFILES(X86)", "LOCALAPPDATA")]
        tails = [("Google", "Chrome", "Application", "chrome.exe"), ("Microsoft", "Edge", "Application", "msedge.exe"),
                 ("Chromium", "Application", "chrome.exe")]
        return [Path(b).joinpath(*t) for t in tails for b in bases if b]
    if sys.platform == "darwin":
        apps = ["Chromium.app/Contents/MacOS/Chromium", "Google Chrome.app/Contents/MacOS/Google Chrome",
                "Microsoft Edge.app/Contents/MacOS/Microsoft Edge"]
        return [base / a for a in apps for base in (Path("/Applications"), Path.home() / "Applications")]
    return [Path("/usr/bin/chromium"), Path("/usr/bin/chromium-browser"), Path("/usr/bin/google-chrome"),
            Path("/opt/google/chrome/chrome"), Path("/usr/bin/microsoft-edge")]


def browser() -> dict[str, str] | None:
    """How to launch the browser: {"executable_path": …} or {"channel": …}; None when there is none."""
    given = os.environ.get(BROWSER_ENV, "").strip()
    if given:
        if given.lower() in CHANNELS:
            return {"channel": given.lower()}
        return {"executable_path": given} if Path(given).is_file() else None
    for name in _NAMES:
        found = shutil.which(name)
        if found:
            return {"executable_path": found}
    for path in _install_paths():
        if path.is_file():
            return {"executable_path": str(path)}
    return None


def chromium_path() -> str | None:
    """The browser executable to drive (None when there is none, or when it is a Playwright channel)."""
    found = browser()
    return found.get("executable_path") if found else None


@lru_cache(maxsize=1)
def browser_version() -> str:
    """The browser's own version line ("Chromium 156.0.8078.73 …"): a new browser can lay out or encode
    a PDF differently, so it is part of what a run's outputs depend on. A Playwright channel gives its
    name; "" when the browser does not say (Edge and Chrome on Windows print nothing)."""
    how = browser()
    if how is None:
        return ""
    if "channel" in how:
        return how["channel"]
    try:
        done = subprocess.run([how["executable_path"], "--version"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return ""
    return done.stdout.strip()


def unavailable() -> str | None:
    """Why this engine cannot run here (in Chinese), or None when it can."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "未安装 playwright 程序包（pip install playwright；无须 playwright install）"
    if browser() is None:
        given = os.environ.get(BROWSER_ENV, "").strip()
        if given:
            return f"环境变量 {BROWSER_ENV} 指向的浏览器 {given} 不存在"
        return "找不到 Chromium、Chrome 或 Edge 浏览器"
    return None


def available() -> bool:
    return unavailable() is None


def fixed_date() -> bytes:
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    seconds = int(epoch) if epoch.isdigit() else 946684800  # 2000-01-01T00:00:00Z
    return time.strftime("%Y%m%d%H%M%S", time.gmtime(seconds)).encode("ascii")


def fix_dates(pdf: bytes) -> bytes:
    """Chromium stamps 'now' into CreationDate/ModDate: put a fixed date there (same byte length)."""
    date = fixed_date()
    return _DATE.sub(lambda m: m.group(1) + date, pdf)


def content_width_px() -> int:
    """The width of the printed page's content in CSS pixels (96 per inch), rounded down."""
    return int((PAGE_WIDTH_MM - MARGIN_MM[1] - MARGIN_MM[3]) / 25.4 * 96)


def chromium_css(font_file: Path, title: str) -> str:
    """The print CSS with the TrueType font declared for every weight, and no font synthesis."""
    face = 'format("truetype"); font-weight: 100 900; font-style: normal'
    return print_css(font_file, title, face) + CHROMIUM_CSS


class _Printer:
    """A Playwright driver, a Chromium browser and one page, owned by the thread that made them."""

    def __init__(self):
        from playwright.sync_api import sync_playwright

        problem = unavailable()
        if problem:
            raise RuntimeError(f"无法用 Chromium 生成 PDF：{problem}。请安装 Chromium（Windows 可用自带的 Edge："
                               f"设置环境变量 {BROWSER_ENV}=msedge），或改用 --pdf-engine weasyprint")
        how = browser()
        self.pw = sync_playwright().start()
        try:
            self.browser = self.pw.chromium.launch(args=LAUNCH_ARGS, **how)
            self.page = self.browser.new_page()
        except Exception as exc:
            self.pw.stop()
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            raise RuntimeError(f"无法启动浏览器 {next(iter(how.values()))}：{first}；"
                               "可改用 --pdf-engine weasyprint") from exc
        except BaseException:
            self.pw.stop()
            raise
        self.page.set_default_timeout(TIMEOUT_MS)
        # the scripts before printing measure tables as printed: print media, the page's content width
        self.page.emulate_media(media="print")
        self.page.set_viewport_size({"width": content_width_px(), "height": 1000})

    def pdf(self, html_path: Path, css: str) -> bytes:
        page = self.page
        page.goto(html_path.resolve().as_uri(), wait_until="load")
        page.add_style_tag(content=css)
        page.evaluate(_FONT_JS, FONT_FAMILY)  # the font is loaded and laid out before printing
        page.evaluate(_BOLD_JS, BOLD_SHADOW)
        page.evaluate(_CELLS_JS, {"limit": CELL_LIMIT, "share": CELL_SHARE})
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
    from .pdf_font import truetype_font

    html_path = Path(html_path)
    title = document_title(html_path.read_text(encoding="utf-8"), title)
    css = chromium_css(truetype_font(), title)
    try:
        data = _printer().pdf(html_path, css)
    except Exception:
        close()  # a browser that failed once is started anew for the next report
        raise
    write_atomic(Path(out), fix_dates(data))
    return Path(out)
