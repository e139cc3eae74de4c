"""Installed, not cloned: the wheel carries everything a workbook needs, and kernels work over TCP
where ZeroMQ has no IPC (Windows) with byte-identical reports."""
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT
from evallib.batch import kernels

SUBJECT = ROOT / "parameters" / "subjects" / "003-futian-2021-dept.yaml"


def test_transport_choice(monkeypatch):
    import zmq

    monkeypatch.delenv(kernels.TRANSPORT_ENV, raising=False)
    assert kernels.kernel_transport() == ("ipc" if os.name != "nt" and zmq.has("ipc") else "tcp")
    monkeypatch.setattr(zmq, "has", lambda what: False)  # a pyzmq built without IPC, as on Windows
    assert kernels.kernel_transport() == "tcp"
    monkeypatch.setenv(kernels.TRANSPORT_ENV, "ipc")
    with pytest.raises(ValueError, match="EVALBOOK_KERNEL_TRANSPORT"):
        kernels.kernel_transport()
    monkeypatch.setenv(kernels.TRANSPORT_ENV, "TCP")
    assert kernels.kernel_transport() == "tcp"
    km = kernels.LocalKernelManager(kernel_name=kernels.KERNEL_NAME)
    assert (km.transport, km.ip) == ("tcp", "127.0.0.1")  # loopback only
    shutil.rmtree(km._ipc_dir)


@pytest.mark.slow
def test_tcp_kernels_give_byte_identical_reports(tmp_path, monkeypatch):
    from evallib.batch.subject import run_subject

    used = []
    choose = kernels.kernel_transport
    monkeypatch.setattr(kernels, "kernel_transport", lambda: used.append(choose()) or used[-1])
    outputs = {}
    for transport in ("ipc", "tcp"):
        monkeypatch.setenv(kernels.TRANSPORT_ENV, transport)
        for warm in (False, True):  # a fresh kernel per subject (papermill) and a worker's warm kernel
            kernel = kernels.WarmKernel().start() if warm else None
            try:
                result = run_subject(SUBJECT, tmp_path / f"{transport}-{warm}", formats=("html",), kernel=kernel)
            finally:
                if kernel is not None:
                    kernel.shutdown()
            assert result.ok, result.message
            assert used[-1] == transport
            outputs[transport, warm] = result.outputs
    files = outputs["ipc", False]
    assert "003-futian-2021-dept/report.html" in files
    for key, other in outputs.items():
        assert other == files, key


def _copy_source(target: Path) -> Path:
    """The repository's tracked sources, without any build or environment leftovers."""
    ignore = shutil.ignore_patterns(".git", ".venv", "outputs", "build", "dist", "*.egg-info", "__pycache__",
                                    ".pytest_cache", ".ipynb_checkpoints")
    shutil.copytree(ROOT, target, ignore=ignore)
    return target


@pytest.mark.slow
def test_wheel_installed_in_a_fresh_venv_runs_a_workbook(tmp_path):
    """Build the wheel, install it with the locked dependencies into a new venv, and in a folder far from
    the repository: init → score → run → verify."""
    # nothing from this checkout on the path (PYTHONPATH would make pip think evalbook is installed)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    source = _copy_source(tmp_path / "src")
    wheels = tmp_path / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", wheels, source], check=True, env=env)
    wheel, = wheels.glob("evalbook-*.whl")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", venv], check=True, env=env)
    bindir = venv / ("Scripts" if os.name == "nt" else "bin")
    python = bindir / "python"
    subprocess.run([python, "-m", "pip", "install", "-q", "-r", ROOT / "requirements.lock"], check=True, env=env)
    subprocess.run([python, "-m", "pip", "install", "-q", "--no-deps", wheel], check=True, env=env)
    shutil.rmtree(source)  # no repository anywhere near
    env["PATH"] = os.pathsep.join([str(bindir), env.get("PATH", "")])
    home = tmp_path / "consultant"
    home.mkdir()

    def run(program, *args, cwd):
        done = subprocess.run([bindir / program, *map(str, args)], cwd=cwd, env=env, capture_output=True, text=True)
        assert done.returncode == 0, f"{program} {' '.join(map(str, args))}:\n{done.stdout}\n{done.stderr}"
        return done.stdout

    def evalbook(*args, cwd):
        return run("evalbook", *args, cwd=cwd)

    where = run("python", "-c", "import evallib; print(evallib.__file__)", cwd=home)
    assert str(venv) in where
    evalbook("init", "某区-2024", cwd=home)
    wb = home / "某区-2024"
    assert (wb / "notebooks" / "report.ipynb").is_file() and (wb / "engagement.yaml").is_file()
    shutil.copy(SUBJECT, wb / "parameters" / "subjects" / SUBJECT.name)
    out = evalbook("score", f"../parameters/subjects/{SUBJECT.name}", cwd=wb / "notebooks")  # bundled framework
    assert "合计：94.71 分" in out
    out = evalbook("run", "--jobs", "1", cwd=wb)
    assert "成功 1 个" in out
    assert (wb / "outputs" / "003-futian-2021-dept" / "report.html").is_file()
    assert (wb / "outputs" / "summary.html").is_file()
    out = evalbook("verify", "--jobs", "1", cwd=wb / "outputs")  # from a subfolder: the workbook's outputs/
    assert "结论：全部输出逐字节一致" in out
