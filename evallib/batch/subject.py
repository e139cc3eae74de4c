"""One subject: score, run the report notebook, export every requested format, write outputs atomically.

`run_subject` works from paths only (no shared state), so worker processes and Dask run it unchanged.
"""
from __future__ import annotations

import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..model.workbook import framework_search
from .kernels import WarmKernel, execute, file_sha256, stderr_outputs
from .outputs import error_text, replace_dir, write_atomic, write_csv, write_notebook


# -- one subject -----------------------------------------------------------------------------

@dataclass
class SubjectResult:
    file: str  # as given
    ok: bool
    id: str = ""
    message: str = ""
    subject_sha256: str = ""
    framework_file: str = ""
    framework_sha256: str = ""
    outputs: dict[str, str] = field(default_factory=dict)  # relative path -> sha256
    warnings: list[str] = field(default_factory=list)
    total: str = ""
    grade: str = ""
    inputs_sha256: str = ""  # subject, framework and run key together: decides skipping next time
    seconds: float = 0.0  # time the worker spent on this subject
    skipped: bool = False  # unchanged since the last run: outputs kept, not regenerated (not recorded)

    def record(self) -> dict[str, Any]:
        rec = dict(self.__dict__)
        rec.pop("skipped")
        rec["seconds"] = round(self.seconds, 3)
        return rec

    @classmethod
    def from_record(cls, rec: dict[str, Any]) -> "SubjectResult":
        names = set(cls.__dataclass_fields__) - {"skipped"}
        return cls(**{k: v for k, v in rec.items() if k in names})


class SubjectJob:
    """One subject in two steps, so a worker can overlap them: `prepare` scores the subject and executes
    the report notebook (mostly waiting for the kernel), `finish` exports and writes the outputs (CPU in
    this process). Either step records an error in `result` instead of raising."""

    def __init__(self, subject: str | Path, out_dir: str | Path, frameworks: list[str] | None = None,
                 formats: tuple[str, ...] = ("html",), kernel: WarmKernel | None = None, score_only: bool = False):
        from ..report import data

        self.subject = Path(subject)
        self.out_dir = Path(out_dir).resolve()
        self.formats, self.kernel, self.score_only = tuple(formats), kernel, score_only
        self.dirs = [str(Path(d).resolve()) for d in data.framework_dirs(frameworks)]  # as the notebook gets them
        self.search = [str(Path(d).resolve()) for d in framework_search(frameworks)]
        self.result = SubjectResult(file=str(self.subject), ok=False)
        self.ev = None
        self.nb = None
        self.stage: Path | None = None
        self.seconds = 0.0
        self.index = -1  # position in the batch (set by a worker)

    def _fail(self, exc: BaseException) -> None:
        self.result.message = error_text(exc)
        if self.stage is not None:
            shutil.rmtree(self.stage, ignore_errors=True)
            self.stage = None

    def prepare(self) -> "SubjectJob":
        from ..core.numbers import fmt
        from ..report import data

        started = time.perf_counter()
        result = self.result
        try:
            if self.subject.is_file():
                result.subject_sha256 = file_sha256(self.subject)
            ev = self.ev = data.evaluate_subject(self.subject, self.search)  # (+ the sample folder, once)
            result.id = ev.subject.id
            result.framework_file = str(ev.framework.path)
            result.framework_sha256 = ev.framework.sha256
            result.total, result.grade = fmt(ev.total), ev.grade or ""
            self.out_dir.mkdir(parents=True, exist_ok=True)
            self.stage = Path(tempfile.mkdtemp(dir=self.out_dir, prefix=f".{ev.subject.id}.tmp-"))
            if not self.score_only:
                params = {"subject": str(self.subject.resolve()), "frameworks": self.dirs, "output_dir": "."}
                self.nb = (self.kernel.execute("report", params, self.stage) if self.kernel is not None
                           else execute("report", params, self.stage))
        except Exception as exc:  # one failing subject must not stop the others
            self._fail(exc)
        except BaseException as exc:  # interrupted: leave no staging folder behind
            self._fail(exc)
            raise
        self.seconds += time.perf_counter() - started
        return self

    def finish(self) -> SubjectResult:
        from ..report import data
        from ..export.html import ExportContext, export

        started = time.perf_counter()
        result, ev, stage = self.result, self.ev, self.stage
        try:
            if stage is not None:
                if self.nb is not None:
                    result.warnings = stderr_outputs(self.nb)
                    write_notebook(self.nb, stage / "report.ipynb")
                    export(ExportContext(self.nb, stage, data.title_of(ev), "report", ev), list(self.formats))
                write_csv(data.scores_frame(ev), stage / "scores.csv")
                write_csv(data.findings_csv_frame(ev), stage / "findings.csv")
                from ..assess.contract import to_json

                (stage / "result.json").write_bytes((to_json(ev) + "\n").encode("utf-8"))
                result.outputs = {f"{ev.subject.id}/{p.relative_to(stage).as_posix()}": file_sha256(p)
                                  for p in sorted(stage.rglob("*")) if p.is_file()}
                replace_dir(stage, self.out_dir / ev.subject.id)
                self.stage = None
                result.ok = True
        except Exception as exc:  # one failing subject must not stop the others
            self._fail(exc)
        except BaseException as exc:  # interrupted: leave no staging folder behind
            self._fail(exc)
            raise
        self.ev = self.nb = None  # a finished job keeps only its small result
        self.seconds += time.perf_counter() - started
        result.seconds = self.seconds
        return result


