"""Report sections as plain data (dicts, lists of sentences, DataFrames) built from an Evaluation.

The notebooks only lay these out; every number and sentence is made here, so it is
unit-tested and the same in every output format.
"""
from __future__ import annotations

import importlib.metadata
import platform
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd

from ..model.workbook import framework_search, workbook_path
from .. import __version__
from ..rules.formulas import NoValue, formula_names
from ..core.numbers import HUNDRED, ZERO, fmt, fmt_percent
from ..review.checks import SEVERITIES, review_file
from ..engine.scoring import Evaluation, LeafScore

SAMPLE_DIR = Path(__file__).parent / "sample"
SCHEDULE = [("一季度", "季度支出.一季度累计", Decimal("0.25")), ("二季度", "季度支出.二季度累计", Decimal("0.5")),
            ("三季度", "季度支出.三季度累计", Decimal("0.75")), ("四季度", "季度支出.四季度累计", Decimal("1"))]
KEY_PACKAGES = ("pandas", "matplotlib", "papermill", "nbconvert", "nbclient", "ipykernel", "nbformat", "PyYAML", "pydantic")

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


def evaluate_subject(subject: str | Path | None = None, frameworks=None, tolerance: str = "0.01") -> Evaluation:
    """Score and review one subject file (the bundled sample when `subject` is empty)."""
    path = workbook_path(subject) if subject else sample_subject()
    return review_file(path, framework_dirs(frameworks), tolerance=tolerance)


@dataclass
class NamedTable:
    key: str  # stable ASCII-ish key: names the Styler uuid
    title: str
    frame: pd.DataFrame
    unit: str = ""
    note: str = ""


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


@dataclass
class Report:
    ev: Evaluation
    cover: dict[str, Any]
    basic: dict[str, Any]
    goals: dict[str, Any]
    analysis: list[IndicatorSection]
    conclusion: dict[str, Any]
    review: dict[str, Any]
    problems: dict[str, list[str]]
    annexes: dict[str, Any]
    provenance: NamedTable
    charts: dict[str, pd.DataFrame] = field(default_factory=dict)


# -- small helpers ------------------------------------------------------------

def score_text(value: Decimal | None) -> str:
    return fmt(value) if value is not None else "—"


def rate(score: Decimal | None, weight: Decimal | None) -> Decimal | None:
    if score is None or not weight:
        return None
    return score / weight


def leaf_name(leaf: LeafScore) -> str:
    return " / ".join(leaf.node.path)


def first_level(ev: Evaluation):
    return list(ev.roots)


def leaves_under(node) -> list:
    return [n for n in node.walk() if not n.children]


# -- cover --------------------------------------------------------------------

def title_of(ev: Evaluation) -> str:
    meta = ev.subject.meta
    name = meta.name
    if meta.unit and not name.startswith(meta.unit):
        name = meta.unit + name
    if name.endswith("绩效评价报告"):
        return name
    return name + ("绩效评价报告" if not name.endswith("绩效评价") else "报告")


def cover(ev: Evaluation) -> dict[str, Any]:
    meta = ev.subject.meta
    stated = ev.subject.spec.stated
    rows = [("评价对象", meta.name), ("单位", meta.unit), ("年度", str(meta.year) if meta.year else "未注明"),
            ("评价类型", meta.kind + "绩效评价"), ("指标体系", ev.framework.meta.name)]
    if meta.region:
        rows.append(("地区", meta.region))
    if meta.evaluator:
        rows.append(("评价机构", meta.evaluator))
    if meta.data_date:
        rows.append(("数据截止", meta.data_date))
    if meta.source:
        rows.append(("资料来源", meta.source))
    return {
        "title": title_of(ev),
        "subtitle": "（第三方复核稿，由 evalbook 依据评价对象数据与指标体系自动生成）",
        "rows": rows,
        "total": ev.total, "grade": ev.grade,
        "self_total": ev.self_total, "self_grade": ev.self_grade,
        "stated_total": stated.total, "stated_grade": stated.grade,
        "full": ev.framework.meta.total,
        "findings": {s: sum(1 for f in ev.findings if f.severity == s) for s in SEVERITIES},
    }


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


def figure_group_table(ev: Evaluation, title: str, groups: tuple[str, ...], key: str) -> NamedTable | None:
    catalogue = ev.framework.catalogue
    figures = ev.calc.figures
    records = []
    for name, spec in catalogue.items():
        if name.split(".", 1)[0] in groups and name in figures:
            records.append({"数据项": spec.label, "数值": figures[name], "单位": spec.unit})
    if not records:
        return None
    return NamedTable(key, title, pd.DataFrame(records))


