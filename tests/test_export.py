"""The Word and PDF exporters read back: reproducible bytes, Word fields and styles, page counts."""
from __future__ import annotations

import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import require_tool

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable

# A report in the shape the report stage emits: cover, 目录, headings, a score table with a caption,
# a figure with a numbered caption, the signature page and an annex.
_ROWS = "".join(
    f'<tr><td>{name}</td><td class="num">{weight}</td><td class="num">{score}</td><td>{basis}</td></tr>'
    for name, weight, score, basis in [
        ("预算执行率", "10.00", "6.93", "预算执行率为 69.27%，低于 100% 的标准，按比例扣分。"),
        ("结转结余率", "5.00", "3.50", "年末结转结余 500.08 万元，占全年预算的 12.10%。"),
        ("在职人员控制率", "5.00", "4.00", "实有人数 52 人，编制 50 人，超出编制 2 人。"),
        ("“三公经费”变动率", "5.00", "5.00", "较上年下降 8.47%，符合要求。"),
    ] * 6)
SAMPLE_HTML = f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>示例报告</title></head>
<body class="jp-Notebook"><div class="jp-RenderedHTMLCommon">
<section class="eb-cover"><h1>高邑县某单位2021年度部门整体支出绩效评价报告</h1>
<p>委托方：高邑县财政局</p><p>评价机构：某会计师事务所</p><p>2022年6月</p></section>
<nav class="eb-toc"><h2>目录</h2><ol><li>基本情况</li><li>综合评价结论</li></ol></nav>
<h1>一、基本情况</h1><p>{"本单位主要职能是负责全县相关工作的组织与实施，年度预算资金 2,951.99 万元。" * 8}</p>
<h2>（一）部门职能</h2><p>{"部门职能说明文字，用于检查正文段落的排版。" * 10}</p>
<h1>二、综合评价结论</h1><h2>（一）评分结果</h2>
<table class="eb-table eb-scores"><caption>表1 评分表</caption>
<thead><tr><th>指标</th><th>分值</th><th>得分</th><th>评分依据</th></tr></thead><tbody>{_ROWS}
<tr class="eb-total"><td>合计</td><td class="num">100.00</td><td class="num">95.80</td><td></td></tr></tbody></table>
<h3>（二）指标分析</h3><p>{"指标分析文字。" * 30}</p>
<section class="eb-signature"><h2>签署页</h2><p>主评人（签字）：____________</p><p>评价机构（盖章）</p>
<p>2022年6月30日</p></section>
<section class="eb-annex"><h2>附件1 基础数据表</h2><p>附件内容。</p></section>
</div></body></html>"""

# Words a reader must never see in a delivered report (internal keys, English codes, file names).
FORBIDDEN = ["uncapped-average-rounded", "met", "missed", "violations", "sha256", ".yaml", ".ipynb",
             "evalbook", "result.json", "leaf_", "reading_"]


@pytest.fixture()
def sample_html(tmp_path):
    path = tmp_path / "report.html"
    path.write_text(SAMPLE_HTML, encoding="utf-8")
    return path


def _convert_in_subprocess(kind: str, html: Path, out: Path) -> bytes:
    func = {"pdf": "html_to_pdf", "docx": "html_to_docx"}[kind]
    code = (f"from pathlib import Path; from evallib.export.{kind} import {func}; "
            f"{func}(Path({str(html)!r}), Path({str(out)!r}), '示例报告')")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("PYTHONHASHSEED", None)  # each process salts hash() differently, as a user's runs do
    subprocess.run([PYTHON, "-c", code], check=True, env=env, cwd=ROOT)
    return out.read_bytes()


@pytest.mark.slow
def test_pdf_bytes_identical_across_processes(sample_html, tmp_path):
    """WeasyPrint (`--pdf-engine weasyprint`); Chromium's is in test_pdf.py."""
    first = _convert_in_subprocess("pdf", sample_html, tmp_path / "a.pdf")
    second = _convert_in_subprocess("pdf", sample_html, tmp_path / "b.pdf")
    assert first[:5] == b"%PDF-"
    assert first == second


@pytest.mark.slow
def test_font_subset_does_not_depend_on_the_clock():
    import time

    from evallib.export.pdf import subset_font

    first = subset_font("绩效评价报告 2021")
    time.sleep(1.1)  # fontTools stamps head.modified with "now" unless told not to
    assert subset_font("绩效评价报告 2021") == first


