"""Batch runs at scale: `evalbook run --jobs N` with warm kernels, failures, skip-unchanged, --force,
--score-only for hundreds of subjects, and the same run on a Dask cluster.

The warm-kernel tests prove isolation the strict way: every output byte of a subject rendered in a
reused (and deliberately polluted) kernel equals the output of a run in a fresh kernel, in both orders.
"""
from __future__ import annotations

import fcntl
import hashlib
import json
import os
import pty
import re
import select
import struct
import subprocess
import sys
import termios
from pathlib import Path

import pytest

from evallib.batch.kernels import KernelDiedError, WarmKernel
from evallib.batch.subject import run_subject

from conftest import ROOT, run_cli

sys.path.insert(0, str(ROOT / "benchmarks"))
from synthetic import make_subjects  # noqa: E402

pytestmark = pytest.mark.slow  # every test here starts kernels or runs many subjects

SUBJECTS = ROOT / "parameters" / "subjects"
A = SUBJECTS / "003-futian-2021-dept.yaml"  # large department subject, futian framework
B = SUBJECTS / "000-heshan-2020-p2-yunwei.yaml"  # project subject, heshan project framework

# State a careless notebook could leave behind; each item would change the outputs if it leaked.
POLLUTE = """
import os, warnings, matplotlib, pandas as pd
matplotlib.rcParams["axes.facecolor"] = "#ff0000"
matplotlib.rcParams["lines.linewidth"] = 9
pd.set_option("styler.format.precision", 1)
pd.set_option("styler.html.mathjax", False)
pd.set_option("display.precision", 1)
warnings.simplefilter("ignore")
os.environ["EVALBOOK_LEAK"] = "1"
os.chdir("/")
R = "stale report"
show = print
"""