def quarterly_frame(ev: Evaluation) -> pd.DataFrame | None:
    figures = ev.calc.figures
    if not any(f in figures for _, f, _ in SCHEDULE):
        return None
    budget = figures.get("预算.调整预算数")
    records = []
    for label, name, schedule in SCHEDULE:
        spent = figures.get(name)
        progress = spent / budget if spent is not None and budget else None
        records.append({"季度": label, "累计支出": spent, "支出进度": progress, "时间进度": schedule,
                        "差距": (progress - schedule) if progress is not None else None})
    return pd.DataFrame(records)


def basic(ev: Evaluation) -> dict[str, Any]:
    spec = ev.subject.spec
    narrative = spec.narrative
    text = [(heading, getattr(narrative, attr)) for heading, attr in
            (("主要职能", "职能"), ("机构设置", "机构"), ("年度主要工作", "年度工作"), ("履职成效", "履职成效"))
            if getattr(narrative, attr)]
    tables = [subject_table(t) for t in spec.tables]
    covered = {r.figure.split(".", 1)[0] for t in spec.tables for _, r in _flatten_rows(t.rows) if r.figure}
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
    return {"text": text, "tables": tables}


# -- 二、绩效目标与评价工作 ---------------------------------------------------------

def goals(ev: Evaluation) -> dict[str, Any]:
    narrative = ev.subject.spec.narrative
    fw = ev.framework
    records = []
    for root in first_level(ev):
        records.append({"一级指标": root.name, "分值": root.weight,
                        "二级指标数": len(root.children), "末级指标数": len(leaves_under(root))})
    leaves = ev.leaf_list()
    counts: dict[str, int] = {}
    for leaf in leaves:
        counts[leaf.source] = counts.get(leaf.source, 0) + 1
    method = (f"本次评价采用“{fw.meta.name}”，共设一级指标{len(records)}个、末级指标{len(leaves)}个，"
              f"满分{fmt(fw.meta.total)}分。各项得分按指标体系所列评分标准，依据评价对象填报的基础数据逐项计算；"
              f"不能由数据计算的指标，采用评价人员判断或单位自评分，并在分析中注明。"
              f"评分方式：" + "，".join(f"{k}{v}项" for k, v in counts.items()) + "。")
    grades = "；".join(f"{g.grade}：{g.describe()}分" for g in fw.spec.grades)
    return {"goal_text": narrative.绩效目标, "work_text": narrative.评价工作, "method": method,
            "grades_text": grades, "framework": NamedTable("framework", "指标体系构成", pd.DataFrame(records))}


# -- 三、指标分析 -------------------------------------------------------------------

def _figures_text(ev: Evaluation, leaf: LeafScore) -> str:
    """The filed figures behind a recomputed score, by their catalogue labels."""
    catalogue = ev.framework.catalogue
    items = []
    for key, value in leaf.trace.inputs.items():
        spec = catalogue.get(key)
        if spec is not None:
            if spec.kind == "ratio" and key in ev.calc.figures:
                value, unit = fmt_percent(ev.calc.figures[key]), ""
            else:
                unit = "" if spec.unit == "%" else spec.unit
            items.append(f"{spec.label}{value}{unit}")
    return "，".join(items)


def leaf_sentence(leaf: LeafScore, ev: Evaluation | None = None) -> str:
    """One sentence per indicator: its figure, its score, and the reason for any deduction."""
    node, trace = leaf.node, leaf.trace
    name = node.name
    if not leaf.applicable:
        return f"{name}：本项不适用，不计分值（{trace.result or trace.reason or '不适用'}）。"
    head = f"{name}（分值{fmt(leaf.weight)}分）"
    if leaf.score is None:
        return f"{head}：未能评分，{trace.reason or trace.result}。"
    result = trace.result.rstrip("。；，")
    got = f"得{fmt(leaf.score)}分"
    if result.endswith(got):
        result = result[: -len(got)].rstrip("，；,")
    if leaf.source == "采用自评分":
        text = f"无法按评分标准由数据复算（{trace.reason}），采用单位自评分"
        if trace.evidence:
            text += f"，自评依据：{trace.evidence.rstrip('。')}"
    elif leaf.source == "评价人员判断":
        text = result + (f"，依据：{trace.evidence.rstrip('。')}" if trace.evidence else "")
    else:
        text = result
        figures = _figures_text(ev, leaf) if ev is not None else ""
        if figures:
            text += f"（数据：{figures}）"
        if trace.evidence:
            text += f"，依据：{trace.evidence.rstrip('。')}"
    lost = leaf.lost
    tail = got + (f"，扣{fmt(lost)}分" if lost > 0 else "（满分）")
    if leaf.self_score is not None and leaf.self_score != leaf.score:
        change = "调减" if leaf.score < leaf.self_score else "调增"
        tail += f"；单位自评{fmt(leaf.self_score)}分，复核{change}{fmt(abs(leaf.score - leaf.self_score))}分"
    return f"{head}：{text}；{tail}。" if text else f"{head}：{tail}。"


