"""`evalbook schema`: write the JSON Schemas of framework and subject files for editors."""
from __future__ import annotations

from pathlib import Path


def cmd_schema(args) -> int:
    from ..core.writing import write_atomic
    from ..model.schema import FILES, schema_text

    folder = Path(args.output)
    folder.mkdir(parents=True, exist_ok=True)
    for kind, name in FILES.items():
        write_atomic(folder / name, schema_text(kind).encode("utf-8"))
        print(f"已写入{'指标体系' if kind == 'framework' else '评价对象'}文件的 JSON Schema：{folder / name}")
    print("编辑器用法见 docs/指标体系编写指南.md “编辑器提示”一节")
    return 0


def add(sub) -> None:
    p = sub.add_parser("schema", help="写出指标体系与评价对象文件的 JSON Schema（供 VS Code、JupyterLab 边写边检查）")
    p.add_argument("-o", "--output", default="schemas", metavar="DIR", help="写入的文件夹，默认 schemas")
    p.set_defaults(func=cmd_schema)
