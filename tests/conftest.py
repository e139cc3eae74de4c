import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"


@pytest.fixture(autouse=True)
def _run_from_project_root(monkeypatch):
    """The CLI finds parameters/frameworks relative to the working directory, as a user runs it."""
    monkeypatch.chdir(ROOT)


@pytest.fixture(autouse=True)
def _restore_pdf_engine(monkeypatch):
    """`evalbook run` puts the PDF engine it settled on into os.environ for its worker processes;
    a test's in-process run must not choose the engine of the tests after it."""
    name = "EVALBOOK_PDF_ENGINE"
    if name in os.environ:
        monkeypatch.setenv(name, os.environ[name])
    else:
        monkeypatch.setenv(name, "")
        monkeypatch.delenv(name)  # undone in reverse: the variable is removed again after the test


def run_cli(capsys, *argv):
    from evallib.cli.main import main

    code = main([str(a) for a in argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def require_seed(path: Path) -> Path:
    """A seed report beside the repository (../shared/seeds). Without it a test skips on a
    developer's machine; under CI=true it fails, since CI always has the seeds."""
    if not path.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"种子文件不存在：{path}（CI 下必须提供）")
        pytest.skip(f"seed text not available: {path}")
    return path


def require_tool(name: str) -> str:
    """A command-line tool a test needs (pdfinfo, pdffonts, soffice …): missing is a skip on a
    workstation, a failure in CI (scripts/test.sh installs them)."""
    path = shutil.which(name)
    if path is None:
        if os.environ.get("CI"):
            pytest.fail(f"{name} is required in CI (scripts/test.sh installs it)")
        pytest.skip(f"{name} not installed")
    return path
