"""Engagement settings (评价业务设置): who evaluates for whom, on what basis, when — one file per engagement.

`engagement.yaml` sits in the subject's folder or a parent folder up to the workbook root (the first
folder holding `parameters/`), or is named explicitly. Every field is optional: the report prints a
visible 待填 placeholder for what is missing and never invents a value.
"""
from __future__ import annotations

import datetime as _dt
from typing import Annotated

from pydantic import BeforeValidator, model_validator

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict

from ..core.errors import InputError
from ..core.yamlio import file_sha256, read_mapping, validate

FILE_NAME = "engagement.yaml"
PLACEHOLDER = "待填"
REPORT_TYPES = ("自评复核", "第三方评价")
STAGES = ("征求意见稿", "正式稿")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _blank_is_unset(cls, data):
        """`key: null` (or an empty value) in the settings file means not filled in yet: 待填."""
        return {k: v for k, v in data.items() if v is not None} if isinstance(data, dict) else data


class Member(_Model):
    name: str
    role: str = ""  # 项目负责人, 评价人员, 财务专家 …


def _date_text(value):
    """YAML reads 2022-03-01 as a date; a date is kept as its ISO text, other text as written."""
    return value.isoformat() if isinstance(value, _dt.date) else value


DateText = Annotated[str, BeforeValidator(_date_text)]


class Dates(_Model):
    start: DateText = ""  # 评价工作开始
    end: DateText = ""  # 评价工作结束
    report: DateText = ""  # 报告日期（落款）


class Engagement(_Model):
    firm: str = ""  # 评价机构
    client: str = ""  # 委托方
    team: list[Member] = []
    lead_evaluator: str = ""  # 主评人
    basis: list[str] = []  # 评价依据
    method: str = ""  # 评价原则、方法和标准（本次评价自己的，不是单位自评的）
    dates: Dates = Dates()
    report_type: Literal["自评复核", "第三方评价"] | None = None
    stage: Literal["征求意见稿", "正式稿"] | None = None


def workbook_root(start: Path) -> Path | None:
    """The nearest folder at or above `start` that holds a `parameters/` folder."""
    for folder in [start, *start.parents]:
        if (folder / "parameters").is_dir():
            return folder
    return None


def find_engagement(subject_path: Path) -> Path | None:
    """engagement.yaml in the subject's folder or a parent, not above the workbook root."""
    folder = Path(subject_path).resolve().parent
    root = workbook_root(folder)
    for candidate in [folder, *folder.parents]:
        if (candidate / FILE_NAME).is_file():
            return candidate / FILE_NAME
        if root is None or candidate == root:
            return None
    return None


def load_engagement(path: Path) -> Engagement:
    path = Path(path)
    if not path.is_file():
        raise InputError.single(str(path), "", "评价业务设置文件不存在")
    return validate(Engagement, read_mapping(path, "评价业务设置文件的顶层应为键值表（firm、client、team …）"), path.name)


def engagement_for(subject_path: Path, explicit: Path | None = None) -> tuple[Engagement, Path] | None:
    """The engagement named explicitly, else the one found beside the subject; None when there is none."""
    path = Path(explicit) if explicit else find_engagement(subject_path)
    if path is None:
        return None
    return load_engagement(path), path


def engagement_dict(found: tuple[Engagement, Path] | None) -> dict | None:
    """The engagement as serialised in the assessment (null: no engagement file)."""
    if found is None:
        return None
    engagement, path = found
    data = engagement.model_dump()
    data["file"] = path.name
    data["sha256"] = file_sha256(path)
    return data
