"""Command-line arguments checked before any work starts: files exist and are files, folders are
folders, outputs can be written, numbers are numbers, ids are safe to use as file names.

Each check raises InputError (a Chinese message naming the argument and the value, exit 2), so a
command fails at once instead of halfway through with a Python traceback.
"""
from __future__ import annotations

import re
import tempfile
from decimal import Decimal
from pathlib import Path

from ..core.errors import InputError, Problem, os_reason
from ..core.numbers import to_decimal

ARG = "命令行参数"
SAFE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")  # the schemas' meta.id: it names files and folders


def input_files(paths, what: str = "FILE") -> list[Path]:
    """Every input file exists and is a file (all problems at once)."""
    problems = []
    for text in paths:
        path = Path(text)
        if path.is_dir():
            problems.append(Problem(str(path), "", f"{ARG} {what} 应为文件，这是一个目录"))
        elif not path.exists():
            problems.append(Problem(str(path), "", f"{ARG} {what}：文件不存在"))
    if problems:
        raise InputError(problems)
    return [Path(p) for p in paths]


def framework_dirs(values) -> list[Path] | None:
    """--frameworks DIR: each one an existing folder (never silently ignored)."""
    if not values:
        return None
    problems = []
    for text in values:
        path = Path(text)
        if not path.exists():
            problems.append(Problem(str(path), "", f"{ARG} --frameworks：目录不存在"))
        elif not path.is_dir():
            problems.append(Problem(str(path), "", f"{ARG} --frameworks 应为存放指标体系文件的目录，这是一个文件"))
    if problems:
        raise InputError(problems)
    return [Path(v) for v in values]


def _writable_from(path: Path, option: str) -> None:
    """The nearest existing folder above `path` accepts new files (tried, not guessed: root ignores modes)."""
    ancestor = path
    while not ancestor.exists():
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        raise InputError.single(str(path), "", f"{ARG} {option}：路径中的“{ancestor}”是文件，不是目录")
    try:
        with tempfile.TemporaryDirectory(prefix=".evalbook-probe-", dir=ancestor):
            pass
    except OSError as exc:
        raise InputError.single(str(path), "", f"{ARG} {option}：无法在“{ancestor}”中写入（{os_reason(exc)}）") from None


def output_dir(text, option: str) -> Path:
    """An output folder: absent (it will be created) or a folder, and writable."""
    path = Path(text)
    if path.exists() and not path.is_dir():
        raise InputError.single(str(path), "", f"{ARG} {option} 应为输出目录，这是一个已有的文件")
    _writable_from(path, option)
    return path


def output_file(text, option: str, force: bool | None = None) -> Path:
    """An output file: not a folder; an existing file only with --force (when the command has it)."""
    path = Path(text)
    if path.is_dir():
        raise InputError.single(str(path), "", f"{ARG} {option} 应为文件名，这是一个目录")
    if force is False and path.exists():
        raise InputError.single(str(path), "", "文件已存在；如需覆盖请加 --force")
    _writable_from(path.parent if str(path.parent) else Path("."), option)
    return path


def tolerance(text) -> Decimal:
    """--tolerance: a finite, non-negative number of points."""
    try:
        value = to_decimal(text)
    except ValueError:
        raise InputError.single(ARG, "--tolerance", "应为不小于 0 的数字（分），如 0.01", text) from None
    if value < 0 or str(text).strip().endswith(("%", "％")):
        raise InputError.single(ARG, "--tolerance", "应为不小于 0 的数字（分），如 0.01", text)
    return value


def identifier(text: str, option: str = "--id") -> str:
    """An id that names files and folders: letters, digits, '.', '_', '-' only."""
    if not SAFE_ID.match(text or "") or text in (".", ".."):
        raise InputError.single(ARG, option, "只能由英文字母、数字和“.”“_”“-”组成，且以字母或数字开头"
                                              "（不能有空格、斜杠或中文），如 my-region-2023-dept", text)
    return text
