"""The 复核意见书: content built from the serialised assessment, rendered to Word and PDF and read back."""
from __future__ import annotations

import copy
import json
import re
import shutil
import subprocess
from decimal import Decimal

import pytest

from conftest import ROOT

SUBJECTS = ["002-junshan-2021-dept", "003-futian-2021-dept", "004-gaoyi-2021-dept"]
# Internal keys, English and file names a reader must never see.
FORBIDDEN = ["met", "missed", "violations", "uncapped", "initial-budget", ".yaml", "evalbook", "sha256", "None",
             "Decimal", ".json", ".txt", "seed"]
_DOTTED_KEY = re.compile(r"（[^（）]*\.[^（）]*）")


def _record(stem: str):
    from evallib.assess.assessment import assess
    from evallib.assess.record import record_of

    return record_of(assess(ROOT / "parameters" / "subjects" / f"{stem}.yaml"))


def _flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _docx_text(path) -> str:
    import docx

    from docx.table import Table
    from docx.text.paragraph import Paragraph

    doc = docx.Document(str(path))
    parts = []  # paragraphs and tables in document order
    for child in doc.element.body.iterchildren():
        if child.tag.endswith("}p"):
            parts.append(Paragraph(child, doc).text)
        elif child.tag.endswith("}tbl"):
            parts += [cell.text for row in Table(child, doc).rows for cell in row.cells]
    for section in doc.sections:  # the running header must read well too
        parts += [p.text for p in section.header.paragraphs]
    return "\n".join(parts)


def _pdf_text(path) -> str:
    tool = shutil.which("pdftotext")
    if tool is None:
        pytest.skip("pdftotext not installed")
    return subprocess.run([tool, str(path), "-"], capture_output=True, text=True, check=True).stdout


def _shown_name(indicator: str) -> str:
    """How the opinion names an indicator or figure: the leaf's own name, catalogue keys dropped."""
    return _DOTTED_KEY.sub("", indicator.split(" / ")[-1])


# ---------------------------------------------------------------- fast: the content as data

def test_finding_record_reads_back_actions_places_and_effects():
    from evallib.assess.assessment import assess
    from evallib.assess.contract import assessment_dict, plain
    from evallib.assess.record import record_of

    a = assess(ROOT / "parameters" / "subjects" / "002-junshan-2021-dept.yaml")
    data = plain(assessment_dict(a))
    record = record_of(a)
    assert len(record.findings) == len(data["findings"]) > 0
    for f, raw in zip(record.findings, data["findings"]):
        assert f.action == raw["action"] and f.places == raw["places"] and f.effect_grade == raw["effect_grade"]
        for key in ("effect_indicator", "effect_total"):
            want = raw[key]
            assert getattr(f, key) == (None if want is None else Decimal(str(want)))
    wrong = next(f for f in record.findings if f.indicator.endswith("财政供养人员控制率"))
    assert (wrong.action, wrong.effect_indicator, wrong.effect_total, wrong.effect_grade) == ("更正", -5, -5, "等级不变")


def test_opinion_content_for_junshan():
    from evallib.report.opinion import build_opinion

    op = build_opinion(_record("002-junshan-2021-dept"))
    assert op.title == "关于君山区行政审批服务局2021年度部门整体支出绩效自评的复核意见书"
    assert op.addressee == "示例区财政局（示例）："
    conclusion = "".join(op.conclusion)
    assert "自评分合计98.00分，等级为“优”" in conclusion
    assert "经复核，合计93.00分，等级为“优”，较自评分合计减少5.00分，等级不变" in conclusion
    assert op.readings == [] and "未列出其他解读口径" in op.readings_text
    assert op.coverage_text == ("复核后合计所依据的各项分值共100.00分，其中：按单位填报数据复算13.00分，"
                                "由评价人员判断0.00分，采用自评分87.00分。")
    row = next(r for r in op.findings if r.subject == "财政供养人员控制率")
    assert (row.severity, row.claimed, row.recomputed, row.action) == ("错误", "5.00分", "0.00分", "更正")
    assert row.effect == "指标得分减少5.00分；合计减少5.00分；等级不变"
    figure = next(r for r in op.findings if r.subject.startswith("本年支出合计"))
    assert figure.subject == "本年支出合计（执行数）" and figure.effect == "不影响得分"
    # the checklist: every 补证 finding, with what to provide in the figures' own names
    assert [e.subject for e in op.evidence][:3] == ["“三公经费”变动率", "重点支出安排率", "预算调整率"]
    assert op.evidence[0].needed == "提供上年“三公经费”实际支出数的数据及其出处（报表、预算批复或台账）"
    assert "评价要点逐项满足情况" in next(e.needed for e in op.evidence if e.subject == "管理制度健全性")
    # places of a finding on several indicators are the indicators' names
    year = next(r for r in op.findings if r.category == "年度不符")
    assert year.places[0] == "推进全面小康建设指标任务完成情况"
    assert op.signature == {"lead": "张示例（示例）", "firm": "示例会计师事务所（示例）", "date": "2022年7月15日（示例）"}


