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
from conftest import require_tool

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable




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
    lines = subprocess.run([require_tool("pdffonts"), str(pdf)], capture_output=True, text=True, check=True).stdout.splitlines()
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


def test_a_batch_builds_the_font_before_starting_workers(monkeypatch, tmp_path):
    """`evalbook run` with pdf: the parent builds the font first, so two workers never build it at once."""
    from evallib.batch import backends, run
    from evallib.export import pdf_font, pdfengine

    order: list[str] = []

    class Stop(Exception):
        pass

    def spawn(self, n):
        order.append("workers")
        raise Stop

    monkeypatch.setattr(pdfengine, "pdf_engine", lambda say=None: "chromium")
    monkeypatch.setattr(pdf_font, "truetype_font", lambda *a, **k: order.append("font"))
    monkeypatch.setattr(backends.PoolBackend, "_spawn", spawn)
    for formats, expected in ((("html", "pdf"), ["font", "workers"]), (("opinion",), ["font", "workers"]),
                              (("html", "docx"), ["workers"])):
        order.clear()
        with pytest.raises(Stop):
            run.run_all([ROOT / "parameters/subjects/004-gaoyi-2021-dept.yaml"], tmp_path, formats=formats, jobs=2)
        assert order == expected, formats


# -- which engine -------------------------------------------------------------------------------

def test_default_engine_is_chromium_when_it_can_run(monkeypatch):
    from evallib.export import pdf_chromium, pdfengine

    monkeypatch.delenv("EVALBOOK_PDF_ENGINE", raising=False)
    monkeypatch.setattr(pdf_chromium, "unavailable", lambda: None)
    assert pdfengine.pdf_engine() == "chromium"
    monkeypatch.setenv("EVALBOOK_PDF_ENGINE", "weasyprint")
    assert pdfengine.pdf_engine() == "weasyprint"
    monkeypatch.setenv("EVALBOOK_PDF_ENGINE", "prince")
    with pytest.raises(ValueError, match="不支持的 PDF 引擎"):
        pdfengine.pdf_engine()


def test_without_a_browser_the_default_falls_back_loudly_and_a_named_chromium_fails(monkeypatch):
    from evallib.export import pdfengine

    monkeypatch.delenv("EVALBOOK_PDF_ENGINE", raising=False)
    monkeypatch.setenv("EVALBOOK_CHROMIUM", "/nonexistent/chromium")
    monkeypatch.setattr(pdfengine, "_warned", set())
    said: list[str] = []
    assert pdfengine.pdf_engine(said.append) == "weasyprint"
    assert len(said) == 1 and said[0].startswith("警告") and "/nonexistent/chromium" in said[0]
    assert "--pdf-engine weasyprint" in said[0]
    assert pdfengine.pdf_engine(said.append) == "weasyprint" and len(said) == 1  # once per process
    monkeypatch.setenv("EVALBOOK_PDF_ENGINE", "chromium")
    with pytest.raises(pdfengine.EngineError, match="--pdf-engine weasyprint"):
        pdfengine.pdf_engine(said.append)


def test_run_with_a_named_chromium_that_is_missing_stops_before_any_work(capsys, monkeypatch, tmp_path):
    from conftest import run_cli

    monkeypatch.setenv("EVALBOOK_CHROMIUM", "/nonexistent/chromium")
    code, out, err = run_cli(capsys, "run", "parameters/subjects/004-gaoyi-2021-dept.yaml", "--format", "pdf",
                             "--pdf-engine", "chromium", "--out", tmp_path / "out")
    assert code == 2
    assert "/nonexistent/chromium" in err and "--pdf-engine weasyprint" in err
    assert not (tmp_path / "out").exists()


@pytest.mark.slow
def test_fallback_run_warns_and_records_weasyprint_in_the_manifest(capsys, monkeypatch, tmp_path):
    import json

    from conftest import FIXTURES, run_cli

    from evallib.export import pdfengine

    monkeypatch.setenv("EVALBOOK_CHROMIUM", "/nonexistent/chromium")
    monkeypatch.setattr(pdfengine, "_warned", set())
    code, out, err = run_cli(capsys, "run", FIXTURES / "mini-subject.yaml", "--frameworks", FIXTURES / "frameworks",
                             "--format", "pdf", "--jobs", "1", "--out", tmp_path)
    assert code == 0, out + err
    assert "警告" in err and "WeasyPrint" in err and "PDF 引擎：weasyprint" in out
    assert json.loads((tmp_path / "manifest.json").read_text("utf-8"))["pdf_engine"] == "weasyprint"
    assert "Type 3" not in subprocess.run([require_tool("pdffonts"), str(next(tmp_path.glob("*/report.pdf")))],
                                          capture_output=True, text=True, check=True).stdout


