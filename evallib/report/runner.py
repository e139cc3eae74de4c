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
optional import (see `_skip_slow_optional_imports`) and freeze their imported modules out of the
garbage collector. With `scheduler=ADDRESS` the same task runs on a Dask cluster. Subjects whose recorded inputs (subject file, framework file, notebooks, evallib
source, package versions, formats) are unchanged since the last run into the same folder are
skipped unless `force=True`.
"""
from __future__ import annotations

import copy
import hashlib
import json
import os
import queue
import shutil
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from jupyter_client.manager import AsyncKernelManager  # (a warm kernel imports this module: keep it light)

from .. import __version__
from ..errors import InputError

REPO_NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
PACKAGE_NOTEBOOKS = Path(__file__).resolve().parent / "notebooks"
PACKAGE_DIR = Path(__file__).resolve().parents[1]  # evallib/
KERNEL_NAME = "python3"
INJECTED_ID = "injected-parameters"
MANIFEST = "manifest.json"
SCORE_FILES = ("scores.csv", "findings.csv", "result.json")
WARM_ENGINE = "evalbook-warm"
# Imported once per warm kernel, before the state every subject starts from is recorded.
WARM_IMPORTS = ("IPython.display", "pandas", "matplotlib", "matplotlib.figure", "evallib.report.charts",
                "evallib.report.data", "evallib.report.render", "evallib.report.summary")


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


class KernelDiedError(RuntimeError):
    """The report kernel died twice for the same subject (it is replaced and retried once)."""


def notebook_path(name: str) -> Path:
    for folder in (REPO_NOTEBOOKS, PACKAGE_NOTEBOOKS):
        path = folder / f"{name}.ipynb"
        if path.is_file():
            return path
    raise FileNotFoundError(f"找不到报告笔记本 {name}.ipynb")


def sha256_file(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def clean_notebook(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Remove everything that differs between two runs of the same inputs.

    Execution counts are renumbered 1, 2, 3 … in cell order, as a fresh kernel numbers them, so a
    notebook run in a reused kernel reads exactly like one run in a new kernel.
    """
    nb = copy.deepcopy(nb)
    pm = nb.metadata.get("papermill", {})
    for key in ("start_time", "end_time", "duration", "exception", "input_path", "output_path"):
        pm.pop(key, None)
    count = 0
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        cell.metadata.pop("papermill", None)
        if INJECTED_ID in cell.metadata.get("tags", []):
            cell["id"] = INJECTED_ID
        if cell.cell_type == "code" and cell.get("execution_count") is not None:
            count += 1
            cell.execution_count = count
            for output in cell.get("outputs", []):
                if output.get("execution_count") is not None:
                    output.execution_count = count
    return nb


def stderr_outputs(nb) -> list[str]:
    return ["".join(o.get("text", "")) for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
            if o.get("output_type") == "stream" and o.get("name") == "stderr"]


def execute(name: str, parameters: dict[str, Any], cwd: Path) -> nbformat.NotebookNode:
    """Execute a notebook (by name) in a fresh kernel started in `cwd`; return the cleaned notebook."""
    import nbformat
    import papermill

    source = nbformat.read(notebook_path(name), as_version=4)
    nb = papermill.execute_notebook(
        source, None, parameters=parameters, kernel_name=KERNEL_NAME, progress_bar=False, log_output=False,
        cwd=str(cwd), kernel_manager_class=IPCKernelManager, record_timing=False,
        request_save_on_cell_execute=False, start_timeout=120)
    return clean_notebook(nb)


# -- inside a warm kernel ------------------------------------------------------------------
# These two functions run in the kernel process (imported there by name), never in the worker.

_BASELINE: dict[str, Any] | None = None


def _pandas_options() -> dict[str, Any]:
    import pandas as pd

    try:
        from pandas._config.config import _registered_options
    except ImportError:  # pragma: no cover - pandas internals moved
        return {}
    out = {}
    for key in _registered_options:
        try:
            out[key] = pd.get_option(key)
        except Exception:  # noqa: BLE001 - an option that cannot be read cannot be restored either
            pass
    return out


