"""Working papers, data confirmation, comment round and archive for seeds 003 and 004."""
import collections
import dataclasses
import re
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from conftest import ROOT, run_cli
from evallib.assess.assessment import assess
from evallib.assess.record import read_assessment, record_of

SUBJECTS = {"003": ROOT / "parameters/subjects/003-futian-2021-dept.yaml",
            "004": ROOT / "parameters/subjects/004-gaoyi-2021-dept.yaml"}
ENGAGEMENT = """firm: 某某会计师事务所
client: 某区财政局
lead_evaluator: 王五
team:
  - {name: 张三, role: 项目组成员}
  - {name: 李四, role: 复核人}
dates: {start: 2022-03-01, end: 2022-03-31, report: 2022-04-15}
"""


def _sheet_rows(path, sheet, header_row):
    rows = list(load_workbook(path, data_only=True)[sheet].iter_rows(values_only=True))
    header = list(rows[header_row - 1])
    return [dict(zip(header, r)) for r in rows[header_row:] if any(v is not None for v in r)]


@pytest.fixture(scope="module", params=sorted(SUBJECTS))
def drafted(request, tmp_path_factory):
    out = tmp_path_factory.mktemp(f"wp{request.param}")
    subject = out / SUBJECTS[request.param].name
    subject.write_bytes(SUBJECTS[request.param].read_bytes())
    (out / "engagement.yaml").write_text(ENGAGEMENT, encoding="utf-8")
    import os

    os.chdir(ROOT)
    from evallib.cli.main import main

    assert main(["workpapers", str(subject), "-o", str(out / "draft")]) == 0
    return subject, out / "draft", record_of(assess(subject))


def test_every_working_paper_score_equals_the_assessment(drafted):
    _, out, record = drafted
    rows = _sheet_rows(out / "工作底稿.xlsx", "工作底稿", 1)
    assert [r["指标编号"] for r in rows] == [l.node.id for l in record.leaf_list()]
    for row, leaf in zip(rows, record.leaf_list()):
        assert (None if row["得分"] is None else Decimal(str(row["得分"]))) == leaf.score
        assert row["评分标准（原文）"] == (leaf.trace.criteria or "—")
        assert row["编制人"] == "张三" and row["复核人"] == "李四" and row["复核日期"] == "2022-04-15"
    assert read_assessment(out / "result.json").total == record.total

    from docx import Document

    doc = Document(out / "工作底稿.docx")
    index = doc.tables[1]
    shown = {r.cells[0].text: r.cells[3].text for r in index.rows[1:]}
    for leaf in record.leaf_list():
        assert shown[f"DG-{leaf.node.id}"] == ("—" if leaf.score is None else f"{leaf.score.normalize():f}")


def test_confirmation_lists_the_figures_used_with_their_source(drafted):
    _, out, record = drafted
    rows = _sheet_rows(out / "数据核查确认表.xlsx", "数据核查确认", 4)
    listed = {r["数据编号"]: r for r in rows if r["数据编号"]}
    used = {k for l in record.leaf_list() for k in l.trace.inputs if record.figure(k) is not None}
    assert set(listed) == used and used
    for name, row in listed.items():
        assert Decimal(row["数值"]) == record.figure(name) and row["来源"]
    if record.id.startswith("003"):
        assert listed["固定资产.总额"]["来源"].startswith("表1-6") and "2.3.2" in listed["固定资产.总额"]["用于指标"]
    labels = [r["数据项"] for r in _sheet_rows(out / "数据核查确认表.xlsx", "数据核查确认", 4)]
    assert "被评价单位（盖章）：" in labels


def test_rerun_gives_identical_bytes(drafted, tmp_path, capsys):
    subject, out, _ = drafted
    assert run_cli(capsys, "workpapers", subject, "-o", tmp_path)[0] == 0
    for name in ("工作底稿.xlsx", "工作底稿.docx", "数据核查确认表.xlsx", "数据核查确认表.docx", "意见征求表.xlsx"):
        assert (tmp_path / name).read_bytes() == (out / name).read_bytes(), name


