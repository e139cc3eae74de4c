"""The pipeline's shape: packages depend only on earlier ones, no import cycles, modules stay small,
and one `evalbook run` parses each subject once and scores it once per reading (1 + R)."""
from __future__ import annotations

import ast
import collections
from pathlib import Path

import pytest
import yaml

from conftest import ROOT, run_cli

PACKAGE = ROOT / "evallib"
# Pipeline order: a package may import from itself and from packages before it, never after.
ORDER = ["core", "rules", "model", "engine", "review", "assess", "report", "collect", "workpapers",
         "extract", "export", "batch", "cli"]
PEERS = {("report", "collect"), ("collect", "report")}  # side by side: neither imports the other


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path, modules: set[str]) -> set[str]:
    """Modules of evallib a file imports (top-level and inside functions); `from pkg import module`
    depends on that module, not on the package's __init__."""
    module = _module_name(path)
    is_package = path.name == "__init__.py"
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".")
                base = base[: len(base) - node.level + (1 if is_package else 0)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            for alias in node.names:
                found.add(f"{target}.{alias.name}" if f"{target}.{alias.name}" in modules else target)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
    return {name for name in found if name.startswith("evallib")}


def _graph() -> dict[str, set[str]]:
    files = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph = {}
    for name, path in files.items():
        graph[name] = {target for target in _imports(path, set(files)) if target in files and target != name}
    return graph


def _stage(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in ORDER else None


def test_packages_import_only_earlier_stages():
    wrong = []
    for module, targets in _graph().items():
        here = _stage(module)
        for target in targets:
            there = _stage(target)
            if here is None or there is None or here == there:
                continue
            if ORDER.index(there) > ORDER.index(here) or (here, there) in PEERS:
                wrong.append(f"{module} -> {target}")
    assert not wrong, "imports against the pipeline order:\n" + "\n".join(sorted(wrong))


def test_every_package_is_a_known_stage():
    packages = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file()} - {"data", "notebooks"}
    assert packages <= set(ORDER), packages - set(ORDER)


def test_no_import_cycles():
    graph = _graph()
    # package __init__ modules re-export their children; a cycle through them is a cycle still
    state: dict[str, int] = {}
    cycles = []

    def visit(node, trail):
        state[node] = 1
        for target in sorted(graph[node]):
            if state.get(target) == 1:
                cycles.append(trail[trail.index(target):] + [target] if target in trail else [node, target])
            elif target not in state:
                visit(target, trail + [target])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    assert not cycles, cycles


def test_no_module_over_400_lines():
    long = {str(p.relative_to(ROOT)): n for p in PACKAGE.rglob("*.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > 400}
    assert not long, long


@pytest.mark.slow
def test_one_run_parses_each_subject_once_and_scores_it_once_per_reading(tmp_path, capsys, monkeypatch):
    log = tmp_path / "stages.log"
    monkeypatch.setenv("EVALBOOK_STAGE_LOG", str(log))
    names = ["002-junshan-2021-dept", "003-futian-2021-dept", "004-gaoyi-2021-dept"]
    files = [ROOT / "parameters" / "subjects" / f"{n}.yaml" for n in names]
    code, out, err = run_cli(capsys, "run", *files, "--format", "html,pdf,docx,xlsx", "--jobs", "2",
                             "--out", tmp_path / "out")
    assert code == 0, out + err
    counts = collections.Counter(tuple(line.split("\t")[:2]) for line in log.read_text("utf-8").splitlines())
    for name, path in zip(names, files):
        framework = yaml.safe_load(path.read_text("utf-8"))["meta"]["framework"]
        readings = yaml.safe_load((ROOT / "parameters" / "frameworks" / f"{framework}.yaml").read_text("utf-8"))
        r = len(readings.get("readings") or {})
        assert counts[("parse", name)] == 1, (name, counts)
        assert counts[("score", name)] == 1 + r, (name, r, counts)
    assert {stage for stage, _ in counts} == {"parse", "score"}
    assert (tmp_path / "out" / "summary.xlsx").is_file() and (tmp_path / "out" / "summary.html").is_file()
