"""The working papers as Word: one section per indicator, a table of the paper's fields."""
from __future__ import annotations

from pathlib import Path

from ..assess.record import AssessmentRecord
from .papers import WorkingPaper, ref_text, score_text, setting
from .word import WordDoc


def write_papers_docx(path: Path, title: str, record: AssessmentRecord, papers: list[WorkingPaper]) -> Path:
    doc = WordDoc(title)
    doc.table(None, [["评价机构", setting(record, "firm")], ["委托方", setting(record, "client")],
                     ["项目负责人", setting(record, "lead_evaluator")],
                     ["评价期间", f"{setting(record, 'dates.start')} 至 {setting(record, 'dates.end')}"]])
    doc.heading("底稿索引")
    doc.table(["底稿编号", "指标", "分值", "得分", "状态"],
              [[p.code, p.path, score_text(p.weight), score_text(p.score), p.status] for p in papers])
    for paper in papers:
        doc.page_break()
        doc.heading(f"{paper.code} {paper.name}")
        refs = "\n".join(ref_text(r) for r in paper.evidence_refs) or "—"
        doc.table(None, [
            ["指标", paper.path], ["分值", score_text(paper.weight)], ["评分标准（原文）", paper.criteria],
            ["适用规则", paper.rule], ["计算口径", paper.formula], ["使用数据及来源", paper.data_text],
            ["计算过程", paper.calculation], ["得分依据", paper.evidence or "—"], ["证据引用", refs],
            ["得分", score_text(paper.score)], ["得分来源", paper.source], ["得分理由", paper.reason],
            ["复核发现", "\n".join(paper.findings) or "—"],
            ["编制人 / 日期", f"{paper.preparer} / {paper.prepared_on}"],
            ["复核人 / 日期", f"{paper.reviewer} / {paper.reviewed_on}"],
            ["状态", paper.status], ["备注", paper.note or "—"]])
    return doc.save(path)
