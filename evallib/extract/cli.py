"""`evalbook extract`: draft a subject (or, with --framework-table, a framework) from a unit's documents."""
from __future__ import annotations

import tempfile
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from ..core.errors import InputError

if TYPE_CHECKING:
    from .report import Report

EXIT_OK = 0


class _Dumper(yaml.SafeDumper):
    def ignore_aliases(self, data) -> bool:  # a weight used twice is written twice, not as &id001 / *id001
        return True


def _decimal(dumper, value: Decimal):
    if value == value.to_integral_value():
        return dumper.represent_int(int(value))
    return dumper.represent_float(float(value))


_Dumper.add_representer(Decimal, _decimal)


def dump_yaml(data: dict, header: str) -> str:
    body = yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100)
    return "".join(f"# {line}\n" for line in header.splitlines()) + body


def run_extract(report_path: Path, output: Path, framework: str | None, framework_table: bool, table: int | None,
                subject_id: str | None, dirs: list[Path] | None, force: bool) -> tuple[dict, "Report", Path]:
    from ..model.framework import find_framework, load_framework
    from ..core.writing import write_atomic
    from .framework_draft import draft_framework
    from .readers import read_document
    from .report import Report
    from .subject_draft import draft_subject

    if framework_table == bool(framework):
        raise InputError.single("命令行", "", "请指定 --framework 指标体系编号（提取评价对象），或 --framework-table（从指标表提取指标体系），二者选一")
    output = Path(output)
    if output.suffix.lower() not in (".yaml", ".yml"):
        raise InputError.single(str(output), "", "输出文件应以 .yaml 结尾")
    if output.exists() and not force:
        raise InputError.single(str(output), "", "文件已存在；如需覆盖请加 --force")
    fw = None
    if framework:  # check the framework before reading the document: a typo should fail fast
        path = Path(framework)
        fw = load_framework(path if path.suffix in (".yaml", ".yml") and path.exists()
                            else find_framework(framework, dirs, referrer="命令行参数 --framework"))
    doc = read_document(Path(report_path))
    report = Report(source=str(report_path))
    if framework_table:
        ident = subject_id or _ascii(Path(report_path).stem) + "-framework"
        data = draft_framework(doc, ident, table, report)
        text = dump_yaml(data, f"指标体系草稿，由 evalbook extract --framework-table 从 {Path(report_path).name} 提取。\n"
                               "核对后把 draft.confirmed 改为 true；提取报告见同名 .提取报告.md")
        _lint(text, report)
        title = "指标体系提取报告"
    else:
        data = draft_subject(doc, fw, table, report, subject_id)
        text = dump_yaml(data, f"评价对象草稿，由 evalbook extract 从 {Path(report_path).name} 提取（指标体系 {fw.id}）。\n"
                               "核对后把 draft.confirmed 改为 true；提取报告见同名 .提取报告.md")
        title = "评价对象提取报告"
    report_file = output.with_name(output.stem + ".提取报告.md")
    write_atomic(output, text.encode("utf-8"))
    write_atomic(report_file, report.text(title).encode("utf-8"))
    return data, report, report_file


def _ascii(text: str) -> str:
    import re

    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-._") or "draft"


def _lint(text: str, report) -> None:
    from ..model.framework import load_framework
    from ..model.lint import lint
    from ..core.yamlio import drafts_allowed

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "draft.yaml"
        path.write_text(text, encoding="utf-8")
        try:
            with drafts_allowed():
                framework = load_framework(path)
            messages = lint(framework)
        except InputError as exc:
            report.warn("草稿未通过加载检查：" + "；".join(p.message for p in exc.problems[:5]))
            return
    errors = [m for m in messages if m.level == "错误"]
    report.warn(f"evalbook lint 检查草稿：错误 {len(errors)} 个，警告 {len(messages) - len(errors)} 个")
    for m in messages[:30]:
        report.warn(f"lint：{m}")


def cmd_extract(args) -> int:
    dirs = [Path(d) for d in args.frameworks] if args.frameworks else None
    data, report, report_file = run_extract(Path(args.report), Path(args.output), args.framework, args.framework_table,
                                            args.table, args.id, dirs, args.force)
    kind = "指标体系" if args.framework_table else "评价对象"
    print(f"已写出{kind}草稿 {args.output}（未确认，评分前须核对并把 draft.confirmed 改为 true）")
    print(f"提取报告：{report_file}")
    if args.framework_table:
        leaves = len(report.suggestions)
        print(f"指标 {len(report.matched)} 项，其中末级 {leaves} 项均附建议规则（待确认）")
    else:
        scores = data.get("self_scores", {})
        got = sum(1 for v in scores.values() if v is not None)
        total = (data.get("stated") or {}).get("total")
        print(f"自评分：读到 {got}/{len(scores)} 项；文件所述总分：{'未读到' if total is None else total}")
        figures = sum(len(g) for g in (data.get("figures") or {}).values())
        print(f"基础数据：从表格录入 {len(report.figures)} 项（figures，均注明出处）" if figures else "基础数据：表格中没有认出的数据项",
              f"；读到但须核对、未录入 {len(report.to_check)} 项" if report.to_check else "",
              f"；项目清单 {len(data['projects'])} 个" if data.get("projects") else "", sep="")
    print(f"未匹配 {len(report.unmatched)} 项，需要注意 {len(report.warnings)} 项：详见提取报告")
    return EXIT_OK


def add(sub) -> None:
    p = sub.add_parser("extract", help="从单位报送的 Word/PDF/文本文件提取评价对象草稿，或从指标表提取指标体系草稿")
    p.add_argument("report", metavar="REPORT", help="报告文件（.docx、.pdf、.txt、.md）")
    p.add_argument("-o", "--output", required=True, metavar="DRAFT.yaml", help="草稿输出文件；提取报告写在同名 .提取报告.md")
    p.add_argument("--framework", metavar="ID", help="评分所用指标体系的编号或文件（提取评价对象时必填）")
    p.add_argument("--framework-table", action="store_true", help="从文件中的指标表提取指标体系草稿")
    p.add_argument("--table", type=int, metavar="N", help="文件中有多张指标表或项目自评表时，选第 N 张")
    p.add_argument("--id", metavar="ID", help="草稿的编号（英文、数字、短横线）")
    p.add_argument("--frameworks", action="append", metavar="DIR", help="指标体系所在目录（可多次指定）")
    p.add_argument("--force", action="store_true", help="覆盖已有文件")
    p.set_defaults(func=cmd_extract)
