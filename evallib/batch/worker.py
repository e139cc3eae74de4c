"""A worker process of the pool: the spawn target. Kept light at import (standard library only), so the
process can skip a slow optional import and start its kernel before loading the rest."""
from __future__ import annotations

import os
import queue
import sys
import threading


def skip_slow_optional_imports() -> None:
    """jsonschema (imported by nbformat) imports the optional rfc3987_syntax, which builds a parser at
    import time (1–2 s), for "iri" format checks that nbformat never requests. evalbook's own processes (the
    CLI and the pool's workers) skip it; call this before anything imports nbformat."""
    if "jsonschema" not in sys.modules:
        sys.modules.setdefault("rfc3987_syntax", None)


def _exit_on_sigterm(signum, frame) -> None:
    raise SystemExit(1)


def worker_main(tasks, results, warm: bool) -> None:
    """A worker process: take tasks from the shared queue until None; post messages to `results`.

    The main thread drives the warm kernel (prepare: score, execute the notebook); a second thread
    finishes the previous subject (export, write) meanwhile, so kernel and exporter both stay busy.
    Messages: ("start", i, pid), ("done", i, SubjectResult), ("summary", i, ok, value).
    """
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's: it stops handing out subjects
    signal.signal(signal.SIGTERM, _exit_on_sigterm)  # terminated: still stop the kernel on the way out
    skip_slow_optional_imports()
    from .kernels import _warm_engine_registered, shutdown_kernels, worker_kernel

    kernel = None
    if warm:
        try:
            kernel = worker_kernel(wait=False)  # the kernel starts while this process imports the rest
        except Exception:  # noqa: BLE001 - the first subject starts it again and reports the error
            kernel = None
    from ..export import pdf_chromium
    from .tasks import summary_task
    from .outputs import error_text
    from .subject import SubjectJob, SubjectResult

    handoff: queue.Queue = queue.Queue(maxsize=1)

    def finisher() -> None:
        from ..assess.contract import to_json  # noqa: F401  (imported here while the first notebook runs)
        from ..export import formats, html  # noqa: F401

        try:
            while True:
                job = handoff.get()
                if job is None:
                    return
                results.put(("done", job.index, job.finish()))
        finally:
            pdf_chromium.close()  # the browser this thread kept open, if it printed

    thread = threading.Thread(target=finisher, name="evalbook-finish", daemon=True)
    thread.start()
    import papermill  # noqa: F401

    from ..report import data  # noqa: F401
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
