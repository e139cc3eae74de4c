"""Engagement settings (firm, client, team, dates …) read from an optional engagement.yaml.

A deliberately small reader: the shared model (evallib/model/engagement.py) will replace it. Any
setting that is missing reads as “待填” so the papers show the gap instead of hiding it.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from ..core.errors import InputError
from ..core.yamlio import read_mapping

MISSING = "待填"
FILE_NAME = "engagement.yaml"


class Engagement:
    def __init__(self, data: dict[str, Any] | None = None, path: Path | None = None):
        self.data = data or {}
        self.path = path

    def get(self, key: str, default: str = MISSING) -> Any:
        """A setting by dotted key (``dates.report``); missing or empty → 待填."""
        value: Any = self.data
        for part in key.split("."):
            if not isinstance(value, dict) or value.get(part) in (None, ""):
                return default
            value = value[part]
        return value

    def team(self) -> list[dict[str, str]]:
        return [m for m in self.data.get("team") or [] if isinstance(m, dict)]

    def member(self, *roles: str) -> str:
        """The first team member whose role names one of ``roles``."""
        for member in self.team():
            if any(r in str(member.get("role", "")) for r in roles):
                return str(member.get("name") or MISSING)
        return MISSING

    @property
    def preparer(self) -> str:
        found = self.member("编制", "项目组成员", "评价人员")
        return found if found != MISSING else str(self.get("lead_evaluator"))

    @property
    def reviewer(self) -> str:
        return self.member("复核", "质量控制", "项目负责人")

    @property
    def prepared_on(self) -> str:
        return str(self.get("dates.end"))

    @property
    def reviewed_on(self) -> str:
        return str(self.get("dates.report"))


def load_engagement(path: Path | None, subject_path: Path | None = None) -> Engagement:
    """The given file, else engagement.yaml beside the subject file, else an empty engagement."""
    if path is None and subject_path is not None:
        candidate = Path(subject_path).parent / FILE_NAME
        path = candidate if candidate.exists() else None
    if path is None:
        return Engagement()
    data = read_mapping(Path(path), "委托业务设置文件应为键值表（firm、client、team 等）")
    team = data.get("team")
    if team is not None and not (isinstance(team, list) and all(isinstance(m, dict) for m in team)):
        raise InputError.single(str(path), "team", "评价小组应为列表，每项含 name、role", team)
    return Engagement(data, Path(path))
