"""Indicator frameworks (指标体系): a tree of indicators with weights and rules, plus grade bands.

A framework is data: one YAML file per region/kind/year under parameters/frameworks/ (bundled
ones ship in the package; see workbook.py for the search path).
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ..core.errors import InputError, Problem
from .catalogue import FigureSpec, catalogue_for
from .workbook import framework_search
from ..core.yamlio import file_sha256, read_mapping, read_yaml, refuse_draft, validate
from ..rules.formulas import Metric, MetricSet
from ..core.numbers import Interval, Num, Points  # noqa: F401
from ..rules import Rule, parse_rule


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FrameworkMeta(_Model):
    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    name: str
    region: str = ""
    year: int | None = None
    kind: Literal["部门整体", "项目支出"]
    source: str = ""
    total: Points = Field(default=Decimal(100), ge=0)
    note: str = ""


class GradeBand(Interval):
    grade: str

    def describe(self) -> str:
        low = "" if self.min is None else f"{'≥' if self.min_inclusive else '>'}{self.min}"
        high = "" if self.max is None else f"{'≤' if self.max_inclusive else '<'}{self.max}"
        return "且".join(x for x in (low, high) if x) or "任意"


class MetricSpec(_Model):
    formula: str
    label: str = ""
    unit: str = "%"


class SlotSpec(_Model):
    """A node whose children come from the subject's target table (项目绩效目标表)."""

    rule: dict[str, Any]
    min_items: int = 0


class NodeSpec(_Model):
    id: str = Field(min_length=1)
    name: str = Field(min_length=1)
    weight: Points | None = None
    definition: str = ""  # 指标说明
    criteria: str = ""  # 评分标准, verbatim as printed
    rule: dict[str, Any] | None = None  # the machine rule implementing the criteria
    note: str = ""  # where the printed rule is evidently wrong: what was encoded instead, and why
    shared: bool = False  # children share this node's weight (e.g. 经济/社会/生态效益 15 together)
    slot: SlotSpec | None = None
    alternatives: dict[str, dict[str, Any]] = {}  # reading id -> rule fields that differ under it
    children: list["NodeSpec"] = []


class FrameworkSpec(_Model):
    draft: dict[str, Any] | None = None  # set by `evalbook extract`; refused until confirmed
    meta: FrameworkMeta
    grades: list[GradeBand] = Field(min_length=1)
    readings: dict[str, str] = {}  # alternative readings of ambiguous rules: id -> 说明
    figures: dict[str, dict[str, FigureSpec]] = {}
    metrics: dict[str, MetricSpec] = {}
    indicators: list[NodeSpec] = Field(min_length=1)


@dataclass
class Node:
    """An indicator in a framework (or in a framework instantiated for one subject)."""

    id: str
    name: str
    weight: Decimal | None
    level: int
    path: tuple[str, ...]  # names from the 一级 indicator down to this one
    definition: str = ""
    criteria: str = ""
    note: str = ""
    rule: Rule | None = None
    shared: bool = False
    slot: SlotSpec | None = None
    alternatives: dict[str, Rule] = field(default_factory=dict)
    children: list["Node"] = field(default_factory=list)
    given: dict[str, Any] | None = None  # inputs carried by a target-table row
    cap: Decimal | None = None  # for children of a shared node: the shared weight they may reach

    @property
    def limit(self) -> Decimal | None:
        """The most this indicator can score: its weight, or the shared weight of its parent."""
        return self.weight if self.weight is not None else self.cap

    @property
    def is_leaf(self) -> bool:
        return not self.children and self.slot is None

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()


def deep_merge(base: dict, override: dict) -> dict:
    out = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


@dataclass
class Framework:
    spec: FrameworkSpec
    path: Path
    roots: list[Node]

    @property
    def id(self) -> str:
        return self.spec.meta.id

    @property
    def meta(self) -> FrameworkMeta:
        return self.spec.meta

    @cached_property
    def sha256(self) -> str:
        return file_sha256(self.path)

    def nodes(self):
        for root in self.roots:
            yield from root.walk()

    def leaves(self):
        return [n for n in self.nodes() if n.is_leaf]

    def node(self, node_id: str) -> Node | None:
        return next((n for n in self.nodes() if n.id == node_id), None)

    @cached_property
    def catalogue(self) -> dict[str, FigureSpec]:
        """The department-data schema for this framework: the shared catalogue plus its own figures."""
        return catalogue_for(self.spec.figures)

    @cached_property
    def metric_set(self) -> MetricSet:
        extra = {name: Metric(name=name, **spec.model_dump()) for name, spec in self.spec.metrics.items()}
        return MetricSet.library().extended(extra)

    def grade(self, total: Decimal | None) -> str | None:
        if total is None:
            return None
        return next((band.grade for band in self.spec.grades if band.contains(total)), None)

    def table(self):
        """The framework as a plain table (COINr style): one row per indicator."""
        import pandas as pd

        rows = []
        for n in self.nodes():
            rows.append({"id": n.id, "层级": n.level, "指标": n.name, "路径": " / ".join(n.path),
                         "分值": n.weight, "评分标准": n.criteria, "规则类型": n.rule.type if n.rule else "",
                         "末级": n.is_leaf})
        return pd.DataFrame(rows)


