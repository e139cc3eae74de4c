"""Benchmark: `evalbook run --jobs 2` against the naive loop, stage by stage, and memory as the batch grows.

    .venv/bin/python benchmarks/bench_run.py --subjects 20
    .venv/bin/python benchmarks/bench_run.py --subjects 100 --naive 20
    .venv/bin/python benchmarks/bench_run.py --memory

Default mode: N synthetic subjects (benchmarks/synthetic.py: the bundled seed subjects with their
figures varied by a seeded RNG, written to a temp dir) are rendered three times in this one invocation —
1. the naive loop, one subject after another: the `papermill` CLI on notebooks/report.ipynb, then
   the `jupyter nbconvert --to html` CLI on the executed notebook (with --naive K only the first K
   subjects run and the total is K's mean times N; the output says so);
2. `evalbook run --jobs 2 --force --format html` (the real CLI, as a subprocess) on the same subjects;
3. the same with `--format html,pdf,docx,xlsx`.
It prints, from the all-formats run's manifest.json, each subject's seconds per stage in its worker
(assess, notebook, html, pdf, docx, xlsx, write) and the totals, the summary's seconds, the wall
times, and as its last two lines
`speedup_vs_naive_cli: X.XX` (naive total wall time / evalbook HTML wall time; evalbook's time
includes process start-up and the cross-subject summary, which the naive loop does not make) and
`all_formats_over_html: Y.YY` (wall time of run 3 / run 2). Ratios within one invocation only: the
machine may be shared, so absolute seconds vary between runs.

Before those two lines it prints `scoring_ms_per_subject` (every bundled subject in parameters/subjects/
scored again and again in this warm process: the engine alone, files parsed once beforehand; goal under 5 ms).

--memory: peak resident memory of the whole process tree (parent + workers + kernels, sampled
every 50 ms) of `evalbook run --jobs 2` for N and 2N subjects: scoring only (--score-only, no
notebooks) at 500 and 1,000, full reports at 100 and 200. Memory that stays flat as N doubles
means nothing accumulates per subject (goal: growth under 10 %).
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
                        "-y", json.dumps({"frameworks": [str(FRAMEWORKS)]}), "-p", "output_dir", str(out), "-p", "chart_svg", "False",  # the same charts as evalbook --format html
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


STAGES = ("assess", "notebook", "html", "pdf", "docx", "xlsx", "write")
ALL_FORMATS = "html,pdf,docx,xlsx"


def stage_table(manifest: dict) -> None:
    """Seconds per stage of every subject (in its worker) and the totals, from a run's manifest. The
    cross-subject summary (summary.html, summary.xlsx) is one step per run: its column shows in the totals,
    and its share per subject in the mean."""
    rows = [(Path(r["file"]).stem, r.get("stages", {}), r["seconds"]) for r in manifest["subjects"]]
    summary = sum(manifest.get("summary_stages", {}).values())
    print(f"{'subject':<40}" + "".join(f"{s:>9}" for s in STAGES) + f"{'summary':>9}{'total':>9}")
    for name, stages, seconds in rows:
        print(f"{name[:39]:<40}" + "".join(f"{stages.get(s, 0.0):>9.2f}" for s in STAGES) + f"{'':>9}{seconds:>9.2f}")
    totals = {s: sum(st.get(s, 0.0) for _, st, _ in rows) for s in STAGES}
    whole = sum(sec for _, _, sec in rows) + summary
    print(f"{'total (sum over subjects)':<40}" + "".join(f"{totals[s]:>9.2f}" for s in STAGES)
          + f"{summary:>9.2f}{whole:>9.2f}")
    n = max(1, len(rows))
    print(f"{'mean per subject':<40}" + "".join(f"{totals[s] / n:>9.2f}" for s in STAGES)
          + f"{summary / n:>9.2f}{whole / n:>9.2f}")
    parts = manifest.get("summary_stages", {})
    print("summary: " + ", ".join(f"{k} {v:.2f} s" for k, v in parts.items()) if parts else "summary: (none)")


def scoring_ms(rounds: int = 50) -> tuple[float, int]:
    """Milliseconds per subject for scoring alone (engine.evaluate) in this warm process, over every
    bundled subject; parsing is done once, before timing."""
    from evallib.engine.scoring import evaluate, load_pair

    pairs = [load_pair(p) for p in sorted((ROOT / "parameters" / "subjects").glob("*.yaml"))]
    for framework, subject in pairs:  # warm-up
        evaluate(framework, subject)
    start = time.perf_counter()
    for _ in range(rounds):
        for framework, subject in pairs:
            evaluate(framework, subject)
    return (time.perf_counter() - start) * 1000 / (rounds * len(pairs)), len(pairs)


def speed(n: int, keep: bool, naive_n: int | None, pdf_engine: str) -> None:
    work = Path(tempfile.mkdtemp(prefix="evalbook-bench-"))
    try:
        subjects = make_subjects(n, work / "subjects")
        print(f"{n} 个合成评价对象（{work / 'subjects'}）", flush=True)
        k = min(n, naive_n or n)
        print(f"朴素循环：papermill CLI + jupyter nbconvert --to html CLI，逐个运行 {k} 个 …", flush=True)
        naive_times = naive(subjects[:k], work / "naive")
        naive_total = sum(naive_times) * n / k
        print("evalbook run --jobs 2 --format html …", flush=True)
        wall, manifest, _ = evalbook_run(subjects, work / "evalbook-html", jobs=2, extra=("--format", "html"))
        print(f"evalbook run --jobs 2 --format {ALL_FORMATS} --pdf-engine {pdf_engine} …", flush=True)
        wall_all, manifest_all, _ = evalbook_run(subjects, work / "evalbook-all", jobs=2,
                                                 extra=("--format", ALL_FORMATS, "--pdf-engine", pdf_engine))
        for label, m in (("html", manifest), (ALL_FORMATS, manifest_all)):
            print(f"\n— 各环节耗时（秒，工作进程内），--format {label} —")
            stage_table(m)
        print()
        print(f"naive: {sum(naive_times):.2f} s for {k} subjects = {sum(naive_times) / k:.2f} s per subject"
              + (f"; total for {n} extrapolated: {naive_total:.2f} s" if k < n else ""))
        print(f"evalbook run --jobs 2 --format html: {wall:.2f} s = {wall / n:.2f} s per subject "
              f"(wall; includes start-up and summary.html)")
        print(f"evalbook run --jobs 2 --format {ALL_FORMATS}: {wall_all:.2f} s = {wall_all / n:.2f} s per subject")
        ms, count = scoring_ms()
        print(f"scoring_ms_per_subject: {ms:.2f} (engine alone, warm process, {count} bundled subjects)")
        print(f"speedup_vs_naive_cli: {naive_total / wall:.2f} (HTML, {n} subjects"
              + (f", naive measured on {k}" if k < n else "") + ")")
        print(f"all_formats_over_html: {wall_all / wall:.2f} (PDF engine {pdf_engine})")
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
            print(f"{label}: N {n1} → {n2}: peak {p1 / 2**20:.1f} → {p2 / 2**20:.1f} MiB (×{p2 / p1:.2f}, "
                  f"growth {100 * (p2 / p1 - 1):+.1f} %; goal under 10 %)")
    finally:
        if keep:
            print(f"(kept {work})", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--subjects", type=int, default=10, metavar="N", help="number of synthetic subjects (default 10)")
    parser.add_argument("--naive", type=int, metavar="K", help="run the naive loop on the first K subjects only "
                        "and extrapolate its total (it takes ~17 s a subject)")
    parser.add_argument("--pdf-engine", default="chromium", choices=["chromium", "weasyprint"],
                        help="PDF engine of the all-formats run (default chromium)")
    parser.add_argument("--memory", action="store_true", help="peak memory for N and 2N subjects instead")
    parser.add_argument("--keep", action="store_true", help="keep the temp dir")
    args = parser.parse_args()
    os.chdir(ROOT)
    if args.memory:
        memory(args.keep)
    else:
        speed(args.subjects, args.keep, args.naive, args.pdf_engine)


if __name__ == "__main__":
    main()
