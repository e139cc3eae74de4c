"""Kernels for report notebooks: IPC transport with a private socket folder per kernel (parallel
kernels over TCP or a shared IPC path collide), TCP on loopback where ZeroMQ has no IPC (Windows),
notebook execution, and warm kernels that a worker keeps for many subjects (reset between subjects by
kernel_state; see batch.py for the whole picture).
"""
from __future__ import annotations

import copy
import hashlib
import os
import queue
import shutil
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import nbformat
from jupyter_client.manager import AsyncKernelManager

from ..core.yamlio import file_sha256  # noqa: F401  (used by the runner modules)
from ..model.workbook import bundled


PACKAGE_DIR = Path(__file__).resolve().parents[1]  # evallib/
KERNEL_NAME = "python3"
INJECTED_ID = "injected-parameters"
MANIFEST = "manifest.json"
WARM_ENGINE = "evalbook-warm"


TRANSPORT_ENV = "EVALBOOK_KERNEL_TRANSPORT"  # "tcp" or "ipc": force one (tests, troubleshooting)


def kernel_transport() -> str:
    """IPC where ZeroMQ offers it (Linux, macOS); TCP on loopback otherwise (Windows builds of pyzmq)."""
    import zmq

    forced = os.environ.get(TRANSPORT_ENV, "").strip().lower()
    if forced == "tcp":
        return "tcp"
    if forced == "ipc" and zmq.has("ipc"):
        return "ipc"
    if forced:
        raise ValueError(f"环境变量 {TRANSPORT_ENV}={forced!r} 无效：可为 tcp 或 ipc（ipc 仅在 ZeroMQ 支持时可用）")
    return "ipc" if os.name != "nt" and zmq.has("ipc") else "tcp"


class LocalKernelManager(AsyncKernelManager):
    """A kernel manager on this machine only: IPC with a unique socket path per kernel, or TCP on 127.0.0.1."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._ipc_dir = tempfile.mkdtemp(prefix="evalbook-kernel-")
        self.transport = kernel_transport()
        self.ip = os.path.join(self._ipc_dir, "k") if self.transport == "ipc" else "127.0.0.1"

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await super()._async_cleanup_resources(restart=restart)
        if not restart:
            shutil.rmtree(self._ipc_dir, ignore_errors=True)


class KernelDiedError(RuntimeError):
    """The report kernel died twice for the same subject (it is replaced and retried once)."""


def notebook_path(name: str) -> Path:
    """The bundled notebook `name` (the batch always uses evalbook's own, not a workbook's copy)."""
    path = bundled("notebooks") / f"{name}.ipynb"
    if not path.is_file():
        raise FileNotFoundError(f"找不到报告笔记本 {path}（evalbook 安装不完整？）")
    return path


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
        cwd=str(cwd), kernel_manager_class=LocalKernelManager, record_timing=False,
        request_save_on_cell_execute=False, start_timeout=120)
    return clean_notebook(nb)


# -- warm kernels in workers ---------------------------------------------------------------

_KERNEL_CALL = "__import__('evallib.batch.kernel_state', fromlist=['kernel_reset']).{call}"


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
        self.km: LocalKernelManager | None = None
        self.kc = None
        self.starts = 0  # kernels started so far (2+ means one was replaced)
        self.closed = False
        self._warmup_id: str | None = None

    # lifecycle
    def start(self, wait: bool = True) -> "WarmKernel":
        from jupyter_core.utils import run_sync

        km = LocalKernelManager(kernel_name=KERNEL_NAME)
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


