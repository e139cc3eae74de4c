"""The Word and PDF exporters read back: reproducible bytes, Word fields and styles, page counts."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

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
