"""CLI commands for the deliverables: xlsx, template, import."""
from __future__ import annotations

from pathlib import Path

EXIT_OK = 0


def _dirs(args):
    from .paths import framework_dirs

    return framework_dirs(getattr(args, "frameworks", None))


def cmd_xlsx(args) -> int:
    from ..assess.assessment import assess
    from ..assess.record import record_of
    from ..export.xlsx import write_subject_xlsx, write_summary_xlsx

    from ..model import workbook
    from .paths import input_files, output_dir, tolerance

    files, dirs, within = input_files(args.files), _dirs(args), tolerance(args.tolerance)
    out = output_dir(args.output, "-o/--output") if args.output else workbook.outputs_dir() / "xlsx"
    evaluations = []
    for path in files:
        ev = record_of(assess(path, dirs, tolerance=within))
        target = out / f"{ev.id}.xlsx"
        write_subject_xlsx(ev, target)
        evaluations.append(ev)
        print(f"已写出 {target}：复核合计 {ev.total.normalize():f} 分（{ev.grade or '—'}）")
    if len(evaluations) > 1 or args.summary:
        target = write_summary_xlsx(evaluations, out / "summary.xlsx")
        print(f"已写出 {target}：{len(evaluations)} 个评价对象的汇总排名")
    return EXIT_OK


def _load_framework_arg(text: str, dirs):
    from ..model.framework import find_framework, load_framework

    path = Path(text)
    if path.suffix in (".yaml", ".yml") and path.exists():
        return load_framework(path)
    return load_framework(find_framework(text, dirs, referrer="命令行参数 FRAMEWORK"))


def cmd_template(args) -> int:
    from ..model.subject import load_subject
    from ..collect.template import write_template

    from .paths import input_files, output_file

    dirs = _dirs(args)
    output_file(args.output, "-o/--output")
    if args.from_subject:
        input_files([args.from_subject], "--from")
    subject = load_subject(Path(args.from_subject)) if args.from_subject else None
    framework = _load_framework_arg(args.framework, dirs)
    out = write_template(framework, Path(args.output), subject)
    print(f"已写出数据填报模板 {out}（指标体系 {framework.id}" + (f"，预填自 {subject.id}" if subject else "") + "）")
    return EXIT_OK


def cmd_import(args) -> int:
    from ..collect.importer import import_template

    from .paths import input_files, output_file

    dirs = _dirs(args)
    input_files([args.file], "FILE.xlsx")
    output_file(args.output, "-o/--output")
    out = import_template(Path(args.file), Path(args.output), dirs)
    print(f"已导入 {args.file} → {out}")
    return EXIT_OK


def add(sub) -> None:
    p = sub.add_parser("xlsx", help="导出 Excel：每个评价对象一个工作簿（评分表、复核发现、基础数据）及汇总排名")
    p.add_argument("files", nargs="+", metavar="FILE", help="评价对象文件")
    p.add_argument("-o", "--output", metavar="DIR", help="输出目录，默认为工作簿的 outputs/xlsx")
    p.add_argument("--summary", action="store_true", help="只有一个评价对象时也写出 summary.xlsx")
    p.add_argument("--tolerance", default="0.01", metavar="分数", help="复算分与自评分差异的容忍度，默认 0.01")
    p.add_argument("--frameworks", action="append", metavar="DIR", help="指标体系所在目录（可多次指定）")
    p.set_defaults(func=cmd_xlsx)

    p = sub.add_parser("template", help="生成数据填报模板（Excel），可由已有评价对象文件预填")
    p.add_argument("framework", metavar="FRAMEWORK", help="指标体系编号或文件路径")
    p.add_argument("-o", "--output", required=True, metavar="FILE.xlsx", help="要写出的 Excel 填报模板")
    p.add_argument("--from", dest="from_subject", metavar="SUBJECT_FILE", help="用已有评价对象文件预填")
    p.add_argument("--frameworks", action="append", metavar="DIR", help="指标体系所在目录（可多次指定）")
    p.set_defaults(func=cmd_template)

    p = sub.add_parser("import", help="读取填好的数据填报模板，逐格检查后写出评价对象文件（YAML）")
    p.add_argument("file", metavar="FILE.xlsx", help="填好的数据填报模板")
    p.add_argument("-o", "--output", required=True, metavar="SUBJECT.yaml", help="要写出的评价对象文件（YAML）")
    p.add_argument("--frameworks", action="append", metavar="DIR", help="指标体系所在目录（可多次指定）")
    p.set_defaults(func=cmd_import)