def leaf_row(leaf: LeafScore) -> dict[str, Any]:
    return {"指标": leaf_name(leaf), "分值": leaf.weight if leaf.applicable else None,
            "自评分": leaf.self_score, "得分": leaf.score,
            "扣分": leaf.lost if leaf.applicable and leaf.score is not None else None,
            "评分方式": leaf.source, "计算过程": leaf.trace.result}


def analysis(ev: Evaluation) -> list[IndicatorSection]:
    out = []
    for root in first_level(ev):
        leaves = [ev.leaves[n.id] for n in root.walk() if n.id in ev.leaves]
        score = ev.subtotals.get(root.id) if root.children else (ev.leaves[root.id].score if root.id in ev.leaves else None)
        self_score = ev.self_subtotals.get(root.id) if root.children else (ev.leaves[root.id].self_score if root.id in ev.leaves else None)
        r = rate(score, root.weight)
        lost = [l for l in leaves if l.applicable and l.score is not None and l.lost > 0]
        summary = (f"{root.name}指标分值{fmt(root.weight)}分，复核得分{score_text(score)}分"
                   + (f"，得分率{fmt_percent(r)}" if r is not None else "")
                   + (f"；单位自评{fmt(self_score)}分" if self_score is not None else "")
                   + (f"。共{len(leaves)}项末级指标，其中{len(lost)}项扣分。" if lost else f"。共{len(leaves)}项末级指标，均得满分。"))
        table = NamedTable(f"analysis-{root.id}", f"{root.name}指标得分明细", pd.DataFrame([leaf_row(l) for l in leaves]))
        out.append(IndicatorSection(root.id, root.name, root.weight, score, self_score, r, summary,
                                    [leaf_sentence(l, ev) for l in leaves], table))
    return out


def sections_frame(ev: Evaluation) -> pd.DataFrame:
    return pd.DataFrame([{"指标": s.name, "分值": s.weight, "得分": s.score, "自评分": s.self_score}
                         for s in analysis(ev)])


def lost_frame(ev: Evaluation, limit: int = 20) -> pd.DataFrame:
    rows = [{"指标": l.node.name, "路径": leaf_name(l), "分值": l.weight, "得分": l.score, "扣分": l.lost}
            for l in ev.leaf_list() if l.applicable and l.score is not None and l.lost > 0]
    rows.sort(key=lambda r: -r["扣分"])
    return pd.DataFrame(rows[:limit], columns=["指标", "路径", "分值", "得分", "扣分"])


# -- 四、结论与等级 -----------------------------------------------------------------

