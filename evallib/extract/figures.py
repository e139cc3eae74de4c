"""Basic figures (基础数据) drafted from recognisable tables, each with the place it was read from.

Labels are matched to figures by the rules in evallib/data/figure_labels.yaml (and a framework's own
figure labels). A number goes into `figures` only when its labels name one figure and its unit is stated
(万元 as is, 元 and 亿元 converted exactly); a figure read twice with different values, a number whose
unit is not stated, or labels that name the item but not the amount go to the report (需核对) instead.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from importlib import resources

import yaml
from rapidfuzz import fuzz

from ..core.numbers import fmt
from ..model.catalogue import FigureSpec
from .blocks import Block, Cell, find_blocks
from .normalize import clean, half_width, strip_numbering
from .readers import Document
from .tables import find_indicator_tables
from .target_form import find_target_forms

UNIT = re.compile(r"(?:单位[:：]?\s*|[（(]\s*)(亿元|万元|元)")
UNIT_FACTORS = {"万元", "元", "亿元"}
_COUNT_UNITS = {"", "人", "个", "项", "件"}


@lru_cache(maxsize=1)
def label_rules() -> dict:
    return yaml.safe_load(resources.files("evallib.data").joinpath("figure_labels.yaml").read_text("utf-8"))


def to_wan(value: Decimal, unit: str) -> Decimal:
    """An amount in 万元, exactly: 元 divided by 10000, 亿元 multiplied by 10000."""
    return value / Decimal(10000) if unit == "元" else value * Decimal(10000) if unit == "亿元" else value


def label_key(text: str | None, year: int | None = None) -> str:
    """A printed label compared: no numbering, “其中：”, bracketed note, year, punctuation or space."""
    t = strip_numbering(half_width(clean(text or "")))
    t = strip_numbering(re.sub(r"^其中[:：]?\s*", "", t))
    if year:
        for y, word in ((year, ""), (year - 1, "上年")):
            t = t.replace(f"{y}年度", word).replace(f"{y}年", word)
    t = re.sub(r"^本年度?", "", t)
    t = re.sub(r"\([^()]*\)", "", t)
    t = re.sub(r"\([^()]*$", "", t)  # a note cut off at the end of a cell
    return re.sub(r"[\s\"'“”‘’、，,:：;；/·.]", "", t)


@dataclass
class Parsed:
    key: str
    item: str | None = None
    measure: str | None = None
    total: bool = False  # 合计 / 总计 / …汇总
    ignored: bool = False

    @property
    def known(self) -> bool:
        return bool(self.item or self.measure or self.total)


@dataclass
class Labels:
    kind: str  # 部门整体 / 项目支出
    catalogue: dict[str, FigureSpec]
    year: int | None
    items: dict[str, str] = field(default_factory=dict)  # name key -> item
    figures: dict[str, object] = field(default_factory=dict)  # item -> figure or {measure: figure} for this kind
    measures: dict[str, str] = field(default_factory=dict)  # name key -> measure

    @classmethod
    def build(cls, kind: str, catalogue: dict[str, FigureSpec], framework_figures: set[str], year: int | None) -> "Labels":
        rules = label_rules()
        labels = cls(kind, catalogue, year)
        labels.measures = {label_key(n): m for m, names in rules["measures"].items() for n in names}
        known = set()
        for item, spec in rules["items"].items():
            for name in spec["names"]:
                labels.items[label_key(name)] = item
            if kind in spec:
                labels.figures[item] = spec[kind]
            for value in spec.values():
                if isinstance(value, dict):
                    known.update(value.values())
                elif isinstance(value, str):
                    known.add(value)
        for figure in sorted(framework_figures - known):  # a framework's own figure: by its label
            text = label_key(catalogue[figure].label)
            item, measure = text, ""
            for name in sorted(labels.measures, key=len, reverse=True):
                if len(text) > len(name) + 1 and text.endswith(name):
                    item, measure = text[: -len(name)], labels.measures[name]
                    break
                if len(text) > len(name) + 1 and text.startswith(name):
                    item, measure = text[len(name):], labels.measures[name]
                    break
            labels.items.setdefault(item, f"框架:{item}")
            mapping = labels.figures.setdefault(labels.items[item], {})
            if isinstance(mapping, dict):
                mapping[measure] = figure
        return labels

    def parse(self, text: str | None) -> Parsed:
        k = label_key(text, self.year)
        rules = label_rules()
        if not k:
            return Parsed(k)
        if any(word in k for word in rules["ignore"]):
            return Parsed(k, ignored=True)
        if k in self.items:
            return Parsed(k, item=self.items[k])
        if k in self.measures:
            return Parsed(k, measure=self.measures[k])
        if k in rules["totals"] or k.endswith("汇总"):
            return Parsed(k, total=True)
        for name in sorted(self.measures, key=len, reverse=True):
            if k.endswith(name) and k[: -len(name)] in self.items:
                return Parsed(k, item=self.items[k[: -len(name)]], measure=self.measures[name])
            if k.startswith(name) and k[len(name):] in self.items:
                return Parsed(k, item=self.items[k[len(name):]], measure=self.measures[name])
        for word in ("合计", "总计", "总额"):
            if k.endswith(word) and k[: -len(word)] in self.items:
                return Parsed(k, item=self.items[k[: -len(word)]])
        return Parsed(k)

    def near(self, k: str) -> str | None:
        """A printed item name that is close to a known one but not equal: said, never taken."""
        if len(k) < 3:
            return None
        best = max(self.items, key=lambda n: fuzz.ratio(k, n), default=None)
        return best if best and fuzz.ratio(k, best) >= 80 else None


@dataclass
class Candidate:
    figure: str
    value: Decimal | None  # in the catalogue's unit; None when the unit is not clear
    printed: str
    where: str
    note: str
    entity: bool  # read from a row that names neither item nor amount (one of several units)
    total_row: bool
    block: int


def _context_total(context: str) -> str:
    rules = label_rules()
    for item, words in rules["total_items"]:
        if any(w in context for w in words):
            return item
    return rules["default_total"]


def _context_measure(context: str) -> str | None:
    for measure, words in label_rules()["contexts"].items():
        if any(w in context for w in words):
            return measure
    return None


def _unit(cell: Cell, block: Block) -> str | None:
    if cell.unit in UNIT_FACTORS:
        return cell.unit
    for text in (cell.column_label, cell.pair_label, cell.row_label):
        m = UNIT.search(half_width(text or ""))
        if m:
            return m.group(1)
    found = {m.group(1) for m in UNIT.finditer(half_width(block.context()))}
    return found.pop() if len(found) == 1 else None


def _where(cell: Cell) -> str:
    if cell.pair_label:
        return f"{cell.where}“{clean(cell.pair_label)}”"
    parts = [f"“{clean(x)}”" for x in (cell.row_label, cell.column_label) if x]
    return f"{cell.where} " + "×".join(parts) if parts else cell.where


def read_cell(cell: Cell, block: Block, labels: Labels) -> tuple[str | None, str]:
    """(figure, note on how its amount was read) or (None, why not: '' when it is no figure at all — a score,
    a rate, a figure of another kind of subject — else a reason for the report)."""
    if cell.unit == "%":
        return None, ""
    if cell.pair_label is not None:
        parts = [labels.parse(cell.pair_label)]
    else:
        parts = [labels.parse(cell.row_label), labels.parse(cell.column_label) if cell.column_label else None]
    if any(p is not None and p.ignored for p in parts):
        return None, ""
    row, column = parts[0], parts[-1] if len(parts) > 1 else None
    if cell.pair_label is None:
        if column is None and not row.item:
            return None, "没有列标题，行名称也不是数据项"
        if column is not None and not column.known:
            return None, "列标题不对应数据项"
        if not row.known and row.key and not (column and column.item):
            near = labels.near(row.key)
            return None, "行名称不对应数据项" + (f"（与“{near}”相近，未采用）" if near else "")
    elif not row.known:
        near = labels.near(row.key)
        return None, "名称不对应数据项" + (f"（与“{near}”相近，未采用）" if near else "")
    items = {p.item for p in parts if p is not None and p.item}
    measures = {p.measure for p in parts if p is not None and p.measure}
    if len(items) > 1 or len(measures) > 1:
        return None, "行、列名称所指数据项不一致"
    context = block.context()
    if items:
        item = items.pop()
    elif row.total or (cell.pair_label is not None and row.measure):  # 合计 row, or "预算数：1308.05"
        item = _context_total(context)
    else:
        item = None
    if item is None:
        return None, "行、列名称都没有指明数据项"
    mapping = labels.figures.get(item)
    if mapping is None:
        return None, "scope"
    measure = measures.pop() if measures else None
    note = ""
    if isinstance(mapping, str):
        figure = mapping
    elif measure is not None:
        figure = mapping.get(measure)
        if figure is None:
            return None, f"没有{measure}口径的数据项"
    else:
        implied = _context_measure(context)
        figure = mapping.get(implied) if implied in mapping else mapping.get("")
        if implied in mapping:
            word = next(w for w in label_rules()["contexts"][implied] if w in context)
            note = f"表中未写口径，按标题中的“{word}”取{implied}数"
        if figure is None:
            return None, "未写明口径（预算数、决算数等），不能确定数据项"
    if figure not in labels.catalogue:
        return None, f"对应的数据项 {figure} 不在本指标体系的数据目录中"
    return figure, note


def data_blocks(doc: Document, kind: str, only=None):
    """(number, block, why it is not this subject's) for the basic-data tables of a document: score and target
    tables and project lists left out; `only` keeps the blocks of one project form; a block that names a
    project is not a department's data and one that names the department is not a project's (why is set)."""
    exclude = {w for t in find_indicator_tables(doc) for w in t.rows} | {w for f in find_target_forms(doc) for w in f.rows}
    for n, block in enumerate(find_blocks(doc, exclude)):
        if block.kind != "data" or (only is not None and not any(only(p) for p in block.positions)):
            continue
        context = block.context()
        plain = re.sub(r"[()\s]", "", half_width(context))
        other = "project_context" if kind == "部门整体" else "department_context"
        why = ""
        if any(w in plain for w in label_rules()[other]):
            whose = "项目" if kind == "部门整体" else "部门整体"
            why = f"{block.where} 起的表属于{whose}（{_short(context)}），不作为本评价对象的数据"
        yield n, block, why


def extract_figures(doc: Document, labels: Labels, only=None) -> tuple[dict, dict, list, list]:
    """(figures, sources, to_check, unmatched): figures nested as in a subject file, sources by figure,
    values to check (ambiguous or unit unclear), and numbers not matched, as report lines."""
    candidates: list[Candidate] = []
    unmatched, skipped = [], []
    for n, block, why in data_blocks(doc, labels.kind, only):
        if why:
            skipped.append(why)
            continue
        misses = []
        for cell in block.cells():
            figure, reason = read_cell(cell, block, labels)
            if figure is None:
                if reason and reason != "scope":
                    misses.append(f"{_where(cell)} = {cell.text}（{reason}）")
                continue
            candidates.append(_candidate(figure, cell, block, n, labels, reason))
        if misses:
            unmatched.append(f"{block.where} 起的表（{_short(block.context())}）中 {len(misses)} 个数未对应到数据项："
                             + "；".join(misses[:12]) + ("；……" if len(misses) > 12 else ""))
    figures, sources, to_check = _settle(candidates, labels)
    return figures, sources, to_check, unmatched + skipped


def _short(text: str) -> str:
    text = clean(text)
    return text[:40] + ("…" if len(text) > 40 else "")


def _candidate(figure: str, cell: Cell, block: Block, n: int, labels: Labels, how: str) -> Candidate:
    spec = labels.catalogue[figure]
    where = _where(cell)
    value, note = cell.value, ""
    if spec.kind == "money":
        unit = _unit(cell, block)
        if unit is None:
            value, note = None, "表中未注明单位（万元还是元）"
        elif unit != "万元":
            value = to_wan(cell.value, unit)
            note = f"原表单位为{unit}，{fmt(cell.value)}{unit} = {fmt(value)}万元（精确换算）"
        else:
            note = "单位：万元"
    elif spec.kind == "count" and (cell.unit not in _COUNT_UNITS or cell.value != cell.value.to_integral_value()):
        value, note = None, f"应为{spec.unit}数（整数），表中为“{cell.text}”"
    elif spec.kind == "ratio":
        value, note = None, "比率不从表中录入"
    row = labels.parse(cell.row_label) if cell.pair_label is None else None
    entity = row is not None and not row.known
    note = "；".join(x for x in (note, how) if x)
    return Candidate(figure, value, cell.text, where, note, entity, bool(row and row.total), n)


def _settle(candidates: list[Candidate], labels: Labels) -> tuple[dict, dict, list]:
    figures: dict = {}
    sources: dict = {}
    to_check: list = []
    by_figure: dict[str, list[Candidate]] = {}
    for c in candidates:
        by_figure.setdefault(c.figure, []).append(c)
    for figure, found in by_figure.items():
        blocks_with_total = {c.block for c in found if c.total_row}
        found = [c for c in found if not (c.entity and c.block in blocks_with_total)]  # parts of a total row
        label = labels.catalogue[figure].label
        sure = [c for c in found if c.value is not None]
        for c in found:
            if c.value is None:
                to_check.append(f"{figure}（{label}）：{c.where} 为 {c.printed}，{c.note}"
                                + ("；未采用" if sure else "；未录入 figures，请核对后填写"))
        values = {c.value for c in sure}
        if len(values) > 1:
            to_check.append(f"{figure}（{label}）：文件中有不同的数（" + "；".join(f"{c.where} 为 {c.printed}" for c in sure)
                            + "），未录入 figures，请核对后填写")
            continue
        if not sure:
            continue
        group, name = figure.split(".", 1)
        figures.setdefault(group, {})[name] = sure[0].value
        sources[figure] = "；".join(f"{c.where}（{c.note}）" if c.note else c.where for c in sure)
    return figures, sources, to_check
