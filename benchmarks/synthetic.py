"""Synthetic but realistic evaluation subjects for benchmarks and batch tests.

Each synthetic subject is one of the bundled seed subjects (parameters/subjects/*.yaml, which cover
every bundled framework) with its figures varied deterministically by a seeded RNG: all money
figures and table values of the subject are scaled by one factor (so totals, parts and printed
rates stay consistent), and one to three figures are then nudged by a few percent on their own —
the kind of slip a reviewer finds (the review reports them as findings). Head counts are left alone.
The subject id becomes `syn-<n>-<seed id>`; the framework stays the seed's.
"""
from __future__ import annotations

import copy
import random
from functools import lru_cache
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
SEED_SUBJECTS = ROOT / "parameters" / "subjects"
FRAMEWORKS = ROOT / "parameters" / "frameworks"
KEEP_GROUPS = {"人员"}  # counts of people: not scaled


@lru_cache(maxsize=None)
def _load(path: str) -> dict:
    return yaml.safe_load(Path(path).read_text(encoding="utf-8"))


def seed_subjects() -> list[Path]:
    return sorted(SEED_SUBJECTS.glob("*.yaml"))


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _scaled(value, factor: float):
    if isinstance(value, int):
        return max(0, round(value * factor))
    return round(value * factor, 2)


def _scale_rows(rows: list, factor: float) -> None:
    for row in rows or []:
        row["values"] = [_scaled(v, factor) if _is_number(v) else v for v in row.get("values", [])]
        _scale_rows(row.get("parts", []), factor)


def vary(data: dict, rng: random.Random, index: int) -> dict:
    data = copy.deepcopy(data)
    factor = rng.uniform(0.8, 1.25)
    figures = data.get("figures") or {}
    numeric = []
    for group, fields in figures.items():
        if not isinstance(fields, dict) or group in KEEP_GROUPS:
            continue
        for name, value in fields.items():
            if _is_number(value):
                fields[name] = _scaled(value, factor)
                numeric.append((group, name))
    for table in data.get("tables") or []:
        _scale_rows(table.get("rows", []), factor)
    for group, name in rng.sample(numeric, k=min(len(numeric), rng.randint(1, 3))):
        figures[group][name] = _scaled(figures[group][name], rng.uniform(0.95, 1.05))
    meta = data["meta"]
    meta["id"] = f"syn-{index:04d}-{meta['id']}"[:120]
    return data


def make_subjects(n: int, folder: Path, seed: int = 2024, sources: list[Path] | None = None) -> list[Path]:
    """Write n synthetic subjects into folder (created); return their paths, in order."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    sources = sources or seed_subjects()
    rng = random.Random(seed)
    paths = []
    for i in range(n):
        source = sources[i % len(sources)]
        data = vary(_load(str(source)), rng, i)
        path = folder / f"{data['meta']['id']}.yaml"
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000), encoding="utf-8")
        paths.append(path)
    return paths