def conclusion(ev: Evaluation) -> dict[str, Any]:
    fw = ev.framework
    review = getattr(ev, "review", None)
    text = f"经复核，{ev.subject.meta.unit}{ev.subject.meta.name}绩效评价得分为{fmt(ev.total)}分，等级为“{ev.grade or '—'}”。"
    if ev.self_total is not None:
        same = ev.self_grade == ev.grade
        text += (f"单位自评分合计{fmt(ev.self_total)}分（{ev.self_grade or '—'}），"
                 f"复核{'调减' if ev.total < ev.self_total else '调增' if ev.total > ev.self_total else '未调整'}"
                 + (f"{fmt(abs(ev.total - ev.self_total))}分" if ev.total != ev.self_total else "")
                 + f"，等级{'不变' if same else '发生变化'}。")
    stated = ev.subject.spec.stated
    if stated.total is not None:
        text += f"评价资料所述总分为{fmt(stated.total)}分" + (f"（{stated.grade}）" if stated.grade else "") + "。"
    grades = pd.DataFrame([{"等级": g.grade, "分数区间": g.describe(), "本次": "✓" if g.grade == ev.grade else ""}
                           for g in fw.spec.grades])
    readings = None
    if review is not None and review.readings:
        rows = [{"评分标准解读": "默认解读", "总分": ev.total, "等级": ev.grade}]
        rows += [{"评分标准解读": text_, "总分": total, "等级": grade} for _, text_, total, grade in review.readings]
        readings = NamedTable("readings", "评分标准不同解读下的结果", pd.DataFrame(rows))
    subtotal = pd.DataFrame([{"一级指标": s.name, "分值": s.weight, "自评分": s.self_score, "复核得分": s.score,
                              "得分率": fmt_percent(s.rate) if s.rate is not None else "—"} for s in analysis(ev)]
                            + [{"一级指标": "合计", "分值": fw.meta.total, "自评分": ev.self_total, "复核得分": ev.total,
                                "得分率": fmt_percent(ev.total / fw.meta.total) if fw.meta.total else "—"}])
    return {"text": text, "total": ev.total, "grade": ev.grade,
            "grades": NamedTable("grades", "等级划分", grades),
            "subtotals": NamedTable("subtotals", "一级指标得分汇总", subtotal),
            "readings": readings}


# -- 五、复核意见 -------------------------------------------------------------------

def compare_frame(ev: Evaluation) -> pd.DataFrame:
    rows = []
    for leaf in ev.leaf_list():
        delta = (leaf.score - leaf.self_score) if leaf.score is not None and leaf.self_score is not None else None
        rows.append({"指标": leaf_name(leaf), "分值": leaf.weight if leaf.applicable else None,
                     "自评分": leaf.self_score, "复核得分": leaf.score, "差异": delta, "评分方式": leaf.source})
    return pd.DataFrame(rows, columns=["指标", "分值", "自评分", "复核得分", "差异", "评分方式"])


def findings_frame(ev: Evaluation) -> pd.DataFrame:
    rows = [{"序号": i, "严重程度": f.severity, "类别": f.category, "指标或数据": f.indicator, "说明": f.message,
             "所报": f.claimed, "复核": f.recomputed, "分差": f.delta}
            for i, f in enumerate(ev.findings, 1)]
    return pd.DataFrame(rows, columns=["序号", "严重程度", "类别", "指标或数据", "说明", "所报", "复核", "分差"])


def review_section(ev: Evaluation) -> dict[str, Any]:
    review = getattr(ev, "review", None)
    counts = {s: sum(1 for f in ev.findings if f.severity == s) for s in SEVERITIES}
    changed = [l for l in ev.leaf_list() if l.score is not None and l.self_score is not None and l.score != l.self_score]
    text = (f"复核共核查末级指标{len(ev.leaves)}项，其中{len(changed)}项复核得分与自评分不同；"
            f"发现问题{len(ev.findings)}项（" + "，".join(f"{s}{n}项" for s, n in counts.items()) + "）。")
    not_recomputable = pd.DataFrame(review.not_recomputable if review else [], columns=["指标", "原因"])
    return {"text": text, "counts": counts,
            "compare": NamedTable("compare", "自评分与复核得分对照", compare_frame(ev)),
            "findings": NamedTable("findings", "复核发现", findings_frame(ev)),
            "not_recomputable": NamedTable("not-recomputable", "无法由数据复算的指标", not_recomputable)}


def compare_chart_frame(ev: Evaluation) -> pd.DataFrame:
    frame = sections_frame(ev)
    return pd.DataFrame({"指标": frame["指标"], "自评分": frame["自评分"], "复核得分": frame["得分"]})


# -- 六、存在问题与改进建议 -----------------------------------------------------------

def problems(ev: Evaluation) -> dict[str, list[str]]:
    narrative = ev.subject.spec.narrative
    derived = []
    for leaf in ev.leaf_list():
        if leaf.applicable and leaf.score is not None and leaf.lost > 0:
            reason = leaf.trace.evidence if leaf.source == "采用自评分" and leaf.trace.evidence else leaf.trace.result
            derived.append(f"{leaf.node.name}扣{fmt(leaf.lost)}分：{reason.rstrip('。')}。")
    from_findings = [f"{f.category}（{f.indicator}）：{f.message}" for f in ev.findings if f.severity in ("错误", "警告")]
    return {"stated": list(narrative.存在问题), "derived": derived, "findings": from_findings,
            "suggestions": list(narrative.改进建议)}


