"""Evaluation subjects (评价对象): one file per department or project and year.

Holds the figures as filed, the inputs each indicator needs, the self-scores and
stated totals exactly as the document gives them, and the narrative.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ..core.errors import InputError, Problem
from ..core.stagelog import record_stage
from ..core.yamlio import file_sha256, read_mapping, refuse_draft, validate
from ..core.numbers import Num, Points


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SubjectMeta(_Model):
    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")  # ASCII: names the output folder
    unit: str  # 单位
    name: str  # 评价对象
    kind: Literal["部门整体", "项目支出"]
    year: int | None = None
    region: str = ""
    evaluator: str = ""
    framework: str
    data_date: str = ""
    source: str = ""
    note: str = ""
    scorer: Literal["单位自评", "第三方评价", "财政评价"] = "单位自评"  # who gave the filed scores (self_scores)


# What the filed scores are called, by who gave them.
SCORER_LABELS = {"单位自评": "自评分", "第三方评价": "评价机构评分", "财政评价": "财政评价评分"}


def scorer_label(meta: SubjectMeta) -> str:
    """The name of the filed scores in texts: 自评分 unless a third party or the finance bureau scored."""
    return SCORER_LABELS[meta.scorer]


class TableRow(_Model):
    name: str
    values: list[Num | None] = []
    figure: str | None = None  # the catalogue figure this row's first value states
    parts: list["TableRow"] = []  # rows that must add up to this one
    partial: bool = False  # the parts are a “其中” listing: they need not cover the whole
    note: str = ""


class Table(_Model):
    id: str
    title: str
    unit: str = "万元"
    columns: list[str]
    rows: list[TableRow]
    source: str = ""


class Project(_Model):
    name: str
    budget: Num | None = Field(default=None, ge=0)  # 预算数（调整后）
    initial_budget: Num | None = Field(default=None, ge=0)
    executed: Num | None = Field(default=None, ge=0)
    returned: Num | None = Field(default=None, ge=0)  # 结余交回
    self_score: Points | None = Field(default=None, ge=0)
    category: str = ""
    goal: str = ""
    result: str = ""


class TargetItem(_Model):
    id: str
    name: str
    weight: Points | None = Field(default=None, ge=0)
    target: str | None = None
    actual: str | None = None
    self_score: Points | None = Field(default=None, ge=0)
    score: Points | None = Field(default=None, ge=0)  # the evaluator's judgement, where the item is qualitative
    evidence: str = ""
    note: str = ""  # 偏差原因分析及改进措施


class StatedValue(_Model):
    name: str
    value: str  # as printed: "96.42%", "4228.15", "0.60"
    metric: str | None = None  # metric or figure it claims to be
    where: str = ""


class Stated(_Model):
    total: Points | None = Field(default=None, ge=0)
    grade: str | None = None
    subtotals: dict[str, Points] = {}
    values: list[StatedValue] = []


class Narrative(_Model):
    职能: str = ""
    机构: str = ""
    年度工作: str = ""
    绩效目标: str = ""
    评价工作: str = ""
    履职成效: str = ""
    存在问题: list[str] = []
    改进建议: list[str] = []


class EvidenceRef(_Model):
    """Where an indicator's evidence sits in the filed documents (optional `inputs.<id>.evidence_refs`)."""
    document: str
    文号: str = ""
    page: int | str | None = None


class _EvidenceRefs(_Model):
    evidence_refs: list[EvidenceRef]


class SubjectSpec(_Model):
    draft: dict[str, Any] | None = None  # set by `evalbook extract`; refused until confirmed
    meta: SubjectMeta
    figures: dict[str, dict[str, Any]] = {}
    tables: list[Table] = []
    projects: list[Project] = []
    targets: dict[str, list[TargetItem]] = {}
    inputs: dict[str, dict[str, Any]] = {}
    self_scores: dict[str, Points | None] = {}
    stated: Stated = Stated()
    narrative: Narrative = Narrative()


@dataclass
class Subject:
    spec: SubjectSpec
    path: Path

    @property
    def meta(self) -> SubjectMeta:
        return self.spec.meta

    @property
    def id(self) -> str:
        return self.spec.meta.id

    @cached_property
    def sha256(self) -> str:
        return file_sha256(self.path)


def load_subject(path: Path) -> Subject:
    path = Path(path)
    file = str(path)
    data = read_mapping(path, "评价对象文件应为键值表（含 meta、figures 等）")
    refuse_draft(data, file)
    spec = validate(SubjectSpec, data, file)
    problems = []
    for key, given in spec.inputs.items():
        refs = given.get("evidence_refs")
        if refs is not None:
            try:
                validate(_EvidenceRefs, {"evidence_refs": refs}, file, f"inputs.{key}")
            except InputError as exc:
                problems.extend(exc.problems)
        if given.get("source") is not None and not isinstance(given["source"], str):
            problems.append(Problem(file, f"inputs.{key}.source", "数据来源应为文字（文件名、表号、页码）", given["source"]))
    for key, score in spec.self_scores.items():
        if score is not None and score < 0:
            problems.append(Problem(file, f"self_scores.{key}", "自评分不能为负数", str(score)))
    problems += _table_problems(spec, file) + _target_problems(spec, file)
    if problems:
        raise InputError(problems)
    record_stage("parse", spec.meta.id)
    return Subject(spec=spec, path=path)


def _table_problems(spec: SubjectSpec, file: str) -> list[Problem]:
    problems, seen = [], set()
    for n, table in enumerate(spec.tables, 1):
        if table.id in seen:
            problems.append(Problem(file, f"tables[{n}].id", "表格编号重复", table.id))
        seen.add(table.id)

        def lengths(rows):
            for row in rows:
                if row.values:
                    yield len(row.values)
                yield from lengths(row.parts)

        # The first column may name the row labels (columns: [项目, 决算数, 预算数]) when every row has one
        # value fewer than the columns; otherwise every row has one value per column.
        counts = set(lengths(table.rows))
        width = len(table.columns) - 1 if counts == {len(table.columns) - 1} else len(table.columns)

        def check(rows, where):
            for m, row in enumerate(rows, 1):
                place = f"{where}[{m}]（{row.name}）"
                if row.values and len(row.values) != width:
                    problems.append(Problem(file, f"{place}.values", f"有 {len(row.values)} 个数值，"
                                            f"但表格有 {len(table.columns)} 列（{'、'.join(table.columns)}）；"
                                            "每行的数值须与列一一对应（首列为行名称时少一个），标题行可不填数值"))
                check(row.parts, f"{place}.parts")

        check(table.rows, f"tables[{n}]（{table.id}）.rows")
    return problems


def _numbered(text: str) -> bool:
    return bool(re.fullmatch(r"\d+(\.\d+)*", text))


def _target_problems(spec: SubjectSpec, file: str) -> list[Problem]:
    problems, seen = [], {}
    for slot, rows in spec.targets.items():
        for n, row in enumerate(rows, 1):
            where = f"targets.{slot}[{n}].id"
            if row.id in seen:
                problems.append(Problem(file, where, f"指标编号与 targets.{seen[row.id]} 中的一项重复", row.id))
            seen.setdefault(row.id, slot)
            if _numbered(slot) and _numbered(row.id) and not row.id.startswith(slot + "."):
                problems.append(Problem(file, where, f"编号不在所属指标 {slot} 之下（应以“{slot}.”开头）", row.id))
    return problems
