"""Run the report notebook for subjects, export, and write outputs atomically — one or many at a time.

`run_subject` does one subject given paths only (no shared state), so workers run it unchanged.
Kernels talk over IPC with a private socket folder each (parallel kernels over TCP or a shared IPC
path collide).

Batches (`run_all`): with `jobs=N` the subjects go to N worker processes (papermill changes the
process working directory, so processes, not threads). Each worker keeps one warm kernel
(`WarmKernel`): kernel start-up and imports are paid once per worker, not per subject. Before each
subject the kernel is put back into the state recorded right after those imports — a fresh
namespace, execution count 1, matplotlib rcParams, open figures closed, warning filters and
registries, pandas options, environment, sys.path, working directory — so every subject's outputs
are byte-identical to a run in a fresh kernel (tests/test_batch.py compares them). A kernel that
dies is replaced and the subject retried once. In a worker, one thread drives the kernel while a
second exports the previous subject, so kernel and exporter work at the same time; the
cross-subject summary starts as soon as a worker would otherwise idle. Worker processes skip a slow
optional import (see `worker.skip_slow_optional_imports`) and freeze their imported modules out of the
garbage collector. With `scheduler=ADDRESS` the same task runs on a Dask cluster. Subjects whose recorded inputs (subject file, framework file, notebooks, evallib
source, package versions, formats) are unchanged since the last run into the same folder are
skipped unless `force=True`.
"""
from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from ..model import workbook
from .. import __version__
from .backends import DaskBackend, LocalBackend, PoolBackend
from .kernels import MANIFEST, PACKAGE_DIR, notebook_path, file_sha256
from .outputs import BackendError, error_text, write_atomic
from .subject import ASSESSMENT_FILE, SubjectResult, summary_workbook


# -- what changed since the last run -------------------------------------------------------------

def code_sha256() -> str:
    """Every file of the evallib package (code, data, templates), caches excluded."""
    digest = hashlib.sha256()
    for p in sorted(PACKAGE_DIR.rglob("*")):
        if p.is_file() and "__pycache__" not in p.parts and p.suffix not in (".pyc", ".pyo"):
            digest.update(p.relative_to(PACKAGE_DIR).as_posix().encode("utf-8") + b"\0")
            digest.update(hashlib.sha256(p.read_bytes()).digest())
    return digest.hexdigest()


def notebook_hashes() -> dict[str, str]:
    out = {}
    for name in ("report", "summary"):
        try:
            out[name] = file_sha256(notebook_path(name))
        except FileNotFoundError:
            pass
    return out


def _digest(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, ensure_ascii=False, sort_keys=True).encode("utf-8")).hexdigest()


def run_key(formats, score_only: bool, search: list[str]) -> str:
    """Everything besides a subject's own files that its outputs depend on."""
    from ..report import data

    key = {"evalbook": __version__, "code": code_sha256(), "notebooks": notebook_hashes(),
           "packages": data.package_versions(), "formats": sorted(formats), "score_only": bool(score_only),
           "framework_search": search}
    from ..export.pdfengine import PDF_FORMATS, pdf_engine

    if set(formats) & set(PDF_FORMATS):
        key["pdf_engine"] = pdf_engine()
        if key["pdf_engine"] == "chromium":
            from ..export.pdf_chromium import browser_version

            key["pdf_browser"] = browser_version()  # a browser upgrade regenerates the PDFs
    return _digest(key)


def inputs_key(subject_sha: str, framework_file: str, framework_sha: str, key: str) -> str:
    fw = str(Path(framework_file).resolve()) if framework_file else ""
    return _digest([subject_sha, fw, framework_sha, key])


def _unchanged(file: Path, rec: dict[str, Any] | None, key: str, out_dir: Path) -> bool:
    if not rec or not rec.get("ok") or not rec.get("inputs_sha256") or not file.is_file():
        return False
    fw = rec.get("framework_file") or ""
    if not fw or not Path(fw).is_file():
        return False
    if inputs_key(file_sha256(file), fw, file_sha256(Path(fw)), key) != rec["inputs_sha256"]:
        return False
    return all((out_dir / rel).is_file() for rel in rec.get("outputs", {}))


def _old_manifest(out_dir: Path) -> dict[str, Any]:
    try:
        return json.loads((out_dir / MANIFEST).read_text("utf-8"))
    except (OSError, ValueError):
        return {}