def kernel_baseline() -> None:
    """(In the kernel.) Import what the report notebooks use; record the state every subject starts from."""
    import importlib
    import warnings

    for name in WARM_IMPORTS:
        importlib.import_module(name)
    import matplotlib

    global _BASELINE
    _BASELINE = {"rc": matplotlib.rcParams.copy(), "filters": list(warnings.filters),
                 "environ": dict(os.environ), "path": list(sys.path), "pandas": _pandas_options()}
    import gc

    gc.collect()
    gc.freeze()  # the imported modules live as long as the kernel: no collection needs to scan them again


def kernel_reset(cwd: str) -> None:
    """(In the kernel.) Put the kernel back into its recorded state and move to `cwd`."""
    import warnings

    import matplotlib
    import pandas as pd
    from IPython import get_ipython

    base = _BASELINE
    if base is None:
        raise RuntimeError("kernel_baseline() has not run in this kernel")
    shell = get_ipython()
    if shell is not None:
        shell.reset(new_session=True)  # fresh namespace, In/Out history cleared, execution count 1
    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is not None:
        pyplot.close("all")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if dict(matplotlib.rcParams) != dict(base["rc"]):
            matplotlib.rcParams.clear()
            matplotlib.rcParams.update(base["rc"])
        now = _pandas_options()
        for key, value in base["pandas"].items():
            if key in now and now[key] != value:
                pd.set_option(key, value)
    warnings.filters[:] = base["filters"]
    warnings._filters_mutated()  # every module's __warningregistry__ is stale: a warning shows again
    warnings.onceregistry.clear()
    for key in set(os.environ) - set(base["environ"]):
        del os.environ[key]
    for key, value in base["environ"].items():
        if os.environ.get(key) != value:
            os.environ[key] = value
    sys.path[:] = base["path"]
    os.chdir(cwd)  # (shell.reset has already collected garbage)


# -- warm kernels in workers ---------------------------------------------------------------

_KERNEL_CALL = "__import__('evallib.report.runner', fromlist=['kernel_reset']).{call}"


def _warm_engine_registered() -> None:
    """Register a papermill engine that executes the notebook in an already running kernel."""
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine, papermill_engines
    from papermill.log import logger
    from papermill.utils import merge_kwargs, remove_args

    if WARM_ENGINE in papermill_engines._engines:
        return

    class WarmEngine(NBClientEngine):
        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, log_output=False, stdout_file=None,
                                     stderr_file=None, start_timeout=60, execution_timeout=None, warm=None,
                                     **kwargs):
            kwargs = remove_args(["input_path", "timeout", "startup_timeout"], **kwargs)
            final = merge_kwargs(kwargs, timeout=execution_timeout, startup_timeout=start_timeout,
                                 kernel_name=kernel_name, log=logger, log_output=log_output,
                                 stdout_file=stdout_file, stderr_file=stderr_file)
            client = PapermillNotebookClient(nb_man, km=warm.km, **final)
            client.kc = warm.kc  # not owned: nbclient leaves kernel and client running afterwards
            return client.execute()

    papermill_engines.register(WARM_ENGINE, WarmEngine)


