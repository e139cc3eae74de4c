"""The report: every subject renders to a self-contained HTML page, reruns are byte-identical,
`evalbook verify` finds changed inputs, and a real browser shows Chinese text and charts."""
from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
import warnings
from pathlib import Path

import pytest

from evallib.cli.main import main
from evallib.report import charts, data, render
from evallib.export.html import EXPORTERS, to_html
from evallib.batch.run import run_all
from evallib.batch.verify import verify
from evallib.assess.assessment import assess

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
MINI = FIXTURES / "mini-subject.yaml"
SAMPLE = data.sample_subject()


def subjects() -> list[Path]:
    return sorted((ROOT / "parameters" / "subjects").glob("*.yaml")) + [SAMPLE]


@pytest.fixture(scope="module")
def full_run(tmp_path_factory):
    """Every subject in parameters/subjects plus the bundled sample, rendered once."""
    out = tmp_path_factory.mktemp("run")
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        run = run_all(subjects(), out)
    finally:
        os.chdir(cwd)
    return out, run


@pytest.mark.slow
def test_every_subject_renders(full_run):
    out, run = full_run
    failed = [(r.file, r.message) for r in run.subjects if not r.ok]
    assert not failed
    assert not run.summary_error
    for r in run.subjects:
        folder = out / r.id
        for name in ("report.html", "report.ipynb", "scores.csv", "findings.csv"):
            assert (folder / name).is_file(), (r.id, name)
        assert not r.warnings, f"{r.id}: stderr in the executed notebook: {r.warnings}"
    assert (out / "summary.html").is_file()
    manifest = json.loads((out / "manifest.json").read_text("utf-8"))
    assert len(manifest["subjects"]) == len(subjects())
    assert all(len(s["subject_sha256"]) == 64 for s in manifest["subjects"])
    assert not list(out.glob(".*")), "staging files left behind"


@pytest.mark.slow
def test_html_content(full_run):
    out, run = full_run
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        for r in run.subjects:
            page = (out / r.id / "report.html").read_text("utf-8")
            ev = assess(Path(r.file), data.framework_dirs(None))
            total = fmt_amount(ev.total)  # two decimals on the cover: "94.71 分（优）"
            assert f"{total} 分（{html.escape(ev.grade or '—')}）" in page, r.id
            for leaf in ev.leaf_list():
                assert html.escape(leaf.node.name) in page, (r.id, leaf.node.name)
            for root in ev.evaluation.roots:
                assert html.escape(root.name) in page
            # a report shows results only: no code, prompts, stderr or remote scripts
            body = page.split("<body", 1)[1]
            assert "jp-InputArea-editor" not in body and "jp-InputPrompt" not in body and "hl-ipython" not in body
            assert "In&nbsp;[" not in body and "Out[" not in body and "show(" not in body
            assert "application/vnd.jupyter.stderr" not in body
            assert "<script" not in page and "<link" not in page
            assert not re.search(r"(src|href)\s*=\s*[\"']?(https?:)?//|cdnjs|jsdelivr|unpkg|//cdn\.|mathjax|require\.js", page, re.I)
            assert "¶" not in page
            for needle in ("一、基本情况", "二、评价工作开展情况", "三、综合评价结论", "四、评价指标分析", "附件1 评分表",
                           "附件2 自评分与评价得分对照", "rowspan=", "data:image/png;base64"):
                assert needle in page, (r.id, needle)
            nb = json.loads((out / r.id / "report.ipynb").read_text("utf-8"))
            assert "start_time" not in json.dumps(nb["metadata"].get("papermill", {}))
            assert any(c.get("id") == "injected-parameters" for c in nb["cells"])
    finally:
        os.chdir(cwd)
    summary = (out / "summary.html").read_text("utf-8")
    for r in run.subjects:  # each subject by its name, linking to its report
        assert f'href="{r.id}/report.html"' in summary, r.id
        meta = data.read_assessment(out / r.id / "result.json").meta
        assert html.escape(meta.name.replace(" ", "")) in summary, r.id


def test_sample_numbers_and_findings():
    ev = data.assess_subject(SAMPLE)
    assert str(ev.total) == "75.93" and ev.grade == "中" and str(ev.self_total) == "91.66"
    report = data.build_report(ev)
    sentences = [s for sec in report.analysis for s in sec.sentences]
    # numbers printed one way (two decimals, thousands separators)
    assert any(s.startswith("预算执行率（分值8.00分）") and "扣5.00分" in s and "2,850.00万元" in s for s in sentences)
    assert any("合计不符" in c for c in report.review["findings"].frame["类别"])
    depth, rows = data.score_table_rows(ev)
    assert depth == 3 and rows[0][0]["rowspan"] == 3 and len(rows) == len(ev.leaves)
    q = report.charts["quarters"]
    assert [str(v) for v in q["支出进度"]] == ["0.18", "0.44", "0.67", "0.95"]


