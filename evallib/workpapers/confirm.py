"""数据核查确认表: the basic figures the evaluation uses, with their source, for the unit to confirm and sign."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook

from ..assess.record import AssessmentRecord
from ..collect.sheetstyle import BORDER, INPUT_FILL, TITLE_FONT, WRAP, header_row, save_workbook
from ..core.numbers import fmt
from .papers import figure_sources, setting
from .word import WordDoc

HEADERS = ["序号", "数据项", "数据编号", "数值", "单位", "来源", "用于指标", "单位确认（无误/有误）", "更正数值", "说明"]
SIGNATURES = ["被评价单位（盖章）：", "单位负责人（签字）：", "财务负责人（签字）：", "确认日期：",
              "评价机构经办人（签字）：", "评价机构复核人（签字）："]


@dataclass
class ConfirmRow:
    name: str
    label: str
    value: str
    unit: str
    source: str
    used_by: str


def confirmation_rows(record: AssessmentRecord) -> list[ConfirmRow]:
    """Every filed figure that an indicator's score reads, in catalogue order, with the indicators using it."""
    users: dict[str, list[str]] = {}
    for leaf in record.leaf_list():
        for key in leaf.trace.inputs:
            users.setdefault(key, []).append(leaf.node.id)
    sources = figure_sources(record)
    default = f"评价对象文件（{record.meta.source}）" if record.meta.source else "评价对象文件"
    return [ConfirmRow(name, f.label, fmt(f.value), f.unit or "", sources.get(name, default), "、".join(users[name]))
            for name, f in record.figures.items() if f.value is not None and name in users]


def _title(record: AssessmentRecord) -> str:
    return f"{record.meta.unit}{record.meta.name}数据核查确认表"


def write_confirmation_xlsx(path: Path, record: AssessmentRecord) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "数据核查确认"
    ws.cell(row=1, column=1, value=_title(record)).font = TITLE_FONT
    ws.cell(row=2, column=1, value=f"评价机构：{setting(record, 'firm')}　　数据截止日期：{record.meta.data_date or '待填'}"
                                  "　　请被评价单位逐项核对，有误的填写更正数值及说明并附证明材料。")
    header_row(ws, 4, HEADERS, [6, 24, 22, 12, 8, 36, 18, 14, 12, 28])
    rows = confirmation_rows(record)
    for r, row in enumerate(rows, 5):
        values = [r - 4, row.label, row.name, row.value, row.unit, row.source, row.used_by, None, None, None]
        for c, value in enumerate(values, 1):
            cell = ws.cell(row=r, column=c, value=value)
            cell.border, cell.alignment = BORDER, WRAP
            if c > 7:
                cell.fill = INPUT_FILL
    for n, text in enumerate(SIGNATURES, len(rows) + 7):
        ws.cell(row=n, column=2, value=text)
    return save_workbook(wb, path, _title(record))


def write_confirmation_docx(path: Path, record: AssessmentRecord) -> Path:
    doc = WordDoc(_title(record))
    doc.paragraph(f"评价机构：{setting(record, 'firm')}；委托方：{setting(record, 'client')}；"
                  f"数据截止日期：{record.meta.data_date or '待填'}。请被评价单位逐项核对下列评价所用基础数据，"
                  "有误的填写更正数值及说明并附证明材料，核对无误后签字盖章。")
    doc.table(HEADERS, [[str(n), r.label, r.name, r.value, r.unit, r.source, r.used_by, "", "", ""]
                        for n, r in enumerate(confirmation_rows(record), 1)])
    for text in SIGNATURES:
        doc.paragraph(text)
    return doc.save(path)