def tree(folder: Path) -> dict[str, bytes]:
    """Every output file's bytes by relative path (the run record aside)."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and p.name != "manifest.json"}


def digest(files: dict[str, bytes]) -> dict[str, str]:
    return {k: hashlib.sha256(v).hexdigest()[:16] for k, v in files.items()}


def pollute(kernel: WarmKernel) -> None:
    from jupyter_core.utils import run_sync

    msg_id = kernel.kc.execute(POLLUTE, store_history=True)
    while True:
        reply = run_sync(kernel.kc.get_shell_msg)(timeout=60)
        if reply["parent_header"].get("msg_id") == msg_id:
            assert reply["content"]["status"] == "ok", reply["content"]
            return


@pytest.fixture(scope="module")
def fresh(tmp_path_factory):
    """A and B each rendered in its own fresh kernel (the reference)."""
    out = tmp_path_factory.mktemp("fresh")
    for subject in (A, B):
        result = run_subject(subject, out)
        assert result.ok, result.message
    return out


def test_warm_kernel_outputs_equal_fresh_kernel_in_both_orders(fresh, tmp_path):
    reference = tree(fresh)
    assert {"003-futian-2021-dept/report.html", "000-heshan-2020-p2-yunwei/report.ipynb",
            "003-futian-2021-dept/charts/score-rate.png"} <= set(reference)
    kernel = WarmKernel().start()
    try:
        for order in ((A, B), (B, A)):
            out = tmp_path / f"first-{order[0].stem}"
            for subject in order:
                pollute(kernel)  # whatever the previous notebook left behind
                result = run_subject(subject, out, kernel=kernel)
                assert result.ok, result.message
            got = tree(out)
            assert digest(got) == digest(reference)  # names every differing file on failure
            assert got == reference
        assert kernel.starts == 1  # all four runs in the one kernel
    finally:
        kernel.shutdown()
    nb = json.loads(reference["003-futian-2021-dept/report.ipynb"])
    counts = [c["execution_count"] for c in nb["cells"] if c["cell_type"] == "code"]
    assert counts == list(range(1, len(counts) + 1))  # as a fresh kernel numbers them


def _dying_notebook(tmp_path: Path, survive_after_first: bool) -> Path:
    import nbformat

    flag = tmp_path / "died-once"
    kill = ("import os\n"
            + (f"if not os.path.exists({str(flag)!r}):\n    open({str(flag)!r}, 'w').close()\n    os._exit(1)\n"
               if survive_after_first else "os._exit(1)\n"))
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("x = 1", metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell(kill),
        nbformat.v4.new_code_cell("print('报告完成', x)")])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = tmp_path / "dying.ipynb"
    nbformat.write(nb, path)
    return path


def test_kernel_that_dies_is_replaced_and_subject_retried_once(tmp_path, monkeypatch):
    from evallib.batch import kernels

    notebook = _dying_notebook(tmp_path, survive_after_first=True)
    monkeypatch.setattr(kernels, "notebook_path", lambda name: notebook)
    stage = tmp_path / "stage"
    stage.mkdir()
    (stage / "partial.png").write_bytes(b"left by the dead kernel")
    kernel = WarmKernel().start()
    try:
        nb = kernel.execute("dying", {"x": 2}, stage)
        assert kernel.starts == 2  # the dead kernel was replaced once
        assert "报告完成 2" in "".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", []))
        assert not (stage / "partial.png").exists()  # the retry starts from an empty folder

        (tmp_path / "b").mkdir()
        always = _dying_notebook(tmp_path / "b", survive_after_first=False)
        monkeypatch.setattr(kernels, "notebook_path", lambda name: always)
        with pytest.raises(KernelDiedError, match="报告内核意外退出"):
            kernel.execute("dying", {"x": 3}, stage)
        assert kernel.starts == 3  # one more replacement for the one retry, no more
    finally:
        kernel.shutdown()


def _broken(folder: Path) -> Path:
    path = folder / "broken-subject.yaml"
    text = (SUBJECTS / "001-jiguan-dept.yaml").read_text("utf-8").replace("framework: jiguan-dept",
                                                                            "framework: no-such-framework")
    text = text.replace("id: 001-jiguan-dept", "id: broken-subject")
    path.write_text(text, encoding="utf-8")
    return path


def _failure_rows(stdout: str) -> list[str]:
    return [line for line in stdout.splitlines() if line.startswith("| ") and not line.startswith("| 序号")]


def test_cli_jobs_failures_skip_unchanged_and_force(tmp_path, capsys):
    subjects = make_subjects(5, tmp_path / "subjects", seed=7)
    broken = _broken(tmp_path / "subjects")
    files = subjects[:2] + [broken] + subjects[2:]
    out = tmp_path / "out"

    code, stdout, stderr = run_cli(capsys, "run", *files, "--jobs", "2", "--out", out)
    assert code == 1
    assert stdout.count("  完成 syn-") == 5 and "成功 5 个，跳过（未变化）0 个，失败 1 个。" in stdout
    rows = _failure_rows(stdout)
    assert len(rows) == 1 and "broken-subject.yaml" in rows[0] and "no-such-framework" in rows[0]
    assert "找不到编号为此的指标体系" in rows[0]
    assert "失败的评价对象（1 个）" in stdout
    assert "%|" not in stderr  # no progress bar when stderr is not a terminal
    manifest = json.loads((out / "manifest.json").read_text("utf-8"))
    assert [r["ok"] for r in manifest["subjects"]] == [True, True, False, True, True, True]
    assert all(r["inputs_sha256"] for r in manifest["subjects"] if r["ok"])
    assert (out / "summary.html").is_file() and not list(out.glob(".*"))

    # isolation: subjects that ran after others in a reused kernel equal fresh-kernel runs byte for byte
    fresh = tmp_path / "fresh"
    for subject in subjects[2:]:
        assert run_subject(subject, fresh).ok
    for subject in subjects[2:]:
        sid = subject.stem
        assert tree(out / sid) == tree(fresh / sid), sid

    # unchanged: skipped (outputs untouched), the broken one is tried again
    stamps = {p: p.stat().st_mtime_ns for p in out.rglob("report.html")}
    code, stdout, _ = run_cli(capsys, "run", *files, "--jobs", "2", "--out", out)
    assert code == 1
    assert "跳过 5 个未变化的评价对象" in stdout and "成功 0 个，跳过（未变化）5 个，失败 1 个。" in stdout
    assert "broken-subject.yaml" in _failure_rows(stdout)[0]
    assert {p: p.stat().st_mtime_ns for p in out.rglob("report.html")} == stamps
    again = json.loads((out / "manifest.json").read_text("utf-8"))["subjects"]
    assert [r for r in again if r["ok"]] == [r for r in manifest["subjects"] if r["ok"]]  # records carried over

    # one subject changed: only it is regenerated
    changed = subjects[3]
    changed.write_text(changed.read_text("utf-8").replace("name: ", "name: 修订 ", 1), encoding="utf-8")
    code, stdout, _ = run_cli(capsys, "run", *files, "--jobs", "2", "--out", out)
    assert "跳过 4 个未变化的评价对象" in stdout and stdout.count("  完成 syn-") == 1
    assert f"  完成 {changed.stem}" in stdout
    # --force: everything again
    code, stdout, _ = run_cli(capsys, "run", *files, "--jobs", "2", "--out", out, "--force")
    assert code == 1 and "跳过（未变化）0 个" in stdout and "个未变化的评价对象" not in stdout
    assert stdout.count("  完成 syn-") == 5
    assert all(p.stat().st_mtime_ns != stamps[p] for p in stamps)


def test_200_subjects_score_only_one_broken(tmp_path, capsys):
    subjects = make_subjects(199, tmp_path / "subjects", seed=11)
    broken = _broken(tmp_path / "subjects")
    files = subjects[:120] + [broken] + subjects[120:]
    out = tmp_path / "out"
    code, stdout, _ = run_cli(capsys, "run", *files, "--score-only", "--jobs", "2", "--out", out)
    assert code == 1
    assert "成功 199 个，跳过（未变化）0 个，失败 1 个。" in stdout
    rows = _failure_rows(stdout)
    assert len(rows) == 1 and rows[0].startswith("| 1 | ") and "broken-subject.yaml" in rows[0]
    assert "输入有误" in rows[0] and "no-such-framework" in rows[0]
    manifest = json.loads((out / "manifest.json").read_text("utf-8"))
    assert manifest["score_only"] is True and len(manifest["subjects"]) == 200
    assert sum(r["ok"] for r in manifest["subjects"]) == 199 and manifest["subjects"][120]["ok"] is False
    folders = [p for p in out.iterdir() if p.is_dir()]
    assert len(folders) == 199
    assert all(sorted(f.name for f in d.iterdir()) == ["findings.csv", "result.json", "scores.csv"] for d in folders)
    # the scores are the library's
    from evallib.core.numbers import fmt
    from evallib.report import data

    records = {Path(r["file"]).stem: r for r in manifest["subjects"]}
    for subject in subjects[::40]:
        ev = data.assess_subject(subject)
        assert records[subject.stem]["total"] == fmt(ev.total) and records[subject.stem]["grade"] == ev.grade
        assert json.loads((out / subject.stem / "result.json").read_text("utf-8"))["id"] == subject.stem
    # the run record is documented field by field (docs/输出说明.md)
    text = (ROOT / "docs" / "输出说明.md").read_text(encoding="utf-8")
    table = text.split("### manifest.json", 1)[1].split("\n\n", 2)[1]
    rows = [line for line in table.splitlines() if line.startswith("| `")]
    assert set(manifest) == {k for line in rows for k in re.findall(r"`(\w+)`", line.split("|")[1])}
    subject_row = next(line for line in rows if line.startswith("| `subjects`"))
    assert set(manifest["subjects"][0]) == set(re.findall(r"`(\w+)`", subject_row.split("|")[2]))


def test_progress_bar_on_a_terminal(tmp_path):
    subjects = make_subjects(3, tmp_path / "subjects", seed=3) + [_broken(tmp_path / "subjects")]
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))  # a terminal has a size
    proc = subprocess.Popen([sys.executable, "-m", "evallib.cli.main", "run", *map(str, subjects), "--score-only",
                             "--jobs", "2", "--out", str(tmp_path / "out")],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=slave, text=True)
    os.close(slave)
    chunks = []
    while True:
        ready, _, _ = select.select([master], [], [], 60)
        if not ready:
            break
        try:
            data = os.read(master, 4096)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    stdout = proc.communicate(timeout=60)[0]
    os.close(master)
    bar = b"".join(chunks).decode("utf-8", "replace")
    assert proc.returncode == 1
    assert "评价对象" in bar and "4/4" in bar  # done / total
    assert "失败=1" in bar  # failures so far
    assert "个/s" in bar or "s/个" in bar  # the rate (tqdm also shows elapsed<remaining)
    assert "broken-subject.yaml" in stdout and "| 1 | " in stdout


def test_scheduler_without_dask_gives_chinese_error(tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)  # as if the optional extra were not installed
    code, stdout, stderr = run_cli(capsys, "run", B, "--scheduler", "tcp://127.0.0.1:1", "--out", tmp_path)
    assert code == 2
    assert "需要安装可选依赖 dask 与 distributed" in stderr and "evalbook[dask]" in stderr


def test_dask_local_cluster(tmp_path, capsys, fresh):
    distributed = pytest.importorskip("distributed")
    subjects = [A, B, SUBJECTS / "001-jiguan-dept.yaml"]
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  silence_logs=50) as cluster:
        out = tmp_path / "out"
        code, stdout, _ = run_cli(capsys, "run", *subjects, "--scheduler", cluster.scheduler_address, "--out", out)
        assert code == 0, stdout
        assert f"Dask 集群 {cluster.scheduler_address}" in stdout and "成功 3 个" in stdout
        assert (out / "summary.html").is_file()
        for subject in (A, B):  # the same bytes as a fresh kernel gives
            assert tree(out / subject.stem) == tree(fresh / subject.stem)
        with distributed.Client(cluster.scheduler_address) as client:
            alive = client.run(lambda: __import__("evallib.batch.kernels", fromlist=["x"])._all_kernels)
        assert all(not kernels for kernels in alive.values())  # warm kernels were shut down after the run


def test_library_call_without_main_guard_fails_with_a_clear_error(tmp_path):
    """Worker processes are spawned: a script calling run_all(jobs>1) needs the usual main guard."""
    script = tmp_path / "no_guard.py"
    script.write_text("from evallib.batch.run import run_all\n"
                      f"run_all([{str(B)!r}], {str(tmp_path / 'out')!r}, jobs=2, score_only=True)\n", encoding="utf-8")
    proc = subprocess.run([sys.executable, str(script)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode != 0
    assert "无法启动工作进程" in proc.stderr and 'if __name__ == "__main__":' in proc.stderr


def test_200_subjects_full_reports_one_broken(tmp_path, capsys):
    """Issue 6 as stated: 200 synthetic subjects with full reports, --jobs 2, one broken fails alone."""
    subjects = make_subjects(199, tmp_path / "subjects", seed=23)
    broken = _broken(tmp_path / "subjects")
    files = subjects[:57] + [broken] + subjects[57:]
    out = tmp_path / "out"
    code, stdout, _ = run_cli(capsys, "run", *files, "--jobs", "2", "--out", out)
    assert code == 1
    assert "成功 199 个，跳过（未变化）0 个，失败 1 个。" in stdout
    rows = _failure_rows(stdout)
    assert len(rows) == 1 and "broken-subject.yaml" in rows[0] and "no-such-framework" in rows[0]
    reports = sorted(out.glob("*/report.html"))
    assert len(reports) == 199
    assert not list(out.glob("**/*.tmp")) and not [p for p in out.iterdir() if p.name.startswith(".")]
    assert (out / "summary.html").is_file()
    manifest = json.loads((out / "manifest.json").read_text("utf-8"))
    assert len(manifest["subjects"]) == 200 and manifest["subjects"][57]["ok"] is False
