"""Benchmark: `evalbook run --jobs 2` against the naive loop, and memory as the batch grows.

    .venv/bin/python benchmarks/bench_run.py --subjects 10
    .venv/bin/python benchmarks/bench_run.py --memory

Default mode: N synthetic subjects (benchmarks/synthetic.py: the bundled seed subjects with their
figures varied by a seeded RNG, written to a temp dir) are rendered twice in this one invocation —
1. the naive loop, one subject after another: the `papermill` CLI on notebooks/report.ipynb, then
   the `jupyter nbconvert --to html` CLI on the executed notebook;
2. `evalbook run --jobs 2 --force` (the real CLI, as a subprocess) on the same subjects.
It prints the time per subject for both (for evalbook: each subject's time in its worker, from
manifest.json, and the wall time divided by N) and, as its last line,
`speedup_vs_naive_cli: X.XX` (naive total wall time / evalbook total wall time; evalbook's time
includes process start-up and the cross-subject summary, which the naive loop does not make).

--memory: peak resident memory of the whole process tree (parent + workers + kernels, sampled
every 50 ms) of `evalbook run --jobs 2` for N and 2N subjects: scoring only (--score-only, no
notebooks) at 500 and 1,000, full reports at 100 and 200. Memory that stays flat as N doubles
means nothing accumulates per subject.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from synthetic import FRAMEWORKS, ROOT, make_subjects  # noqa: E402

BIN = Path(sys.executable).parent
NOTEBOOK = ROOT / "notebooks" / "report.ipynb"


def tool(name: str) -> str:
    path = BIN / name
    return str(path) if path.exists() else (shutil.which(name) or name)


def naive(subjects: list[Path], work: Path) -> list[float]:
    """papermill CLI then nbconvert CLI, one subject after another; seconds per subject."""
    times = []
    for subject in subjects:
        out = work / subject.stem
        out.mkdir(parents=True, exist_ok=True)
        executed = out / "report.ipynb"
        start = time.perf_counter()
        subprocess.run([tool("papermill"), str(NOTEBOOK), str(executed), "-p", "subject", str(subject),
                        "-y", json.dumps({"frameworks": [str(FRAMEWORKS)]}), "-p", "output_dir", str(out),
                        "--no-progress-bar", "--cwd", str(out)],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        subprocess.run([tool("jupyter"), "nbconvert", "--to", "html", str(executed)],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
        if not (out / "report.html").is_file():
            raise SystemExit(f"naive loop produced no HTML for {subject.name}")
    return times


def evalbook_run(subjects: list[Path], out: Path, jobs: int = 2, extra: tuple[str, ...] = (),
                 sample_memory: bool = False) -> tuple[float, dict, int]:
    """Run the evalbook CLI; return (wall seconds, manifest, peak RSS bytes of the process tree)."""
    cmd = [tool("evalbook"), "run", *map(str, subjects), "--out", str(out), "--jobs", str(jobs), "--force", *extra]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = [0]
    if sample_memory:
        threading.Thread(target=_sample_rss, args=(proc, peak), daemon=True).start()
    stdout, stderr = proc.communicate()
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"evalbook run failed ({proc.returncode}):\n{stdout[-3000:]}\n{stderr[-3000:]}")
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    return wall, manifest, peak[0]


def _sample_rss(proc: subprocess.Popen, peak: list[int]) -> None:
    import psutil

    try:
        root = psutil.Process(proc.pid)
    except psutil.NoSuchProcess:
        return
    while proc.poll() is None:
        total = 0
        try:
            for p in [root, *root.children(recursive=True)]:
                try:
                    total += p.memory_info().rss
                except psutil.Error:
                    pass
        except psutil.Error:
            pass
        peak[0] = max(peak[0], total)
        time.sleep(0.05)


def speed(n: int, keep: bool) -> None:
    work = Path(tempfile.mkdtemp(prefix="evalbook-bench-"))
    try:
        subjects = make_subjects(n, work / "subjects")
        print(f"{n} 个合成评价对象（{work / 'subjects'}）", flush=True)
        print("朴素循环：papermill CLI + jupyter nbconvert --to html CLI，逐个运行 …", flush=True)
        naive_times = naive(subjects, work / "naive")
        naive_total = sum(naive_times)
        print("evalbook run --jobs 2 …", flush=True)
        wall, manifest, _ = evalbook_run(subjects, work / "evalbook", jobs=2)
        worker = {Path(r["file"]).stem: r["seconds"] for r in manifest["subjects"]}
        print()
        print(f"{'subject':<44}{'naive s':>10}{'evalbook s (in worker)':>25}")
        for subject, t in zip(subjects, naive_times):
            print(f"{subject.stem:<44}{t:>10.2f}{worker.get(subject.stem, float('nan')):>25.2f}")
        print()
        print(f"naive total: {naive_total:.2f} s = {naive_total / n:.2f} s per subject")
        print(f"evalbook run --jobs 2 total: {wall:.2f} s = {wall / n:.2f} s per subject "
              f"(wall; includes start-up and summary.html)")
        print(f"speedup_vs_naive_cli: {naive_total / wall:.2f}")
    finally:
        if keep:
            print(f"(kept {work})", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)


def memory(keep: bool) -> None:
    work = Path(tempfile.mkdtemp(prefix="evalbook-mem-"))
    try:
        subjects = make_subjects(1000, work / "subjects")
        rows = []
        for label, extra, sizes in (("score-only", ("--score-only",), (500, 1000)), ("full report", (), (100, 200))):
            for n in sizes:
                out = work / f"out-{label.replace(' ', '-')}-{n}"
                wall, manifest, peak = evalbook_run(subjects[:n], out, jobs=2, extra=extra, sample_memory=True)
                ok = sum(1 for r in manifest["subjects"] if r["ok"])
                rows.append((label, n, peak, wall, ok))
                print(f"{label:<12} N={n:<5} peak RSS (parent+children) {peak / 2**20:8.1f} MiB   "
                      f"{wall:7.1f} s   ok {ok}/{n}", flush=True)
                shutil.rmtree(out, ignore_errors=True)
        print()
        for label in ("score-only", "full report"):
            (_, n1, p1, _, _), (_, n2, p2, _, _) = [r for r in rows if r[0] == label]
            print(f"{label}: N {n1} → {n2}: peak {p1 / 2**20:.1f} → {p2 / 2**20:.1f} MiB (×{p2 / p1:.2f})")
    finally:
        if keep:
            print(f"(kept {work})", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--subjects", type=int, default=10, metavar="N", help="number of synthetic subjects (default 10)")
    parser.add_argument("--memory", action="store_true", help="peak memory for N and 2N subjects instead")
    parser.add_argument("--keep", action="store_true", help="keep the temp dir")
    args = parser.parse_args()
    os.chdir(ROOT)
    if args.memory:
        memory(args.keep)
    else:
        speed(args.subjects, args.keep)


if __name__ == "__main__":
    main()