def test_consultant_notes_read_back_without_loss(drafted, tmp_path, capsys):
    subject, out, record = drafted
    wb = load_workbook(out / "工作底稿.xlsx")
    ws = wb["工作底稿"]
    header = [c.value for c in ws[1]]
    col = {h: i + 1 for i, h in enumerate(header)}
    ws.cell(row=2, column=col["证据引用（文件｜文号｜页码，每行一条）"], value="部门预算批复｜福财预〔2021〕3号｜12\n自评报告｜｜")
    ws.cell(row=3, column=col["备注"], value="已与财务科核对")
    ws.cell(row=3, column=col["状态"], value="已复核")
    edited = tmp_path / "edited.xlsx"
    wb.save(edited)
    assert run_cli(capsys, "workpapers-import", edited, "-o", tmp_path / "notes.yaml")[0] == 0
    assert run_cli(capsys, "workpapers", subject, "-o", tmp_path / "again", "--notes", tmp_path / "notes.yaml")[0] == 0
    first, second = record.leaf_list()[0].node.id, record.leaf_list()[1].node.id
    rows = {r["指标编号"]: r for r in _sheet_rows(tmp_path / "again" / "工作底稿.xlsx", "工作底稿", 1)}
    assert rows[first]["证据引用（文件｜文号｜页码，每行一条）"] == "部门预算批复｜福财预〔2021〕3号｜12\n自评报告｜｜"
    assert rows[second]["备注"] == "已与财务科核对" and rows[second]["状态"] == "已复核"
    assert run_cli(capsys, "workpapers-import", tmp_path / "again" / "工作底稿.xlsx", "-o", tmp_path / "n2.yaml")[0] == 0
    assert (tmp_path / "n2.yaml").read_bytes() == (tmp_path / "notes.yaml").read_bytes()


def _fill_comments(template, target, rows):
    wb = load_workbook(template)
    ws = wb["意见征求"]
    for n, values in rows.items():
        for col, value in zip(range(6, 12), values):
            ws.cell(row=n, column=col, value=value)
    wb.save(target)
    return target


def test_comment_round_trip_changes_the_final_exactly_as_listed(tmp_path, capsys):
    subject = SUBJECTS["003"]
    assert run_cli(capsys, "workpapers", subject, "-o", tmp_path / "draft")[0] == 0
    filled = _fill_comments(tmp_path / "draft" / "意见征求表.xlsx", tmp_path / "filled.xlsx", {
        5: ("被评价单位", "在编人数应为14人（含年中调入2人）", "人员.在编人数", "14", "采纳", "附人事批文"),
        6: ("委托方", "预算执行率应按年初预算计算", None, None, "不予采纳", "评分标准明确以调整后预算为分母"),
    })
    code, out, err = run_cli(capsys, "comments", subject, filled, "-o", tmp_path / "final")
    assert code == 0, err
    draft = record_of(assess(subject))
    final = read_assessment(tmp_path / "final" / "result.json")
    assert final.figure("人员.在编人数") == 14
    changed = {l.node.id for l in draft.leaf_list() if l.score != final.leaves[l.node.id].score}
    assert changed == {"2.4.1"}  # 控制率 14/13 > 100% → 0 分
    md = (tmp_path / "final" / "变更清单.md").read_text(encoding="utf-8")
    assert final.total == draft.total - 1
    assert f"| 总分 | 评价总分 | {draft.total.normalize():f} | {final.total.normalize():f} |" in md
    rows = _sheet_rows(tmp_path / "final" / "意见采纳情况说明.xlsx", "变更清单", 1)
    listed_scores = {r["项目"].split()[0] for r in rows if r["类别"] == "指标得分"}
    assert listed_scores == changed
    assert {r["类别"] for r in rows} == {"基础数据", "指标得分", "得分理由", "小计", "总分"}
    replies = _sheet_rows(tmp_path / "final" / "意见采纳情况说明.xlsx", "意见采纳情况", 3)
    assert [r["处理"] for r in replies] == ["采纳", "不予采纳"]
    text = (tmp_path / "final" / subject.name).read_text(encoding="utf-8")
    assert "在编人数: 14  # 意见采纳（意见征求表第5行）：被评价单位更正；原注：其中在编人员（含工勤人员）12 人\n" in text
    _changed_sentences_are_listed(draft, final, md, tmp_path / "final" / "意见采纳情况说明.xlsx")


# Report fields that are not prose: the record itself, tables and charts, the cover and signature (their
# figures are the scores listed above), and structured values beside a sentence.
NOT_PROSE = {"ev", "cover", "toc", "signature", "charts", "annexes", "provenance", "total", "grade", "counts", "answers"}


