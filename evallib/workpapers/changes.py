"""The change list between the 征求意见稿 and the 正式稿: every changed score, subtotal, total, grade and
score reason, from the two assessment records (both re-assessed, never edited by hand), and every
report sentence added, removed or changed (sentences.py), under its section heading."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook

from ..assess.record import AssessmentRecord
from ..collect.sheetstyle import BORDER, TITLE_FONT, WRAP, header_row, save_workbook
from ..core.numbers import fmt
from ..core.writing import write_atomic
from .comments import Comment
from .sentences import SentenceChange

SENTENCE_SHEET = "报告语句变更"


@dataclass(frozen=True)
class Change:
    what: str  # 指标得分 / 得分理由 / 小计 / 总分 / 等级 / 基础数据
    item: str
    draft: str
    final: str


def _shown(value) -> str:
    return "—" if value is None else fmt(value) if not isinstance(value, str) else value


def change_list(draft: AssessmentRecord, final: AssessmentRecord) -> list[Change]:
    out = []
    for name, f in draft.figures.items():
        other = final.figure(name)
        if f.value != other:
            out.append(Change("基础数据", f"{f.label}（{name}）", _shown(f.value), _shown(other)))
    for leaf in draft.leaf_list():
        new = final.leaves[leaf.node.id]
        label = f"{leaf.node.id} {' / '.join(leaf.node.path)}"
        if leaf.score != new.score:
            out.append(Change("指标得分", label, _shown(leaf.score), _shown(new.score)))
        if leaf.trace.result != new.trace.result:
            out.append(Change("得分理由", label, leaf.trace.result, new.trace.result))
    for node in draft.nodes():
        if node.id in draft.subtotals and draft.subtotals[node.id] != final.subtotals.get(node.id):
            out.append(Change("小计", f"{node.id} {' / '.join(node.path)}", _shown(draft.subtotals[node.id]),
                              _shown(final.subtotals.get(node.id))))
    if draft.total != final.total:
        out.append(Change("总分", "评价总分", _shown(draft.total), _shown(final.total)))
    if draft.grade != final.grade:
        out.append(Change("等级", "评价等级", _shown(draft.grade), _shown(final.grade)))
    return out


def _cell(text: str) -> str:
    return (text or "—").replace("|", "\\|").replace("\n", " ")


def changes_markdown(draft: AssessmentRecord, final: AssessmentRecord, changes: list[Change],
                     sentences: list[SentenceChange]) -> str:
    lines = [f"# {draft.meta.unit}{draft.meta.name}：正式稿与征求意见稿变更清单", "",
             f"征求意见稿总分 {_shown(draft.total)} 分（{draft.grade or '—'}），正式稿总分 {_shown(final.total)} 分"
             f"（{final.grade or '—'}）；得分、数据变更 {len(changes)} 处，报告语句变更 {len(sentences)} 处。", "",
             "## 数据、得分、总分和等级", ""]
    if changes:
        lines += ["| 序号 | 类别 | 项目 | 征求意见稿 | 正式稿 |", "|---|---|---|---|---|"]
        lines += [f"| {n} | {c.what} | {_cell(c.item)} | {_cell(c.draft)} | {_cell(c.final)} |"
                  for n, c in enumerate(changes, 1)]
    else:
        lines.append("正式稿与征求意见稿的得分、总分和等级完全一致。")
    lines += ["", "## 报告语句（按报告章节）", ""]
    if not sentences:
        lines.append("正式稿与征求意见稿的报告语句完全一致。")
    n = 0
    for section in dict.fromkeys(c.section for c in sentences):
        lines += [f"### {section}", "", "| 序号 | 变更 | 征求意见稿 | 正式稿 |", "|---|---|---|---|"]
        for c in (c for c in sentences if c.section == section):
            n += 1
            lines.append(f"| {n} | {c.kind} | {_cell(c.draft)} | {_cell(c.final)} |")
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


def write_changes_md(path: Path, draft: AssessmentRecord, final: AssessmentRecord, changes: list[Change],
                     sentences: list[SentenceChange]) -> Path:
    write_atomic(Path(path), changes_markdown(draft, final, changes, sentences).encode("utf-8"))
    return Path(path)


def write_reply_xlsx(path: Path, record: AssessmentRecord, comments: list[Comment], changes: list[Change],
                     sentences: list[SentenceChange]) -> Path:
    """意见采纳说明: each comment with its decision and reason, and the resulting change list (scores; sentences)."""
    wb = Workbook()
    ws = wb.active
    ws.title = "意见采纳情况"
    ws.cell(row=1, column=1, value=f"{record.meta.unit}{record.meta.name}评价报告意见采纳情况说明").font = TITLE_FONT
    header_row(ws, 3, ["序号", "意见征求表行", "指标", "意见提出方", "意见内容", "涉及数据", "建议数值", "处理", "理由"],
               [6, 10, 30, 14, 40, 18, 10, 10, 36])
    for r, c in enumerate(comments, 4):
        for col, value in enumerate([r - 3, c.row, c.item, c.author, c.text, c.figure or "—",
                                     fmt(c.value) if c.value is not None else "—", c.decision, c.reason or "—"], 1):
            cell = ws.cell(row=r, column=col, value=value)
            cell.border, cell.alignment = BORDER, WRAP
    ws = wb.create_sheet("变更清单")
    header_row(ws, 1, ["序号", "类别", "项目", "征求意见稿", "正式稿"], [6, 10, 40, 40, 40])
    for r, ch in enumerate(changes, 2):
        for col, value in enumerate([r - 1, ch.what, ch.item, ch.draft, ch.final], 1):
            cell = ws.cell(row=r, column=col, value=value)
            cell.border, cell.alignment = BORDER, WRAP
    ws = wb.create_sheet(SENTENCE_SHEET)
    header_row(ws, 1, ["序号", "章节", "变更", "征求意见稿", "正式稿"], [6, 36, 8, 60, 60])
    for r, ch in enumerate(sentences, 2):
        for col, value in enumerate([r - 1, ch.section, ch.kind, ch.draft or "—", ch.final or "—"], 1):
            cell = ws.cell(row=r, column=col, value=value)
            cell.border, cell.alignment = BORDER, WRAP
    return save_workbook(wb, path, "意见采纳情况说明")