def _describe(spec_data: Any):
    """Name a place in the tree by indicator names, not list indices."""

    def describe(loc: tuple) -> str | None:
        if not loc or loc[0] != "indicators":
            return None
        parts, node, items = [], None, spec_data.get("indicators") if isinstance(spec_data, dict) else None
        rest = list(loc[1:])
        while rest and isinstance(rest[0], int) and isinstance(items, list) and rest[0] < len(items):
            node = items[rest.pop(0)]
            label = node.get("name") or node.get("id") or "?" if isinstance(node, dict) else "?"
            ident = node.get("id") if isinstance(node, dict) else None
            parts.append(f"{label}（{ident}）" if ident else str(label))
            if rest and rest[0] == "children":
                rest.pop(0)
                items = node.get("children") if isinstance(node, dict) else None
            else:
                break
        tail = ".".join(str(x) for x in rest)
        return "指标 " + " > ".join(parts) + (f" 的字段 {tail}" if tail else "")

    return describe


def build_node(spec: NodeSpec, level: int, parent_path: tuple[str, ...], file: str, problems: list[Problem],
               cap: Decimal | None = None) -> Node:
    path = parent_path + (spec.name,)
    where = f"指标 {' > '.join(path)}（{spec.id}）"
    rule = None
    alternatives: dict[str, Rule] = {}
    if spec.rule is not None:
        try:
            rule = parse_rule(spec.rule, file, f"{where} 的 rule")
            for reading, override in spec.alternatives.items():
                alternatives[reading] = parse_rule(deep_merge(spec.rule, override), file,
                                                   f"{where} 的 alternatives.{reading}")
        except InputError as exc:
            problems.extend(exc.problems)
    if spec.slot is not None:
        try:
            parse_rule(spec.slot.rule, file, f"{where} 的 slot.rule")
        except InputError as exc:
            problems.extend(exc.problems)
    shared_cap = spec.weight if spec.shared else None
    children = [build_node(c, level + 1, path, file, problems, shared_cap) for c in spec.children]
    if not children and spec.slot is None and spec.rule is None:  # a rule that failed to parse is reported once
        problems.append(Problem(file, where, "末级指标缺少评分规则 rule"))
    if spec.shared and spec.weight is None:
        problems.append(Problem(file, where, "共享分值（shared）的指标必须给出分值 weight"))
    if not children and spec.slot is None and spec.weight is None and cap is None:
        problems.append(Problem(file, where, "末级指标缺少分值 weight"))
    if spec.weight is not None and spec.weight < 0:
        problems.append(Problem(file, where + " 的 weight", "分值不能为负数", str(spec.weight)))
    return Node(id=spec.id, name=spec.name, weight=spec.weight, level=level, path=path,
                definition=spec.definition, criteria=spec.criteria, note=spec.note, rule=rule,
                shared=spec.shared, slot=spec.slot, alternatives=alternatives, children=children, cap=cap)


def load_framework(path: Path) -> Framework:
    path = Path(path)
    file = str(path)
    data = read_mapping(path, "指标体系文件应为键值表（含 meta、grades、indicators）")
    refuse_draft(data, file)
    spec = validate(FrameworkSpec, data, file, describe=_describe(data))
    problems: list[Problem] = []
    roots = [build_node(s, 1, (), file, problems) for s in spec.indicators]
    seen: dict[str, str] = {}
    for root in roots:
        for node in root.walk():
            if node.id in seen:
                problems.append(Problem(file, f"指标 {' > '.join(node.path)}", f"指标编号 id 与“{seen[node.id]}”重复", node.id))
            seen[node.id] = node.name
    names = [g.grade for g in spec.grades]
    for n, name in enumerate(names, 1):
        if name in names[:n - 1]:
            problems.append(Problem(file, f"grades[{n}].grade", "等级名称重复", name))
    for reading_rules in (n.alternatives for r in roots for n in r.walk()):
        for reading in reading_rules:
            if reading not in spec.readings:
                problems.append(Problem(file, "readings", f"规则引用了未声明的解读“{reading}”", reading))
    if problems:
        raise InputError(problems)
    return Framework(spec=spec, path=path, roots=roots)


def _stamp(path: Path) -> tuple:
    stat = path.stat()
    return (str(path.resolve()), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=256)
def _framework_id(stamp: tuple) -> str | None:
    data = read_yaml(Path(stamp[0]))
    meta = data.get("meta") if isinstance(data, dict) else None
    fid = meta.get("id") if isinstance(meta, dict) else None
    return fid if isinstance(fid, str) else None  # a broken id is lint's to report, not a crash here


def framework_id_of(path: Path) -> str | None:
    """meta.id of a framework file (None when it has none); cached while the file is unchanged."""
    return _framework_id(_stamp(Path(path)))


def find_framework(framework_id: str, search: list[Path] | None = None, referrer: str = "") -> Path:
    """Locate a framework file by its meta.id along the search path (see workbook.framework_search)."""
    dirs = framework_search(search)
    known = []
    for folder in dirs:
        for candidate in sorted(Path(folder).glob("*.yaml")):
            try:
                fid = _framework_id(_stamp(candidate))
            except InputError:
                continue  # a broken framework file must not hide the others; lint reports it
            if fid == framework_id:
                return candidate
            if fid and fid not in known:
                known.append(fid)
    searched = "、".join(str(Path(folder).resolve()) for folder in dirs) or "无"
    raise InputError.single(referrer, "meta.framework",
                            f"找不到编号为此的指标体系；查找了文件夹：{searched}；其中已有的编号：{'、'.join(known) or '无'}。"
                            f"指标体系文件在别处时，用 --frameworks 文件夹 指明（可多次给出）",
                            framework_id)


def load_framework_cached(path: Path) -> Framework:
    """Frameworks are read-only once loaded: reuse them while the file is unchanged (batch runs)."""
    return _load_framework_stamped(_stamp(Path(path)), str(path))


@lru_cache(maxsize=64)
def _load_framework_stamped(stamp: tuple, shown: str) -> Framework:
    return load_framework(Path(shown))
