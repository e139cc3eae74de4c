"""`evalbook import`: read a filled data-collection template back into a subject YAML file.

Every cell is checked; the problems name the sheet, the cell, the field and the bad value in
Chinese. Nothing is written unless every cell is right; the YAML is written atomically."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from ..core.errors import InputError, Problem
from ..model.framework import find_framework, Framework, load_framework
from .cells import Reader
from .fields import META_FIELDS, SHEET_META
from .sheet_figures import read_figures
from .sheet_inputs import read_inputs
from .sheet_meta import read_meta
from .sheet_other import merge_other_inputs, read_other_inputs
from .sheet_projects import read_projects
from .sheet_scores import read_self
from .sheet_tables import read_tables
from .sheet_text import read_narrative, read_stated_values
from .sheetstyle import atomic_write
from .subject_yaml import dump_subject


def framework_of(rd: Reader, meta: dict, framework_dirs: list[Path] | None) -> Framework | None:
    fid = meta.get("framework")
    if not fid:
        return None
    try:
        return load_framework(find_framework(fid, framework_dirs, referrer=f"{rd.file}：{SHEET_META}"))
    except InputError as exc:
        rd.problems.extend(exc.problems)
        return None


def read_template(path: Path, framework_dirs: list[Path] | None = None) -> dict[str, Any]:
    """The subject data of a filled template; InputError listing every bad cell."""
    rd = Reader(path)
    meta = read_meta(rd)
    framework = framework_of(rd, meta, framework_dirs)
    if framework is None:
        raise InputError(rd.problems)
    if meta.get("kind") and meta["kind"] != framework.meta.kind:
        rd.problems.append(Problem(rd.file, f"{SHEET_META}", f"评价类型“{meta['kind']}”与指标体系的类型“{framework.meta.kind}”不一致"))
    figures = read_figures(rd, framework)
    inputs, targets, _ = read_inputs(rd, framework)
    self_scores, stated = read_self(rd, framework, targets)
    tables = read_tables(rd, framework)
    projects = read_projects(rd)
    values = read_stated_values(rd)
    if values:
        stated["values"] = values
    narrative = read_narrative(rd)
    known = {n.id for n in framework.nodes()} | {row["id"] for rows in targets.values() for row in rows if row["id"]}
    merge_other_inputs(rd, inputs, read_other_inputs(rd, known))
    if rd.problems:
        raise InputError(rd.problems)
    order = [k for k, *_ in META_FIELDS]
    data: dict[str, Any] = {"meta": {k: meta[k] for k in order if k in meta}}
    for key, value in (("figures", figures), ("tables", tables), ("projects", projects), ("targets", targets),
                       ("inputs", inputs), ("self_scores", self_scores), ("stated", stated),
                       ("narrative", narrative)):
        if value:
            data[key] = value
    return data


def import_template(path: Path, out: Path, framework_dirs: list[Path] | None = None) -> Path:
    """Read, validate, check that the result loads and scores, then write `out` atomically."""
    from ..engine.scoring import evaluate
    from ..model.subject import Subject, SubjectSpec
    from ..core.yamlio import validate

    data = read_template(path, framework_dirs)
    text = dump_subject(data)
    out = Path(out)
    # The YAML must load and score exactly as written: re-read the text we are about to write.
    spec = validate(SubjectSpec, yaml.safe_load(text), str(out))
    framework = load_framework(find_framework(spec.meta.framework, framework_dirs, referrer=str(path)))

    class _Unsaved(Subject):
        @property
        def sha256(self) -> str:  # the file does not exist yet
            import hashlib

            return hashlib.sha256(text.encode("utf-8")).hexdigest()

    evaluate(framework, _Unsaved(spec=spec, path=out))
    atomic_write(out, text.encode("utf-8"))
    return out
