"""`evalbook init`: make (or complete) an engagement workbook — folders, engagement settings, README,
notebooks, chosen bundled frameworks — never overwriting a file."""
from __future__ import annotations

from pathlib import Path

from ..model.framework import framework_id_of
from ..model.workbook import _PACKAGE, SETTINGS, bundled

_TEMPLATE = _PACKAGE / "data" / "workbook"  # engagement.yaml and README.md for a new workbook
_SAMPLE = _PACKAGE / "report" / "sample"  # the fictional example subject and its framework


def bundled_framework_ids() -> dict[str, Path]:
    """Bundled frameworks by id."""
    out = {}
    for path in sorted(bundled("frameworks").glob("*.yaml")):
        fid = framework_id_of(path)
        if fid:
            out[fid] = path
    return out


def create_workbook(folder: str | Path, frameworks: list[str] = (), example: bool = False) -> tuple[list[Path], list[Path]]:
    """Make (or complete) a workbook in `folder`: never overwrites a file. Returns (created, kept).

    `frameworks`: ids of bundled frameworks to copy into parameters/frameworks/ ("all" for every one);
    any other bundled framework is still found by id. `example`: add the fictional sample subject.
    """
    from ..core.errors import InputError

    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise InputError.single(str(folder), "", "已存在同名文件，不是文件夹")
    available = bundled_framework_ids()
    wanted = list(available) if "all" in frameworks else list(dict.fromkeys(frameworks))
    unknown = [f for f in wanted if f not in available]
    if unknown:
        raise InputError.single("命令行参数 --framework", "", f"没有这个自带指标体系；可选：{'、'.join(available)}、all",
                                "、".join(unknown))
    copies = [(_TEMPLATE / "engagement.yaml", folder / SETTINGS), (_TEMPLATE / "README.md", folder / "README.md")]
    copies += [(p, folder / "notebooks" / p.name) for p in sorted(bundled("notebooks").glob("*.ipynb"))]
    copies += [(available[f], folder / "parameters" / "frameworks" / available[f].name) for f in wanted]
    if example:
        copies += [(_SAMPLE / "sample-framework.yaml", folder / "parameters" / "frameworks" / "sample-framework.yaml"),
                   (_SAMPLE / "sample-subject.yaml", folder / "parameters" / "subjects" / "sample-subject.yaml")]
    created, kept = [], []
    for sub in ("parameters/frameworks", "parameters/subjects", "notebooks", "outputs"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    for source, target in copies:
        if target.exists():
            kept.append(target)
            continue
        target.write_bytes(source.read_bytes())
        created.append(target)
    return created, kept
