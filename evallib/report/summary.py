"""Across subjects: league table, grade distribution, indicators losing most points, common findings."""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pandas as pd

from ..core.errors import InputError
from ..core.numbers import ZERO, fmt
from ..assess.record import AssessmentRecord, read_assessment
from .data import NamedTable, assess_subject
from ..model import workbook


@dataclass
class Summary:
    title: str
    text: str
    league: NamedTable
    grades: NamedTable
    losses: NamedTable
    findings: NamedTable
    failed: list[str] = field(default_factory=list)


def league_frame(evs) -> pd.DataFrame:
    rows = []
    for ev in evs:
        meta = ev.meta
        counts = {s: sum(1 for f in ev.findings if f.severity == s) for s in ("错误", "警告", "提示")}
        rows.append({"评价对象": meta.id, "单位": meta.unit, "名称": meta.name, "年度": meta.year,
                     "自评总分": ev.self_total if ev.self_total is not None else ev.stated_total,
                     "自评等级": ev.self_grade or ev.stated_grade,
                     "复核总分": ev.total, "复核等级": ev.grade,
                     "发现数": len(ev.findings), "其中错误": counts["错误"], "其中警告": counts["警告"]})
    rows.sort(key=lambda r: (-(r["复核总分"] / 1), r["评价对象"]))
    for i, r in enumerate(rows, 1):
        r["名次"] = i
    cols = ["名次", "评价对象", "单位", "名称", "年度", "自评总分", "自评等级", "复核总分", "复核等级", "发现数", "其中错误", "其中警告"]
    return pd.DataFrame(rows, columns=cols)


def grade_frame(evs) -> pd.DataFrame:
    order: list[str] = []
    for ev in evs:
        for grade, _ in ev.grades:
            if grade not in order:
                order.append(grade)
    rows = []
    for grade in order:
        mine = sum(1 for ev in evs if (ev.self_grade or ev.stated_grade) == grade)
        reviewed = sum(1 for ev in evs if ev.grade == grade)
        if mine or reviewed:
            rows.append({"等级": grade, "自评等级数": mine, "复核等级数": reviewed})
    return pd.DataFrame(rows, columns=["等级", "自评等级数", "复核等级数"])


def losses_frame(evs, limit: int = 15) -> pd.DataFrame:
    agg: dict[str, dict] = {}
    for ev in evs:
        for leaf in ev.leaf_list():
            if not leaf.applicable or leaf.score is None or leaf.lost <= 0:
                continue
            a = agg.setdefault(leaf.node.name, {"指标": leaf.node.name, "扣分合计": ZERO, "扣分对象数": 0, "涉及对象": []})
            a["扣分合计"] += leaf.lost
            a["扣分对象数"] += 1
            if ev.id not in a["涉及对象"]:
                a["涉及对象"].append(ev.id)
    rows = sorted(agg.values(), key=lambda a: (-a["扣分合计"], a["指标"]))[:limit]
    for r in rows:
        r["涉及对象"] = "、".join(r["涉及对象"])
    return pd.DataFrame(rows, columns=["指标", "扣分合计", "扣分对象数", "涉及对象"])


def common_findings_frame(evs, limit: int = 15) -> pd.DataFrame:
    agg: dict[tuple, dict] = {}
    for ev in evs:
        for f in ev.findings:
            a = agg.setdefault((f.severity, f.category), {"严重程度": f.severity, "类别": f.category, "次数": 0,
                                                          "涉及对象": [], "示例": f.message})
            a["次数"] += 1
            if ev.id not in a["涉及对象"]:
                a["涉及对象"].append(ev.id)
    order = {"错误": 0, "警告": 1, "提示": 2}
    rows = sorted(agg.values(), key=lambda a: (-a["次数"], order.get(a["严重程度"], 3), a["类别"]))[:limit]
    for r in rows:
        r["涉及对象数"] = len(r["涉及对象"])
        r["涉及对象"] = "、".join(r["涉及对象"])
    return pd.DataFrame(rows, columns=["严重程度", "类别", "次数", "涉及对象数", "涉及对象", "示例"])


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
    passes them); opened by hand, of the subject files given (default: parameters/subjects/*.yaml)."""
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
    changed = sum(1 for ev in evs if ev.self_grade and ev.self_grade != ev.grade)
    total_findings = sum(len(ev.findings) for ev in evs)
    text = (f"本次汇总评价对象{len(evs)}个" + (f"（另有{len(failed)}个未能生成报告）" if failed else "")
            + f"；复核后等级与自评等级不同的{changed}个；复核发现问题合计{total_findings}项。")
    if not evs and not failed:
        text = no_subjects_text()
    return Summary("预算绩效评价汇总", text,
                   NamedTable("league", "评价结果一览（按复核总分排序）", league_frame(evs)),
                   NamedTable("grades", "等级分布", grade_frame(evs)),
                   NamedTable("losses", "失分最多的指标（按指标名称合并）", losses_frame(evs)),
                   NamedTable("common-findings", "最常见的复核发现（按类别合并）", common_findings_frame(evs)),
                   failed)
