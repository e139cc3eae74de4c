"""User-facing errors: each names the file, the place in it, the field and the value, in Chinese."""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal


@dataclass
class Problem:
    file: str
    where: str
    message: str
    value: object = None

    def __str__(self) -> str:
        place = f"{self.file}" + (f"：{self.where}" if self.where else "")
        shown = "" if self.value is None else f"（值：{_show(self.value)}）"
        return f"{place}：{self.message}{shown}"


def _show(value: object) -> str:
    """A value as the user wrote it: no Python reprs such as Decimal('-0.01')."""
    if isinstance(value, str):
        text = f"“{value}”"
    elif isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, Decimal):
        text = f"{value:f}" if value.is_finite() else str(value)
    elif isinstance(value, (int, float)):
        text = str(value)
    elif isinstance(value, (list, tuple)):
        text = "[" + ", ".join(_show(v) for v in value) + "]"
    elif isinstance(value, dict):
        text = "{" + ", ".join(f"{_show(k)}: {_show(v)}" for k, v in value.items()) + "}"
    else:
        text = str(value)
    return text if len(text) <= 80 else text[:77] + "…"


@dataclass
class InputError(Exception):
    """Bad user input: printed without traceback, exit code 2."""

    problems: list[Problem] = field(default_factory=list)

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)

    @classmethod
    def single(cls, file: str, where: str, message: str, value: object = None) -> "InputError":
        return cls([Problem(str(file), where, message, value)])


def os_reason(exc: OSError) -> str:
    """Why the system refused a file operation, in Chinese (the system's own text is English)."""
    import errno

    reasons = {errno.EACCES: "没有权限", errno.EPERM: "没有权限", errno.EROFS: "只读文件系统",
               errno.ENOSPC: "磁盘空间已满", errno.ENOENT: "路径不存在", errno.ENOTDIR: "路径中有一部分不是目录",
               errno.EISDIR: "这是一个目录", errno.EEXIST: "已存在", errno.ENAMETOOLONG: "路径过长"}
    return reasons.get(exc.errno, f"系统错误，错误号 {exc.errno}")
