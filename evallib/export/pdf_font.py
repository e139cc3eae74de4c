"""The report font as TrueType (glyf outlines), built once per machine into a per-user cache.

Chromium (Skia) embeds a font with CFF outlines — our Noto Sans CJK SC .otf — as Type 3 fonts in a
PDF, but a font with TrueType outlines as a proper CID TrueType subset with a ToUnicode map. So the
PDF path converts the .otf once: every glyph's cubic outline to quadratic curves (fontTools cu2qu,
at most 1 font unit off), new glyf/loca/maxp tables, no CFF/VORG, post format 3 (format 2 cannot hold
65,535 names). This takes about a minute; the result (~20 MB) is kept in the cache folder:

    EVALBOOK_CACHE if set, else %LOCALAPPDATA%\\evalbook on Windows, else $XDG_CACHE_HOME/evalbook or
    ~/.cache/evalbook

under a name made of the source font's sha256 and CONVERTER_VERSION, so a new mplfonts font or a
changed conversion gets a new file. It is written to a temporary file and renamed into place, so two
processes that build it at once both end up with the same complete file (the conversion is
deterministic: same source, same bytes). `evalbook run` builds it in the parent before any worker
starts.
"""
from __future__ import annotations

import hashlib
import os
import sys
import threading
from pathlib import Path
from typing import Callable

from ..core.writing import write_atomic

CONVERTER_VERSION = 1  # raise when the conversion below changes its output
CACHE_ENV = "EVALBOOK_CACHE"
_lock = threading.Lock()
_known: dict[tuple[str, str], Path] = {}  # (source path, cache folder) -> converted font, per process


def cache_dir() -> Path:
    """The per-user cache folder of evalbook (not created here)."""
    given = os.environ.get(CACHE_ENV, "").strip()
    if given:
        return Path(given).expanduser()
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
        return Path(base) / "evalbook"
    xdg = os.environ.get("XDG_CACHE_HOME", "").strip()
    return (Path(xdg) if xdg else Path.home() / ".cache") / "evalbook"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def cached_name(source: Path) -> str:
    return f"{Path(source).stem}-{_sha256(source)[:16]}-tt{CONVERTER_VERSION}.ttf"


def truetype_font(source: Path | None = None, say: Callable[[str], None] | None = None) -> Path:
    """The TrueType conversion of `source` (default: the report's Noto font), built on first use.

    `say` gets the one-line notice when it has to be built (default: print to stderr)."""
    if source is None:
        from .pdf import font_path

        source = font_path()
    source = Path(source)
    key = (str(source.resolve()), str(cache_dir()))
    with _lock:  # threads of one process build it once
        known = _known.get(key)
        if known is not None and known.is_file():
            return known
        target = cache_dir() / "fonts" / cached_name(source)
        if not target.is_file():
            (say or _stderr)(f"首次生成 PDF：正在把中文字体转换为可嵌入的 TrueType 格式，约需 1 分钟，只做一次"
                             f"（缓存于 {target.parent}，可用环境变量 {CACHE_ENV} 另指文件夹）")
            _build(source, target)
        _known[key] = target
        return target


def _stderr(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def _build(source: Path, target: Path) -> None:
    data = convert(source)
    try:
        write_atomic(target, data)
    except OSError as exc:
        if target.is_file() and target.stat().st_size == len(data):
            return  # another process put the same file there first (Windows refuses to replace an open file)
        raise OSError(f"无法写入字体缓存 {target}：{exc}；可用环境变量 {CACHE_ENV} 指定一个可写的文件夹") from exc


def convert(source: Path) -> bytes:
    """The bytes of `source` (an OpenType/CFF font) with TrueType outlines; same source, same bytes."""
    import io

    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import TTFont, newTable

    font = TTFont(str(source), recalcTimestamp=False)  # keep head.modified of the source, never "now"
    order = font.getGlyphOrder()
    glyphs = font.getGlyphSet()
    glyf = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = {}
    for name in order:
        pen = TTGlyphPen(glyphs)
        # cubic to quadratic within 1 font unit; CFF contours run the other way round from TrueType's
        glyphs[name].draw(Cu2QuPen(pen, 1.0, reverse_direction=True))
        glyf[name] = pen.glyph()
    font["loca"] = newTable("loca")
    font["glyf"] = glyf
    _side_bearings(font, glyf, order)
    for tag in ("CFF ", "VORG", "DSIG"):  # CFF-only tables; a signature would no longer match
        if tag in font:
            del font[tag]
    font["maxp"] = _maxp(len(order))
    font["post"].formatType = 3.0  # no glyph names: format 2 overflows with 65,535 of them
    font["head"].glyphDataFormat = 0
    font.sfntVersion = "\x00\x01\x00\x00"
    out = io.BytesIO()
    font.save(out, reorderTables=True)
    return out.getvalue()


def _side_bearings(font, glyf, order) -> None:
    """TrueType places a glyph by hmtx's left side bearing = its xMin (and vmtx's top side bearing =
    vertical origin − yMax, the origin having come from VORG): match the converted outlines."""
    hmtx = font["hmtx"].metrics
    vorg = font["VORG"] if "VORG" in font else None
    vmtx = font["vmtx"].metrics if "vmtx" in font else None
    for name in order:
        g = glyf[name]
        g.recalcBounds(glyf)
        has_outline = g.numberOfContours != 0
        advance, _ = hmtx[name]
        hmtx[name] = (advance, g.xMin if has_outline else 0)
        if vmtx is not None and vorg is not None and has_outline:
            height, _ = vmtx[name]
            origin = vorg.VOriginRecords.get(name, vorg.defaultVertOriginY)
            vmtx[name] = (height, origin - g.yMax)


def _maxp(num_glyphs: int):
    """maxp version 1.0 (TrueType); fontTools fills in the point and contour maxima when saving."""
    from fontTools.ttLib import newTable

    maxp = newTable("maxp")
    maxp.tableVersion = 0x00010000
    maxp.numGlyphs = num_glyphs
    for field in ("maxPoints", "maxContours", "maxCompositePoints", "maxCompositeContours", "maxTwilightPoints",
                  "maxStorage", "maxFunctionDefs", "maxInstructionDefs", "maxStackElements",
                  "maxSizeOfInstructions", "maxComponentElements", "maxComponentDepth"):
        setattr(maxp, field, 0)
    maxp.maxZones = 1
    return maxp