def test_charts_are_deterministic_and_have_every_glyph():
    report = data.load_report(SAMPLE)
    figures = {"rate": lambda: charts.score_rate_chart(report.charts["sections"]),
               "lost": lambda: charts.points_lost_chart(report.charts["lost"]),
               "quarters": lambda: charts.quarterly_chart(report.charts["quarters"]),
               "compare": lambda: charts.self_vs_reviewed_chart(report.charts["compare"])}
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Glyph … missing from font" would raise here
        for name, make in figures.items():
            a, b = make(), make()
            assert charts.to_png(a) == charts.to_png(b), name
            assert charts.to_svg(a) == charts.to_svg(b), name
    assert charts.quarterly_chart(None) is None


def test_styler_tables_have_stable_ids():
    report = data.load_report(SAMPLE)
    a = render.table_html(report.review["compare"], highlight="差异")
    b = render.table_html(data.build_report(data.assess_subject(SAMPLE)).review["compare"], highlight="差异")
    assert a == b and f"T_{render.uuid_for('compare')}" in a


def test_a_format_registered_from_outside_is_exported_after_html(tmp_path, monkeypatch):
    """A new format is one registered function: it gets the HTML made first, in the staging folder."""
    import nbformat

    from evallib.export.html import ExportContext, export, html_file, register

    monkeypatch.setattr("evallib.export.html.EXPORTERS", dict(EXPORTERS))

    @register("txt")
    def export_txt(ctx):
        path = ctx.out_dir / f"{ctx.name}.txt"
        path.write_text(re.sub(r"<[^>]+>", "", html_file(ctx).read_text("utf-8")), encoding="utf-8")
        return [path]

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("## 一、基本情况\n\n预算执行率 96.42%")])
    written = export(ExportContext(nb, tmp_path, "测试报告"), ["txt"])
    assert [p.name for p in written] == ["report.txt"] and (tmp_path / "report.html").is_file()
    assert "预算执行率 96.42%" in (tmp_path / "report.txt").read_text("utf-8")
    with pytest.raises(ValueError, match="不支持的输出格式"):
        export(ExportContext(nb, tmp_path, "测试报告"), ["odt"])


@pytest.mark.slow
def test_run_verify_identical_and_changed_input(tmp_path, capsys):
    work = tmp_path / "in"
    work.mkdir()
    shutil.copy(SAMPLE, work / "s.yaml")
    shutil.copy(data.SAMPLE_DIR / "sample-framework.yaml", work / "f.yaml")
    shutil.copy(FIXTURES / "frameworks" / "mini.yaml", work / "mini.yaml")
    shutil.copy(MINI, work / "m.yaml")
    bad = work / "bad.yaml"
    bad.write_text("meta: {id: bad-1}\n", encoding="utf-8")
    out = tmp_path / "out"
    code = main(["run", str(work / "s.yaml"), str(bad), str(work / "m.yaml"), "--frameworks", str(work), "--out", str(out)])
    text = capsys.readouterr().out
    assert code == 1  # one subject failed
    assert "失败" in text and "bad.yaml" in text and "输入有误" in text
    assert (out / "sample-dept-2021" / "report.html").is_file() and (out / "mini-1" / "report.html").is_file()
    assert not (out / "bad-1").exists() and not list(out.glob(".*"))
    # rerun of the good subjects only, then verify: byte-identical
    code = main(["run", str(work / "s.yaml"), str(work / "m.yaml"), "--frameworks", str(work), "--out", str(out)])
    assert code == 0
    capsys.readouterr()
    first = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file() and p.name != "manifest.json"}
    assert main(["verify", str(out)]) == 0
    text = capsys.readouterr().out
    assert "[相同] sample-dept-2021/report.html" in text and "[相同] summary.html" in text
    assert "[不同]" not in text and "全部输出逐字节一致" in text
    # changing an input: verify names the file that changed and the outputs that differ
    source = (work / "s.yaml").read_text("utf-8").replace("在职人数: 42", "在职人数: 41")
    (work / "s.yaml").write_text(source, encoding="utf-8")
    assert main(["verify", str(out)]) == 1
    text = capsys.readouterr().out
    assert "s.yaml 已修改" in text
    assert "[不同] sample-dept-2021/report.html" in text and "[相同] mini-1/report.html" in text
    # verify never touches the recorded outputs
    again = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file() and p.name != "manifest.json"}
    assert again == first


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def _screenshot(page: Path, png: Path, tmp: Path, size=(1000, 1800)) -> None:
    from evallib.report.fonts import fontconfig_file

    env = dict(os.environ, FONTCONFIG_FILE=str(fontconfig_file(tmp / "fc")))
    cmd = [_chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           f"--user-data-dir={tmp / 'profile'}", "--hide-scrollbars", f"--window-size={size[0]},{size[1]}",
           f"--screenshot={png}", page.resolve().as_uri()]
    subprocess.run(cmd, env=env, check=True, capture_output=True, timeout=120)
    assert png.is_file()


