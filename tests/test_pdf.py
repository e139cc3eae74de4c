"""The PDF engines: Chromium (default) with the TrueType font cache, WeasyPrint behind the option,
the choice between them, and what Chromium's PDFs hold (fonts, bold, tables within the margins)."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        if os.environ.get("CI"):
            pytest.fail(f"{name} is required in CI (scripts/test.sh installs it)")
        pytest.skip(f"{name} not installed")
    return path


def needs_chromium() -> None:
    """Chromium tests skip on a workstation without a browser; CI installs one, so there they fail."""
    from evallib.export.pdf_chromium import unavailable

    problem = unavailable()
    if problem:
        if os.environ.get("CI"):
            pytest.fail(f"Chromium is required in CI: {problem}")
        pytest.skip(problem)


def pdffonts(pdf: Path) -> list[dict[str, str]]:
    """The rows of `pdffonts`, by column (the header's dashes give the column widths)."""
    lines = subprocess.run([_tool("pdffonts"), str(pdf)], capture_output=True, text=True, check=True).stdout.splitlines()
    spans, start = [], 0
    for dashes in lines[1].split(" "):
        spans.append((start, start + len(dashes)))
        start += len(dashes) + 1
    names = ["name", "type", "encoding", "emb", "sub", "uni", "object", "id"]
    return [{k: line[a:b].strip() for k, (a, b) in zip(names, spans)} for line in lines[2:] if line.strip()]


def assert_cid_truetype_only(pdf: Path) -> list[dict[str, str]]:
    """Every font embedded, a CID TrueType subset with a ToUnicode map; no Type 3 font."""
    fonts = pdffonts(pdf)
    assert fonts, "no font in the PDF"
    assert not [f for f in fonts if f["type"].startswith("Type 3")], fonts
    for f in fonts:
        assert f["type"] == "CID TrueType" and (f["emb"], f["sub"], f["uni"]) == ("yes", "yes", "yes"), f
        assert re.fullmatch(r"[A-Z]{6}\+NotoSansCJKsc-Regular", f["name"]), f  # subset tag + the Noto font
    return fonts


# -- the TrueType font cache ------------------------------------------------------------------

@pytest.fixture()
def small_otf(tmp_path) -> Path:
    """A small CFF font: the Noto font cut down to a few characters (the real one takes a minute)."""
    from evallib.export.pdf import subset_font

    path = tmp_path / "Small-Regular.otf"
    path.write_bytes(subset_font("绩效评价报告"))
    return path


def test_font_cache_folder(monkeypatch, tmp_path):
    from evallib.export import pdf_font

    monkeypatch.setenv("EVALBOOK_CACHE", str(tmp_path / "mine"))
    assert pdf_font.cache_dir() == tmp_path / "mine"
    monkeypatch.delenv("EVALBOOK_CACHE")
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert pdf_font.cache_dir() == tmp_path / "xdg" / "evalbook"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert pdf_font.cache_dir() == Path.home() / ".cache" / "evalbook"
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setenv("LOCALAPPDATA", str(tmp_path / "AppData" / "Local"))
    assert pdf_font.cache_dir() == tmp_path / "AppData" / "Local" / "evalbook"


def test_converted_font_is_truetype_and_keeps_the_outlines(small_otf, tmp_path, monkeypatch):
    from fontTools.pens.boundsPen import BoundsPen
    from fontTools.ttLib import TTFont

    from evallib.export import pdf_font

    monkeypatch.setenv("EVALBOOK_CACHE", str(tmp_path / "cache"))
    said: list[str] = []
    path = pdf_font.truetype_font(small_otf, say=said.append)
    assert len(said) == 1 and "首次" in said[0] and "1 分钟" in said[0]
    assert path.parent == tmp_path / "cache" / "fonts" and path.suffix == ".ttf"
    assert pdf_font.truetype_font(small_otf, say=said.append) == path and len(said) == 1  # built once
    pdf_font._known.clear()  # a new process finds the file in the cache and builds nothing
    assert pdf_font.truetype_font(small_otf, say=said.append) == path and len(said) == 1

    assert path.read_bytes()[:4] == b"\x00\x01\x00\x00"
    tt, cff = TTFont(str(path)), TTFont(str(small_otf))
    assert "glyf" in tt and "CFF " not in tt and "VORG" not in tt
    assert tt["maxp"].tableVersion == 0x00010000 and tt["maxp"].numGlyphs == len(cff.getGlyphOrder())
    glyph = cff.getBestCmap()[ord("绩")]
    tt_name = tt.getBestCmap()[ord("绩")]
    pen = BoundsPen(cff.getGlyphSet())
    cff.getGlyphSet()[glyph].draw(pen)
    g = tt["glyf"][tt_name]
    assert all(abs(a - b) <= 2 for a, b in zip(pen.bounds, (g.xMin, g.yMin, g.xMax, g.yMax))), (pen.bounds, g)
    assert tt["hmtx"][tt_name] == (cff["hmtx"][glyph][0], g.xMin)  # same advance; side bearing = xMin


def test_cache_name_follows_the_source_font_and_the_converter(small_otf, tmp_path, monkeypatch):
    from evallib.export import pdf_font

    first = pdf_font.cached_name(small_otf)
    monkeypatch.setattr(pdf_font, "CONVERTER_VERSION", pdf_font.CONVERTER_VERSION + 1)
    assert pdf_font.cached_name(small_otf) != first
    other = tmp_path / "Small-Regular2.otf"
    other.write_bytes(small_otf.read_bytes()[:-4] + b"\0\0\0\1")
    assert pdf_font.cached_name(other).split("-")[-2] != first.split("-")[-2]


def test_two_processes_building_at_once_leave_one_identical_font(small_otf, tmp_path):
    """Same bytes from separate processes (the conversion is deterministic), and a race is harmless."""
    code = ("import sys; from pathlib import Path; from evallib.export.pdf_font import truetype_font; "
            "print(truetype_font(Path(sys.argv[1]), say=lambda s: None))")
    env = dict(os.environ, PYTHONPATH=str(ROOT), EVALBOOK_CACHE=str(tmp_path / "cache"))
    env.pop("PYTHONHASHSEED", None)
    procs = [subprocess.Popen([PYTHON, "-c", code, str(small_otf)], env=env, stdout=subprocess.PIPE, text=True)
             for _ in range(2)]
    paths = [p.communicate(timeout=300)[0].strip() for p in procs]
    assert all(p.returncode == 0 for p in procs)
    assert paths[0] == paths[1]
    from evallib.export.pdf_font import convert

    assert Path(paths[0]).read_bytes() == convert(small_otf)
    assert [p.name for p in (tmp_path / "cache" / "fonts").iterdir()] == [Path(paths[0]).name]  # no temp files left
