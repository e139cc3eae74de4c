"""CLI commands for the engagement record: working papers, comment round, archive."""
from __future__ import annotations

import sys
from pathlib import Path

EXIT_OK, EXIT_FAILED = 0, 1


def _dirs(args):
    return [Path(d) for d in args.frameworks] if getattr(args, "frameworks", None) else None


def _notes(args):
    from ..workpapers.sheet import load_notes

    return load_notes(Path(args.notes)) if getattr(args, "notes", None) else None


def cmd_workpapers(args) -> int:
    from ..workpapers.build import draft

    engagement = Path(args.engagement) if args.engagement else None
    notes = _notes(args)
    record, files = draft(Path(args.subject), Path(args.output), engagement, _dirs(args), notes)
    print(f"已写出 {record.id} 的工作底稿（{len(record.leaf_list())} 个指标，复核合计 {record.total.normalize():f} 分，"
          f"{record.grade or '—'}）：")
    for f in files:
        print(f"  {f}")
    return EXIT_OK


def cmd_workpapers_import(args) -> int:
    from ..workpapers.sheet import read_notes, save_notes

    notes = read_notes(Path(args.file))
    out = save_notes(notes, Path(args.output))
    print(f"已读回 {args.file} 中 {len(notes.items)} 个指标的证据引用、备注和状态 → {out}")
    return EXIT_OK


def cmd_comments(args) -> int:
    from ..workpapers.build import finalize

    engagement = Path(args.engagement) if args.engagement else None
    final, changes, sentences, files = finalize(Path(args.subject), Path(args.file), Path(args.output), engagement,
                                                _dirs(args), _notes(args))
    print(f"已导入意见并生成正式稿输入 {final}；与征求意见稿相比得分、数据变更 {len(changes)} 处，"
          f"报告语句变更 {len(sentences)} 处：")
    for f in files[1:]:
        print(f"  {f}")
    return EXIT_OK


def cmd_archive(args) -> int:
    from ..workpapers.archive import build_archive

    out = build_archive(Path(args.subject), Path(args.output), _dirs(args),
                        Path(args.engagement) if args.engagement else None,
                        Path(args.comments) if args.comments else None,
                        Path(args.notes) if args.notes else None, Path(args.reports) if args.reports else None)
    print(f"已归档到 {out}（立项性、证明性、结论性；清单 {out / 'manifest.sha256'}）")
    return EXIT_OK


def cmd_verify_archive(args) -> int:
    from ..workpapers.archive import verify_archive

    problems = verify_archive(Path(args.archive))
    if problems:
        print("归档无法逐字节复现：", file=sys.stderr)
        for p in problems:
            print(f"  {p}", file=sys.stderr)
        return EXIT_FAILED
    print(f"归档 {args.archive} 已按其中的输入重新生成，与清单逐字节一致")
    return EXIT_OK


def _common(p, engagement=True) -> None:
    if engagement:
        p.add_argument("--engagement", metavar="engagement.yaml", help="评价业务设置（默认与报告相同：评价对象文件所在目录或上级目录直至工作簿根目录的 engagement.yaml）")
    p.add_argument("--notes", metavar="NOTES.yaml", help="workpapers-import 读回的工作底稿批注")
    p.add_argument("--frameworks", action="append", metavar="DIR", help="指标体系所在目录（可多次指定）")


def add(sub) -> None:
    p = sub.add_parser("workpapers", help="生成工作底稿（Excel、Word）、数据核查确认表和意见征求表（征求意见稿）")
    p.add_argument("subject", metavar="SUBJECT", help="评价对象文件")
    p.add_argument("-o", "--output", required=True, metavar="DIR", help="输出目录（须为新目录或空目录）")
    _common(p)
    p.set_defaults(func=cmd_workpapers)

    p = sub.add_parser("workpapers-import", help="读回工作底稿 Excel 中填写的证据引用、备注和状态")
    p.add_argument("file", metavar="工作底稿.xlsx", help="评价人员补填过的工作底稿 Excel 文件")
    p.add_argument("-o", "--output", required=True, metavar="NOTES.yaml", help="写出的底稿备注文件（YAML），重新生成底稿时用 --notes 读入")
    p.set_defaults(func=cmd_workpapers_import)

    p = sub.add_parser("comments", help="导入填好的意见征求表：记录采纳/不予采纳，更正数据，生成正式稿输入和变更清单")
    p.add_argument("subject", metavar="SUBJECT", help="征求意见稿所用的评价对象文件")
    p.add_argument("file", metavar="意见征求表.xlsx", help="被评价单位与委托方填好意见的意见征求表")
    p.add_argument("-o", "--output", required=True, metavar="DIR", help="输出目录：正式稿输入、意见采纳情况说明、变更清单")
    _common(p)
    p.set_defaults(func=cmd_comments)

    p = sub.add_parser("archive", help="归档：立项性、证明性、结论性材料及 sha256 清单")
    p.add_argument("subject", metavar="SUBJECT", help="评价对象文件")
    p.add_argument("-o", "--output", required=True, metavar="DIR", help="归档目录（须为新目录）")
    p.add_argument("--comments", metavar="意见征求表.xlsx", help="填好的意见征求表（有则生成正式稿）")
    p.add_argument("--reports", metavar="DIR", help="一并归档的报告文件所在目录")
    _common(p)
    p.set_defaults(func=cmd_archive)

    p = sub.add_parser("verify-archive", help="按归档中的输入重新生成，逐字节核对清单")
    p.add_argument("archive", metavar="DIR", help="evalbook archive 生成的归档目录")
    p.set_defaults(func=cmd_verify_archive)
