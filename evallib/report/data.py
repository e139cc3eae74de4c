"""Report sections as plain data (dicts, lists of sentences, DataFrames) built from an Evaluation.

The notebooks only lay these out; every number and sentence is made here, so it is
unit-tested and the same in every output format.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd

from ..review.findings import severity_counts
from ..model.workbook import framework_search, workbook_path
from ..assess.assessment import assess
from ..assess.record import AssessmentRecord, LeafRecord, read_assessment, record_of
from ..core.numbers import fmt, fmt_amount, fmt_percent
from . import frame, voice
from .annexes import (annexes, findings_csv_frame, package_versions, projects_frame, provenance,  # noqa: F401
                      score_table_rows, scores_frame)
from .frame import title_of  # noqa: F401
from .tables import NamedTable, first_level, leaf_name, leaves_under, rate, score_text
from .wording import reader_text

SAMPLE_DIR = Path(__file__).parent / "sample"
SCHEDULE = [("一季度", "季度支出.一季度累计", Decimal("0.25")), ("二季度", "季度支出.二季度累计", Decimal("0.5")),
            ("三季度", "季度支出.三季度累计", Decimal("0.75")), ("四季度", "季度支出.四季度累计", Decimal("1"))]

# Figure groups shown in 一、基本情况 when the subject has no table of its own covering them.
FIGURE_GROUPS = [
    ("预算收支情况", ("预算", "决算", "日常公用经费", "政府采购", "项目资金")),
    ("“三公”经费情况", ("三公经费",)),
    ("人员情况", ("人员",)),
    ("资产情况", ("固定资产",)),
]


def sample_subject() -> Path:
    """The bundled, fictional sample subject (used when a notebook is opened without parameters)."""
    return SAMPLE_DIR / "sample-subject.yaml"


def framework_dirs(frameworks=None) -> list[Path]:
    """Framework folders: those given (else the workbook's), the bundled ones, the sample folder last."""
    dirs = framework_search(frameworks)
    return dirs + ([SAMPLE_DIR] if SAMPLE_DIR.resolve() not in {d.resolve() for d in dirs} else [])


def assess_subject(subject: str | Path | None = None, frameworks=None, tolerance: str = "0.01") -> AssessmentRecord:
    """Assess one subject file (the bundled sample when `subject` is empty), as the report reads it."""
    path = workbook_path(subject) if subject else sample_subject()
    return record_of(assess(path, framework_dirs(frameworks), tolerance=tolerance))


@dataclass
class IndicatorSection:
    id: str
    name: str
    weight: Decimal | None
    score: Decimal | None
    self_score: Decimal | None
    rate: Decimal | None
    summary: str
    sentences: list[str]
    table: NamedTable
    unit_says: list[str] = field(default_factory=list)  # 单位自述: the unit's grounds, quoted


@dataclass
class Report:
    ev: AssessmentRecord
    cover: dict[str, Any]
    toc: list[str]
    basic: dict[str, Any]
    work: dict[str, Any]
    analysis: list[IndicatorSection]
    conclusion: dict[str, Any]
    review: dict[str, Any]
    problems: dict[str, Any]
    annexes: dict[str, Any]
    provenance: NamedTable
    signature: dict[str, str]
    charts: dict[str, pd.DataFrame] = field(default_factory=dict)


# -- 一、基本情况 ----------------------------------------------------------------

def _flatten_rows(rows, depth=0):
    for row in rows:
        yield depth, row
        yield from _flatten_rows(row.parts, depth + 1)


def subject_table(table) -> NamedTable:
    width = max((len(r.values) for _, r in _flatten_rows(table.rows)), default=0)
    columns = list(table.columns)
    if len(columns) == width + 1:
        header = columns
    else:
        header = ["项目"] + columns[:width] + [f"列{i + 1}" for i in range(len(columns), width)]
    records = []
    for depth, row in _flatten_rows(table.rows):
        values = list(row.values) + [None] * (width - len(row.values))
        records.append(["　" * depth + row.name] + values)
    frame = pd.DataFrame(records, columns=header[: width + 1])
    return NamedTable(f"table-{table.id}", table.title, frame, unit=table.unit, note=table.source)


def figure_group_table(ev: AssessmentRecord, title: str, groups: tuple[str, ...], key: str) -> NamedTable | None:
    records = []
    for name, spec in ev.figures.items():
        if name.split(".", 1)[0] in groups and spec.value is not None:
            records.append({"数据项": spec.label, "数值": spec.value, "单位": spec.unit})
    if not records:
        return None
    return NamedTable(key, title, pd.DataFrame(records))


def quarterly_frame(ev: AssessmentRecord) -> pd.DataFrame | None:
    if not any(ev.figure(f) is not None for _, f, _ in SCHEDULE):
        return None
    budget = ev.figure("预算.调整预算数")
    records = []
    for label, name, schedule in SCHEDULE:
        spent = ev.figure(name)
        progress = spent / budget if spent is not None and budget else None
        records.append({"季度": label, "累计支出": spent, "支出进度": progress, "时间进度": schedule,
                        "差距": (progress - schedule) if progress is not None else None})
    return pd.DataFrame(records)


def basic(ev: AssessmentRecord) -> dict[str, Any]:
    narrative = ev.narrative
    text = [(heading, getattr(narrative, attr)) for heading, attr in
            (("主要职能", "职能"), ("机构设置", "机构"), ("年度主要工作", "年度工作"), ("履职成效", "履职成效"))
            if getattr(narrative, attr)]
    tables = [subject_table(t) for t in ev.tables]
    covered = {r.figure.split(".", 1)[0] for t in ev.tables for _, r in _flatten_rows(t.rows) if r.figure}
    for i, (title, groups) in enumerate(FIGURE_GROUPS):
        if covered.intersection(groups):
            continue
        table = figure_group_table(ev, title, groups, f"figures-{i}")
        if table is not None:
            tables.append(table)
    quarters = quarterly_frame(ev)
    if quarters is not None:
        shown = quarters.copy()
        for col in ("支出进度", "时间进度", "差距"):
            shown[col] = [fmt_percent(v) if v is not None else "—" for v in quarters[col]]
        tables.append(NamedTable("quarters", "季度支出进度", shown, unit="万元",
                                 note="支出进度 = 季度末累计支出 ÷ 调整后预算数；时间进度按 25%、50%、75%、100% 计"))
    return {"text": text, "tables": tables, "goals": goals_table(ev)}


def goal_status(leaf: LeafRecord) -> str:
    """完成情况 of one target row, from its reviewed score (never re-scored here)."""
    given = leaf.given or {}
    if not leaf.applicable:
        return "不适用"
    if given.get("actual") in (None, ""):
        return "未填报实际完成值" + (f"，得{fmt_amount(leaf.score)}分（分值{fmt_amount(leaf.weight)}分）"
                                  if leaf.score is not None else "")
    if leaf.score is None:
        return "未能评价"
    completion = (getattr(leaf.trace, "inputs", None) or {}).get("完成率")
    state = "已完成" if leaf.score >= leaf.weight else ("未完成" if leaf.score == 0 else "部分完成")
    return (state + (f"，完成率{completion}" if completion and state != "已完成" else "")
            + f"，得{fmt_amount(leaf.score)}分（分值{fmt_amount(leaf.weight)}分）")


def goals_table(ev: AssessmentRecord) -> NamedTable | None:
    """绩效目标: each target row's 年度指标值 against its 实际完成值 (project target tables)."""
    rows = [{"指标": leaf_name(l), "年度指标值": str((l.given or {}).get("target") or "—"),
             "实际完成值": str((l.given or {}).get("actual") or "—"), "完成情况": goal_status(l)}
            for l in ev.leaf_list() if l.given and ("target" in l.given or "actual" in l.given)]
    if not rows:
        return None
    return NamedTable("goals", "绩效目标及完成情况", pd.DataFrame(rows, columns=["指标", "年度指标值", "实际完成值", "完成情况"]),
                      note="年度指标值、实际完成值照录单位填报；完成情况按本次评价得分")


# -- 二、评价工作开展情况 -----------------------------------------------------------

def work(ev: AssessmentRecord) -> dict[str, Any]:
    leaves = ev.leaf_list()
    counts: dict[str, int] = {}
    for leaf in leaves:
        counts[leaf.source] = counts.get(leaf.source, 0) + 1
    out = frame.work(ev, counts, len(leaves), len(first_level(ev)))
    records = [{"一级指标": root.name, "分值": fmt_amount(root.weight), "二级指标数": len(root.children),
                "末级指标数": len(leaves_under(root))} for root in first_level(ev)]
    out["framework"] = NamedTable("framework", "指标体系构成", pd.DataFrame(records))
    out["grades_text"] = "；".join(f"{grade}：{describe}分" for grade, describe in ev.grades)
    return out


# -- 三、指标分析 -------------------------------------------------------------------

def _figures_text(ev: AssessmentRecord, leaf: LeafRecord) -> str:
    """The filed figures behind a recomputed score, by their catalogue labels (rates are in the result)."""
    items = []
    for key in leaf.trace.inputs:
        spec = ev.figures.get(key)
        if spec is not None and spec.value is not None and spec.kind != "ratio":
            unit = "" if spec.unit == "%" else spec.unit
            items.append(f"{spec.label}{fmt_amount(spec.value)}{unit}")
    return "，".join(items)


def leaf_sentence(leaf: LeafRecord, ev: AssessmentRecord | None = None) -> str:
    """One sentence per indicator: its figures, its score, and the reason for any deduction — each once."""
    node, trace = leaf.node, leaf.trace
    name = node.name
    if not leaf.applicable:
        return f"{name}：本项不适用，不计分值。"
    head = f"{name}（分值{fmt_amount(leaf.weight)}分）"
    if leaf.score is None:
        return f"{head}：未能评分，{reader_text(trace.reason or trace.result)}。"
    result = reader_text(trace.result).rstrip("。；，")
    for got in (f"得{fmt(leaf.score)}分", f"得{fmt_amount(leaf.score)}分"):
        if result.endswith(got):
            result = result[: -len(got)].rstrip("，；,")
    if leaf.source == "采用自评分":
        text = f"{reader_text(trace.reason)}，暂按单位自评分计列"
    elif leaf.source == "评价人员判断":
        text = result + (f"，依据：{reader_text(trace.evidence).rstrip('。')}" if trace.evidence else "")
    else:
        figures = _figures_text(ev, leaf) if ev is not None else ""
        text = (f"{figures}；" if figures else "") + result
    tail = f"得{fmt_amount(leaf.score)}分" + (f"，扣{fmt_amount(leaf.lost)}分" if leaf.lost > 0 else "（满分）")
    if leaf.self_score is not None and leaf.self_score != leaf.score:
        change = "调减" if leaf.score < leaf.self_score else "调增"
        tail += f"；单位自评{fmt_amount(leaf.self_score)}分，本次评价{change}{fmt_amount(abs(leaf.score - leaf.self_score))}分"
    return f"{head}：{text}；{tail}。" if text else f"{head}：{tail}。"


def leaf_row(leaf: LeafRecord) -> dict[str, Any]:
    scored = leaf.applicable and leaf.score is not None
    return {"指标": leaf_name(leaf), "分值": fmt_amount(leaf.weight) if leaf.applicable else "不适用",
            "自评分": score_text(leaf.self_score), "得分": score_text(leaf.score),
            "扣分": fmt_amount(leaf.lost) if scored else "—", "评分方式": leaf.source}


def unit_evidence(leaves: list[LeafRecord]) -> list[str]:
    """The unit's own grounds for scores taken over from its self-evaluation (quoted as 单位自述)."""
    return [f"{l.node.name}：{l.trace.evidence.strip()}" for l in leaves
            if l.source == "采用自评分" and getattr(l.trace, "evidence", "")]


def analysis(ev: AssessmentRecord) -> list[IndicatorSection]:
    out = []
    for root in first_level(ev):
        leaves = [ev.leaves[n.id] for n in root.walk() if n.id in ev.leaves]
        score = ev.subtotals.get(root.id) if root.children else (ev.leaves[root.id].score if root.id in ev.leaves else None)
        self_score = ev.self_subtotals.get(root.id) if root.children else (ev.leaves[root.id].self_score if root.id in ev.leaves else None)
        r = rate(score, root.weight)
        lost = [l for l in leaves if l.applicable and l.score is not None and l.lost > 0]
        summary = (f"{root.name}指标分值{fmt_amount(root.weight)}分，评价得分{score_text(score)}分"
                   + (f"，得分率{fmt_percent(r)}" if r is not None else "")
                   + (f"；单位自评{score_text(self_score)}分" if self_score is not None else "")
                   + (f"。共{len(leaves)}项末级指标，其中{len(lost)}项扣分。" if lost else f"。共{len(leaves)}项末级指标，均得满分。"))
        table = NamedTable(f"analysis-{root.id}", f"{root.name}指标得分明细", pd.DataFrame([leaf_row(l) for l in leaves]))
        out.append(IndicatorSection(root.id, root.name, root.weight, score, self_score, r, summary,
                                    [leaf_sentence(l, ev) for l in leaves], table, unit_evidence(leaves)))
    return out


def sections_frame(ev: AssessmentRecord) -> pd.DataFrame:
    return pd.DataFrame([{"指标": s.name, "分值": s.weight, "得分": s.score, "自评分": s.self_score}
                         for s in analysis(ev)])


def lost_frame(ev: AssessmentRecord, limit: int = 20) -> pd.DataFrame:
    rows = [{"指标": l.node.name, "路径": leaf_name(l), "分值": l.weight, "得分": l.score, "扣分": l.lost}
            for l in ev.leaf_list() if l.applicable and l.score is not None and l.lost > 0]
    rows.sort(key=lambda r: -r["扣分"])
    return pd.DataFrame(rows[:limit], columns=["指标", "路径", "分值", "得分", "扣分"])


# -- 三、综合评价结论 ---------------------------------------------------------------

def conclusion(ev: AssessmentRecord, sections: list[IndicatorSection]) -> dict[str, Any]:
    fw = ev.framework_meta
    grades = pd.DataFrame([{"等级": grade, "分数区间": describe, "本次": "✓" if grade == ev.grade else ""}
                           for grade, describe in ev.grades])
    subtotal = pd.DataFrame([{"一级指标": s.name, "分值": fmt_amount(s.weight), "自评分": score_text(s.self_score),
                              "评价得分": score_text(s.score), "得分率": fmt_percent(s.rate) if s.rate is not None else "—"}
                             for s in sections]
                            + [{"一级指标": "合计", "分值": fmt_amount(fw.total), "自评分": score_text(ev.self_total),
                                "评价得分": score_text(ev.total),
                                "得分率": fmt_percent(ev.total / fw.total) if fw.total else "—"}])
    return {"text": voice.conclusion(ev, sections), "total": ev.total, "grade": ev.grade,
            "grades": NamedTable("grades", "等级划分", grades),
            "subtotals": NamedTable("subtotals", "综合评分表", subtotal)}


# -- 五、复核意见 -------------------------------------------------------------------

def compare_frame(ev: AssessmentRecord) -> pd.DataFrame:
    rows = []
    for leaf in ev.leaf_list():
        delta = (leaf.score - leaf.self_score) if leaf.score is not None and leaf.self_score is not None else None
        rows.append({"指标": leaf_name(leaf), "分值": fmt_amount(leaf.weight) if leaf.applicable else "不适用",
                     "自评分": score_text(leaf.self_score), "评价得分": score_text(leaf.score),
                     "差异": score_text(delta), "评分方式": leaf.source})
    return pd.DataFrame(rows, columns=["指标", "分值", "自评分", "评价得分", "差异", "评分方式"])


def findings_frame(ev: AssessmentRecord) -> pd.DataFrame:
    rows = [{"序号": i, "严重程度": f.severity, "类别": f.category, "指标或数据": reader_text(f.indicator),
             "说明": reader_text(f.message)} for i, f in enumerate(ev.findings, 1)]
    return pd.DataFrame(rows, columns=["序号", "严重程度", "类别", "指标或数据", "说明"])


def review_section(ev: AssessmentRecord) -> dict[str, Any]:
    counts = severity_counts(ev.findings)
    changed = [l for l in ev.leaf_list() if l.score is not None and l.self_score is not None and l.score != l.self_score]
    text = (f"本次评价共核查末级指标{len(ev.leaves)}项，其中{len(changed)}项评价得分与单位自评分不同；"
            f"核查单位报告和报表数据，发现问题{len(ev.findings)}项（" + "，".join(f"{s}{n}项" for s, n in counts.items()) + "）。")
    not_recomputable = pd.DataFrame(ev.not_recomputable, columns=["指标", "原因"])
    return {"text": text, "counts": counts,
            "compare": NamedTable("compare", "自评分与评价得分对照", compare_frame(ev)),
            "findings": NamedTable("findings", "数据核查发现", findings_frame(ev)),
            "not_recomputable": NamedTable("not-recomputable", "无法由数据复算的指标", not_recomputable)}


def compare_chart_frame(ev: AssessmentRecord) -> pd.DataFrame:
    frame = sections_frame(ev)
    return pd.DataFrame({"指标": frame["指标"], "自评分": frame["自评分"], "复核得分": frame["得分"]})


# -- 五、六、七 ------------------------------------------------------------------------

def problems(ev: AssessmentRecord) -> dict[str, Any]:
    found = voice.problems(ev)
    return {"experience": voice.experience(ev), "problems": found, "suggestions": voice.suggestions(ev, found),
            "unit": voice.unit_statements(ev), "other": voice.other_notes(ev)}


def build_report(ev: AssessmentRecord) -> Report:
    sections = analysis(ev)
    return Report(ev=ev, cover=frame.cover(ev), toc=frame.toc(), basic=basic(ev), work=work(ev), analysis=sections,
                  conclusion=conclusion(ev, sections), review=review_section(ev), problems=problems(ev),
                  annexes=annexes(ev), provenance=provenance(ev), signature=frame.signature(ev),
                  charts={"sections": sections_frame(ev), "lost": lost_frame(ev), "quarters": quarterly_frame(ev),
                          "compare": compare_chart_frame(ev)})


def load_report(subject=None, frameworks=None, assessment=None) -> Report:
    """The report of a serialised assessment (`assessment`: its JSON file, as `evalbook run` passes it),
    or, opened by hand with only a subject file, of that subject assessed here."""
    if assessment:
        return build_report(read_assessment(assessment))
    return build_report(assess_subject(subject, frameworks))


