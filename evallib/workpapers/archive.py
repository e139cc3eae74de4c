"""The engagement archive: 立项性 / 证明性 / 结论性 folders with a sha256 manifest, and its verification.

Everything generated is rebuilt from the archived inputs alone (subject, framework, engagement, filled
comment sheet, notes), so `verify_archive` can prove the archive reproduces byte for byte.
"""
from __future__ import annotations

import hashlib
import shutil
import tempfile
from pathlib import Path

import yaml

from ..core.errors import InputError
from ..core.writing import write_atomic
from ..core.yamlio import read_mapping
from ..model.framework import find_framework
from ..model.subject import load_subject
from ..model.engagement import FILE_NAME as ENGAGEMENT_FILE
from .build import draft, engagement_file, finalize
from .sheet import load_notes

SETUP, EVIDENCE, CONCLUSION = "立项性", "证明性", "结论性"
MANIFEST, RECIPE = "manifest.sha256", "archive.yaml"
FILLED = "意见征求表（反馈）.xlsx"
NOTES = "工作底稿批注.yaml"


def _copy(source: Path, target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(target, Path(source).read_bytes())
    return target


def manifest_text(root: Path) -> str:
    files = sorted(p for p in root.rglob("*") if p.is_file() and p.name != MANIFEST)
    return "".join(f"{hashlib.sha256(p.read_bytes()).hexdigest()}  {p.relative_to(root).as_posix()}\n" for p in files)


def build_archive(subject: Path, out: Path, framework_dirs=None, engagement: Path | None = None,
                  filled: Path | None = None, notes: Path | None = None, reports: Path | None = None) -> Path:
    subject = Path(subject)
    loaded = load_subject(subject)
    framework = find_framework(loaded.meta.framework, framework_dirs, referrer=str(subject))
    settings = engagement_file(subject, engagement)
    if out.exists() and any(out.iterdir()):
        raise InputError.single(str(out), "", "归档目录已存在且不为空：请指定新目录")
    note_items = load_notes(notes) if notes else None
    _copy(framework, out / SETUP / framework.name)
    archived = _copy(settings, out / SETUP / ENGAGEMENT_FILE) if settings is not None else None
    _copy(subject, out / EVIDENCE / subject.name)
    if notes:
        _copy(notes, out / EVIDENCE / NOTES)
    draft(out / EVIDENCE / subject.name, out / EVIDENCE / "征求意见稿", archived, [out / SETUP], note_items)
    recipe = {"subject": subject.name, "engagement": settings is not None, "notes": bool(notes),
              "comments": bool(filled), "reports": []}
    if filled:
        _copy(filled, out / CONCLUSION / FILLED)
        finalize(out / EVIDENCE / subject.name, out / CONCLUSION / FILLED, out / CONCLUSION / "正式稿", archived,
                 [out / SETUP], note_items)
    if reports:
        for report in sorted(p for p in Path(reports).rglob("*") if p.is_file()):
            rel = report.relative_to(reports).as_posix()
            _copy(report, out / CONCLUSION / "报告" / rel)
            recipe["reports"].append(rel)
    write_atomic(out / RECIPE, yaml.safe_dump(recipe, allow_unicode=True, sort_keys=True).encode("utf-8"))
    write_atomic(out / MANIFEST, manifest_text(out).encode("utf-8"))
    return out


def verify_archive(root: Path) -> list[str]:
    """Differences between the archive and a rebuild from its own inputs (empty: reproduced byte for byte)."""
    root = Path(root)
    if not (root / MANIFEST).exists() or not (root / RECIPE).exists():
        raise InputError.single(str(root), "", f"不是 evalbook 归档目录（缺少 {MANIFEST} 或 {RECIPE}）")
    recipe = read_mapping(root / RECIPE, "归档说明文件应为键值表")
    problems = []
    stored = (root / MANIFEST).read_text(encoding="utf-8")
    if manifest_text(root) != stored:
        problems.append("归档中的文件与清单 manifest.sha256 不符（有文件被改动、增加或删除）")
    with tempfile.TemporaryDirectory() as tmp:
        staged = Path(tmp) / "inputs"
        reports = None
        if recipe.get("reports"):
            reports = staged / "报告"
            for rel in recipe["reports"]:
                _copy(root / CONCLUSION / "报告" / rel, reports / rel)
        rebuilt = build_archive(
            root / EVIDENCE / recipe["subject"], Path(tmp) / "rebuilt", [root / SETUP],
            root / SETUP / ENGAGEMENT_FILE if recipe.get("engagement") else None,
            root / CONCLUSION / FILLED if recipe.get("comments") else None,
            root / EVIDENCE / NOTES if recipe.get("notes") else None, reports)
        again = (rebuilt / MANIFEST).read_text(encoding="utf-8")
    if again != stored:
        old, new = set(stored.splitlines()), set(again.splitlines())
        problems += [f"重新生成后不一致：{path}" for path in sorted({line.split("  ", 1)[1] for line in old ^ new})]
    return problems
