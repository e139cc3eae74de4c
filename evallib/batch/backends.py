"""Where subjects run: in this process, in a pool of worker processes each keeping a warm kernel,
or on a Dask cluster. All three take the same per-subject task.
"""
from __future__ import annotations

import queue
from typing import Callable

from .kernels import shutdown_kernels
from .outputs import BackendError, TaskError, error_text
from .subject import SubjectResult
from .tasks import subject_task, summary_task
from .worker import worker_main


class LocalBackend:
    """Everything in this process, one subject after another, in one warm kernel."""

    def map(self, tasks: dict[int, tuple], on_result: Callable[[int, SubjectResult], None],
            on_prepared=None) -> None:
        for i, args in tasks.items():
            on_result(i, subject_task(*args))

    def summary(self, args: tuple) -> dict[str, str]:
        return summary_task(*args)

    def close(self, abort: bool = False) -> None:
        from ..export import pdf_chromium

        pdf_chromium.close()
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
            proc = self.ctx.Process(target=worker_main, args=(self.tasks, self.results, self.warm),
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