def run_subject(subject: str | Path, out_dir: str | Path, frameworks: list[str] | None = None,
                formats: tuple[str, ...] = ("html",), kernel: WarmKernel | None = None,
                score_only: bool = False) -> SubjectResult:
    """Render one subject into out_dir/<subject-id>/; all or nothing. Paths only, so it can run in a worker.

    kernel: a WarmKernel to execute the report notebook in (default: a fresh kernel for this subject).
    score_only: no notebook and no report — scores.csv, findings.csv and result.json only.
    """
    return SubjectJob(subject, out_dir, frameworks, formats, kernel, score_only).prepare().finish()


def render_summary(subjects: list[str], failed: list[str], out_dir: str | Path, frameworks: list[str] | None,
                   kernel: WarmKernel | None = None) -> dict[str, str]:
    """Write out_dir/summary.html for the given subject files (paths only: runs in a worker too)."""
    from ..report import data
    from ..export.html import to_html

    out_dir = Path(out_dir)
    dirs = [str(Path(d).resolve()) for d in data.framework_dirs(frameworks)]
    params = {"subjects": [str(Path(s).resolve()) for s in subjects], "failed": list(failed), "frameworks": dirs}
    with tempfile.TemporaryDirectory(dir=out_dir, prefix=".summary.tmp-") as tmp:
        nb = kernel.execute("summary", params, Path(tmp)) if kernel is not None else execute("summary", params, Path(tmp))
    path = out_dir / "summary.html"
    write_atomic(path, to_html(nb, "预算绩效评价汇总").encode("utf-8"))
    return {"summary.html": file_sha256(path)}


def summary_workbook(subjects: list[str], out_dir: Path, frameworks: list[str] | None) -> dict[str, str]:
    """summary.xlsx (league table) for a batch run with the xlsx format; scoring only, no kernel."""
    from ..export.xlsx import write_summary_xlsx
    from ..review.checks import review_file
    from ..report import data

    dirs = [Path(d) for d in data.framework_dirs(frameworks)]
    evaluations = [review_file(Path(s), dirs) for s in subjects]
    path = Path(out_dir) / "summary.xlsx"
    write_summary_xlsx(evaluations, path)
    return {"summary.xlsx": file_sha256(path)}


def run_summary(results: list[SubjectResult], out_dir: Path, frameworks: list[str] | None,
                kernel: WarmKernel | None = None) -> dict[str, str]:
    return render_summary([r.file for r in results if r.ok], [Path(r.file).name for r in results if not r.ok],
                          out_dir, frameworks, kernel)


