"""Evaluation subjects (评价对象): one file per department or project and year.

Holds the figures as filed, the inputs each indicator needs, the self-scores and
stated totals exactly as the document gives them, and the narrative.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ..core.errors import InputError, Problem
from ..core.yamlio import file_sha256, read_mapping, validate
from ..core.numbers import Num


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
    self_score: Num | None = None
    category: str = ""
    goal: str = ""
    result: str = ""


class TargetItem(_Model):
    id: str
    name: str
    weight: Num | None = Field(default=None, ge=0)
    target: str | None = None
    actual: str | None = None
    self_score: Num | None = None
    score: Num | None = None  # the evaluator's judgement, where the item is qualitative
    evidence: str = ""
    note: str = ""  # 偏差原因分析及改进措施


class StatedValue(_Model):
    name: str
    value: str  # as printed: "96.42%", "4228.15", "0.60"
    metric: str | None = None  # metric or figure it claims to be
    where: str = ""


class Stated(_Model):
    total: Num | None = None
    grade: str | None = None
    subtotals: dict[str, Num] = {}
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


class SubjectSpec(_Model):
    meta: SubjectMeta
    figures: dict[str, dict[str, Any]] = {}
    tables: list[Table] = []
    projects: list[Project] = []
    targets: dict[str, list[TargetItem]] = {}
    inputs: dict[str, dict[str, Any]] = {}
    self_scores: dict[str, Num | None] = {}
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
    spec = validate(SubjectSpec, data, file)
    problems = []
    for key, score in spec.self_scores.items():
        if score is not None and score < 0:
            problems.append(Problem(file, f"self_scores.{key}", "自评分不能为负数", str(score)))
    if problems:
        raise InputError(problems)
    return Subject(spec=spec, path=path)
