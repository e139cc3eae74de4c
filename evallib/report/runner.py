"""Run the report notebook for subjects with papermill, export, and write outputs atomically.

`run_subject` does one subject given paths only (no shared state), so a later `--jobs N`
can hand subjects to a worker pool unchanged. Kernels talk over IPC with a private socket
folder each (parallel kernels over TCP or a shared IPC path collide).
"""
from __future__ import annotations

import copy
import hashlib
import json
import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat
from jupyter_client.manager import AsyncKernelManager

from .. import __version__
from ..errors import InputError

REPO_NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
PACKAGE_NOTEBOOKS = Path(__file__).resolve().parent / "notebooks"
KERNEL_NAME = "python3"
INJECTED_ID = "injected-parameters"
MANIFEST = "manifest.json"


class IPCKernelManager(AsyncKernelManager):
    """A kernel manager on IPC transport with a unique socket path per kernel."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._ipc_dir = tempfile.mkdtemp(prefix="evalbook-kernel-")
        self.transport = "ipc"
        self.ip = os.path.join(self._ipc_dir, "k")

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await super()._async_cleanup_resources(restart=restart)
        if not restart:
            shutil.rmtree(self._ipc_dir, ignore_errors=True)


def notebook_path(name: str) -> Path:
    for folder in (REPO_NOTEBOOKS, PACKAGE_NOTEBOOKS):
        path = folder / f"{name}.ipynb"
        if path.is_file():
            return path
    raise FileNotFoundError(f"找不到报告笔记本 {name}.ipynb")


def sha256_file(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def clean_notebook(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Remove everything that differs between two runs of the same inputs."""
    nb = copy.deepcopy(nb)
    pm = nb.metadata.get("papermill", {})
    for key in ("start_time", "end_time", "duration", "exception", "input_path", "output_path"):
        pm.pop(key, None)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        cell.metadata.pop("papermill", None)
        if INJECTED_ID in cell.metadata.get("tags", []):
            cell["id"] = INJECTED_ID
    return nb


def stderr_outputs(nb) -> list[str]:
    return ["".join(o.get("text", "")) for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
            if o.get("output_type") == "stream" and o.get("name") == "stderr"]


def execute(name: str, parameters: dict[str, Any], cwd: Path) -> nbformat.NotebookNode:
    """Execute a notebook (by name) with ASCII parameters in `cwd`; return the cleaned notebook."""
    import papermill

    for key, value in parameters.items():
        if not json.dumps(value, ensure_ascii=False).isascii():
            # papermill would inject \\uXXXX escapes: correct but unreadable in the notebook
            pass
    source = nbformat.read(notebook_path(name), as_version=4)
    nb = papermill.execute_notebook(
        source, None, parameters=parameters, kernel_name=KERNEL_NAME, progress_bar=False, log_output=False,
        cwd=str(cwd), kernel_manager_class=IPCKernelManager, record_timing=False,
        request_save_on_cell_execute=False, start_timeout=120)
    return clean_notebook(nb)


def write_notebook(nb, path: Path) -> None:
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


