"""Writing a subject's outputs: staged in a temporary folder and moved into place whole, so a failure
never leaves a half-written report.
"""
from __future__ import annotations

from ..core.writing import write_atomic  # noqa: F401  (re-exported for the runner)
import os
import shutil
import tempfile
import time
from pathlib import Path

from ..core.errors import InputError
from .kernels import KernelDiedError


# -- files -----------------------------------------------------------------------------------

def write_notebook(nb, path: Path) -> None:
    import nbformat

    path.write_bytes((nbformat.writes(nb) + "\n").encode("utf-8"))


def write_csv(frame, path: Path) -> None:
    path.write_bytes(frame.to_csv(index=False, lineterminator="\n").encode("utf-8-sig"))


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def fix_modes(folder: Path) -> None:
    """mkdtemp/mkstemp create private files; give outputs the usual permissions."""
    mask = _umask()
    folder.chmod(0o777 & ~mask)
    for p in folder.rglob("*"):
        p.chmod((0o777 if p.is_dir() else 0o666) & ~mask)


def replace_dir(stage: Path, final: Path) -> None:
    """Move a finished staging folder into place (the old one is removed only afterwards)."""
    fix_modes(stage)
    old = None
    if final.exists():
        old = final.with_name(f".{final.name}.old-{os.getpid()}-{time.monotonic_ns()}")
        final.rename(old)
    stage.rename(final)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def error_text(exc: BaseException) -> str:
    if isinstance(exc, InputError):
        return "输入有误：" + "；".join(str(p) for p in exc.problems)
    if isinstance(exc, (KernelDiedError, BackendError, TaskError)):
        return str(exc)
    ename = getattr(exc, "ename", None)
    if ename:
        return f"报告笔记本执行出错：{ename}：{getattr(exc, 'evalue', '')}"
    if isinstance(exc, FileNotFoundError):
        return f"文件不存在：{exc.filename or exc}"
    return f"{type(exc).__name__}：{exc}"


class BackendError(Exception):
    """The batch could not start (Dask missing, scheduler unreachable …); message in Chinese."""


class TaskError(RuntimeError):
    """A task failed in a worker; the message is already the Chinese error text."""