class WarmKernel:
    """One kernel kept running for many notebooks, reset to a recorded state before each.

    Use it from the thread that created it (its zmq sockets belong to that thread's event loop);
    `kill()` may be called from any thread.
    """

    def __init__(self, startup_timeout: float = 120):
        self.startup_timeout = startup_timeout
        self.km: IPCKernelManager | None = None
        self.kc = None
        self.starts = 0  # kernels started so far (2+ means one was replaced)
        self.closed = False
        self._warmup_id: str | None = None

    # lifecycle
    def start(self, wait: bool = True) -> "WarmKernel":
        from jupyter_core.utils import run_sync

        km = IPCKernelManager(kernel_name=KERNEL_NAME)
        run_sync(km.start_kernel)(cwd=tempfile.gettempdir())
        kc = km.client()
        kc.start_channels()
        try:
            run_sync(kc.wait_for_ready)(timeout=self.startup_timeout)
        except BaseException:
            kc.stop_channels()
            run_sync(km.shutdown_kernel)(now=True)
            raise
        kc.allow_stdin = False
        self.km, self.kc, self.closed = km, kc, False
        self.starts += 1
        self._warmup_id = kc.execute(_KERNEL_CALL.format(call="kernel_baseline()"), silent=True,
                                     store_history=False, allow_stdin=False)
        if wait:
            self.ready()
        return self

    def ready(self) -> None:
        """Wait for the imports sent by start(wait=False)."""
        if self._warmup_id:
            msg_id, self._warmup_id = self._warmup_id, None
            self._wait(msg_id, self.startup_timeout)

    def alive(self) -> bool:
        from jupyter_core.utils import run_sync

        return self.km is not None and not self.closed and bool(run_sync(self.km.is_alive)())

    def shutdown(self) -> None:
        """Stop the kernel (from the owning thread)."""
        from jupyter_core.utils import run_sync

        km, kc, self.km, self.kc = self.km, self.kc, None, None
        self.closed = True
        if kc is not None:
            try:
                kc.stop_channels()
            except Exception:  # noqa: BLE001 - best effort on a dying kernel
                pass
        if km is not None:
            try:
                run_sync(km.shutdown_kernel)(now=True)
            except Exception:  # noqa: BLE001
                self._kill_process(km)

    def kill(self) -> None:
        """Stop the kernel process from any thread; the owner starts a new one when next used."""
        self.closed = True
        if self.km is not None:
            self._kill_process(self.km)

    @staticmethod
    def _kill_process(km) -> None:
        proc = getattr(getattr(km, "provisioner", None), "process", None)
        if proc is not None and proc.poll() is None:
            proc.kill()
            try:
                proc.wait(10)
            except Exception:  # noqa: BLE001
                pass
        shutil.rmtree(km._ipc_dir, ignore_errors=True)

    def restart(self) -> None:
        self.shutdown()
        self.start()

    # requests
    def _wait(self, msg_id: str, timeout: float) -> dict:
        from jupyter_core.utils import run_sync
        from nbclient.exceptions import DeadKernelError

        deadline = time.monotonic() + timeout
        while True:
            try:
                msg = run_sync(self.kc.get_shell_msg)(timeout=1)
            except queue.Empty:
                if not self.alive():
                    raise DeadKernelError("Kernel died") from None
                if time.monotonic() > deadline:
                    raise TimeoutError("内核无响应") from None
                continue
            if msg.get("parent_header", {}).get("msg_id") == msg_id:
                break
        content = msg["content"]
        if content.get("status") != "ok":
            raise RuntimeError(f"内核准备出错：{content.get('ename')}：{content.get('evalue')}")
        return content

    def _call(self, call: str, timeout: float = 120) -> None:
        msg_id = self.kc.execute(_KERNEL_CALL.format(call=call), silent=True, store_history=False, allow_stdin=False)
        self._wait(msg_id, timeout)

    def execute(self, name: str, parameters: dict[str, Any], cwd: Path) -> nbformat.NotebookNode:
        """Execute a notebook (by name) in this kernel with `cwd` as working directory; cleaned notebook.

        Kernel dead before or during the run: a new kernel is started, `cwd` emptied and the run
        retried once.
        """
        from nbclient.exceptions import DeadKernelError

        cwd = Path(cwd)
        for attempt in (1, 2):
            try:
                if not self.alive():
                    self.restart()
                self.ready()
                self._call(f"kernel_reset({str(cwd)!r})")
                return self._run_notebook(name, parameters)
            except Exception as exc:
                if self.alive() and not isinstance(exc, DeadKernelError):
                    raise  # an error in the notebook itself: the kernel is fine
                if attempt == 2:
                    self.shutdown()
                    raise KernelDiedError("报告内核意外退出；已换用新内核重试一次，仍然失败") from exc
                self.shutdown()
                for p in list(cwd.iterdir()) if cwd.is_dir() else []:
                    shutil.rmtree(p) if p.is_dir() and not p.is_symlink() else p.unlink()
        raise AssertionError("unreachable")

    def _run_notebook(self, name: str, parameters: dict[str, Any]) -> nbformat.NotebookNode:
        import nbformat
        import papermill

        _warm_engine_registered()
        source = nbformat.read(notebook_path(name), as_version=4)
        nb = papermill.execute_notebook(
            source, None, parameters=parameters, engine_name=WARM_ENGINE, kernel_name=KERNEL_NAME,
            progress_bar=False, log_output=False, record_timing=False, request_save_on_cell_execute=False,
            start_timeout=self.startup_timeout, warm=self)
        return clean_notebook(nb)