def _docx_xml(path: Path) -> dict[str, str]:
    with zipfile.ZipFile(path) as zf:
        return {name: zf.read(name).decode("utf-8") for name in zf.namelist() if name.endswith(".xml")}


@pytest.fixture()
def sample_docx(sample_html, tmp_path, monkeypatch):
    from evallib.export.docx import REFERENCE_ENV, html_to_docx

    monkeypatch.delenv(REFERENCE_ENV, raising=False)
    return html_to_docx(sample_html, tmp_path / "report.docx", "示例报告")


def test_docx_has_toc_page_fields_header_and_outline_numbering(sample_docx):
    xml = _docx_xml(sample_docx)
    body = xml["word/document.xml"]
    assert 'TOC \\o "1-3"' in body
    footers = "".join(v for k, v in xml.items() if k.startswith("word/footer"))
    headers = "".join(v for k, v in xml.items() if k.startswith("word/header"))
    assert " PAGE " in footers and " NUMPAGES " in footers
    assert "示例报告" in headers
    assert "<w:titlePg/>" in body  # the cover page has no header or footer
    assert "<w:updateFields" in xml["word/settings.xml"]
    # typed numbers 一、 （一） became Word outline numbering on the heading paragraphs
    assert 'w:abstractNumId="900"' in xml["word/numbering.xml"] and "chineseCounting" in xml["word/numbering.xml"]
    import docx

    doc = docx.Document(str(sample_docx))
    headings = [p for p in doc.paragraphs if p.style.name.startswith("Heading")]
    assert any(p.text == "基本情况" and p._p.pPr.numPr is not None for p in headings)
    assert not any(p.text.startswith("一、") for p in headings)


def test_docx_cover_and_signature_on_their_own_pages(sample_docx):
    import docx

    doc = docx.Document(str(sample_docx))
    texts = [p.text for p in doc.paragraphs]
    breaks = [i for i, p in enumerate(doc.paragraphs) if 'w:type="page"' in p._p.xml]
    heading = {p.text: i for i, p in enumerate(doc.paragraphs) if p.style.name.startswith("Heading")}
    cover_end = texts.index("2022年6月")
    assert any(cover_end < b < texts.index("目录") for b in breaks)
    assert heading["签署页"] - 1 in breaks
    assert heading["附件1 基础数据表"] - 1 in breaks


def test_docx_tables_fit_content_right_aligned_numbers_repeated_header(sample_docx):
    import docx
    from docx.oxml.ns import qn

    doc = docx.Document(str(sample_docx))
    scores = doc.tables[0]
    widths = [int(c.get(qn("w:w"))) for c in scores._tbl.tblGrid.findall(qn("w:gridCol"))]
    assert len(set(widths)) == len(widths)
    assert widths[3] > widths[0] > widths[1]  # 评分依据 (long text) > 指标 > 分值 (numbers)
    assert scores.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    assert scores.rows[1].cells[1].paragraphs[0].alignment == 2  # RIGHT
    assert scores.rows[1].cells[3].paragraphs[0].alignment is None
    captions = [p for p in doc.paragraphs if p.style.name == "Table Caption"]
    assert captions and "SEQ 表" in captions[0]._p.xml


def test_docx_styles_set_east_asian_fonts(sample_docx):
    styles = _docx_xml(sample_docx)["word/styles.xml"]
    assert 'w:eastAsia="黑体"' in styles and 'w:eastAsia="宋体"' in styles
    assert "w:eastAsiaTheme" not in styles.split("</w:docDefaults>")[0]
    assert 'w:w="11906"' in _docx_xml(sample_docx)["word/document.xml"]  # A4 width in twips


def test_docx_rerun_is_byte_identical(sample_html, tmp_path, monkeypatch):
    from evallib.export.docx import REFERENCE_ENV, html_to_docx

    monkeypatch.delenv(REFERENCE_ENV, raising=False)
    first = html_to_docx(sample_html, tmp_path / "a.docx", "示例报告").read_bytes()
    assert html_to_docx(sample_html, tmp_path / "b.docx", "示例报告").read_bytes() == first


