"""`evalbook init`: create an engagement workbook folder."""
from __future__ import annotations

from pathlib import Path

EXIT_OK = 0


def cmd_init(args) -> int:
    from ..collect.workbook_init import bundled_framework_ids, create_workbook

    folder = Path(args.dir)
    created, kept = create_workbook(folder, args.framework or [], example=args.example)
    print(f"评价工作簿：{folder.resolve()}")
    for path in created:
        print(f"  新建 {path.relative_to(folder).as_posix()}")
    for path in kept:
        print(f"  已存在，保留 {path.relative_to(folder).as_posix()}")
    print(f"自带指标体系（可直接按编号使用）：{'、'.join(bundled_framework_ids())}")
    print("下一步：填写 engagement.yaml；把评价对象文件放入 parameters/subjects/（evalbook import 或 new-subject 生成），"
          f"然后在 {args.dir} 中运行 evalbook run；或 jupyter lab 打开 notebooks/report.ipynb。")
    return EXIT_OK


def add(sub) -> None:
    p = sub.add_parser("init", help="创建评价工作簿（一次评价委托一个文件夹）：参数、笔记本、输出目录与项目设置")
    p.add_argument("dir", metavar="DIR", help="工作簿文件夹（不存在则创建；已存在则只补齐缺少的部分，不覆盖任何文件）")
    p.add_argument("--framework", action="append", metavar="编号",
                   help="把此自带指标体系复制到 parameters/frameworks/ 以便修改（可多次指定；all 为全部）；"
                        "不复制也可按编号直接使用")
    p.add_argument("--example", action="store_true", help="同时放入一个虚构的示例评价对象及其指标体系，便于试用")
    p.set_defaults(func=cmd_init)