def write_atomic(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def error_text(exc: BaseException) -> str:
    if isinstance(exc, InputError):
        return "输入有误：" + "；".join(str(p) for p in exc.problems)
    ename = getattr(exc, "ename", None)
    if ename:
        return f"报告笔记本执行出错：{ename}：{getattr(exc, 'evalue', '')}"
    if isinstance(exc, FileNotFoundError):
        return f"文件不存在：{exc.filename or exc}"
    return f"{type(exc).__name__}：{exc}"


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

    def record(self) -> dict[str, Any]:
        return dict(self.__dict__)


def run_subject(subject: str | Path, out_dir: str | Path, frameworks: list[str] | None = None,
                formats: tuple[str, ...] = ("html",)) -> SubjectResult:
    """Render one subject into out_dir/<subject-id>/; all or nothing. Paths only, so it can run in a worker."""
    from ..numbers import fmt
    from . import data
    from .export import ExportContext, export

    subject = Path(subject)
    out_dir = Path(out_dir).resolve()
    result = SubjectResult(file=str(subject), ok=False)
    dirs = [str(Path(d).resolve()) for d in data.framework_dirs(frameworks)]
    stage = None
    try:
        if subject.is_file():
            result.subject_sha256 = sha256_file(subject)
        ev = data.evaluate_subject(subject, dirs)
        result.id = ev.subject.id
        result.framework_file = str(ev.framework.path)
        result.framework_sha256 = ev.framework.sha256
        result.total, result.grade = fmt(ev.total), ev.grade or ""
        out_dir.mkdir(parents=True, exist_ok=True)
        stage = Path(tempfile.mkdtemp(dir=out_dir, prefix=f".{ev.subject.id}.tmp-"))
        params = {"subject": str(subject.resolve()), "frameworks": dirs, "output_dir": "."}
        nb = execute("report", params, stage)
        result.warnings = stderr_outputs(nb)
        write_notebook(nb, stage / "report.ipynb")
        export(ExportContext(nb, stage, data.title_of(ev), "report", ev), list(formats))
        write_csv(data.scores_frame(ev), stage / "scores.csv")
        write_csv(data.findings_csv_frame(ev), stage / "findings.csv")
        from ..results import to_json

        (stage / "result.json").write_bytes((to_json(ev) + "\n").encode("utf-8"))
        result.outputs = {f"{ev.subject.id}/{p.relative_to(stage).as_posix()}": sha256_file(p)
                          for p in sorted(stage.rglob("*")) if p.is_file()}
        replace_dir(stage, out_dir / ev.subject.id)
        stage = None
        result.ok = True
    except Exception as exc:  # one failing subject must not stop the others
        result.message = error_text(exc)
    finally:
        if stage is not None:
            shutil.rmtree(stage, ignore_errors=True)
    return result


def run_summary(results: list[SubjectResult], out_dir: Path, frameworks: list[str] | None) -> dict[str, str]:
    from . import data
    from .export import ExportContext, to_html

    dirs = [str(Path(d).resolve()) for d in data.framework_dirs(frameworks)]
    params = {"subjects": [str(Path(r.file).resolve()) for r in results if r.ok],
              "failed": [Path(r.file).name for r in results if not r.ok], "frameworks": dirs}
    with tempfile.TemporaryDirectory(dir=out_dir, prefix=".summary.tmp-") as tmp:
        nb = execute("summary", params, Path(tmp))
    path = Path(out_dir) / "summary.html"
    write_atomic(path, to_html(nb, "预算绩效评价汇总").encode("utf-8"))
    return {"summary.html": sha256_file(path)}


@dataclass
class RunResult:
    out_dir: Path
    subjects: list[SubjectResult]
    summary: dict[str, str] = field(default_factory=dict)
    summary_error: str = ""

    @property
    def ok(self) -> bool:
        return all(r.ok for r in self.subjects) and not self.summary_error


def manifest_dict(run: RunResult, formats, frameworks) -> dict[str, Any]:
    from . import data

    def rel(path: str) -> str:
        p = Path(path).resolve()
        try:
            return p.relative_to(Path.cwd()).as_posix()
        except ValueError:
            return str(p)

    notebooks = {}
    for name in ("report", "summary"):
        try:
            notebooks[name] = sha256_file(notebook_path(name))
        except FileNotFoundError:
            pass
    return {
        "schema": 1,
        "evalbook": __version__,
        "formats": list(formats),
        "frameworks": [rel(d) for d in (frameworks or [])],
        "framework_search": [rel(str(d)) for d in data.framework_dirs(frameworks)],
        "notebooks": notebooks,
        "packages": data.package_versions(),
        "subjects": [dict(r.record(), file=rel(r.file), framework_file=rel(r.framework_file) if r.framework_file else "")
                     for r in run.subjects],
        "summary": run.summary,
    }


def default_subjects() -> list[Path]:
    return sorted(Path("parameters/subjects").glob("*.yaml"))


def run_all(files, out_dir, frameworks=None, formats=("html",), summary=True, progress=None) -> RunResult:
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    results: list[SubjectResult] = []
    seen: dict[str, str] = {}
    for file in files:
        result = run_subject(file, out_dir, frameworks, tuple(formats))
        if result.ok and result.id in seen:
            result.ok, result.message = False, f"评价对象编号 {result.id} 与 {seen[result.id]} 重复，输出已被覆盖"
        if result.id and result.id not in seen:
            seen[result.id] = str(file)
        results.append(result)
        if progress:
            progress(result)
    run = RunResult(out_dir, results)
    if summary:
        try:
            run.summary = run_summary(results, out_dir, frameworks)
        except Exception as exc:
            run.summary_error = error_text(exc)
    manifest = manifest_dict(run, formats, frameworks)
    write_atomic(out_dir / MANIFEST, (json.dumps(manifest, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))
    return run


# -- verify ---------------------------------------------------------------------------

@dataclass
class FileCheck:
    path: str
    status: str  # 相同 / 不同 / 缺少 / 新增
    detail: str = ""


def verify(out_dir: str | Path) -> tuple[list[FileCheck], list[str]]:
    """Re-run the subjects recorded in out_dir/manifest.json into a temp dir; compare file by file.

    Returns (checks, notes); notes say which inputs changed since the recorded run.
    """
    out_dir = Path(out_dir)
    manifest_file = out_dir / MANIFEST
    if not manifest_file.is_file():
        raise InputError.single(str(manifest_file), "", "找不到运行记录 manifest.json（请先运行 evalbook run）")
    manifest = json.loads(manifest_file.read_text("utf-8"))
    notes: list[str] = []
    changed_inputs: dict[str, list[str]] = {}
    for rec in manifest["subjects"]:
        changes = []
        path = Path(rec["file"])
        if not path.is_file():
            changes.append(f"评价对象文件 {rec['file']} 已不存在")
        elif rec.get("subject_sha256") and sha256_file(path) != rec["subject_sha256"]:
            changes.append(f"评价对象文件 {rec['file']} 已修改（sha256 {rec['subject_sha256'][:12]} → {sha256_file(path)[:12]}）")
        fw = rec.get("framework_file")
        if fw:
            if not Path(fw).is_file():
                changes.append(f"指标体系文件 {fw} 已不存在")
            elif sha256_file(Path(fw)) != rec.get("framework_sha256"):
                changes.append(f"指标体系文件 {fw} 已修改（sha256 {rec['framework_sha256'][:12]} → {sha256_file(Path(fw))[:12]}）")
        if changes:
            changed_inputs[rec.get("id") or rec["file"]] = changes
            notes.extend(changes)
    for name, digest in manifest.get("notebooks", {}).items():
        try:
            now = sha256_file(notebook_path(name))
        except FileNotFoundError:
            now = ""
        if now != digest:
            notes.append(f"报告笔记本 {name}.ipynb 已修改")
    now_versions = __import__("evallib.report.data", fromlist=["package_versions"]).package_versions()
    for pkg, version in manifest.get("packages", {}).items():
        if now_versions.get(pkg) != version:
            notes.append(f"程序包 {pkg} 版本不同：记录 {version}，当前 {now_versions.get(pkg)}")

    recorded: dict[str, str] = {}
    for rec in manifest["subjects"]:
        recorded.update(rec.get("outputs", {}))
    recorded.update(manifest.get("summary", {}))
    frameworks = manifest.get("frameworks") or None
    files = [rec["file"] for rec in manifest["subjects"]]
    checks: list[FileCheck] = []
    with tempfile.TemporaryDirectory(prefix="evalbook-verify-") as tmp:
        run = run_all(files, tmp, frameworks, manifest.get("formats", ["html"]), summary=bool(manifest.get("summary")))
        fresh: dict[str, str] = {}
        for r in run.subjects:
            fresh.update(r.outputs)
        fresh.update(run.summary)
        failures = {r.id or r.file: r.message for r in run.subjects if not r.ok}
    for rel, digest in sorted(recorded.items()):
        sid = rel.split("/", 1)[0]
        why = "；".join(changed_inputs.get(sid, []))
        if rel not in fresh:
            detail = failures.get(sid, "重新运行未生成此文件")
            checks.append(FileCheck(rel, "缺少", detail + (f"（{why}）" if why else "")))
        elif fresh[rel] == digest:
            checks.append(FileCheck(rel, "相同"))
        else:
            detail = why or ("汇总依各评价对象结果生成，输入已改变：" + "；".join(sum(changed_inputs.values(), []))
                             if rel == "summary.html" and changed_inputs else "输入未变，输出却不同（不可复现）")
            checks.append(FileCheck(rel, "不同", detail))
    for rel in sorted(set(fresh) - set(recorded)):
        checks.append(FileCheck(rel, "新增", "记录中没有此文件"))
    return checks, notes
