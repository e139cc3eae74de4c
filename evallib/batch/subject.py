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

from .kernels import WarmKernel, execute, file_sha256, stderr_outputs
from .outputs import error_text, replace_dir, write_atomic, write_csv, write_notebook

ASSESSMENT_FILE = "result.json"  # the serialised assessment: the report notebook and the summary read it


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
    stages: dict[str, float] = field(default_factory=dict)  # seconds per stage (assess, notebook, html, pdf …)
    skipped: bool = False  # unchanged since the last run: outputs kept, not regenerated (not recorded)

    def record(self) -> dict[str, Any]:
        rec = dict(self.__dict__)
        rec.pop("skipped")
        rec["seconds"] = round(self.seconds, 3)
        rec["stages"] = {k: round(v, 3) for k, v in self.stages.items()}
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

    def _mark(self, stage: str, since: float) -> float:
        """Record the seconds since `since` as `stage`; return now (the start of the next stage)."""
        now = time.perf_counter()
        self.result.stages[stage] = self.result.stages.get(stage, 0.0) + now - since
        return now

    def prepare(self) -> "SubjectJob":
        from ..assess.assessment import assess
        from ..assess.contract import read_json, to_json
        from ..assess.record import AssessmentRecord
        from ..core.numbers import fmt

        started = time.perf_counter()
        result = self.result
        try:
            if self.subject.is_file():
                result.subject_sha256 = file_sha256(self.subject)
            assessment = assess(self.subject, [Path(d) for d in self.dirs])  # the only scoring of this subject
            ev = assessment.evaluation
            result.id = ev.subject.id
            result.framework_file = str(ev.framework.path)
            result.framework_sha256 = ev.framework.sha256
            result.total, result.grade = fmt(ev.total), ev.grade or ""
            self.out_dir.mkdir(parents=True, exist_ok=True)
            self.stage = Path(tempfile.mkdtemp(dir=self.out_dir, prefix=f".{ev.subject.id}.tmp-"))
            text = to_json(assessment)
            (self.stage / ASSESSMENT_FILE).write_bytes((text + "\n").encode("utf-8"))
            self.ev = AssessmentRecord(read_json(text))  # what every later stage reads
            mark = self._mark("assess", started)
            if not self.score_only:
                params = {"assessment": ASSESSMENT_FILE, "output_dir": ".",  # relative to the kernel's folder
                          "chart_svg": "svg" in self.formats}  # vector charts cost a third of the charts' time: on request
                self.nb = (self.kernel.execute("report", params, self.stage) if self.kernel is not None
                           else execute("report", params, self.stage))
                self._mark("notebook", mark)
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
                    self._mark("write", started)
                    export(ExportContext(self.nb, stage, data.title_of(ev), "report", ev), list(self.formats),
                           timings=result.stages)
                mark = time.perf_counter()
                write_csv(data.scores_frame(ev), stage / "scores.csv")
                write_csv(data.findings_csv_frame(ev), stage / "findings.csv")
                result.outputs = {f"{ev.id}/{p.relative_to(stage).as_posix()}": file_sha256(p)
                                  for p in sorted(stage.rglob("*")) if p.is_file()}
                replace_dir(stage, self.out_dir / ev.id)
                self._mark("write", mark)
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


def render_summary(assessments: list[str], failed: list[str], out_dir: str | Path,
                   kernel: WarmKernel | None = None) -> dict[str, str]:
    """Write out_dir/summary.html from the subjects' serialised assessments (paths only: runs in a worker too)."""
    from ..export.html import to_html

    out_dir = Path(out_dir)
    params = {"assessments": [str(Path(s).resolve()) for s in assessments], "failed": list(failed)}
    with tempfile.TemporaryDirectory(dir=out_dir, prefix=".summary.tmp-") as tmp:
        nb = kernel.execute("summary", params, Path(tmp)) if kernel is not None else execute("summary", params, Path(tmp))
    path = out_dir / "summary.html"
    write_atomic(path, to_html(nb, "预算绩效评价汇总").encode("utf-8"))
    return {"summary.html": file_sha256(path)}


def summary_workbook(assessments: list[str], out_dir: Path) -> dict[str, str]:
    """summary.xlsx (league table) for a batch run with the xlsx format, from the serialised assessments."""
    from ..assess.record import read_assessment
    from ..export.xlsx import write_summary_xlsx

    path = Path(out_dir) / "summary.xlsx"
    write_summary_xlsx([read_assessment(a) for a in assessments], path)
    return {"summary.xlsx": file_sha256(path)}
