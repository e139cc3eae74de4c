"""The engagement workbook a command or notebook runs in, and the data bundled with evalbook.

A workbook is a folder made by `evalbook init` (engagement.yaml beside parameters/) or any folder
holding an `evalbook.toml` marker (the evalbook repository itself is one). Like git finding its
repository, every command and every notebook kernel looks for it upward from the current folder, so
default folders (parameters/frameworks, parameters/subjects, outputs) work from any subfolder —
notebooks/ included. Outside any workbook the current folder stands in for the root.

Frameworks are found along one search path: the workbook's own (or those given with --frameworks)
first, then the ones bundled with evalbook, so a workbook can override a bundled framework by id.
"""
from __future__ import annotations

from pathlib import Path

MARKER = "evalbook.toml"
SETTINGS = "engagement.yaml"

_PACKAGE = Path(__file__).resolve().parents[1]  # evallib/
_CHECKOUT = _PACKAGE.parent  # the source checkout when running from the repository
# Bundled data: copied into evallib/data/ when the wheel is built (setup.py); read from its one
# source in the repository otherwise (editable installs, PYTHONPATH).
_SOURCES = {"frameworks": Path("parameters") / "frameworks", "notebooks": Path("notebooks")}


def find_root(start: str | Path | None = None) -> Path | None:
    """The workbook containing `start` (default: the current folder), or None outside any workbook."""
    here = Path(start if start is not None else Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / MARKER).is_file() or ((folder / SETTINGS).is_file() and (folder / "parameters").is_dir()):
            return folder
    return None


def root(start: str | Path | None = None) -> Path:
    """The workbook root, or the current folder outside a workbook (relative defaults as before)."""
    found = find_root(start)
    return found if found is not None else Path(".")


def frameworks_dir(start=None) -> Path:
    return root(start) / "parameters" / "frameworks"


def subjects_dir(start=None) -> Path:
    return root(start) / "parameters" / "subjects"


def outputs_dir(start=None) -> Path:
    return root(start) / "outputs"


def default_subjects(start=None) -> list[Path]:
    return sorted(subjects_dir(start).glob("*.yaml"))


def bundled(kind: str) -> Path:
    """A folder of data shipped with evalbook: "frameworks" or "notebooks"."""
    packaged = _PACKAGE / "data" / kind
    if packaged.is_dir():
        return packaged
    return _CHECKOUT / _SOURCES[kind]


def framework_search(given=None) -> list[Path]:
    """Where frameworks are looked up by id, in order: `given` folders (else the workbook's), then bundled."""
    dirs = [Path(d) for d in given] if given else [frameworks_dir()]
    seen = {d.resolve() for d in dirs}
    extra = bundled("frameworks")
    return dirs + ([extra] if extra.resolve() not in seen else [])


def workbook_path(text: str | Path) -> Path:
    """A file named relative to the current folder, or failing that to the workbook root
    (so a notebook in notebooks/ may say "parameters/subjects/x.yaml")."""
    path = Path(text)
    if path.is_absolute() or path.exists():
        return path
    found = find_root()
    if found is not None and (found / path).exists():
        return found / path
    return path
