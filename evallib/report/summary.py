"""Across subjects: results per framework (ranked only within a framework), grade counts on each
framework's own scale, the indicators losing the largest share of their weight, common findings.

Subjects scored on different frameworks are never ranked against each other, their grades are never
counted in one column unless the scales are identical, and points lost are never added up across
frameworks: a deduction is shown as a share of the weight (扣分率 = 扣分 / 分值).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..review.findings import severity_counts
from ..assess.record import AssessmentRecord, read_assessment
from ..core.errors import InputError
from ..core.numbers import ZERO, fmt, fmt_percent
from .data import NamedTable, assess_subject
from ..model import workbook
from .ranking import FrameworkGroup, display_name, framework_groups
from .tables import Link, leaf_name
from .wording import reader_text

NO_GRADE = "未定级"


@dataclass
class LeagueSection:
    heading: str
    text: str
    table: NamedTable


@dataclass
class GradeScale:
    title: str
    table: NamedTable  # one row per framework and reading (复核 / 自评), one column per grade of the scale
    counts: pd.DataFrame  # 等级, 自评等级数, 复核等级数 (for the chart)


@dataclass
class Summary:
    title: str
    text: str
    leagues: list[LeagueSection]
    grades: list[GradeScale]
    losses: NamedTable
    findings: NamedTable
    failed: list[str] = field(default_factory=list)


def _self_grade(ev: AssessmentRecord) -> str | None:
    return ev.self_grade or ev.stated_grade


def league_frame(group: FrameworkGroup, link: bool = True) -> pd.DataFrame:
    rows = []
    for rank, ev in group.ranked:
        counts = severity_counts(ev.findings)
        name = (ev.meta.name or "").replace(" ", "")
        self_total = ev.self_total if ev.self_total is not None else ev.stated_total
        rows.append({"名次": rank, "单位": ev.meta.unit, "评价对象": Link(name, f"{ev.id}/report.html") if link else name,
                     "年度": ev.meta.year, "自评总分": self_total, "自评等级": _self_grade(ev),
                     "复核总分": ev.total, "复核等级": ev.grade, "发现数": len(ev.findings),
                     "错误": counts["错误"], "警告": counts["警告"]})
    cols = ["名次", "单位", "评价对象", "年度", "自评总分", "自评等级", "复核总分", "复核等级", "发现数", "错误", "警告"]
    return pd.DataFrame(rows, columns=cols)


def league_sections(groups: list[FrameworkGroup], link: bool = True) -> list[LeagueSection]:
    out = []
    for i, group in enumerate(groups, 1):
        ties = len(group.ranked) - len({rank for rank, _ in group.ranked})
        text = (f"{group.kind or '评价对象'}，满分{fmt(group.total)}分，评价对象{len(group.ranked)}个，按复核总分由高到低排列"
                + ("；总分相同者名次相同，其后名次顺延" if ties else "") + "。")
        out.append(LeagueSection(group.framework_name, text,
                                 NamedTable(f"league-{i}", f"{group.framework_name}评价结果", league_frame(group, link))))
    return out


def grade_scales(groups: list[FrameworkGroup]) -> list[GradeScale]:
    """Grade counts per scale: frameworks whose grade bands are identical share one column set."""
    scales: dict[tuple, list[FrameworkGroup]] = {}
    for group in groups:
        scales.setdefault(tuple(group.grades), []).append(group)
    out = []
    for i, (scale, members) in enumerate(scales.items(), 1):
        names = [grade for grade, _ in scale]
        evs = [ev for g in members for ev in g.records]
        extra = [NO_GRADE] if any(ev.grade not in names or (_self_grade(ev) and _self_grade(ev) not in names)
                                  for ev in evs) else []
        rows = []
        for g in members:
            for reading, of in (("复核等级", lambda ev: ev.grade), ("自评等级", _self_grade)):
                found = [of(ev) for ev in g.records if of(ev)]
                row = {"指标体系": g.framework_name, "口径": reading}
                row.update({name: sum(1 for v in found if v == name) for name in names})
                if extra:
                    row[NO_GRADE] = sum(1 for v in found if v not in names)
                rows.append(row)
        bands = "；".join(f"{grade} {describe}" for grade, describe in scale)
        title = f"等级分布（{'、'.join(names)}）"
        counts = pd.DataFrame([{"等级": name, "自评等级数": sum(1 for ev in evs if _self_grade(ev) == name),
                                "复核等级数": sum(1 for ev in evs if ev.grade == name)} for name in names + extra])
        table = NamedTable(f"grades-{i}", title, pd.DataFrame(rows, columns=["指标体系", "口径"] + names + extra),
                           note=f"等级标准：{bands}；未填自评等级的评价对象不计入自评等级数")
        out.append(GradeScale(title, table, counts))
    return out


def losses_frame(groups: list[FrameworkGroup], limit: int = 15) -> pd.DataFrame:
    """Indicators by share of weight lost, within one framework (never summed across frameworks)."""
    agg: dict[tuple, dict] = {}
    for group in groups:
        for ev in group.records:
            for leaf in ev.leaf_list():
                if not leaf.applicable or leaf.score is None or not leaf.weight:
                    continue
                a = agg.setdefault((group.framework_id, leaf_name(leaf)), {
                    "指标": leaf_name(leaf), "指标体系": group.framework_name, "评价对象数": 0, "扣分对象数": 0,
                    "lost": ZERO, "weight": ZERO, "涉及对象": []})
                a["评价对象数"] += 1
                a["lost"] += leaf.lost
                a["weight"] += leaf.weight
                if leaf.lost > 0:
                    a["扣分对象数"] += 1
                    a["涉及对象"].append(display_name(ev))
    rows = [a for a in agg.values() if a["lost"] > 0]
    for a in rows:
        a["share"] = a["lost"] / a["weight"]
    rows.sort(key=lambda a: (-a["share"], -a["扣分对象数"], a["指标体系"], a["指标"]))
    out = [{"指标": a["指标"], "指标体系": a["指标体系"], "扣分率": fmt_percent(a["share"]),
            "扣分对象数": a["扣分对象数"], "评价对象数": a["评价对象数"], "涉及对象": "、".join(a["涉及对象"])}
           for a in rows[:limit]]
    return pd.DataFrame(out, columns=["指标", "指标体系", "扣分率", "扣分对象数", "评价对象数", "涉及对象"])


def common_findings_frame(evs, limit: int = 15) -> pd.DataFrame:
    agg: dict[tuple, dict] = {}
    for ev in evs:
        for f in ev.findings:
            a = agg.setdefault((f.severity, f.category), {"严重程度": f.severity, "类别": f.category, "次数": 0,
                                                          "涉及对象": [], "示例": reader_text(f.message)})
            a["次数"] += 1
            if display_name(ev) not in a["涉及对象"]:
                a["涉及对象"].append(display_name(ev))
    order = {"错误": 0, "警告": 1, "提示": 2}
    rows = sorted(agg.values(), key=lambda a: (-a["次数"], order.get(a["严重程度"], 3), a["类别"]))[:limit]
    for r in rows:
        r["对象数"] = len(r["涉及对象"])
        r["涉及对象"] = "、".join(r["涉及对象"])
    return pd.DataFrame(rows, columns=["严重程度", "类别", "次数", "对象数", "涉及对象", "示例"])


def no_subjects_text() -> str:
    """Why an unparameterised summary has nothing to show, and what to do about it."""
    root = workbook.find_root()
    if root is None:
        return (f"没有评价对象：当前文件夹 {Path.cwd()} 不在评价工作簿内（向上找不到 {workbook.SETTINGS} 或 "
                f"{workbook.MARKER}）。请用 evalbook init 创建工作簿并在其中打开本笔记本，或在参数 subjects 中列出评价对象文件。")
    return (f"没有评价对象：工作簿 {root} 的 parameters/subjects/ 下没有 *.yaml 文件。"
            "请放入评价对象文件（evalbook new-subject 或 evalbook import 生成），或在参数 subjects 中列出文件。")


def build_summary(subjects=None, frameworks=None, failed=None, assessments=None) -> Summary:
    """The summary of a run from its serialised assessments (`assessments`: JSON files, as `evalbook run`
    passes them, each beside its report: rows link to `<id>/report.html`); opened by hand, of the subject
    files given (default: parameters/subjects/*.yaml), without links (no reports were written)."""
    evs: list[AssessmentRecord] = []
    failed = list(failed or [])
    if assessments:
        evs = [read_assessment(path) for path in assessments]
    else:
        files = [workbook.workbook_path(s) for s in subjects] if subjects else workbook.default_subjects()
        for f in files:
            try:
                evs.append(assess_subject(f, frameworks))
            except InputError:
                failed.append(f.name)
    groups = framework_groups(evs)
    kinds: dict[str, int] = {}
    for g in groups:
        kinds[g.kind or "其他"] = kinds.get(g.kind or "其他", 0) + 1
    changed = sum(1 for ev in evs if ev.self_grade and ev.self_grade != ev.grade)
    total_findings = sum(len(ev.findings) for ev in evs)
    text = (f"本次汇总评价对象{len(evs)}个" + (f"（另有{len(failed)}个未能生成报告）" if failed else "")
            + f"，按所用指标体系分为{len(groups)}组（" + "，".join(f"{k}{n}组" for k, n in kinds.items()) + "）。"
            + "各指标体系的指标、分值和等级标准不同，得分只在同一指标体系内排名，不跨组比较；"
            + "扣分以扣分率（扣分 ÷ 分值）表示，不跨指标体系相加。"
            + f"复核后等级与自评等级不同的{changed}个；复核发现问题合计{total_findings}项。")
    if not evs and not failed:
        text = no_subjects_text()
    return Summary("预算绩效评价汇总", text, league_sections(groups, link=bool(assessments)), grade_scales(groups),
                   NamedTable("losses", "扣分率最高的指标（同一指标体系内合并）", losses_frame(groups),
                              note="扣分率 = 各评价对象该指标扣分之和 ÷ 分值之和"),
                   NamedTable("common-findings", "最常见的复核发现（按类别合并）", common_findings_frame(evs)),
                   failed)