@pytest.mark.slow
@pytest.mark.skipif(_chromium() is None and os.environ.get("CI") != "true", reason="chromium 未安装（CI 中必须运行）")
def test_browser_renders_chinese_text_and_charts(tmp_path):
    from PIL import Image

    assert _chromium(), "CI 中必须安装 chromium"
    ev = data.assess_subject(SAMPLE)
    out = tmp_path / "out"
    run = run_all([SAMPLE], out, summary=False)
    assert run.ok
    page = out / ev.id / "report.html"
    png = tmp_path / "report.png"
    _screenshot(page, png, tmp_path, size=(1000, 4000))  # cover, 目录 and 一、基本情况 come before the first chart
    img = Image.open(png).convert("RGB")
    w, h = img.size
    pixels = img.load()
    colors = img.getcolors(maxcolors=1 << 20)
    assert colors is not None and len(colors) > 50, "blank page"
    # the cover: dark title text in the top band (under the 稿别 line), the blue KPI frame of the reviewed score
    top = [pixels[x, y] for x in range(0, w, 2) for y in range(20, 150)]
    assert sum(1 for p in top if sum(p) < 200) > 200, "no title text drawn"
    blue = sum(1 for (n, c) in colors if abs(c[0] - 0x2f) < 12 and abs(c[1] - 0x6d) < 12 and abs(c[2] - 0xb5) < 12 for _ in [0])
    assert blue, "KPI frame missing"
    # the quarterly chart (red line and markers #c0504d) is drawn in 一、基本情况
    red = sum(n for n, c in colors if abs(c[0] - 0xc0) < 10 and abs(c[1] - 0x50) < 10 and abs(c[2] - 0x4d) < 10)
    assert red > 300, "chart not visible"
    # Chinese glyphs, not boxes: two texts differing in characters render differently;
    # with a missing font both would be identical rows of tofu boxes
    shots = []
    for i, text in enumerate(("复核得分与自评得分", "指标分析结论等级")):
        f = tmp_path / f"t{i}.html"
        f.write_text(to_html_fragment(text), encoding="utf-8")
        shot = tmp_path / f"t{i}.png"
        _screenshot(f, shot, tmp_path, size=(600, 200))
        shots.append(Image.open(shot).convert("L"))
    a, b = shots
    ink_a = sum(1 for v in a.tobytes() if v < 128)
    ink_b = sum(1 for v in b.tobytes() if v < 128)
    assert ink_a > 500 and ink_b > 500
    assert a.tobytes() != b.tobytes()
    shutil.copy(png, Path(os.environ.get("EVALBOOK_SCREENSHOT", tmp_path / "keep.png")))


def to_html_fragment(text: str) -> str:
    """A page with one line of Chinese in the report's CSS font stack (the report's own styles)."""
    from evallib.export.html import report_css

    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><style>{report_css()}</style></head>"
            f"<body class='jp-Notebook'><div class='jp-RenderedHTMLCommon'><h1>{html.escape(text)}</h1></div></body></html>")


# -- the deliverable (issue 12) ---------------------------------------------------------------------

from evallib.model.engagement import find_engagement  # noqa: E402
from evallib.report import voice  # noqa: E402
from evallib.report.wording import is_first_person  # noqa: E402
from evallib.core.numbers import fmt_amount  # noqa: E402

DELIVERABLES = ["002-junshan-2021-dept", "003-futian-2021-dept", "004-gaoyi-2021-dept"]
# Internal keys, English reading codes, formula identifiers, file and tool names a reader must never see.
FORBIDDEN = ["met", "missed", "violations", "uncapped", "initial-budget", "average-rounded", ".yaml", "sha256",
             "evalbook", "min(", "自动生成", "绩效自评绩效评价"]


