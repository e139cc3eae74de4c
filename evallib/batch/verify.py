"""`evalbook verify`: re-run the recorded subjects into a temporary folder and compare file by file."""
from __future__ import annotations

import contextlib
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..core.errors import InputError, os_reason
from ..model import workbook
from .run import run_all
from .kernels import MANIFEST, notebook_path, file_sha256


# -- verify ---------------------------------------------------------------------------

@dataclass
class FileCheck:
    path: str
    status: str  # 相同 / 不同 / 缺少 / 新增
    detail: str = ""


def read_manifest(manifest_file: Path) -> dict:
    """The run record, or a Chinese error saying what is wrong with it (never a JSON traceback)."""
    file = str(manifest_file)
    try:
        manifest = json.loads(manifest_file.read_text("utf-8"))
    except UnicodeDecodeError:
        raise InputError.single(file, "", "运行记录不是 UTF-8 文本，已损坏；请重新运行 evalbook run") from None
    except ValueError as exc:
        raise InputError.single(file, f"第 {exc.lineno} 行第 {exc.colno} 列" if hasattr(exc, "lineno") else "",
                                "运行记录不是有效的 JSON，已损坏；请重新运行 evalbook run") from None
    except OSError as exc:
        raise InputError.single(file, "", f"无法读取运行记录（{os_reason(exc)}）") from None
    if not isinstance(manifest, dict):
        raise InputError.single(file, "", "运行记录应为 JSON 对象（含 subjects 列表），已损坏；请重新运行 evalbook run")
    subjects = manifest.get("subjects")
    if not isinstance(subjects, list):
        raise InputError.single(file, "subjects", "运行记录缺少评价对象列表 subjects，已损坏；请重新运行 evalbook run")
    for n, rec in enumerate(subjects, 1):
        if not isinstance(rec, dict) or not isinstance(rec.get("file"), str):
            raise InputError.single(file, f"subjects[{n}]", "运行记录中的评价对象缺少文件名 file，已损坏；请重新运行 evalbook run")
        if not isinstance(rec.get("outputs", {}), dict):
            raise InputError.single(file, f"subjects[{n}].outputs", "应为对象（文件 → sha256），已损坏；请重新运行 evalbook run")
    for key, kind, text in (("notebooks", dict, "对象"), ("packages", dict, "对象"), ("summary", dict, "对象"),
                            ("formats", list, "列表"), ("frameworks", list, "列表")):
        if manifest.get(key) is not None and not isinstance(manifest[key], kind):
            raise InputError.single(file, key, f"应为{text}，已损坏；请重新运行 evalbook run")
    return manifest


@contextlib.contextmanager
def _pdf_engine(engine: str | None):
    """The recorded run's PDF engine for the rerun (worker processes inherit the variable)."""
    from ..export.pdfengine import ENGINE_ENV, ENGINES

    if engine not in ENGINES:
        yield
        return
    before = os.environ.get(ENGINE_ENV)
    os.environ[ENGINE_ENV] = engine
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(ENGINE_ENV, None)
        else:
            os.environ[ENGINE_ENV] = before


def verify(out_dir: str | Path, jobs: int = 1) -> tuple[list[FileCheck], list[str]]:
    """Re-run the subjects recorded in out_dir/manifest.json into a temp dir; compare file by file.

    Returns (checks, notes); notes say which inputs changed since the recorded run.
    """
    out_dir = Path(out_dir)
    manifest_file = out_dir / MANIFEST
    if not manifest_file.is_file():
        raise InputError.single(str(manifest_file), "", "找不到运行记录 manifest.json（请先运行 evalbook run）")
    manifest = read_manifest(manifest_file)
    base = workbook.root()  # the run recorded paths relative to its workbook
    for rec in manifest["subjects"]:
        for key in ("file", "framework_file"):
            if rec.get(key) and not Path(rec[key]).is_absolute():
                rec[key] = str(base / rec[key])
    if manifest.get("frameworks"):
        manifest["frameworks"] = [str(base / d) for d in manifest["frameworks"]]
    notes: list[str] = []
    changed_inputs: dict[str, list[str]] = {}
    for rec in manifest["subjects"]:
        changes = []
        path = Path(rec["file"])
        if not path.is_file():
            changes.append(f"评价对象文件 {rec['file']} 已不存在")
        elif rec.get("subject_sha256") and file_sha256(path) != rec["subject_sha256"]:
            changes.append(f"评价对象文件 {rec['file']} 已修改（sha256 {rec['subject_sha256'][:12]} → {file_sha256(path)[:12]}）")
        fw = rec.get("framework_file")
        if fw:
            if not Path(fw).is_file():
                changes.append(f"指标体系文件 {fw} 已不存在")
            elif file_sha256(Path(fw)) != rec.get("framework_sha256"):
                changes.append(f"指标体系文件 {fw} 已修改（sha256 {rec['framework_sha256'][:12]} → {file_sha256(Path(fw))[:12]}）")
        if changes:
            changed_inputs[rec.get("id") or rec["file"]] = changes
            notes.extend(changes)
    for name, digest in manifest.get("notebooks", {}).items():
        try:
            now = file_sha256(notebook_path(name))
        except FileNotFoundError:
            now = ""
        if now != digest:
            notes.append(f"报告笔记本 {name}.ipynb 已修改")
    now_versions = __import__("evallib.report.data", fromlist=["package_versions"]).package_versions()
    for pkg, version in manifest.get("packages", {}).items():
        if now_versions.get(pkg) != version:
            notes.append(f"程序包 {pkg} 版本不同：记录 {version}，当前 {now_versions.get(pkg)}")
    if manifest.get("pdf_browser"):
        from ..export.pdf_chromium import browser_version

        if browser_version() != manifest["pdf_browser"]:
            notes.append(f"生成 PDF 的浏览器版本不同：记录 {manifest['pdf_browser']}，当前 {browser_version() or '未知'}")

    recorded: dict[str, str] = {}
    for rec in manifest["subjects"]:
        recorded.update(rec.get("outputs", {}))
    recorded.update(manifest.get("summary", {}))
    frameworks = manifest.get("frameworks") or None
    files = [rec["file"] for rec in manifest["subjects"]]
    checks: list[FileCheck] = []
    with tempfile.TemporaryDirectory(prefix="evalbook-verify-") as tmp, _pdf_engine(manifest.get("pdf_engine")):
        run = run_all(files, tmp, frameworks, manifest.get("formats", ["html"]), summary=bool(manifest.get("summary")),
                      jobs=jobs, force=True, score_only=bool(manifest.get("score_only")))
        fresh: dict[str, str] = {}
        for r in run.subjects:
            fresh.update(r.outputs)
        fresh.update(run.summary)
        failures = {r.id or r.file: r.message for r in run.subjects if not r.ok}
    for rel, digest in sorted(recorded.items()):
        sid = rel.split("/", 1)[0]
        why = "；".join(changed_inputs.get(sid, []))
        if rel not in fresh:
            detail = failures.get(sid, "重新运行未生成此文件")
            checks.append(FileCheck(rel, "缺少", detail + (f"（{why}）" if why else "")))
        elif fresh[rel] == digest:
            checks.append(FileCheck(rel, "相同"))
        else:
            detail = why or ("汇总依各评价对象结果生成，输入已改变：" + "；".join(sum(changed_inputs.values(), []))
                             if rel == "summary.html" and changed_inputs else "输入未变，输出却不同（不可复现）")
            checks.append(FileCheck(rel, "不同", detail))
    for rel in sorted(set(fresh) - set(recorded)):
        checks.append(FileCheck(rel, "新增", "记录中没有此文件"))
    return checks, notes