# -- a batch ---------------------------------------------------------------------------------------

@dataclass
class RunResult:
    out_dir: Path
    subjects: list[SubjectResult]
    summary: dict[str, str] = field(default_factory=dict)
    summary_error: str = ""
    skipped: int = 0  # subjects unchanged since the last run (outputs kept)
    summary_skipped: bool = False
    score_only: bool = False
    key: str = ""
    summary_key: str = ""
    summary_stages: dict[str, float] = field(default_factory=dict)  # seconds: summary, summary_xlsx
    pdf_engine: str = ""  # the engine that wrote this run's PDFs ("" when no format writes one)

    @property
    def ok(self) -> bool:
        return all(r.ok for r in self.subjects) and not self.summary_error

    @property
    def failed(self) -> list[SubjectResult]:
        return [r for r in self.subjects if not r.ok]


def manifest_dict(run: RunResult, formats, frameworks) -> dict[str, Any]:
    from ..report import data

    base = workbook.root().resolve()  # paths relative to the workbook: verify works from any subfolder

    def rel(path: str) -> str:
        p = Path(path).resolve()
        try:
            return p.relative_to(base).as_posix()
        except ValueError:
            return str(p)

    return {
        "schema": 1,
        "evalbook": __version__,
        "formats": list(formats),
        "score_only": run.score_only,
        "frameworks": [rel(d) for d in (frameworks or [])],
        "framework_search": [rel(str(d)) for d in data.framework_dirs(frameworks)],
        "notebooks": notebook_hashes(),
        "packages": data.package_versions(),
        "code_sha256": code_sha256(),
        "run_sha256": run.key,
        "subjects": [dict(r.record(), file=rel(r.file), framework_file=rel(r.framework_file) if r.framework_file else "")
                     for r in run.subjects],
        "summary": run.summary,
        "summary_inputs_sha256": run.summary_key if run.summary else "",
        "summary_stages": {k: round(v, 3) for k, v in run.summary_stages.items()},
        "pdf_engine": run.pdf_engine or None,
        "pdf_browser": _browser(run.pdf_engine),
    }


def _browser(engine: str) -> str | None:
    if engine != "chromium":
        return None
    from ..export.pdf_chromium import browser_version

    return browser_version() or None


def default_subjects() -> list[Path]:
    return workbook.default_subjects()


def make_backend(jobs: int = 1, scheduler: str | None = None, warm: bool = True):
    if scheduler:
        return DaskBackend(scheduler, warm)
    if jobs and jobs > 1:
        return PoolBackend(jobs, warm)
    return LocalBackend()


def run_all(files, out_dir, frameworks=None, formats=("html",), summary=True,
            progress: Callable[[SubjectResult], None] | None = None, *, jobs: int = 1, force: bool = False,
            scheduler: str | None = None, score_only: bool = False,
            on_start: Callable[[int, int], None] | None = None) -> RunResult:
    """Render every subject (and the summary) into out_dir; write manifest.json.

    jobs: worker processes (1: this process); scheduler: a Dask scheduler address instead.
    force: regenerate subjects whose inputs are unchanged since the last run into out_dir.
    score_only: no notebooks: scores.csv, findings.csv and result.json per subject, no summary.
    progress(result) is called as each subject finishes; on_start(to_run, skipped) once before.
    Raises BackendError when the workers cannot be started (e.g. Dask missing or unreachable), and
    pdfengine.EngineError when a PDF engine asked for by name cannot run here.
    """
    files = list(files)
    # The PDF engine is settled (and Chromium's font built, once) before any worker could need it.
    from ..export.pdfengine import prepare

    engine = prepare(formats) if files and not score_only else None
    # Worker processes take a moment to start (imports, kernel): start them first, plan meanwhile.
    jobs = jobs or 1
    backend = PoolBackend(jobs, warm=not score_only) if jobs > 1 and not scheduler and files else None
    if backend is not None:
        backend._spawn(len(files))
    try:
        return _run_all(backend, files, out_dir, frameworks, formats, summary, progress, jobs=jobs, force=force,
                        scheduler=scheduler, score_only=score_only, on_start=on_start, pdf_engine=engine)
    except BaseException:
        if backend is not None:
            backend.close(abort=True)
        raise


