"""A department's project list (项目清单) drafted into `projects`, each project with the row it came from.

Two sources: a printed list (a table with a 项目名称 column and amount columns such as 预算数 / 执行数 /
结余交回 / 自评得分), or else the project self-evaluation forms the department filed (one per project:
its name, funds and total). Amounts are in 万元; a list in 元 is converted exactly, one whose unit is not
stated is not drafted (the report says so).
"""
from __future__ import annotations

from .blocks import Block, amount, column_labels, find_blocks
from .figures import UNIT, UNIT_FACTORS, Labels, label_key, to_wan
from .normalize import clean, half_width
from .readers import Document
from .tables import column_role
from .target_form import TargetForm

_AMOUNTS = {"预算": "budget", "年初预算": "initial_budget", "决算": "executed"}


def _column_field(label: str | None, labels: Labels) -> str | None:
    if not label:
        return None
    k = label_key(label, labels.year)
    if "项目名称" in k or k == "项目":
        return "name"
    if "交回" in k:
        return "returned"
    if column_role(label) == "score" or "得分" in k:
        return "self_score"
    if "完成情况" in k:
        return "result"
    if "绩效目标" in k:
        return "goal"
    if k in ("类别", "项目类别", "项目类型"):
        return "category"
    parsed = labels.parse(label)
    return _AMOUNTS.get(parsed.measure) if parsed.measure and not parsed.item else None


def _from_list(block: Block, labels: Labels, report_lines: list[str]) -> tuple[list[dict], list[str]]:
    width = max(len(r.cells) for r in block.rows)
    fields = [_column_field(label, labels) for label in column_labels(block.headers, width)]
    if "name" not in fields:
        return [], []
    units = {m.group(1) for m in UNIT.finditer(half_width(block.context()))}
    unit = units.pop() if len(units) == 1 else None
    projects, sources = [], []
    for row in block.rows:
        cells = [clean(c) for c in row.cells] + [""] * (width - len(row.cells))
        project: dict = {}
        for field, cell in zip(fields, cells):
            if field is None or not cell:
                continue
            if field in ("name", "goal", "result", "category"):
                project[field] = cell
                continue
            parsed = amount(cell)
            if parsed is None:
                report_lines.append(f"{row.where}：“{cell}”不是数字，{field} 未录入")
                continue
            value, printed_unit = parsed
            if field == "self_score":
                project[field] = value
            elif (printed_unit or unit) in UNIT_FACTORS:
                project[field] = to_wan(value, printed_unit or unit)
            else:
                report_lines.append(f"{row.where}：项目“{cells[fields.index('name')]}”的金额 {cell} 未注明单位，未录入")
        name = project.get("name", "")
        if not name or label_key(name) in ("合计", "总计", "小计"):
            continue
        projects.append(project)
        sources.append(f"{row.where}" + ("" if unit in (None, "万元") else f"（原表单位为{unit}，已精确换算为万元）"))
    return projects, sources


def _from_forms(forms: list[TargetForm]) -> tuple[list[dict], list[str]]:
    projects, sources = [], []
    for form in forms:
        project: dict = {"name": form.name}
        for field, column in (("initial_budget", "年初预算数"), ("budget", "全年预算数"), ("executed", "全年执行数")):
            parsed = amount(form.funds.get(column, ""))
            if parsed and parsed[1] in UNIT_FACTORS:
                project[field] = to_wan(parsed[0], parsed[1])
        if form.total_score is not None:
            project["self_score"] = form.total_score
        projects.append(project)
        sources.append(f"项目自评表 {form.name_where}（资金 {form.funds_where}，总分 {form.total_where}）")
    return projects, sources


def extract_projects(doc: Document, labels: Labels, forms: list[TargetForm]) -> tuple[list[dict], list[str], list[str]]:
    """(projects, their sources, report lines) of a department: a printed list first, else its forms."""
    lines: list[str] = []
    for block in find_blocks(doc):
        if block.kind == "projects":
            projects, sources = _from_list(block, labels, lines)
            if projects:
                lines.insert(0, f"项目清单：{block.where} 起的表，{len(projects)} 个项目")
                return projects, sources, lines
    if forms:
        projects, sources = _from_forms([f for f in forms if f.name])
        if projects:
            lines.append(f"项目清单：由 {len(projects)} 张项目支出绩效自评表汇总（项目名称、年初预算数、全年预算数、全年执行数、总分）")
        return projects, sources, lines
    return [], [], lines
