import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"


@pytest.fixture(autouse=True)
def _run_from_project_root(monkeypatch):
    """The CLI finds parameters/frameworks relative to the working directory, as a user runs it."""
    monkeypatch.chdir(ROOT)


def run_cli(capsys, *argv):
    from evallib.cli.main import main

    code = main([str(a) for a in argv])
    out = capsys.readouterr()
    return code, out.out, out.err