def _run_all(backend, files, out_dir, frameworks, formats, summary, progress, *, jobs, force, scheduler,
             score_only, on_start, pdf_engine) -> RunResult:
    from ..report import data

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    formats = () if score_only else tuple(formats)
    summary = summary and not score_only
    search = [str(Path(d).resolve()) for d in data.framework_dirs(frameworks)]
    key = run_key(formats, score_only, search)
    given = [Path(f) for f in files]
    # workers may run elsewhere (Dask) or in another folder: give them absolute paths only
    fw_abs = [str(Path(d).resolve()) for d in workbook.framework_search(frameworks)]
    out_abs = str(out_dir.resolve())

    old = {} if force else _old_manifest(out_dir)
    old_records = {}
    for rec in old.get("subjects", []):
        old_records[str(Path(rec.get("file", "")).resolve())] = rec
    results: list[SubjectResult | None] = [None] * len(given)
    tasks: dict[int, tuple] = {}
    for i, path in enumerate(given):
        rec = old_records.get(str(path.resolve()))
        if not force and _unchanged(path, rec, key, out_dir):
            results[i] = dataclass_replace(SubjectResult.from_record(rec), file=str(path), skipped=True)
        else:
            tasks[i] = (str(path.resolve()), out_abs, fw_abs, formats, score_only)
    skipped = len(given) - len(tasks)
    if on_start:
        on_start(len(tasks), skipped)

    def done(i: int, result: SubjectResult) -> None:
        result.file = str(given[i])
        if result.ok:
            result.inputs_sha256 = inputs_key(result.subject_sha256, result.framework_file,
                                              result.framework_sha256, key)
        results[i] = result
        if progress:
            progress(result)

    def summary_args(ok_of: Callable[[int], bool]) -> tuple:
        """The summary reads the serialised assessments the subjects' runs left in out_dir."""
        ok = [str(out_dir.resolve() / results[i].id / ASSESSMENT_FILE) for i in range(len(given)) if ok_of(i)]
        failed = [given[i].name for i in range(len(given)) if not ok_of(i)]
        return ok, failed, out_abs

    run = RunResult(out_dir, [], skipped=skipped, score_only=score_only, key=key, pdf_engine=pdf_engine or "")
    try:
        if tasks:
            backend = backend or make_backend(jobs, scheduler, warm=not score_only)
            backend.map(tasks, done)
        seen: dict[str, str] = {}
        for result in results:
            if result.ok and result.id in seen:
                result.ok, result.message = False, f"评价对象编号 {result.id} 与 {seen[result.id]} 重复，输出已被覆盖"
            if result.id and result.id not in seen:
                seen[result.id] = result.file
        run.subjects = list(results)
        args = summary_args(lambda j: results[j].ok)
        if summary and args[0]:  # (an empty list would make the summary notebook fall back to its examples)
            run.summary_key = _digest([key, [(str(Path(r.file).resolve()), r.inputs_sha256)
                                             for r in run.subjects if r.ok], args[1]])
            old_summary = old.get("summary") or {}
            try:
                if (not force and old_summary and old.get("summary_inputs_sha256") == run.summary_key
                        and all((out_dir / rel).is_file() for rel in old_summary)):
                    run.summary, run.summary_skipped = dict(old_summary), True
                else:
                    if backend is None:
                        backend = make_backend(jobs, scheduler, warm=True)
                    started = time.perf_counter()
                    run.summary = backend.summary(args)
                    run.summary_stages["summary"] = time.perf_counter() - started
            except BackendError:
                raise
            except Exception as exc:  # noqa: BLE001
                run.summary_error = error_text(exc)
            if "xlsx" in formats and run.summary is not None and not run.summary_error:
                started = time.perf_counter()
                run.summary = {**run.summary, **summary_workbook(args[0], out_dir)}
                run.summary_stages["summary_xlsx"] = time.perf_counter() - started
    except BaseException:  # (Ctrl-C included) stop the workers now
        if backend is not None:
            backend.close(abort=True)
        raise
    if backend is not None:
        backend.close()
    manifest = manifest_dict(run, formats, frameworks)
    write_atomic(out_dir / MANIFEST, (json.dumps(manifest, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))
    return run


def dataclass_replace(obj, **changes):
    import dataclasses

    return dataclasses.replace(obj, **changes)