def test_firm_reference_docx_overrides_the_defaults(sample_html, tmp_path, monkeypatch):
    import io

    import docx

    from evallib.core.errors import InputError
    from evallib.export.docx import REFERENCE_ENV, html_to_docx, reference_docx

    firm = docx.Document(io.BytesIO(reference_docx()))
    firm.styles["Heading 1"].element.rPr.rFonts.set(
        "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia", "方正小标宋简体")
    firm.save(str(tmp_path / "firm.docx"))
    monkeypatch.setenv(REFERENCE_ENV, str(tmp_path / "firm.docx"))
    out = html_to_docx(sample_html, tmp_path / "firm-report.docx", "示例报告")
    assert "方正小标宋简体" in _docx_xml(out)["word/styles.xml"]
    (tmp_path / "not.docx").write_text("不是 Word 文件", encoding="utf-8")
    monkeypatch.setenv(REFERENCE_ENV, str(tmp_path / "not.docx"))
    with pytest.raises(InputError):
        html_to_docx(sample_html, tmp_path / "x.docx", "示例报告")




def _pages(pdf: Path) -> int:
    info = subprocess.run([require_tool("pdfinfo"), str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))


def _pdf_text(pdf: Path) -> str:
    return subprocess.run([require_tool("pdftotext"), "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout


# What the exporters themselves could leak into the reader's text.
EXPORTER_WORDS = ["EBMARK", "report.html", "report.docx", "media/", ".png", "Table Caption", "Figure", "¶",
                  "undefined", "NaN"]


@pytest.fixture(scope="module")
def futian(tmp_path_factory):
    """003 福田 rendered to PDF and Word by `evalbook run`, and the Word file converted by LibreOffice."""
    soffice = require_tool("soffice")
    require_tool("pdfinfo")
    out = tmp_path_factory.mktemp("futian")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("EVALBOOK_REFERENCE_DOCX", None)
    subprocess.run([PYTHON, "-c", "import sys; from evallib.cli.main import main; sys.exit(main(sys.argv[1:]))",
                    "run", "parameters/subjects/003-futian-2021-dept.yaml",
                    "--format", "pdf,docx", "--out", str(out), "--jobs", "1"], check=True, env=env, cwd=ROOT,
                   capture_output=True)
    report = out / "003-futian-2021-dept"
    from evallib.report.fonts import fontconfig_file

    lo_env = dict(os.environ, FONTCONFIG_FILE=str(fontconfig_file(out / "fontconfig")))  # the CJK font for LibreOffice
    subprocess.run([soffice, "--headless", f"-env:UserInstallation={(out / 'lo-profile').as_uri()}",
                    "--convert-to", "pdf", "--outdir", str(out / "lo"), str(report / "report.docx")],
                   check=True, env=lo_env, capture_output=True, timeout=300)
    return report, out / "lo" / "report.pdf"


@pytest.mark.slow
def test_word_in_libreoffice_is_about_as_long_as_the_pdf(futian):
    report, word_pdf = futian
    pdf_pages, word_pages = _pages(report / "report.pdf"), _pages(word_pdf)
    assert word_pages <= 1.3 * pdf_pages and pdf_pages <= 1.3 * word_pages, (word_pages, pdf_pages)


@pytest.mark.slow
def test_exporters_leak_no_markers_or_file_names(futian):
    import docx

    report, word_pdf = futian
    texts = {"pdf": _pdf_text(report / "report.pdf"), "word-pdf": _pdf_text(word_pdf),
             "docx": "\n".join(p.text for p in docx.Document(str(report / "report.docx")).paragraphs)}
    for where, text in texts.items():
        leaked = [w for w in EXPORTER_WORDS if w in text]
        assert not leaked, (where, leaked)
    assert "第 2 页" in texts["pdf"] and "第 2 页" in texts["word-pdf"]  # the PDF cover has no footer


# A line that is a chapter or section heading: it must never be the last line of a page.
HEADING_LINE = re.compile(r"(?:[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）|附件\d*|单位自述：)\S{0,30}")
FOOTER_LINE = re.compile(r"第 \d+ 页，共 \d+ 页")


def _page_lines(pdf: Path) -> list[list[str]]:
    """Each page's lines of text from top to bottom (words on one baseline, left to right, joined by a
    space): the reading order of `pdftotext` puts table cells column by column, not the page's order."""
    xml = subprocess.run([require_tool("pdftotext"), "-bbox", str(pdf), "-"], capture_output=True, text=True,
                         check=True).stdout
    pages = []
    for page in xml.split("<page ")[1:]:
        words = sorted((round(float(y)), float(x), w) for x, y, w in
                       re.findall(r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="[\d.]+" yMax="([\d.]+)">([^<]*)<', page))
        lines: dict[int, list[str]] = {}
        for y, _, w in words:
            key = next((k for k in lines if abs(k - y) <= 2), y)
            lines.setdefault(key, []).append(w)
        pages.append([" ".join(ws) for _, ws in sorted(lines.items())])
    return pages


@pytest.mark.slow
def test_pdf_layout_cover_contents_headings_fonts(futian):
    """The default engine's PDF of 福田: the cover and the 目录 each on a page of their own, no page
    ending with a heading, every page after the cover numbered, the fonts CID TrueType subsets."""
    from test_pdf import assert_cid_truetype_only, needs_chromium

    report, _ = futian
    pdf = report / "report.pdf"
    pages = _page_lines(pdf)
    assert "目录" not in pages[0] and not any(FOOTER_LINE.fullmatch(line) for line in pages[0])
    assert "目录" in pages[1] and "一、基本情况" in pages[1] and not any("单位自述" in line for line in pages[1])
    assert "一、基本情况" in pages[2][:3]  # the first chapter starts the page after the contents
    for n, lines in enumerate(pages[1:], 2):
        assert lines[-1] == f"第 {n} 页，共 {len(pages)} 页", (n, lines[-3:])
        if n > 2:  # (the 目录 lists headings only)
            assert not HEADING_LINE.fullmatch(lines[-2]), (n, lines[-4:])
    needs_chromium()
    assert_cid_truetype_only(pdf)


# Internal keys, English codes and file names of the report content (issue 12 item 4). The report text
# is written for readers: none of these may appear before the provenance annex.
CONTENT_WORDS = ["uncapped-average-rounded", "met /", "missed", "violations", ".yaml", ".ipynb", "result.json"]


@pytest.mark.slow
def test_reader_text_has_no_internal_keys_or_file_names(futian):
    """File names and hashes belong to the 数据来源与可复现信息 annex only (the last section)."""
    report, word_pdf = futian
    for text in (_pdf_text(report / "report.pdf"), _pdf_text(word_pdf)):
        annex = text.rfind("数据来源与可复现信息")
        assert annex > 0 and ".yaml" in text[annex:]  # the annex does name the input files
        assert not [w for w in CONTENT_WORDS if w in text[:annex]]


def test_score_workbook_totals_are_formulas_and_has_budget_tables_and_projects(capsys, tmp_path):
    import json

    import openpyxl

    from conftest import run_cli

    code, out, err = run_cli(capsys, "score", "--json", "parameters/subjects/004-gaoyi-2021-dept.yaml")
    assert code == 0, err
    data = json.loads(out)
    code, _, err = run_cli(capsys, "xlsx", "parameters/subjects/004-gaoyi-2021-dept.yaml", "-o", tmp_path)
    assert code == 0, err
    wb = openpyxl.load_workbook(next(tmp_path.glob("*.xlsx")))
    ws = wb["评分表"]
    formulas = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str) and c.value.startswith("=")]
    assert any(f.startswith("=SUM(") for f in formulas)
    subtotal_header = next(r for r in range(1, ws.max_row + 1) if ws.cell(row=r, column=1).value == "小计")
    assert str(ws.cell(row=subtotal_header + 1, column=5).value).startswith("=SUM(")
    projects = wb["项目清单"]
    headers = [c.value for c in projects[3]]
    assert {"项目名称", "全年预算（调整后）", "执行数", "执行率", "结余交回", "绩效目标", "完成情况"} <= set(headers)
    assert len(data["data"]["projects"]) == 22
    assert projects.max_row == 3 + 22 + 1  # header, every project, 合计
    assert projects.cell(row=projects.max_row, column=1).value == "合计"
    assert str(projects.cell(row=projects.max_row, column=headers.index("执行数") + 1).value).startswith("=SUM(")
    tables = wb["收支与资产表"]
    texts = {c.value for row in tables.iter_rows() for c in row if isinstance(c.value, str)}
    assert any("部门预算收支" in t for t in texts) and "　基本支出" in texts
    # readings by their Chinese description, never the reading's key
    findings = wb["复核发现"]
    cells = {c.value for row in findings.iter_rows() for c in row if isinstance(c.value, str)}
    assert not any(re.fullmatch(r"[a-z][a-z0-9-]+", v) for v in cells)
