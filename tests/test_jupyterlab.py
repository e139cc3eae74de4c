"""JupyterLab, as a consultant uses it: a workbook made by `evalbook init`, report.ipynb opened in a real
browser with only `subject` changed, Run All, and no cell shows an error.

JupyterLab listens on 127.0.0.1 only, with a token; the browser is the system Chromium (never downloaded).
"""
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from conftest import ROOT
from evallib.collect.workbook_init import create_workbook

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
SUBJECT = ROOT / "parameters" / "subjects" / "003-futian-2021-dept.yaml"

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not CHROMIUM, reason="需要系统的 Chromium（scripts/test.sh 以 root 运行时用 apt 安装）")]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _set_subject(notebook, value: str) -> None:
    """What the consultant does: change the one line `subject = ""` in the parameters cell."""
    nb = json.loads(notebook.read_text("utf-8"))
    cell, = [c for c in nb["cells"] if "parameters" in c["metadata"].get("tags", [])]
    source = "".join(cell["source"])
    assert 'subject = ""' in source
    cell["source"] = source.replace('subject = ""', f"subject = {value!r}")
    notebook.write_text(json.dumps(nb, ensure_ascii=False, indent=1), encoding="utf-8")


@pytest.fixture
def lab(tmp_path):
    wb = tmp_path / "工作簿"
    create_workbook(wb)
    shutil.copy(SUBJECT, wb / "parameters" / "subjects" / SUBJECT.name)
    _set_subject(wb / "notebooks" / "report.ipynb", f"../parameters/subjects/{SUBJECT.name}")
    port, token = _free_port(), secrets.token_hex(16)
    # every cell in the page (JupyterLab renders only the visible ones by default), and no news prompt
    for plugin, values in (("notebook-extension/tracker", {"windowingMode": "none"}),
                           ("apputils-extension/notification", {"fetchNews": "false"})):
        settings = tmp_path / "settings" / f"@jupyterlab/{plugin}.jupyterlab-settings"
        settings.parent.mkdir(parents=True, exist_ok=True)
        settings.write_text(json.dumps(values), encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=str(ROOT), JUPYTER_CONFIG_DIR=str(tmp_path / "config"),
               JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"), JUPYTERLAB_SETTINGS_DIR=str(tmp_path / "settings"),
               JUPYTERLAB_WORKSPACES_DIR=str(tmp_path / "workspaces"))
    log = open(tmp_path / "lab.log", "w")
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
         "--port-retries=0", f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={wb}",
         "--LabApp.news_url=", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
         "--LabApp.extension_manager=readonly"] + (["--allow-root"] if hasattr(os, "getuid") and os.getuid() == 0 else []),
        cwd=wb, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=5)
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError((tmp_path / "lab.log").read_text())
                time.sleep(0.5)
        yield base, token, wb
    finally:
        server.terminate()
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


def test_report_notebook_runs_in_jupyterlab_with_only_subject_set(lab):
    from playwright.sync_api import sync_playwright

    base, token, wb = lab
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(f"{base}/lab/tree/notebooks/report.ipynb?token={token}")
            # the notebook loaded (all its cells) and its kernel started and idle, as the status bar says
            page.wait_for_function("() => document.querySelectorAll('.jp-NotebookPanel .jp-CodeCell').length > 5",
                                   polling=500, timeout=120_000)
            page.get_by_text("Python 3 (ipykernel) | Idle").wait_for(timeout=120_000)
            page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
            page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()
            # run-all ends on the last cell (kept in view): wait for its execution number, then for idle
            page.wait_for_function("""() => {
                const prompts = document.querySelectorAll('.jp-CodeCell .jp-InputArea-prompt');
                return prompts.length > 0 && /\\[\\d+\\]/.test(prompts[prompts.length - 1].textContent);
            }""", polling=1000, timeout=300_000)
            page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=120_000)
            errors = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
            assert errors.count() == 0, errors.all_inner_texts()
            # the notebook as JupyterLab saves it: every code cell ran, none shows an error
            page.keyboard.press("Control+s")
            deadline = time.monotonic() + 60
            while True:
                saved = json.loads((wb / "notebooks" / "report.ipynb").read_text("utf-8"))
                code = [c for c in saved["cells"] if c["cell_type"] == "code"]
                if all(c.get("execution_count") for c in code) or time.monotonic() > deadline:
                    break
                time.sleep(1)
            assert all(c.get("execution_count") for c in code)
            outputs = [o for c in code for o in c["outputs"]]
            assert not [o for o in outputs if o["output_type"] == "error" or o.get("name") == "stderr"], outputs
            text = json.dumps(outputs, ensure_ascii=False)
            for expected in ("福田区政务服务中心", "94.71", "image/png"):
                assert expected in text, expected
            page.screenshot(path=str(wb / "outputs" / "jupyterlab.png"))
        finally:
            browser.close()
