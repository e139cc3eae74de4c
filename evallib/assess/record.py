"""A serialised assessment read back for the later stages (report, exporters, summary, workbooks).

It holds only what the JSON holds; nothing here scores or reviews. Attribute names follow the
in-process objects (Evaluation, LeafScore, Finding) so a reader of either looks the same.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from ..core.numbers import ZERO
from .contract import assessment_dict, plain, read_json


def _dec(value) -> Decimal | None:
    return None if value is None else Decimal(value)


def _ns(value: Any) -> Any:
    """Nested dicts as attribute namespaces (tables, projects, narrative, meta)."""
    if isinstance(value, dict):
        return SimpleNamespace(**{k: _ns(v) for k, v in value.items()})
    if isinstance(value, list):
        return [_ns(v) for v in value]
    return value


@dataclass
class NodeRecord:
    id: str
    name: str
    level: int
    path: tuple[str, ...]
    weight: Decimal | None
    shared: bool
    children: list["NodeRecord"] = field(default_factory=list)

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass
class LeafRecord:
    node: NodeRecord
    score: Decimal | None
    self_score: Decimal | None
    source: str
    recomputed: Decimal | None
    applicable: bool
    limit: Decimal
    trace: SimpleNamespace
    given: dict | None
    definition: str

    @property
    def weight(self) -> Decimal:
        return self.node.weight if self.applicable and self.node.weight is not None else ZERO

    @property
    def lost(self) -> Decimal:
        return self.weight - (self.score or ZERO)


@dataclass
class FindingRecord:
    severity: str
    category: str
    indicator: str
    message: str
    claimed: str | None
    recomputed: str | None
    delta: Decimal | None
    trace: dict
    action: str  # 更正 / 补证 / 说明口径 / 仅提示
    places: list[str]  # every place of the document where it appears
    effect_indicator: Decimal | None  # change of the indicator's reviewed score
    effect_total: Decimal | None  # change of the reviewed total
    effect_grade: str | None  # e.g. 等级不变


class AssessmentRecord:
    def __init__(self, data: dict[str, Any]):
        self.data = data
        self.id: str = data["id"]
        self.meta = _ns(data["meta"])
        if self.meta.year is not None:
            self.meta.year = int(self.meta.year)
        self.framework_meta = _ns(data["framework_meta"])
        self.grades: list[tuple[str, str]] = [(g["grade"], g["describe"]) for g in data["grades"]]
        self.total: Decimal = data["total"]
        self.grade: str | None = data["grade"]
        self.self_total: Decimal | None = data["self_total"]
        self.self_grade: str | None = data["self_grade"]
        self.stated_total: Decimal | None = data["stated_total"]
        self.stated_grade: str | None = data["stated_grade"]
        nodes: dict[str, NodeRecord] = {}
        self.roots: list[NodeRecord] = []
        for n in data["nodes"]:
            node = NodeRecord(n["id"], n["name"], int(n["level"]), tuple(n["path"]), _dec(n["weight"]), n["shared"])
            nodes[node.id] = node
            (nodes[n["parent"]].children if n["parent"] is not None else self.roots).append(node)
        self.leaves: dict[str, LeafRecord] = {}
        for i in data["indicators"]:
            self.leaves[i["id"]] = LeafRecord(nodes[i["id"]], i["score"], i["self_score"], i["source"], i["recomputed"],
                                              i["applicable"], i["limit"], SimpleNamespace(**i["trace"]), i["given"],
                                              i["definition"])
        self.subtotals = {s["id"]: s["score"] for s in data["subtotals"]}
        self.self_subtotals = {s["id"]: s["self_score"] for s in data["subtotals"]}
        self.findings = [FindingRecord(f["severity"], f["category"], f["indicator"], f["message"], f["claimed"],
                                       f["recomputed"], f["delta"], f["trace"], f["action"], list(f["places"]),
                                       f["effect_indicator"], f["effect_total"], f["effect_grade"])
                         for f in data["findings"]]
        self.readings = [(r["id"], r["description"], r["total"], r["grade"]) for r in data["readings"]]
        self.not_recomputable = [(r["indicator"], r["reason"]) for r in data["not_recomputable"]]
        self.coverage = data.get("coverage", {})  # where the reviewed points come from (review.run.coverage)
        self.figures = {f["name"]: _ns(f) for f in data["figures"]}
        self.metrics = {m["name"]: _ns(m) for m in data["metrics"]}
        self.tables = _ns(data["data"]["tables"])
        self.projects = _ns(data["data"]["projects"])
        self.narrative = _ns(data["data"]["narrative"])
        self.stated = _ns(data["data"]["stated"])
        self.provenance = data["provenance"]
        self.log = data["log"]
        self.engagement: dict | None = data.get("engagement")  # None: no engagement settings file

    def nodes(self):
        for root in self.roots:
            yield from root.walk()

    def leaf_list(self) -> list[LeafRecord]:
        return [self.leaves[n.id] for n in self.nodes() if n.id in self.leaves]

    def figure(self, name: str) -> Decimal | None:
        item = self.figures.get(name)
        return item.value if item is not None else None


def read_assessment(path: str | Path) -> AssessmentRecord:
    return AssessmentRecord(read_json(Path(path).read_text(encoding="utf-8")))


def record_of(assessment) -> AssessmentRecord:
    """An in-process Assessment as the later stages see it (the same data as its JSON)."""
    return AssessmentRecord(read_json(_dumps(assessment_dict(assessment))))


def _dumps(data: dict) -> str:
    import json

    return json.dumps(plain(data), ensure_ascii=False)
