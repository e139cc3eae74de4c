"""The working papers as Excel — written and read back side by side so nothing a consultant adds is lost.

Sheet “索引”: the engagement and one line per paper. Sheet “工作底稿”: one row per indicator. The
columns 证据引用, 备注 and 状态 are for the consultant (shaded); `read_notes` reads exactly those back.
"""
from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook

from ..collect.cells import sheet_rows
from ..assess.record import AssessmentRecord
from ..collect.sheetstyle import BORDER, INPUT_FILL, TITLE_FONT, WRAP, cell_number, header_row, save_workbook
from ..core.errors import InputError, Problem
from .papers import Notes, WorkingPaper, parse_ref, ref_text, setting

PAPER_SHEET, INDEX_SHEET = "工作底稿", "索引"
COLUMNS = [  # (header, width, consultant-editable)
    ("底稿编号", 10, False), ("指标编号", 9, False), ("指标", 28, False), ("分值", 7, False),
    ("评分标准（原文）", 40, False), ("适用规则", 14, False), ("计算口径", 36, False), ("使用数据及来源", 40, False),
    ("计算过程", 40, False), ("得分依据", 36, False), ("证据引用（文件｜文号｜页码，每行一条）", 36, True),
    ("得分", 7, False), ("得分来源", 10, False), ("得分理由", 36, False), ("复核发现", 30, False),
    ("编制人", 9, False), ("编制日期", 11, False), ("复核人", 9, False), ("复核日期", 11, False),
    ("状态", 16, True), ("备注", 30, True),
]
HEADERS = [c[0] for c in COLUMNS]
EDITABLE = {c[0] for c in COLUMNS if c[2]}


def paper_row(p: WorkingPaper) -> list:
    return [p.code, p.id, p.path, cell_number(p.weight), p.criteria, p.rule, p.formula, p.data_text,
            p.calculation, p.evidence or "—", "\n".join(ref_text(r) for r in p.evidence_refs),
            cell_number(p.score), p.source, p.reason, "\n".join(p.findings) or "—",
            p.preparer, p.prepared_on, p.reviewer, p.reviewed_on, p.status, p.note]


def _index(ws, title: str, record: AssessmentRecord, papers: list[WorkingPaper]) -> None:
    ws.cell(row=1, column=1, value=title).font = TITLE_FONT
    facts = [("评价机构", setting(record, "firm")), ("委托方", setting(record, "client")),
             ("项目负责人", setting(record, "lead_evaluator")), ("评价依据", setting(record, "basis")),
             ("评价方法", setting(record, "method")), ("评价期间", f"{setting(record, 'dates.start')} 至 {setting(record, 'dates.end')}"),
             ("报告日期", setting(record, "dates.report")), ("报告类型", setting(record, "report_type")),
             ("阶段", setting(record, "stage"))]
    for n, (k, v) in enumerate(facts, 3):
        ws.cell(row=n, column=1, value=k)
        ws.cell(row=n, column=2, value=str(v))
    start = 4 + len(facts)
    header_row(ws, start, ["底稿编号", "指标", "分值", "得分", "状态", "编制人", "复核人"], [12, 40, 8, 8, 30, 10, 10])
    for r, p in enumerate(papers, start + 1):
        for c, value in enumerate([p.code, p.path, cell_number(p.weight), cell_number(p.score), p.status,
                                   p.preparer, p.reviewer], 1):
            ws.cell(row=r, column=c, value=value).border = BORDER


def papers_workbook(title: str, record: AssessmentRecord, papers: list[WorkingPaper]) -> Workbook:
    wb = Workbook()
    _index(wb.active, title, record, papers)
    wb.active.title = INDEX_SHEET
    ws = wb.create_sheet(PAPER_SHEET)
    header_row(ws, 1, HEADERS, [c[1] for c in COLUMNS])
    ws.freeze_panes = "D2"
    for r, paper in enumerate(papers, 2):
        for c, value in enumerate(paper_row(paper), 1):
            cell = ws.cell(row=r, column=c, value=value)
            cell.alignment, cell.border = WRAP, BORDER
            if HEADERS[c - 1] in EDITABLE:
                cell.fill = INPUT_FILL
    return wb


def write_papers_xlsx(path: Path, title: str, record: AssessmentRecord, papers: list[WorkingPaper]) -> Path:
    return save_workbook(papers_workbook(title, record, papers), path, title)


def read_notes(path: Path, known_ids: set[str] | None = None) -> Notes:
    """The consultant's columns of a working-paper workbook, by indicator."""
    file = str(path)
    rows = sheet_rows(path, PAPER_SHEET, "工作底稿")
    header = [str(h or "") for h in rows[0]] if rows else []
    if header[:len(HEADERS)] != HEADERS:
        raise InputError.single(file, f"{PAPER_SHEET}!第1行", "表头与工作底稿格式不符（请勿增删或移动列）")
    col = {h: i for i, h in enumerate(HEADERS)}
    items, problems = {}, []
    for n, row in enumerate(rows[1:], 2):
        ind = row[col["指标编号"]]
        if ind in (None, ""):
            continue
        ind = str(ind)
        if known_ids is not None and ind not in known_ids:
            problems.append(Problem(file, f"{PAPER_SHEET}!第{n}行", "指标体系中没有这个指标编号", ind))
            continue
        refs = []
        for line in str(row[col[HEADERS[10]]] or "").splitlines():
            if not line.strip():
                continue
            if line.count("｜") > 2 or not line.split("｜")[0].strip():
                problems.append(Problem(file, f"{PAPER_SHEET}!第{n}行 证据引用", "每行应为“文件｜文号｜页码”，文件名不能为空", line))
                continue
            refs.append(parse_ref(line))
        items[ind] = {"evidence_refs": refs, "note": str(row[col["备注"]] or ""), "status": str(row[col["状态"]] or "")}
    if problems:
        raise InputError(problems)
    return Notes(items)


def save_notes(notes: Notes, path: Path) -> Path:
    import yaml

    from ..core.writing import write_atomic

    text = "# 工作底稿批注（evalbook workpapers import 读回）：证据引用、备注、状态\n" + yaml.safe_dump(
        notes.items, allow_unicode=True, sort_keys=True)
    write_atomic(Path(path), text.encode("utf-8"))
    return Path(path)


def load_notes(path: Path) -> Notes:
    from ..core.yamlio import read_mapping

    data = read_mapping(Path(path), "工作底稿批注文件应为键值表（指标编号 → 证据引用、备注、状态）")
    bad = [Problem(str(path), str(k), "每个指标应为键值表（evidence_refs、note、status）", v)
           for k, v in data.items() if not isinstance(v, dict) or set(v) - {"evidence_refs", "note", "status"}]
    if bad:
        raise InputError(bad)
    return Notes({str(k): v for k, v in data.items()})