_local = threading.local()
_all_kernels: list[WarmKernel] = []
_kernels_lock = threading.Lock()
_exit_hooked = False


def worker_kernel(wait: bool = True) -> WarmKernel:
    """This thread's warm kernel, started on first use (one per worker process or Dask worker thread)."""
    global _exit_hooked
    kernel = getattr(_local, "kernel", None)
    if kernel is not None and kernel.closed:
        kernel.shutdown()  # killed from another thread: close its sockets here, then start anew
        kernel = None
    if kernel is None:
        kernel = WarmKernel()
        _local.kernel = kernel
        with _kernels_lock:
            _all_kernels.append(kernel)
            if not _exit_hooked:
                import atexit
                from multiprocessing import util

                atexit.register(shutdown_kernels)
                util.Finalize(None, shutdown_kernels, exitpriority=50)  # worker processes skip atexit
                _exit_hooked = True
        kernel.start(wait=wait)
    return kernel


def shutdown_kernels() -> None:
    """Stop every warm kernel of this process (graceful in the owning thread, else killed)."""
    with _kernels_lock:
        kernels = list(_all_kernels)
        _all_kernels.clear()
    mine = getattr(_local, "kernel", None)
    for kernel in kernels:
        if kernel is mine:
            kernel.shutdown()
        else:
            kernel.kill()
    _local.kernel = None


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
        from . import data

        self.subject = Path(subject)
        self.out_dir = Path(out_dir).resolve()
        self.formats, self.kernel, self.score_only = tuple(formats), kernel, score_only
        self.dirs = [str(Path(d).resolve()) for d in data.framework_dirs(frameworks)]  # as the notebook gets them
        self.search = [str(Path(d).resolve()) for d in (frameworks or ["parameters/frameworks"])]
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
        from ..numbers import fmt
        from . import data

        started = time.perf_counter()
        result = self.result
        try:
            if self.subject.is_file():
                result.subject_sha256 = sha256_file(self.subject)
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
        from . import data
        from .export import ExportContext, export

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
                from ..results import to_json

                (stage / "result.json").write_bytes((to_json(ev) + "\n").encode("utf-8"))
                result.outputs = {f"{ev.subject.id}/{p.relative_to(stage).as_posix()}": sha256_file(p)
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
    from . import data
    from .export import to_html

    out_dir = Path(out_dir)
    dirs = [str(Path(d).resolve()) for d in data.framework_dirs(frameworks)]
    params = {"subjects": [str(Path(s).resolve()) for s in subjects], "failed": list(failed), "frameworks": dirs}
    with tempfile.TemporaryDirectory(dir=out_dir, prefix=".summary.tmp-") as tmp:
        nb = kernel.execute("summary", params, Path(tmp)) if kernel is not None else execute("summary", params, Path(tmp))
    path = out_dir / "summary.html"
    write_atomic(path, to_html(nb, "预算绩效评价汇总").encode("utf-8"))
    return {"summary.html": sha256_file(path)}


def summary_workbook(subjects: list[str], out_dir: Path, frameworks: list[str] | None) -> dict[str, str]:
    """summary.xlsx (league table) for a batch run with the xlsx format; scoring only, no kernel."""
    from ..deliver.workbook import write_summary_xlsx
    from ..review import review_file
    from . import data

    dirs = [Path(d) for d in data.framework_dirs(frameworks)]
    evaluations = [review_file(Path(s), dirs) for s in subjects]
    path = Path(out_dir) / "summary.xlsx"
    write_summary_xlsx(evaluations, path)
    return {"summary.xlsx": sha256_file(path)}


def run_summary(results: list[SubjectResult], out_dir: Path, frameworks: list[str] | None,
                kernel: WarmKernel | None = None) -> dict[str, str]:
    return render_summary([r.file for r in results if r.ok], [Path(r.file).name for r in results if not r.ok],
                          out_dir, frameworks, kernel)


# -- tasks run by workers (process pool, Dask, or this process) --------------------------------

def subject_task(file: str, out_dir: str, frameworks: list[str] | None, formats: tuple[str, ...],
                 score_only: bool) -> SubjectResult:
    """One subject in a worker, in this worker thread's warm kernel."""
    kernel = None if score_only else worker_kernel()
    return run_subject(file, out_dir, frameworks, formats, kernel=kernel, score_only=score_only)


def summary_task(subjects: list[str], failed: list[str], out_dir: str, frameworks: list[str] | None) -> dict[str, str]:
    return render_summary(subjects, failed, out_dir, frameworks, kernel=worker_kernel())


class LocalBackend:
    """Everything in this process, one subject after another, in one warm kernel."""

    def map(self, tasks: dict[int, tuple], on_result: Callable[[int, SubjectResult], None],
            on_prepared=None) -> None:
        for i, args in tasks.items():
            on_result(i, subject_task(*args))

    def summary(self, args: tuple) -> dict[str, str]:
        return summary_task(*args)

    def close(self, abort: bool = False) -> None:
        shutdown_kernels()


def _skip_slow_optional_imports() -> None:
    """jsonschema (imported by nbformat) imports the optional rfc3987_syntax, which builds a parser at
    import time (~0.8 s), for "iri" format checks that nbformat never requests. Worker processes skip it."""
    if "jsonschema" not in sys.modules:
        sys.modules.setdefault("rfc3987_syntax", None)


def _exit_on_sigterm(signum, frame) -> None:
    raise SystemExit(1)


def _worker_main(tasks, results, warm: bool) -> None:
    """A worker process: take tasks from the shared queue until None; post messages to `results`.

    The main thread drives the warm kernel (prepare: score, execute the notebook); a second thread
    finishes the previous subject (export, write) meanwhile, so kernel and exporter both stay busy.
    Messages: ("start", i, pid), ("done", i, SubjectResult), ("summary", i, ok, value).
    """
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's: it stops handing out subjects
    signal.signal(signal.SIGTERM, _exit_on_sigterm)  # terminated: still stop the kernel on the way out
    _skip_slow_optional_imports()
    kernel = None
    if warm:
        try:
            kernel = worker_kernel(wait=False)  # the kernel starts while this process imports the rest
        except Exception:  # noqa: BLE001 - the first subject starts it again and reports the error
            kernel = None
    handoff: queue.Queue = queue.Queue(maxsize=1)

    def finisher() -> None:
        from ..results import to_json  # noqa: F401  (imported here while the first notebook runs)
        from . import export  # noqa: F401

        while True:
            job = handoff.get()
            if job is None:
                return
            results.put(("done", job.index, job.finish()))

    thread = threading.Thread(target=finisher, name="evalbook-finish", daemon=True)
    thread.start()
    import papermill  # noqa: F401

    from . import data  # noqa: F401
    if warm:
        _warm_engine_registered()
    import gc

    gc.collect()
    gc.freeze()  # modules stay for the life of the worker: later collections need not scan them
    try:
        while True:
            item = tasks.get()
            if item is None:
                break
            index, kind, args = item
            results.put(("start", index, os.getpid()))
            if kind == "summary":
                try:
                    results.put(("summary", index, True, summary_task(*args)))
                except Exception as exc:  # noqa: BLE001
                    results.put(("summary", index, False, error_text(exc)))
                continue
            file, out_dir, frameworks, formats, score_only = args
            if not score_only and (kernel is None or kernel.closed):
                try:
                    kernel = worker_kernel()
                except Exception as exc:  # noqa: BLE001
                    results.put(("done", index, SubjectResult(file=file, ok=False, message="报告内核无法启动：" + error_text(exc))))
                    continue
            job = SubjectJob(file, out_dir, frameworks, formats, None if score_only else kernel, score_only)
            job.index = index
            job.prepare()
            results.put(("prepared", index, job.stage is not None))
            handoff.put(job)
    finally:
        handoff.put(None)
        thread.join()
        shutdown_kernels()


class PoolBackend:
    """N worker processes (spawned: no inherited kernels, sockets or event loops), one warm kernel each,
    fed from one shared queue (a worker takes the next subject as soon as its kernel is free).

    A worker process that dies is replaced; the tasks it had taken are given out once more.
    Like any multiprocessing code, a script calling this must guard its entry point with
    `if __name__ == "__main__":` (the evalbook command does).
    """

    def __init__(self, jobs: int, warm: bool):
        import multiprocessing

        self.ctx = multiprocessing.get_context("spawn")
        self.jobs, self.warm = max(1, jobs), warm
        self.tasks = self.ctx.Queue()
        self.results = self.ctx.Queue()
        self.procs: list = []
        self.pending: dict[int, tuple[str, tuple]] = {}  # task index -> (kind, args), until answered
        self.taken: dict[int, int] = {}  # task index -> pid of the worker that took it
        self.lost: dict[int, int] = {}  # task index -> times its worker died under it
        self.answers: dict[int, tuple] = {}  # summary answers
        self.on_done: Callable[[int, SubjectResult], None] | None = None
        self.on_prepared: Callable[[int, bool], None] | None = None
        self.next_index = 1 << 30  # indexes for summary tasks
        self.used = False
        self.closed = False
        self.heard: set[int] = set()  # pids of workers that took a task
        self.stillborn = 0  # workers that died before taking any

    def _spawn(self, n: int) -> None:
        self.procs = [p for p in self.procs if p.exitcode is None]
        while len(self.procs) < min(self.jobs, max(1, n)):
            proc = self.ctx.Process(target=_worker_main, args=(self.tasks, self.results, self.warm),
                                    name="evalbook-worker", daemon=True)
            proc.start()
            self.procs.append(proc)

    def _put(self, index: int, kind: str, args: tuple) -> None:
        self.used = True
        self.pending[index] = (kind, args)
        self.tasks.put((index, kind, args))

    def _deliver(self, index: int, msg: tuple) -> None:
        kind, args = self.pending.pop(index)
        self.taken.pop(index, None)
        if kind == "summary":
            self.answers[index] = msg
        elif msg[0] == "lost":
            self.on_done(index, SubjectResult(file=args[0], ok=False, message="工作进程意外退出；已重试一次，仍然失败"))
        else:
            self.on_done(index, msg[2])

    def _pump(self) -> None:
        """Handle one message from the workers (or, after a quiet second, look for dead workers)."""
        try:
            msg = self.results.get(timeout=1)
        except queue.Empty:
            self._check_workers()
            return
        index = msg[1]
        if msg[0] == "start":
            self.heard.add(msg[2])
        if index not in self.pending:
            return
        if msg[0] == "start":
            self.taken[index] = msg[2]
        elif msg[0] == "prepared":
            if self.on_prepared is not None:
                self.on_prepared(index, msg[2])
        else:
            self._deliver(index, msg)

    def _check_workers(self) -> None:
        dead = {p.pid: p.exitcode for p in self.procs if p.exitcode is not None}
        if not dead:
            return
        self.stillborn += sum(1 for pid in dead if pid not in self.heard)
        if self.stillborn >= 3:  # workers that die before taking any task will never take one
            raise BackendError(
                f"无法启动工作进程（进程启动即退出，退出码 {sorted(set(dead.values()))}）。"
                "若在自己的 Python 脚本中以 jobs>1 调用 run_all，须把入口写在 if __name__ == \"__main__\": 之下")
        for index, pid in list(self.taken.items()):
            if pid in dead and index in self.pending:
                del self.taken[index]
                self.lost[index] = self.lost.get(index, 0) + 1
                if self.lost[index] >= 2:
                    self._deliver(index, ("lost", index))
                else:
                    kind, args = self.pending[index]
                    self.tasks.put((index, kind, args))
        self._spawn(len(self.pending))

    def map(self, tasks: dict[int, tuple], on_result: Callable[[int, SubjectResult], None],
            on_prepared: Callable[[int, bool], None] | None = None) -> None:
        """Run the subjects; on_prepared(i, ok_so_far) when subject i's notebook has run (before export)."""
        self.on_done, self.on_prepared = on_result, on_prepared
        self._spawn(len(tasks))
        for i, args in tasks.items():
            self._put(i, "subject", args)
        while any(kind == "subject" for kind, _ in self.pending.values()):
            self._pump()

    def start_summary(self, args: tuple) -> int:
        self.next_index += 1
        self._spawn(1)
        self._put(self.next_index, "summary", args)
        return self.next_index

    def wait_summary(self, index: int) -> dict[str, str]:
        while index not in self.answers:
            self._pump()
        msg = self.answers.pop(index)
        if msg[0] == "lost":
            raise TaskError("工作进程意外退出，汇总未生成")
        if not msg[2]:
            raise TaskError(msg[3])
        return msg[3]

    def summary(self, args: tuple) -> dict[str, str]:
        return self.wait_summary(self.start_summary(args))

    def close(self, abort: bool = False) -> None:
        """Let the workers finish and exit; with abort, stop them now (they still stop their kernels).

        A pool that was never given a task is stopped at once as well."""
        if self.closed:
            return
        self.closed = True
        abort = abort or not self.used
        for proc in self.procs:
            if proc.exitcode is None:
                if abort:
                    proc.terminate()
                else:
                    self.tasks.put(None)
        for proc in self.procs:
            proc.join(60)
            if proc.exitcode is None:
                proc.terminate()
                proc.join(10)
        self.procs = []
        self.tasks.close()
        self.results.close()


class DaskBackend:
    """The same tasks on a Dask distributed cluster (optional extra: evalbook[dask])."""

    def __init__(self, address: str, warm: bool):
        try:
            from distributed import Client
        except ImportError as exc:
            raise BackendError("使用 --scheduler 需要安装可选依赖 dask 与 distributed："
                               "pip install 'evalbook[dask]'（" + str(exc) + "）") from exc
        try:
            self.client = Client(address, timeout="30s")
        except Exception as exc:  # noqa: BLE001
            raise BackendError(f"无法连接 Dask 调度器 {address}：{exc}") from exc
        self.warm = warm

    def map(self, tasks: dict[int, tuple], on_result: Callable[[int, SubjectResult], None],
            on_prepared=None) -> None:
        from distributed import as_completed

        futures = {self.client.submit(subject_task, *args, pure=False): i for i, args in tasks.items()}
        for fut in as_completed(list(futures)):
            i = futures[fut]
            try:
                result = fut.result()
            except Exception as exc:  # noqa: BLE001 - a task the cluster could not run
                result = SubjectResult(file=tasks[i][0], ok=False, message="Dask 任务失败：" + error_text(exc))
            on_result(i, result)

    def summary(self, args: tuple) -> dict[str, str]:
        return self.client.submit(summary_task, *args, pure=False).result()

    def close(self, abort: bool = False) -> None:
        try:
            if self.warm:
                self.client.run(shutdown_kernels)
        except Exception:  # noqa: BLE001 - workers gone already
            pass
        self.client.close()


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
            out[name] = sha256_file(notebook_path(name))
        except FileNotFoundError:
            pass
    return out


def _digest(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, ensure_ascii=False, sort_keys=True).encode("utf-8")).hexdigest()