def test_browser_is_found_by_channel_path_or_windows_install_folder(monkeypatch, tmp_path):
    from evallib.export import pdf_chromium

    monkeypatch.setenv("EVALBOOK_CHROMIUM", "msedge")
    assert pdf_chromium.browser() == {"channel": "msedge"}
    exe = tmp_path / "my-chrome"
    exe.write_text("")
    monkeypatch.setenv("EVALBOOK_CHROMIUM", str(exe))
    assert pdf_chromium.browser() == {"executable_path": str(exe)}
    monkeypatch.setenv("EVALBOOK_CHROMIUM", str(tmp_path / "missing"))
    assert pdf_chromium.browser() is None and "missing" in pdf_chromium.unavailable()

    monkeypatch.delenv("EVALBOOK_CHROMIUM")
    monkeypatch.setattr(pdf_chromium.shutil, "which", lambda name: None)
    monkeypatch.setattr(sys, "platform", "win32")
    for var in ("PROGRAMFILES", "PROGRAMFILES(X86)", "LOCALAPPDATA"):
        monkeypatch.setenv(var, str(tmp_path / var))
    assert pdf_chromium.browser() is None
    edge = tmp_path / "PROGRAMFILES(X86)" / "Microsoft" / "Edge" / "Application" / "msedge.exe"
    edge.parent.mkdir(parents=True)
    edge.write_text("")
    assert pdf_chromium.browser() == {"executable_path": str(edge)}


# -- what Chromium writes -------------------------------------------------------------------------

BOLD_HTML = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>粗体检查</title>
<style>.strong {{ font-weight: 700 }} .semi {{ font-weight: 600 }} p, td, th {{ font-size: 20pt }}</style></head><body>
<p id="regular">绩效评价报告</p><p><b>绩效评价报告</b></p>
{headings}<p><strong>强调文字</strong> <span class="strong">类粗体</span> <span class="semi">半粗体</span>
<em>斜体文字</em></p><table><thead><tr><th>表头</th></tr></thead><tbody><tr><td>单元格</td></tr></tbody></table>
</body></html>""".format(headings="".join(f"<h{n}>标题{n}</h{n}>" for n in range(1, 7)))


def _ink(png: Path, box: tuple[float, float, float, float]) -> float:
    from PIL import Image

    image = Image.open(png).convert("L").crop(tuple(round(v) for v in box))
    pixels = list(image.tobytes())
    return sum(255 - p for p in pixels) / (255 * max(1, len(pixels)))


@pytest.mark.slow
def test_chromium_bold_and_italic_stay_in_the_one_truetype_font(tmp_path):
    """Bold is drawn without a synthetic bold font (Type 3), reads once in the text, and looks bold."""
    needs_chromium()
    from evallib.export.pdf_chromium import html_to_pdf

    html = tmp_path / "bold.html"
    html.write_text(BOLD_HTML, encoding="utf-8")
    pdf = html_to_pdf(html, tmp_path / "bold.pdf")
    assert len(assert_cid_truetype_only(pdf)) == 1
    text = subprocess.run([require_tool("pdftotext"), str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    for word in ["强调文字", "类粗体", "半粗体", "斜体文字", "表头", "标题1", "标题6"]:
        assert text.count(word) == 1, (word, text)
    assert text.count("绩效评价报告") == 2
    # the same characters, regular then bold: the bold line carries clearly more ink
    xml = subprocess.run([require_tool("pdftotext"), "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    boxes = [tuple(float(v) for v in m) for m in
             re.findall(r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">绩效评价报告<', xml)]
    assert len(boxes) == 2
    subprocess.run([require_tool("pdftoppm"), "-r", "100", "-f", "1", "-l", "1", "-gray", "-png", "-singlefile", str(pdf),
                    str(tmp_path / "bold")], check=True)
    scale = 100 / 72
    regular, bold = (_ink(tmp_path / "bold.png", tuple(v * scale for v in b)) for b in boxes)
    assert bold > 1.15 * regular, (regular, bold)


TABLES_HTML = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>表格检查</title></head><body>
<table class="findings"><thead><tr><th>序号</th><th>严重程度</th><th>类别</th><th>指标或数据</th><th>说明</th></tr></thead>
<tbody>{findings}</tbody></table>
<table class="scores"><thead><tr><th>一级指标</th><th>二级指标</th><th>三级指标</th><th>分值</th><th>自评分</th><th>得分</th>
<th>评分方式</th><th>评分标准</th></tr></thead><tbody>{scores}</tbody></table>
<table class="short"><thead><tr><th>项目</th><th>年初预算数</th></tr></thead><tbody>
<tr><td>一般公共预算财政拨款收入</td><td class="num">2,951.99</td></tr></tbody></table>
</body></html>""".format(
    findings="".join(f"<tr><td>{i}</td><td>警告</td><td>所述数值与数据不符</td><td>部门绩效 / 效率性 / 预算执行率</td>"
                     f"<td>{'单位报告所列日常公用经费控制率与按其自身数据计算的数值之间存在超出舍入范围的差异需要核实更正。' * 3}</td></tr>"
                     for i in range(1, 4)),
    scores="".join("<tr><td>部门决策（20.00分，得18.00分）</td><td>预算编制（10.00分，得10.00分）</td>"
                   "<td>社会效益、经济效益、生态效益及可持续影响等</td><td class='num'>5.00</td><td class='num'>5.00</td>"
                   "<td class='num'>5.00</td><td>采用自评分</td>"
                   f"<td>{'部门预算编制分配符合本部门职责并符合区委区政府方针政策和年度工作要求的得满分（1分）；' * 4}</td></tr>"
                   for _ in range(3)))


