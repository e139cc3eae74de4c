"""Annexes of the report: the score table with merged cells, basic data, project list, and the
数据来源与可复现信息 annex (the only place for file names, hashes and versions); plus the flat CSV frames."""
from __future__ import annotations

import importlib.metadata
import platform
from typing import Any

import pandas as pd

from .. import __version__
from ..assess.record import AssessmentRecord
from ..core.numbers import fmt, fmt_amount, fmt_percent
from .tables import NamedTable, first_level, score_text

KEY_PACKAGES = ("pandas", "matplotlib", "papermill", "nbconvert", "nbclient", "ipykernel", "nbformat", "PyYAML", "pydantic")


# -- annexes ------------------------------------------------------------------------

def score_table_rows(ev: AssessmentRecord) -> tuple[int, list[list[dict[str, Any]]]]:
    """The three-level score table as rows of cells with rowspan/colspan (merged cells).

    Returns (depth, rows); each cell: {text, rowspan, colspan, cls}.
    """
    depth = max((n.level for n in ev.nodes() if not n.children), default=1)
    rows: list[list[dict[str, Any]]] = []

    def span(node) -> int:
        return max(1, sum(1 for n in node.walk() if not n.children))

    def label(node) -> str:
        if node.children:
            sub = ev.subtotals.get(node.id)
            return f"{node.name}（{fmt_amount(node.weight)}分" + (f"，得{fmt_amount(sub)}分）" if sub is not None else "）")
        return node.name

    def visit(node, pending: list[dict[str, Any]]):
        cell = {"text": label(node), "rowspan": span(node), "colspan": 1, "cls": f"level{node.level}"}
        if node.children:
            for i, child in enumerate(node.children):
                visit(child, pending + [cell] if i == 0 else [])
            return
        cell["colspan"] = depth - node.level + 1
        leaf = ev.leaves.get(node.id)
        if leaf is None:
            values = ["", "", "", "", ""]
        else:
            values = [fmt_amount(leaf.weight) if leaf.applicable else "不适用", score_text(leaf.self_score),
                      score_text(leaf.score), leaf.source, leaf.trace.criteria or ""]
        rows.append(pending + [cell] + [{"text": v, "rowspan": 1, "colspan": 1, "cls": c}
                                        for v, c in zip(values, ("num", "num", "num", "src", "crit"))])

    for root in first_level(ev):
        visit(root, [])
    return depth, rows


def basic_data_frame(ev: AssessmentRecord) -> pd.DataFrame:
    rows = [{"类别": "填报数据", "名称": spec.label,
             "数值": fmt_percent(spec.value) if spec.kind == "ratio" else fmt_amount(spec.value),
             "单位": spec.unit if spec.kind != "ratio" and spec.unit != "%" else ""}
            for spec in ev.figures.values() if spec.value is not None]
    for metric in ev.metrics.values():
        refs = metric.refs
        if not metric.complete or metric.value is None or (len(refs) == 1 and ev.figure(refs[0]) is not None):
            continue
        value = fmt_percent(metric.value) if metric.unit in ("%", "") else fmt_amount(metric.value)
        rows.append({"类别": "计算指标", "名称": metric.label, "数值": value,
                     "单位": "" if metric.unit in ("%", "") else metric.unit})
    return pd.DataFrame(rows, columns=["类别", "名称", "数值", "单位"])


def projects_frame(ev: AssessmentRecord) -> pd.DataFrame:
    """Every column the subject's project list has: budget, execution, 结余交回, 类别, target and result."""
    rows = []
    for i, p in enumerate(ev.projects, 1):
        if p.budget is None or p.executed is None:
            execution = "—"
        elif p.budget == 0:
            execution = "无值（预算数为0）"
        else:
            execution = fmt_percent(p.executed / p.budget)
        rows.append({"序号": i, "项目名称": p.name, "类别": p.category or "未注明",
                     "年初预算数": fmt_amount(p.initial_budget) if p.initial_budget is not None else "—",
                     "预算数": fmt_amount(p.budget), "执行数": fmt_amount(p.executed), "执行率": execution,
                     "结余交回": fmt_amount(p.returned) if p.returned is not None else "—",
                     "绩效目标": p.goal or "—", "完成情况": p.result or "—", "自评分": score_text(p.self_score)})
    columns = ["序号", "项目名称", "类别", "年初预算数", "预算数", "执行数", "执行率", "结余交回", "绩效目标", "完成情况", "自评分"]
    frame = pd.DataFrame(rows, columns=columns)
    if len(frame) and (frame["年初预算数"] == "—").all():
        frame = frame.drop(columns=["年初预算数"])
    return frame


