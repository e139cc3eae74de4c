"""工作底稿: one working paper per indicator, built from the assessment record (never re-scored).

Each paper states the indicator, its weight, the rule as printed and as applied, the figures used
with their source, the calculation, the evidence references, the score and its reason, preparer and
reviewer with dates, and a status. Consultant annotations (evidence references, notes, status) are
kept in a notes file and laid over the generated papers.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ..assess.record import AssessmentRecord, LeafRecord
from ..core.numbers import fmt
from ..model.engagement import PLACEHOLDER as MISSING

STATUS = {"复算": "已完成：按规则复算", "评价人员判断": "已完成：评价人员判断",
          "采用自评分": "待核实：无法按规则复算，暂采用自评分", "未评分": "未完成：缺少评分所需资料",
          "不适用": "不适用"}


@dataclass
class FigureUse:
    name: str
    label: str
    value: str
    unit: str
    source: str

    def line(self) -> str:
        return f"{self.label}（{self.name}）= {self.value}{self.unit}；来源：{self.source}"


@dataclass
class WorkingPaper:
    id: str
    path: str
    name: str
    weight: Decimal | None
    criteria: str
    rule: str
    formula: str
    figures: list[FigureUse]
    values: list[str]  # computed values and other inputs the rule read (name = shown)
    calculation: str
    evidence: str
    evidence_refs: list[dict[str, Any]]
    score: Decimal | None
    source: str
    reason: str
    findings: list[str]
    preparer: str
    prepared_on: str
    reviewer: str
    reviewed_on: str
    status: str
    note: str = ""

    @property
    def code(self) -> str:
        return f"DG-{self.id}"

    @property
    def data_text(self) -> str:
        return "\n".join([f.line() for f in self.figures] + self.values) or "—"


@dataclass
class Notes:
    """What a consultant adds to the papers: per indicator evidence references, note, status."""
    items: dict[str, dict[str, Any]] = field(default_factory=dict)

    def apply(self, paper: WorkingPaper) -> WorkingPaper:
        item = self.items.get(paper.id)
        if item:
            paper.evidence_refs = list(item.get("evidence_refs", paper.evidence_refs))
            paper.note = str(item.get("note", paper.note))
            paper.status = str(item.get("status", paper.status))
        return paper


def figure_sources(record: AssessmentRecord) -> dict[str, str]:
    """Where each filed figure is printed: the table row that states it, else the subject's source."""
    found: dict[str, str] = {}

    def visit(table, rows):
        for row in rows:
            if row.figure and row.figure not in found:
                found[row.figure] = f"{table.title}“{row.name}”"
            visit(table, row.parts)

    for table in record.tables:
        visit(table, table.rows)
    return found


def _shown(value: Decimal | None) -> str:
    return "—" if value is None else fmt(value)


def setting(record: AssessmentRecord, key: str) -> str:
    """An engagement setting by dotted key (``dates.report``) as the report reads it: from the assessment's
    engagement (evallib/model/engagement.py, found once by `assess`); missing or empty → 待填."""
    value: Any = record.engagement or {}
    for part in key.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    if value in (None, "", []):
        return MISSING
    return "；".join(str(v) for v in value) if isinstance(value, list) else str(value)


def member(record: AssessmentRecord, *roles: str) -> str:
    """The first team member whose role names one of ``roles``."""
    for m in (record.engagement or {}).get("team") or []:
        if any(r in (m.get("role") or "") for r in roles):
            return m.get("name") or MISSING
    return MISSING


def preparer(record: AssessmentRecord) -> str:
    found = member(record, "编制", "项目组成员", "评价人员")
    return found if found != MISSING else setting(record, "lead_evaluator")


def reviewer(record: AssessmentRecord) -> str:
    return member(record, "复核", "质量控制", "项目负责人")


def _finding_texts(record: AssessmentRecord, leaf: LeafRecord) -> list[str]:
    where = " / ".join(leaf.node.path)
    return [f"{f.severity}：{f.message}" for f in record.findings if f.indicator in (where, leaf.node.name, leaf.node.id)]


def build_papers(record: AssessmentRecord, notes: Notes | None = None) -> list[WorkingPaper]:
    sources = figure_sources(record)
    default_source = record.meta.source or MISSING
    extra = {i["id"]: i for i in record.data["indicators"]}
    papers = []
    for leaf in record.leaf_list():
        trace = leaf.trace
        own_source = extra[leaf.node.id].get("data_source")
        figures, values = [], []
        for key, shown in trace.inputs.items():
            figure = record.figures.get(key)
            if figure is not None:
                source = own_source or sources.get(key) or f"评价对象文件 figures.{key}（{default_source}）"
                figures.append(FigureUse(key, figure.label, shown, figure.unit or "", source))
            else:
                values.append(f"{key} = {shown}")
        calculation = trace.result if not trace.reason else f"{trace.result}（{trace.reason}）"
        paper = WorkingPaper(
            id=leaf.node.id, path=" / ".join(leaf.node.path), name=leaf.node.name,
            weight=leaf.node.weight if leaf.applicable else None, criteria=trace.criteria or "—",
            rule=trace.rule, formula=trace.formula or "—", figures=figures, values=values,
            calculation=calculation or "—", evidence=trace.evidence or "",
            evidence_refs=list(extra[leaf.node.id].get("evidence_refs") or []),
            score=leaf.score, source=leaf.source, reason=trace.result or "—",
            findings=_finding_texts(record, leaf),
            preparer=preparer(record), prepared_on=setting(record, "dates.end"),
            reviewer=reviewer(record), reviewed_on=setting(record, "dates.report"),
            status=STATUS.get(leaf.source, leaf.source))
        papers.append(notes.apply(paper) if notes else paper)
    return papers


def ref_text(ref: dict[str, Any]) -> str:
    """One evidence reference as one line: 文件｜文号｜页码 (written and read by the workbook)."""
    page = ref.get("page")
    return "｜".join([str(ref.get("document", "")), str(ref.get("文号") or ""), "" if page in (None, "") else str(page)])


def parse_ref(line: str) -> dict[str, Any]:
    parts = [p.strip() for p in line.split("｜")]
    parts += [""] * (3 - len(parts))
    page: Any = parts[2] or None
    if page is not None and page.isdigit():
        page = int(page)
    return {"document": parts[0], "文号": parts[1], "page": page}


def score_text(value: Decimal | None) -> str:
    return _shown(value)