# -- annexes ------------------------------------------------------------------------

def score_table_rows(ev: Evaluation) -> tuple[int, list[list[dict[str, Any]]]]:
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
            return f"{node.name}（{fmt(node.weight)}分" + (f"，得{fmt(sub)}分）" if sub is not None else "）")
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
            values = [fmt(leaf.weight) if leaf.applicable else "不适用", score_text(leaf.self_score),
                      score_text(leaf.score), leaf.source, leaf.trace.criteria or leaf.trace.formula]
        rows.append(pending + [cell] + [{"text": v, "rowspan": 1, "colspan": 1, "cls": c}
                                        for v, c in zip(values, ("num", "num", "num", "src", "crit"))])

    for root in first_level(ev):
        visit(root, [])
    return depth, rows


def basic_data_frame(ev: Evaluation) -> pd.DataFrame:
    catalogue = ev.framework.catalogue
    figures = ev.calc.figures
    rows = [{"类别": "数据", "名称": spec.label, "数值": fmt(figures[name]) if spec.kind != "ratio" else fmt_percent(figures[name]),
             "单位": spec.unit if spec.kind != "ratio" else "", "来源或公式": name}
            for name, spec in catalogue.items() if name in figures]
    for name, metric in ev.calc.metrics.metrics.items():
        refs = formula_names(metric.formula)
        if not refs or not all(r in figures or r in ev.calc.metrics.metrics for r in refs):
            continue
        value = ev.calc.value(name)
        if isinstance(value, NoValue) or (len(refs) == 1 and next(iter(refs)) in figures):
            continue
        rows.append({"类别": "计算", "名称": metric.label or name, "数值": ev.calc.show(name, value), "单位": "",
                     "来源或公式": metric.formula})
    return pd.DataFrame(rows, columns=["类别", "名称", "数值", "单位", "来源或公式"])


def projects_frame(ev: Evaluation) -> pd.DataFrame:
    rows = []
    for i, p in enumerate(ev.subject.spec.projects, 1):
        if p.budget is None or p.executed is None:
            execution = "—"
        elif p.budget == 0:
            execution = "无值（预算数为0）"
        else:
            execution = fmt_percent(p.executed / p.budget)
        rows.append({"序号": i, "项目名称": p.name, "类别": p.category, "预算数": p.budget, "执行数": p.executed,
                     "执行率": execution, "自评分": p.self_score})
    return pd.DataFrame(rows, columns=["序号", "项目名称", "类别", "预算数", "执行数", "执行率", "自评分"])


def annexes(ev: Evaluation) -> dict[str, Any]:
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


def provenance(ev: Evaluation) -> NamedTable:
    rows = [{"项目": "评价对象文件", "内容": ev.subject.path.name, "sha256": ev.subject.sha256},
            {"项目": "指标体系文件", "内容": ev.framework.path.name, "sha256": ev.framework.sha256}]
    rows += [{"项目": name, "内容": version, "sha256": ""} for name, version in package_versions().items()]
    return NamedTable("provenance", "数据与程序来源", pd.DataFrame(rows, columns=["项目", "内容", "sha256"]))


def build_report(ev: Evaluation) -> Report:
    return Report(ev=ev, cover=cover(ev), basic=basic(ev), goals=goals(ev), analysis=analysis(ev),
                  conclusion=conclusion(ev), review=review_section(ev), problems=problems(ev),
                  annexes=annexes(ev), provenance=provenance(ev),
                  charts={"sections": sections_frame(ev), "lost": lost_frame(ev), "quarters": quarterly_frame(ev),
                          "compare": compare_chart_frame(ev)})


def load_report(subject=None, frameworks=None) -> Report:
    return build_report(evaluate_subject(subject, frameworks))


# -- flat outputs (scores.csv, findings.csv) --------------------------------------------

def scores_frame(ev: Evaluation) -> pd.DataFrame:
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


def findings_csv_frame(ev: Evaluation) -> pd.DataFrame:
    rows = [{"序号": i, "严重程度": f.severity, "类别": f.category, "指标或数据": f.indicator, "说明": f.message,
             "所报": f.claimed or "", "复核": f.recomputed or "", "分差": fmt(f.delta) if f.delta is not None else ""}
            for i, f in enumerate(ev.findings, 1)]
    return pd.DataFrame(rows, columns=["序号", "严重程度", "类别", "指标或数据", "说明", "所报", "复核", "分差"])