def test_numbers_one_way():
    from decimal import Decimal
    assert fmt_amount(Decimal("2951.99")) == "2,951.99"
    assert fmt_amount(Decimal("0.6")) == "0.60" and fmt_amount(Decimal("12.1")) == "12.10"


def test_engagement_found_beside_subject_or_missing_as_placeholder(tmp_path):
    assert find_engagement(ROOT / "parameters" / "subjects" / "003-futian-2021-dept.yaml") == ROOT / "parameters" / "engagement.yaml"
    (tmp_path / "parameters").mkdir()
    subject = tmp_path / "s.yaml"
    shutil.copy(ROOT / "parameters" / "subjects" / "003-futian-2021-dept.yaml", subject)
    record = data.assess_subject(subject, [ROOT / "parameters" / "frameworks"])
    assert record.engagement is None
    report = data.build_report(record)
    assert report.cover["rows"] == [("委托方", "待填"), ("评价机构", "待填"), ("报告日期", "待填")]
    assert report.signature["lead"] == "待填" and report.work["basis"] == ["待填"]
    assert report.cover["title"] == "深圳市福田区政务服务中心2021年度部门整体支出绩效评价报告"


@pytest.mark.parametrize("name", DELIVERABLES)
def test_reviewer_voice_problems_and_suggestions(name):
    record = data.assess_subject(ROOT / "parameters" / "subjects" / f"{name}.yaml")
    found = voice.problems(record)
    suggestions = voice.suggestions(record, found)
    assert found and suggestions
    for s in suggestions:
        assert not is_first_person(s["text"]), s["text"]
        assert s["answers"] and all(1 <= n <= len(found) for n in s["answers"])  # each answers a problem
    for p in found:
        assert not is_first_person(p.text + p.cause), p
        assert any(ch.isdigit() for ch in p.text)  # tied to figures
    assert is_first_person("我中心要加强管理") and not is_first_person("建议该中心加强管理")


def _reader_text(page: str) -> str:
    body = page.split("<body", 1)[1].split("附件5 数据来源与可复现信息")[0]
    body = re.sub(r"<style.*?</style>|<img[^>]*>", "", body, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", body))


@pytest.mark.slow
def test_deliverable_html_frame_and_wording(tmp_path):
    files = [ROOT / "parameters" / "subjects" / f"{n}.yaml" for n in DELIVERABLES]
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        run = run_all(files, tmp_path)
    finally:
        os.chdir(cwd)
    assert all(r.ok for r in run.subjects)
    for name in DELIVERABLES:
        page = (tmp_path / name / "report.html").read_text("utf-8")
        for needle in ('<section class="eb-cover">', '<nav class="eb-toc">', '<section class="eb-signature">',
                       '<section class="eb-annex">', '<figcaption class="eb-caption">图1 ', "<caption>表1 ",
                       "二、评价工作开展情况", "三、综合评价结论", "六、有关建议", "七、其他需要说明的问题", "主评人"):
            assert needle in page, (name, needle)
        text = _reader_text(page)
        for bad in FORBIDDEN:
            assert bad not in text, (name, bad)
        suggestions = text.split("六、有关建议", 1)[1].split("七、其他需要说明的问题", 1)[0]
        own = suggestions.split("单位自述", 1)[0]  # the unit's own text only under 单位自述
        assert not is_first_person(own), (name, own[:200])
        assert "SHA-256" in page.split("附件5 数据来源与可复现信息", 1)[1]


def test_goals_show_target_against_actual():
    """绩效目标 as 年度指标值 against 实际完成值 wherever the subject files target rows (issue 12)."""
    report = data.build_report(data.assess_subject(ROOT / "parameters" / "subjects" / "000-heshan-2020-p4-dalou.yaml"))
    goals = report.basic["goals"].frame
    assert list(goals.columns) == ["指标", "年度指标值", "实际完成值", "完成情况"]
    row = goals[goals["指标"].str.endswith("项目验收合格率")].iloc[0]
    assert (row["年度指标值"], row["实际完成值"]) == ("100%", "70%")
    assert row["完成情况"] == "部分完成，完成率70.00%，得7.00分（分值10.00分）"
    assert (goals["完成情况"] == "不适用").sum() == 1  # the empty 经济效益 row carries no weight
    linpin = data.build_report(data.assess_subject(ROOT / "parameters" / "subjects" / "000-heshan-2020-p1-linpin.yaml"))
    assert any(v.startswith("未填报实际完成值") for v in linpin.basic["goals"].frame["完成情况"])
    # a department subject without target rows has no such table
    assert data.build_report(data.assess_subject(ROOT / "parameters" / "subjects" / "003-futian-2021-dept.yaml")).basic["goals"] is None
