"""意见征求与采纳说明: a comment sheet listing each finding and each deducted indicator; its import
records every comment with 采纳 / 不予采纳 and the reason, and applies accepted figure corrections to a
copy of the subject file (the 正式稿's input).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from openpyxl import Workbook

from ..collect.cells import sheet_rows
from ..assess.record import AssessmentRecord
from ..collect.sheetstyle import BORDER, INPUT_FILL, REQUIRED_FILL, TITLE_FONT, WRAP, header_row, save_workbook
from ..core.errors import InputError, Problem
from ..core.numbers import fmt
from ..core.writing import write_atomic
from ..core.yamlio import read_yaml

SHEET = "意见征求"
HEADERS = ["序号", "类型", "指标编号", "指标", "征求意见内容", "意见提出方（被评价单位/委托方）", "意见内容",
           "涉及数据编号", "建议数值", "处理（采纳/不予采纳）", "理由"]
FIRST_INPUT = HEADERS.index("意见提出方（被评价单位/委托方）")
DECISIONS = ("采纳", "不予采纳")


@dataclass
class Comment:
    row: int
    kind: str
    indicator: str
    item: str
    topic: str
    author: str
    text: str
    figure: str | None
    value: Decimal | None
    decision: str
    reason: str


def comment_items(record: AssessmentRecord) -> list[tuple[str, str, str, str]]:
    """(kind, indicator id, indicator, what is put to the unit) for each finding and each deducted indicator."""
    by_path = {" / ".join(l.node.path): l.node.id for l in record.leaf_list()}
    items = [("复核发现", by_path.get(f.indicator, ""), f.indicator, f"{f.severity}：{f.message}") for f in record.findings]
    for leaf in record.leaf_list():
        if leaf.applicable and leaf.score is not None and leaf.lost > 0:
            items.append(("扣分指标", leaf.node.id, " / ".join(leaf.node.path),
                          f"分值{fmt(leaf.weight)}分，得{fmt(leaf.score)}分，扣{fmt(leaf.lost)}分：{leaf.trace.result}"))
    return items


def write_comment_template(path: Path, record: AssessmentRecord) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    ws.cell(row=1, column=1, value=f"{record.meta.unit}{record.meta.name}评价报告（征求意见稿）意见征求表").font = TITLE_FONT
    ws.cell(row=2, column=1, value=f"评价对象编号：{record.id}。有意见的请在黄色栏填写；涉及数据更正的填写数据编号和建议数值并附证明材料；"
                                  "评价机构在橙色栏逐条填写“采纳”或“不予采纳”，不予采纳须说明理由。")
    header_row(ws, 4, HEADERS, [6, 10, 9, 30, 50, 16, 40, 18, 10, 12, 36])
    for r, (kind, ind, item, topic) in enumerate(comment_items(record), 5):
        for c, value in enumerate([r - 4, kind, ind, item, topic] + [None] * 6, 1):
            cell = ws.cell(row=r, column=c, value=value)
            cell.border, cell.alignment = BORDER, WRAP
            if c > FIRST_INPUT:
                cell.fill = REQUIRED_FILL if c >= HEADERS.index("处理（采纳/不予采纳）") + 1 else INPUT_FILL
    return save_workbook(wb, path, "意见征求表")


def _text(value) -> str:
    return "" if value is None else str(value).strip()


def read_comments(path: Path, record: AssessmentRecord) -> list[Comment]:
    """Every filled comment row, checked: a decision for each, a reason for each 不予采纳, a known figure."""
    file = str(path)
    rows = sheet_rows(path, SHEET, "意见征求表")
    if len(rows) < 4 or [_text(h) for h in rows[3][:len(HEADERS)]] != HEADERS:
        raise InputError.single(file, f"{SHEET}!第4行", "表头与意见征求表格式不符（请勿增删或移动列）")
    if f"评价对象编号：{record.id}。" not in _text(rows[1][0]):
        raise InputError.single(file, f"{SHEET}!A2", f"这份意见征求表不是评价对象 {record.id} 的")
    comments, problems = [], []
    for n, row in enumerate(rows[4:], 5):
        cells = [_text(v) for v in row[:len(HEADERS)]] + [""] * (len(HEADERS) - len(row))
        _, kind, ind, item, topic, author, text, figure, value, decision, reason = cells
        if not text:
            if decision or figure or value:
                problems.append(Problem(file, f"{SHEET}!第{n}行", "填写了处理或数据，但没有意见内容"))
            continue
        where = f"{SHEET}!第{n}行"
        if decision not in DECISIONS:
            problems.append(Problem(file, where + " 处理", "处理须填写“采纳”或“不予采纳”", decision or "（空）"))
        if decision == "不予采纳" and not reason:
            problems.append(Problem(file, where + " 理由", "不予采纳的意见必须说明理由"))
        amount = None
        if figure or value:
            if figure not in record.figures:
                problems.append(Problem(file, where + " 涉及数据编号", "评价所用基础数据中没有这个数据编号", figure or "（空）"))
            try:
                amount = Decimal(value.replace(",", ""))
            except InvalidOperation:
                problems.append(Problem(file, where + " 建议数值", "建议数值应为数字", value or "（空）"))
        comments.append(Comment(n, kind, ind, item, topic, author, text, figure or None, amount, decision, reason))
    if problems:
        raise InputError(problems)
    return comments


def set_figure(text: str, name: str, value: Decimal, note: str) -> str:
    """The subject YAML text with one filed figure changed in place (comments and layout kept)."""
    group, _, key = name.partition(".")
    lines = text.splitlines(keepends=True)
    block = [i for i, line in enumerate(lines) if re.match(r"figures:\s*(#.*)?$", line)]
    if block:
        in_group = False
        for i in range(block[0] + 1, len(lines)):
            line = lines[i]
            if re.match(r"\S", line):
                break
            if re.match(r"  \S", line):
                in_group = bool(re.match(rf"  {re.escape(group)}:\s*(#.*)?$", line))
            elif in_group:
                match = re.match(rf"(    {re.escape(key)}:\s*)[^#\n]*?(\s*#.*)?$", line.rstrip("\n"))
                if match:
                    kept = (match.group(2) or "").strip().lstrip("#").strip()  # the filer's own comment stays
                    lines[i] = f"{match.group(1)}{fmt(value)}  # {note}" + (f"；原注：{kept}" if kept else "") + "\n"
                    return "".join(lines)
    raise InputError.single("评价对象文件", f"figures.{name}", "无法在文件中定位该数据（须为 figures 下“组: 数据: 数值”的块格式）")


def apply_comments(subject_path: Path, comments: list[Comment], out_path: Path) -> list[Comment]:
    """Write the subject with every accepted figure correction; returns the comments applied."""
    text = Path(subject_path).read_text(encoding="utf-8")
    applied = [c for c in comments if c.decision == "采纳" and c.figure]
    for c in applied:
        text = set_figure(text, c.figure, c.value, f"意见采纳（意见征求表第{c.row}行）：{c.author or '意见方'}更正")
    write_atomic(Path(out_path), text.encode("utf-8"))
    expected = read_yaml(Path(subject_path))
    for c in applied:  # the edit must change exactly the accepted figures and nothing else
        group, _, key = c.figure.partition(".")
        expected["figures"][group][key] = read_yaml(Path(out_path))["figures"][group][key]
        if Decimal(str(expected["figures"][group][key])) != c.value:
            raise InputError.single(str(out_path), f"figures.{c.figure}", "数据更正未能正确写入", str(c.value))
    if read_yaml(Path(out_path)) != expected:
        raise InputError.single(str(out_path), "", "数据更正改动了其他内容，已停止")
    return applied