@pytest.mark.slow
def test_chromium_tables_stay_within_the_margins_and_keep_short_phrases_whole(tmp_path):
    """Chromium keeps Chinese words of table cells whole (word-break: keep-all); a column of sentences
    must still wrap, or the table runs off the page (as the 复核发现 and 评分表 tables did)."""
    needs_chromium()
    from evallib.export.pdf import MARGIN_MM
    from evallib.export.pdf_chromium import html_to_pdf

    html = tmp_path / "tables.html"
    html.write_text(TABLES_HTML, encoding="utf-8")
    pdf = html_to_pdf(html, tmp_path / "tables.pdf")
    xml = subprocess.run([require_tool("pdftotext"), "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    right = 595.28 - MARGIN_MM[1] / 25.4 * 72
    words = re.findall(r'xMax="([\d.]+)" yMax="[\d.]+">([^<]*)<', xml)
    past = [(w, x) for x, w in words if float(x) > right + 4]
    assert not past, past
    texts = [w for _, w in words]
    assert texts.count("所述数值与数据不符") == 3  # the findings table fits with its short cells whole
    assert "一般公共预算财政拨款收入" in texts  # a table that fits is left as it is


@pytest.mark.slow
def test_chromium_pdf_bytes_identical_across_browser_processes(tmp_path):
    needs_chromium()
    from test_export import SAMPLE_HTML

    html = tmp_path / "report.html"
    html.write_text(SAMPLE_HTML, encoding="utf-8")
    code = ("import sys; from pathlib import Path; from evallib.export.pdf_chromium import html_to_pdf; "
            "html_to_pdf(Path(sys.argv[1]), Path(sys.argv[2]), '示例报告')")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("PYTHONHASHSEED", None)
    outs = []
    for name in ("a.pdf", "b.pdf"):  # one after the other: each process starts its own browser
        subprocess.run([PYTHON, "-c", code, str(html), str(tmp_path / name)], check=True, env=env, cwd=ROOT)
        outs.append((tmp_path / name).read_bytes())
    assert outs[0][:5] == b"%PDF-"
    assert outs[0] == outs[1]
    from evallib.export.pdf_chromium import fixed_date

    assert re.search(rb"/CreationDate ?\(D:" + fixed_date(), outs[0])  # not the time of the run
    assert_cid_truetype_only(tmp_path / "a.pdf")


def test_verify_reruns_with_the_recorded_pdf_engine(monkeypatch):
    from evallib.batch.verify import _pdf_engine

    monkeypatch.delenv("EVALBOOK_PDF_ENGINE", raising=False)
    with _pdf_engine("weasyprint"):
        assert os.environ["EVALBOOK_PDF_ENGINE"] == "weasyprint"  # worker processes inherit it
    assert "EVALBOOK_PDF_ENGINE" not in os.environ
    monkeypatch.setenv("EVALBOOK_PDF_ENGINE", "chromium")
    with _pdf_engine(None):  # a record from before the field: the engine of today
        assert os.environ["EVALBOOK_PDF_ENGINE"] == "chromium"
    with _pdf_engine("weasyprint"):
        assert os.environ["EVALBOOK_PDF_ENGINE"] == "weasyprint"
    assert os.environ["EVALBOOK_PDF_ENGINE"] == "chromium"


def test_a_browser_upgrade_is_an_input_change_of_runs_with_pdfs(monkeypatch):
    """Chromium's version is part of the run key (PDF subjects are regenerated, not skipped, after an
    upgrade) and of the manifest; a run without PDFs does not depend on it."""
    from evallib.batch import run as batch_run
    from evallib.export import pdf_chromium, pdfengine

    monkeypatch.setattr(pdfengine, "pdf_engine", lambda say=None: "chromium")
    keys = {}
    for version in ("Chromium 156.0.8078.114", "Chromium 157.0.8100.1"):
        monkeypatch.setattr(pdf_chromium, "browser_version", lambda v=version: v)
        keys[version] = (batch_run.run_key(("html", "pdf"), False, []), batch_run.run_key(("html",), False, []))
        assert batch_run._browser("chromium") == version
        assert batch_run._browser("weasyprint") is None
    (pdf_old, html_old), (pdf_new, html_new) = keys.values()
    assert pdf_old != pdf_new and html_old == html_new


def test_browser_version_is_read_from_the_browser():
    needs_chromium()
    from evallib.export.pdf_chromium import browser, browser_version

    version = browser_version()
    if "channel" in (browser() or {}):
        assert version == browser()["channel"]
    else:
        assert re.search(r"\d+\.\d+\.\d+", version), version