def _report_texts(value):
    """Every string the report data holds as prose, found by walking it (not by the change list's own walk)."""
    from evallib.report.tables import NamedTable

    if isinstance(value, str):
        yield value
    elif dataclasses.is_dataclass(value) and not isinstance(value, NamedTable):
        for f in dataclasses.fields(value):
            if f.name not in NOT_PROSE:
                yield from _report_texts(getattr(value, f.name))
    elif isinstance(value, dict):
        for key, item in value.items():
            if key not in NOT_PROSE:
                yield from _report_texts(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _report_texts(item)


def _sentence_counts(report) -> collections.Counter:
    counts = collections.Counter()
    for text in _report_texts(report):
        for line in re.sub(r"([。！？][”’」』）)]*)", "\\1\n", text).splitlines():
            if line.strip():
                counts[line.strip()] += 1
    return counts


def _changed_sentences_are_listed(draft, final, md, reply_xlsx):
    from evallib.report.data import build_report

    old, new = _sentence_counts(build_report(draft)), _sentence_counts(build_report(final))
    rows = _sheet_rows(reply_xlsx, "报告语句变更", 1)
    removed = collections.Counter(r["征求意见稿"] for r in rows if r["变更"] in ("修改", "删除"))
    added = collections.Counter(r["正式稿"] for r in rows if r["变更"] in ("修改", "新增"))
    assert removed == old - new and added == new - old and rows
    assert all(f"| {r['序号']} | {r['变更']} | {r['征求意见稿']} | {r['正式稿']} |" in md for r in rows)
    analysis = {(r["征求意见稿"], r["正式稿"]) for r in rows if r["章节"] == "四、评价指标分析 / （二）部门管理"}
    assert ("财政供养人员控制率（分值1.00分）：在编人数（含工勤）12.00人，核定编制数13.00人；财政供养人员控制率为92.31%，"
            "属于“≤100.00%”档；得1.00分（满分）。",
            "财政供养人员控制率（分值1.00分）：在编人数（含工勤）14.00人，核定编制数13.00人；财政供养人员控制率为107.69%，"
            "属于“>100.00%”档；得0.00分，扣1.00分；单位自评1.00分，本次评价调减1.00分。") in analysis
    conclusion = [r for r in rows if r["章节"] == "三、综合评价结论"]
    assert f"综合得分为{final.total:.2f}分" in conclusion[0]["正式稿"] and f"综合得分为{draft.total:.2f}分" in conclusion[0]["征求意见稿"]
    assert "### 三、综合评价结论" in md and "### 四、评价指标分析 / （二）部门管理" in md


def test_rejection_without_reason_is_refused(tmp_path, capsys):
    subject = SUBJECTS["004"]
    assert run_cli(capsys, "workpapers", subject, "-o", tmp_path / "draft")[0] == 0
    filled = _fill_comments(tmp_path / "draft" / "意见征求表.xlsx", tmp_path / "filled.xlsx",
                            {5: ("被评价单位", "结转结余率计算有误", None, None, "不予采纳", None)})
    code, out, err = run_cli(capsys, "comments", subject, filled, "-o", tmp_path / "final")
    assert code == 2 and "不予采纳的意见必须说明理由" in err and "Traceback" not in err
    assert not (tmp_path / "final").exists()


@pytest.mark.slow
def test_archive_is_verified_after_a_rerun_and_tampering_is_caught(tmp_path, capsys):
    subject = SUBJECTS["003"]
    assert run_cli(capsys, "workpapers", subject, "-o", tmp_path / "draft")[0] == 0
    filled = _fill_comments(tmp_path / "draft" / "意见征求表.xlsx", tmp_path / "filled.xlsx",
                            {5: ("被评价单位", "在编人数应为14人", "人员.在编人数", "14", "采纳", None)})
    (tmp_path / "engagement.yaml").write_text(ENGAGEMENT, encoding="utf-8")
    archive = tmp_path / "archive"
    assert run_cli(capsys, "archive", subject, "-o", archive, "--comments", filled,
                   "--engagement", tmp_path / "engagement.yaml")[0] == 0
    for folder in ("立项性", "证明性", "结论性"):
        assert (archive / folder).is_dir()
    assert (archive / "结论性" / "正式稿" / "变更清单.md").exists()
    code, out, _ = run_cli(capsys, "verify-archive", archive)
    assert code == 0 and "逐字节一致" in out
    paper = archive / "结论性" / "正式稿" / "工作底稿.xlsx"
    paper.write_bytes(paper.read_bytes() + b"\0")
    code, _, err = run_cli(capsys, "verify-archive", archive)
    assert code == 1 and "manifest" in err


def test_malformed_evidence_reference_is_refused(tmp_path, capsys):
    text = SUBJECTS["003"].read_text(encoding="utf-8").replace("inputs:\n", 'inputs:\n  "2.3.2": {evidence_refs: [{page: 3}]}\n', 1)
    bad = tmp_path / "bad.yaml"
    bad.write_text(text, encoding="utf-8")
    code, _, err = run_cli(capsys, "workpapers", bad, "-o", tmp_path / "out")
    assert code == 2 and "inputs.2.3.2.evidence_refs[1].document" in err and not (tmp_path / "out").exists()