def run_key(formats, score_only: bool, search: list[str]) -> str:
    """Everything besides a subject's own files that its outputs depend on."""
    from . import data

    return _digest({"evalbook": __version__, "code": code_sha256(), "notebooks": notebook_hashes(),
                    "packages": data.package_versions(), "formats": sorted(formats), "score_only": bool(score_only),
                    "framework_search": search})


def inputs_key(subject_sha: str, framework_file: str, framework_sha: str, key: str) -> str:
    fw = str(Path(framework_file).resolve()) if framework_file else ""
    return _digest([subject_sha, fw, framework_sha, key])


def _unchanged(file: Path, rec: dict[str, Any] | None, key: str, out_dir: Path) -> bool:
    if not rec or not rec.get("ok") or not rec.get("inputs_sha256") or not file.is_file():
        return False
    fw = rec.get("framework_file") or ""
    if not fw or not Path(fw).is_file():
        return False
    if inputs_key(sha256_file(file), fw, sha256_file(Path(fw)), key) != rec["inputs_sha256"]:
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

    @property
    def ok(self) -> bool:
        return all(r.ok for r in self.subjects) and not self.summary_error

    @property
    def failed(self) -> list[SubjectResult]:
        return [r for r in self.subjects if not r.ok]


def manifest_dict(run: RunResult, formats, frameworks) -> dict[str, Any]:
    from . import data

    def rel(path: str) -> str:
        p = Path(path).resolve()
        try:
            return p.relative_to(Path.cwd()).as_posix()
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
    }


