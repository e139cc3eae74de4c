"""The per-subject and summary tasks every backend runs (process pool, Dask, or this process)."""
from __future__ import annotations

from .kernels import worker_kernel
from .subject import SubjectResult, render_summary, run_subject


def subject_task(file: str, out_dir: str, frameworks: list[str] | None, formats: tuple[str, ...],
                 score_only: bool) -> SubjectResult:
    """One subject in a worker, in this worker thread's warm kernel."""
    kernel = None if score_only else worker_kernel()
    return run_subject(file, out_dir, frameworks, formats, kernel=kernel, score_only=score_only)


def summary_task(assessments: list[str], failed: list[str], out_dir: str) -> dict[str, str]:
    return render_summary(assessments, failed, out_dir, kernel=worker_kernel())
