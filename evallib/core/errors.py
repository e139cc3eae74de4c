"""User-facing errors: each names the file, the place in it, the field and the value, in Chinese."""
from __future__ import annotations

from dataclasses import dataclass, field


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
    text = repr(value) if not isinstance(value, str) else f"“{value}”"
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