def test_opinion_grade_under_readings_and_scorer():
    from evallib.report.opinion import build_opinion

    record = _record("004-gaoyi-2021-dept")
    op = build_opinion(record)
    assert len(op.readings) == len(record.readings) == 5
    assert op.readings[2] == ("预算调整率：报告未列明政策性、临时交办调整的金额，按调整后预算与年初预算之差计算调整率",
                              "93.80分", "优秀")
    assert op.readings_text == "在上述5种解读口径下等级均为“优秀”，复核等级结论不因评分口径不同而改变。"
    # a reading whose grade differs is named, and the grade is not declared settled
    record.readings[2] = (record.readings[2][0], record.readings[2][1], Decimal("80"), "良好")
    text = build_opinion(record).readings_text
    assert "等级为“良好”" in text and "须待单位说明所用口径后确定" in text
    # whose scores were filed: every text follows
    record.meta.scorer = "第三方评价"
    op = build_opinion(record)
    assert op.title == "关于高邑县人民政府办公室2021年度部门整体支出第三方绩效评价的复核意见书"
    assert "评价机构评分合计96.50分" in "".join(op.conclusion) and "采用评价机构评分" in op.coverage_text
    assert "自评分" not in json.dumps([op.conclusion, op.coverage_text, op.adopted_intro], ensure_ascii=False)


def test_opinion_without_engagement_shows_placeholders():
    from evallib.report.opinion import build_opinion
    from evallib.report.opinion_html import opinion_html

    record = _record("003-futian-2021-dept")
    record.engagement = None
    op = build_opinion(record)
    assert op.addressee == "待填：" and op.signature == {"lead": "待填", "firm": "待填", "date": "待填"}
    assert op.basis[0] == "待填" and "自待填开始" in op.method[1]
    page = opinion_html(op)
    assert page == opinion_html(build_opinion(record))  # deterministic
    assert "评价机构（盖章）：待填" in page and "主评人（签字）" in page and "（机构盖章处）" in page


def test_opinion_is_a_registered_format():
    from evallib.export.html import available_formats

    assert "opinion" in available_formats()


# ---------------------------------------------------------------- slow: Word and PDF read back

@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    from evallib.export.opinion import write_opinion

    out = {}
    for stem in SUBJECTS:
        record = _record(stem)
        folder = tmp_path_factory.mktemp(stem)
        docx, pdf = write_opinion(record, folder)
        assert (docx.name, pdf.name) == ("复核意见书.docx", "复核意见书.pdf")
        out[stem] = (record, _docx_text(docx), _pdf_text(pdf), docx, pdf)
    return out


@pytest.mark.slow
@pytest.mark.parametrize("stem", SUBJECTS)
@pytest.mark.parametrize("kind", ["docx", "pdf"])
def test_opinion_read_back(rendered, stem, kind):
    from evallib.core.numbers import fmt_amount
    from evallib.report.opinion import build_opinion

    record, docx_text, pdf_text, _, _ = rendered[stem]
    text = _flat(docx_text if kind == "docx" else pdf_text)
    op = build_opinion(record)
    assert _flat(op.title) in text and op.title.startswith("关于" + record.meta.unit)
    # both totals and grades
    filed_grade = record.stated_grade or record.self_grade
    assert f"自评分合计{fmt_amount(record.self_total)}分，等级为“{filed_grade}”" in text
    assert f"经复核，合计{fmt_amount(record.total)}分，等级为“{record.grade}”" in text
    # the coverage sentence with its numbers
    cov = record.coverage
    assert (f"按单位填报数据复算{fmt_amount(cov['recomputed'])}分，由评价人员判断{fmt_amount(cov['judged'])}分，"
            f"采用自评分{fmt_amount(cov['adopted'])}分") in text
    for reading in record.readings:
        assert f"{fmt_amount(reading[2])}分" in text
    # every 错误 finding's indicator in the findings section (Word numbers its headings: no "四、" in the text)
    findings = text[text.index("复核发现"):text.index("补证清单")]
    errors = [f for f in record.findings if f.severity == "错误"]
    assert errors, "each of these seeds has an error finding"
    for f in errors:
        assert _flat(_shown_name(f.indicator)) in findings
    # the 补证清单: each 补证 finding's indicator, after the heading
    checklist = text[text.index("补证清单"):text.index("评价机构（盖章）")]
    wanted = [f for f in record.findings if f.action == "补证"]
    for f in wanted:
        assert _flat(_shown_name(f.indicator)) in checklist
    assert ("□已提供" in checklist) == bool(wanted)
    # the signature block from the engagement
    e = record.engagement
    sign = text[text.index("评价机构（盖章）"):]
    assert _flat(e["firm"]) in sign and _flat(e["lead_evaluator"]) in sign and _flat(e["dates"]["report"]) in sign
    assert "主评人（签字）" in sign and "（机构盖章处）" in sign
    # no internal keys, English or file names
    for word in FORBIDDEN:
        assert word.lower() not in text.lower(), word
    assert not re.search(r"[A-Za-z]{2,}", text), re.findall(r"[A-Za-z]{2,}", text)[:5]
    assert not re.search(r"[\u4e00-\u9fff]\.[\u4e00-\u9fff]", text)  # no catalogue key such as 预算.调整预算数


@pytest.mark.slow
def test_opinion_pdf_is_a4_with_page_numbers_and_reproducible(rendered, tmp_path):
    from evallib.export.opinion import write_opinion

    record, _, pdf_text, docx, pdf = rendered["003-futian-2021-dept"]
    assert "第1页，共" in _flat(pdf_text)
    info = subprocess.run([shutil.which("pdfinfo") or "pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    width, height = map(float, re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info).groups())
    assert abs(width - 595.28) < 1 and abs(height - 841.89) < 1, info  # A4 (Chromium rounds to 594.96 x 841.92)
    again = write_opinion(record, tmp_path)
    assert [p.read_bytes() for p in again] == [docx.read_bytes(), pdf.read_bytes()]