def annexes(ev: AssessmentRecord) -> dict[str, Any]:
    depth, rows = score_table_rows(ev)
    return {"score_depth": depth, "score_rows": rows,
            "basic_data": NamedTable("basic-data", "基础数据表", basic_data_frame(ev)),
            "projects": NamedTable("projects", "项目清单", projects_frame(ev), unit="万元")}


# -- provenance -------------------------------------------------------------------

def package_versions() -> dict[str, str]:
    out = {"evalbook": __version__, "Python": platform.python_version()}
    for name in KEY_PACKAGES:
        try:
            out[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            out[name] = "未安装"
    return out


def provenance(ev: AssessmentRecord) -> NamedTable:
    """数据来源与可复现信息: the only place for file names, hashes and program versions."""
    source = ev.provenance
    rows = [{"项目": "评价对象数据文件", "内容": source["subject_file"], "校验值（SHA-256）": source["subject_sha256"]},
            {"项目": "指标体系文件", "内容": source["framework_file"], "校验值（SHA-256）": source["framework_sha256"]}]
    if ev.engagement:
        rows.append({"项目": "评价业务设置文件", "内容": ev.engagement["file"], "校验值（SHA-256）": ev.engagement["sha256"]})
    rows += [{"项目": name, "内容": version, "校验值（SHA-256）": ""} for name, version in package_versions().items()]
    return NamedTable("provenance", "数据来源与可复现信息", pd.DataFrame(rows, columns=["项目", "内容", "校验值（SHA-256）"]),
                      note="以相同的数据文件、指标体系文件和程序版本重新生成，得分与报告内容完全相同。")


# -- flat outputs (scores.csv, findings.csv) --------------------------------------------

def scores_frame(ev: AssessmentRecord) -> pd.DataFrame:
    depth = max((n.level for n in ev.nodes()), default=1)
    level_names = ["一级指标", "二级指标", "三级指标", "四级指标", "五级指标"][:depth]
    rows = []
    for leaf in ev.leaf_list():
        path = list(leaf.node.path[:-1])
        row = {"编号": leaf.node.id}
        for i, col in enumerate(level_names):
            row[col] = path[i] if i < len(path) else ""
        row.update({"指标": leaf.node.name, "分值": fmt(leaf.weight) if leaf.applicable else "",
                    "自评分": fmt(leaf.self_score) if leaf.self_score is not None else "",
                    "得分": fmt(leaf.score) if leaf.score is not None else "",
                    "差异": fmt(leaf.score - leaf.self_score) if leaf.score is not None and leaf.self_score is not None else "",
                    "评分方式": leaf.source, "规则": leaf.trace.rule, "公式": leaf.trace.formula,
                    "输入": "；".join(f"{k}={v}" for k, v in leaf.trace.inputs.items()),
                    "结果": leaf.trace.result, "依据": leaf.trace.evidence, "评分标准": leaf.trace.criteria})
        rows.append(row)
    columns = ["编号"] + level_names[:-1] + ["指标", "分值", "自评分", "得分", "差异", "评分方式", "规则", "公式", "输入", "结果", "依据", "评分标准"]
    # the deepest level column is the indicator itself
    frame = pd.DataFrame(rows)
    return frame.reindex(columns=columns)


def findings_csv_frame(ev: AssessmentRecord) -> pd.DataFrame:
    rows = [{"序号": i, "严重程度": f.severity, "类别": f.category, "指标或数据": f.indicator, "说明": f.message,
             "所报": f.claimed or "", "复核": f.recomputed or "", "分差": fmt(f.delta) if f.delta is not None else ""}
            for i, f in enumerate(ev.findings, 1)]
    return pd.DataFrame(rows, columns=["序号", "严重程度", "类别", "指标或数据", "说明", "所报", "复核", "分差"])
