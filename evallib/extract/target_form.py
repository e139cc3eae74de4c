"""Project self-evaluation forms (项目支出绩效自评表, the 附件4-2 form of 财预〔2020〕10号): one per project.

A form holds the project's name, its funds (年初预算数 / 全年预算数 / 全年执行数, then 分值 / 执行率 / 得分
on the 年度资金总额 row) and a target table: 一级指标 (with its weight printed as "(50分)"), 二级指标
(数量指标, 质量指标 …), 三级指标 with 年度指标值, 实际完成值, 分值, 得分 and 偏差原因, closed by 总分.

The framework draft takes the form's fixed part (the funds item, 一级 and 二级 indicators with weights);
the subject draft takes one project's part (its 三级 rows as targets, its funds and total).

Text exports of such forms drop the empty cells of merged regions: a row that is too short to reach from
the 二级指标 column to the last column is a parent cell printed alone (read from the left); a row long
enough for that lacks merged cells at its left (read from the right).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from .normalize import clean, half_width, key, number, split_weight
from .readers import Document, Row
from .tables import column_role

_PROJECT_NAME = re.compile(r"^项目(支出)?名称")
_TOTAL = re.compile(r"^(总分|合计|总计)")
_FUNDS_COLUMNS = ("年初预算数", "全年预算数", "全年执行数")
_PLACEHOLDER = {"……", "…", "...", "......"}


@dataclass
class TargetRow:
    name: str  # 三级指标
    target: str  # 年度指标值, as printed
    actual: str  # 实际完成值, as printed
    weight: Decimal | None
    score: Decimal | None
    note: str  # 偏差原因分析及改进措施
    where: str


@dataclass
class Category:  # 二级指标: the slot the rows fill
    name: str
    where: str
    rows: list[TargetRow] = field(default_factory=list)


@dataclass
class Group:  # 一级指标
    name: str
    weight: Decimal | None
    where: str
    children: list[Category] = field(default_factory=list)


@dataclass
class TargetForm:
    name: str  # the project's name ("" when the form does not print one)
    name_where: str
    where: str  # the target table's header row
    start: tuple[int, int]  # (table index, row index) of the form's first row
    end: tuple[int, int] = (0, 0)  # of its last row (the 总分 row)
    funds: dict[str, str] = field(default_factory=dict)  # column label -> cell, from the 年度资金总额 row
    funds_where: str = ""
    groups: list[Group] = field(default_factory=list)
    total_weight: Decimal | None = None
    total_score: Decimal | None = None
    total_where: str = ""
    notes: list[str] = field(default_factory=list)
    unit: str = ""  # 主管部门
    unit_where: str = ""
    rows: set[str] = field(default_factory=set)  # where of the target table's rows (header to 总分)

    def funds_number(self, *labels: str) -> Decimal | None:
        for label, cell in self.funds.items():
            if any(word in label for word in labels):
                return _lead(cell)
        return None

    def covers(self, position: tuple[int, int]) -> bool:
        return self.start <= position <= self.end


def _lead(cell: str | None) -> Decimal | None:
    """The number a cell starts with: '212.6468万元' -> 212.6468, '100%' -> 100, '94 附件5-1' -> 94."""
    m = re.match(r"^\s*([+-]?\d+(?:,\d{3})*(?:\.\d+)?)", half_width(clean(cell or "")))
    return Decimal(m.group(1).replace(",", "")) if m else None


def is_target_header(cells: list[str]) -> bool:
    roles = [column_role(c) for c in cells]
    return "L1" in roles and "L2" in roles and "target" in roles and ("weight" in roles or "score" in roles)


def rows_in_order(doc: Document):
    """(table index, row index, row) over every table row of the document, in order."""
    for ti, table in enumerate(doc.tables):
        for ri, row in enumerate(table.rows):
            yield ti, ri, row


def find_target_forms(doc: Document) -> list[TargetForm]:
    forms: list[TargetForm] = []
    pending: TargetForm | None = None  # the project's name and funds, before its target table
    current: _Reader | None = None
    funds_header: list[str] = []
    for ti, ri, row in rows_in_order(doc):
        cells = [clean(c) for c in row.cells]
        filled = [c for c in cells if c]
        if not filled:
            continue
        if current is not None:
            if _TOTAL.match(key(filled[0])) or _PROJECT_NAME.match(key(filled[0])) or is_target_header(row.cells):
                current.close(row if _TOTAL.match(key(filled[0])) else None, (ti, ri))
                forms.append(current.form)
                current = None
                if _TOTAL.match(key(filled[0])):
                    continue
            else:
                current.add(row, (ti, ri))
                continue
        if _PROJECT_NAME.match(key(filled[0])):
            name = next((c for c in filled[1:]), "")
            pending = TargetForm(name=name, name_where=row.where, where="", start=(ti, ri))
        elif pending is not None and key(filled[0]) == "主管部门" and len(filled) > 1:
            pending.unit, pending.unit_where = filled[1], row.where
        elif sum(1 for c in cells if key(c) in _FUNDS_COLUMNS) >= 2:
            funds_header = cells
        elif any(key(c) == "年度资金总额" for c in filled) and funds_header:
            pending = pending or TargetForm(name="", name_where="", where="", start=(ti, ri))
            aligned = _align_right(cells, len(funds_header))
            pending.funds = {key(h): v for h, v in zip(funds_header, aligned) if key(h)}
            pending.funds_where = row.where
        elif is_target_header(row.cells):
            form = pending or TargetForm(name="", name_where="", where="", start=(ti, ri))
            form.where = row.where
            form.rows.add(row.where)
            current = _Reader(form, [column_role(c) for c in row.cells])
            pending, funds_header = None, []
    if current is not None:  # no 总分 row: the form runs to the end of the document
        current.form.notes.append(f"{current.form.where} 起的自评表没有“总分”行")
        forms.append(current.form)
    return forms


def _align_right(cells: list[str], width: int) -> list[str]:
    return [""] * (width - len(cells)) + cells if len(cells) < width else cells


class _Reader:
    def __init__(self, form: TargetForm, roles: list[str | None]):
        self.form, self.roles = form, roles
        self.width = len(roles)
        self.l2 = roles.index("L2")
        self.group: Group | None = None
        self.category: Category | None = None

    def _cells(self, row: Row) -> dict[str, list[str]]:
        cells = [clean(c) for c in row.cells]
        if len(cells) < self.width:
            if len(cells) >= self.width - self.l2:
                cells = _align_right(cells, self.width)
            else:
                cells = cells + [""] * (self.width - len(cells))
        out: dict[str, list[str]] = {}
        for role, cell in zip(self.roles, cells):
            if role:
                out.setdefault(role, []).append(cell)
        return out

    def add(self, row: Row, position: tuple[int, int]) -> None:
        self.form.end = position
        self.form.rows.add(row.where)
        by_role = self._cells(row)

        def first(role: str, k: int = 0) -> str:
            values = by_role.get(role) or []
            return values[k] if len(values) > k else ""

        if first("L1"):
            name, weight = split_weight(first("L1"))
            self.group = Group(name, weight, row.where)
            self.form.groups.append(self.group)
            self.category = None
        if first("L2"):
            if self.group is None:
                self.form.notes.append(f"{row.where}：二级指标“{first('L2')}”之前没有一级指标")
                self.group = Group("", None, row.where)
                self.form.groups.append(self.group)
            self.category = Category(first("L2"), row.where)
            self.group.children.append(self.category)
        name, target, actual = first("L3"), first("target"), first("target", 1)
        weight_cell, score_cell, note = first("weight"), first("score"), first("evidence")
        if not any((name, target, actual, weight_cell, score_cell, note)):
            return
        if name in _PLACEHOLDER and not any((target, actual, weight_cell, score_cell, note)):
            self.form.notes.append(f"{row.where}：三级指标栏只有“{name}”，无内容，未录入")
            return
        if self.category is None:
            self.form.notes.append(f"{row.where}：三级指标“{name}”没有所属的二级指标，未录入")
            return
        self.category.rows.append(TargetRow(name, target, actual, number(weight_cell), number(score_cell), note, row.where))

    def close(self, total: Row | None, position: tuple[int, int]) -> None:
        if total is None:
            self.form.notes.append(f"{self.form.where} 起的自评表没有“总分”行")
            return
        self.form.end = position
        self.form.rows.add(total.where)
        numbers = [n for n in (_lead(c) for c in total.cells[1:] if clean(c)) if n is not None][:2]
        if len(numbers) == 2:
            self.form.total_weight, self.form.total_score = numbers
        elif numbers:
            self.form.total_score = numbers[0]
        self.form.total_where = total.where
