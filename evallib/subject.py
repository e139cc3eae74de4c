"""Evaluation subjects (评价对象): one file per department or project and year.

Holds the figures as filed, the inputs each indicator needs, the self-scores and
stated totals exactly as the document gives them, and the narrative.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property, lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field

from .errors import InputError, Problem
from .framework import FigureSpec
from .loading import file_sha256, read_mapping, refuse_draft, validate
from .numbers import Num, to_decimal


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
    draft: dict[str, Any] | None = None  # set by `evalbook extract`; refused until confirmed
    meta: SubjectMeta
    figures: dict[str, dict[str, Any]] = {}
    tables: list[Table] = []
    projects: list[Project] = []
    targets: dict[str, list[TargetItem]] = {}
    inputs: dict[str, dict[str, Any]] = {}
    self_scores: dict[str, Num | None] = {}
    stated: Stated = Stated()
    narrative: Narrative = Narrative()


@lru_cache(maxsize=1)
def base_catalogue() -> dict[str, FigureSpec]:
    data = yaml.safe_load(resources.files("evallib.data").joinpath("figures.yaml").read_text("utf-8"))
    return {f"{group}.{name}": FigureSpec(**spec) for group, fields in data.items() for name, spec in fields.items()}


def catalogue_for(extra: dict[str, dict[str, FigureSpec]] | None = None) -> dict[str, FigureSpec]:
    merged = dict(base_catalogue())
    for group, fields in (extra or {}).items():
        for name, spec in fields.items():
            merged[f"{group}.{name}"] = spec
    return merged


def check_figures(raw: dict[str, dict[str, Any]], catalogue: dict[str, FigureSpec], file: str) -> dict[str, Decimal]:
    """Validate nested figures against the catalogue; return them flat ('人员.编制数' -> Decimal)."""
    problems: list[Problem] = []
    flat: dict[str, Decimal] = {}
    groups = {name.split(".", 1)[0] for name in catalogue}
    for group, fields in raw.items():
        if group not in groups:
            problems.append(Problem(file, f"figures.{group}", f"未知的数据分组；可用分组：{'、'.join(sorted(groups))}"))
            continue
        if not isinstance(fields, dict):
            problems.append(Problem(file, f"figures.{group}", "应为键值表", fields))
            continue
        for name, value in fields.items():
            key = f"{group}.{name}"
            where = f"figures.{key}"
            spec = catalogue.get(key)
            if spec is None:
                known = "、".join(k.split(".", 1)[1] for k in catalogue if k.startswith(group + "."))
                problems.append(Problem(file, where, f"未知的数据项（拼写是否有误？）；{group} 下可用：{known}"))
                continue
            if value is None:
                continue  # not filed: stays missing
            try:
                number = to_decimal(value)
            except ValueError:
                problems.append(Problem(file, where, f"{spec.label}应为数字（单位：{spec.unit}）", value))
                continue
            if spec.kind in ("money", "count", "ratio") and number < 0:
                problems.append(Problem(file, where, f"{spec.label}不能为负数", value))
                continue
            if spec.kind == "count" and number != number.to_integral_value():
                problems.append(Problem(file, where, f"{spec.label}应为整数", value))
                continue
            if spec.kind == "ratio" and isinstance(value, (int, float)) and number > 1:
                number = number / 100  # 98 written for 98%
            flat[key] = number
    if problems:
        raise InputError(problems)
    return flat


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
    for key, score in spec.self_scores.items():
        if score is not None and score < 0:
            problems.append(Problem(file, f"self_scores.{key}", "自评分不能为负数", str(score)))
    if problems:
        raise InputError(problems)
    return Subject(spec=spec, path=path)