def default_subjects() -> list[Path]:
    return sorted(Path("parameters/subjects").glob("*.yaml"))


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
    Raises BackendError when the workers cannot be started (e.g. Dask missing or unreachable).
    """
    files = list(files)
    # Worker processes take a moment to start (imports, kernel): start them first, plan meanwhile.
    jobs = jobs or 1
    backend = PoolBackend(jobs, warm=not score_only) if jobs > 1 and not scheduler and files else None
    if backend is not None:
        backend._spawn(len(files))
    try:
        return _run_all(backend, files, out_dir, frameworks, formats, summary, progress, jobs=jobs, force=force,
                        scheduler=scheduler, score_only=score_only, on_start=on_start)
    except BaseException:
        if backend is not None:
            backend.close(abort=True)
        raise


def _run_all(backend, files, out_dir, frameworks, formats, summary, progress, *, jobs, force, scheduler,
             score_only, on_start) -> RunResult:
    from . import data

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    formats = () if score_only else tuple(formats)
    summary = summary and not score_only
    search = [str(Path(d).resolve()) for d in data.framework_dirs(frameworks)]
    key = run_key(formats, score_only, search)
    given = [Path(f) for f in files]
    # workers may run elsewhere (Dask) or in another folder: give them absolute paths only
    fw_abs = [str(Path(d).resolve()) for d in (frameworks or ["parameters/frameworks"])]
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
        ok = [str(given[i].resolve()) for i in range(len(given)) if ok_of(i)]
        failed = [given[i].name for i in range(len(given)) if not ok_of(i)]
        return ok, failed, out_abs, fw_abs

    # With worker processes the summary starts as soon as a worker would otherwise idle: when the
    # subjects not yet through their notebook are all in the other workers' hands. It assumes those
    # succeed; it is kept if the final list of successful subjects is the same, else made again.
    prepared: dict[int, bool] = {}
    early: dict[str, Any] = {}
    busy_others = max(0, min(jobs or 1, len(tasks)) - 1)

    def on_prepared(i: int, ok_so_far: bool) -> None:
        prepared[i] = ok_so_far
        if summary and not early and len(tasks) - len(prepared) <= busy_others:
            args = summary_args(lambda j: prepared.get(j, True) if j in tasks else results[j].ok)
            if args[0]:
                early["args"], early["index"] = args, backend.start_summary(args)

    run = RunResult(out_dir, [], skipped=skipped, score_only=score_only, key=key)
    try:
        if tasks:
            backend = backend or make_backend(jobs, scheduler, warm=not score_only)
            backend.map(tasks, done, on_prepared)
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
                if early:
                    answer = backend.wait_summary(early["index"])
                    run.summary = answer if early["args"] == args else backend.summary(args)
                elif (not force and old_summary and old.get("summary_inputs_sha256") == run.summary_key
                        and all((out_dir / rel).is_file() for rel in old_summary)):
                    run.summary, run.summary_skipped = dict(old_summary), True
                else:
                    if backend is None:
                        backend = make_backend(jobs, scheduler, warm=True)
                    run.summary = backend.summary(args)
            except BackendError:
                raise
            except Exception as exc:  # noqa: BLE001
                run.summary_error = error_text(exc)
            if "xlsx" in formats and run.summary is not None and not run.summary_error:
                run.summary = {**run.summary, **summary_workbook(args[0], out_dir, frameworks)}
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


# -- verify ---------------------------------------------------------------------------

@dataclass
class FileCheck:
    path: str
    status: str  # 相同 / 不同 / 缺少 / 新增
    detail: str = ""


def verify(out_dir: str | Path, jobs: int = 1) -> tuple[list[FileCheck], list[str]]:
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
        run = run_all(files, tmp, frameworks, manifest.get("formats", ["html"]), summary=bool(manifest.get("summary")),
                      jobs=jobs, force=True, score_only=bool(manifest.get("score_only")))
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
