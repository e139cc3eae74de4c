"""The `evalbook` command. User mistakes print a Chinese message and exit 2, never a traceback."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..core.errors import InputError
from ..core.numbers import fmt
from .parser import ChineseArgumentParser, ljust, rjust, display_width

EXIT_OK, EXIT_FAILED, EXIT_INPUT = 0, 1, 2


def _framework_dirs(args) -> list[Path] | None:
    return [Path(d) for d in args.frameworks] if getattr(args, "frameworks", None) else None


def cmd_lint(args) -> int:
    from ..model.framework import load_framework
    from ..model.lint import lint

    status = EXIT_OK
    for path in args.files:
        framework = load_framework(Path(path))
        messages = lint(framework)
        errors = [m for m in messages if m.level == "错误"]
        print(f"{path}（{framework.id}）：错误 {len(errors)} 个，警告 {len(messages) - len(errors)} 个")
        for m in messages:
            print(f"  {m}")
        if errors:
            status = EXIT_INPUT  # a framework with errors is bad input, like any other
    return status


def print_scores(ev) -> None:
    meta = ev.subject.meta
    print(f"{meta.unit} · {meta.name}（{meta.year or '年度未注明'}） · 指标体系 {ev.framework.meta.name}")
    width = max((display_width(" / ".join(l.node.path)) for l in ev.leaf_list()), default=10)
    print(f"{ljust('指标', width)}  {rjust('分值', 6)} {rjust('得分', 7)} {rjust('自评', 7)}  来源")
    for leaf in ev.leaf_list():
        name = " / ".join(leaf.node.path)
        weight = "—" if not leaf.applicable else (fmt(leaf.node.weight) if leaf.node.weight is not None else f"共{fmt(leaf.node.cap)}")
        print(f"{ljust(name, width)}  {rjust(weight, 6)} {rjust(fmt(leaf.score), 7)} {rjust(fmt(leaf.self_score), 7)}"
              f"  {leaf.source}")
    print(f"合计：{fmt(ev.total)} 分，等级：{ev.grade or '—'}")
    unscored = [l for l in ev.leaf_list() if l.source == "未评分"]
    if unscored:
        print(f"注意：{len(unscored)} 项未评分（缺少数据或评分依据），合计不完整：" + "、".join(l.node.name for l in unscored))
    print(f"自评分合计：{fmt(ev.self_total)} 分（{ev.self_grade or '—'}）；文件所述总分：{fmt(ev.stated_total)}")
    if ev.stated_total is not None and ev.self_total is not None and ev.stated_total != ev.self_total:
        print(f"注意：文件所述总分 {fmt(ev.stated_total)} 与各项自评分之和 {fmt(ev.self_total)} 不一致")


def _evaluate_and_print(args, printer, evaluated: list | None = None) -> int:
    import json

    from ..assess.contract import result_dict
    from ..review.checks import review_file

    evaluations = [review_file(Path(p), _framework_dirs(args), tolerance=args.tolerance) for p in args.files]
    if evaluated is not None:
        evaluated.extend(evaluations)
    if args.json:  # one object for one file, an array for several: always one valid JSON document
        data = [result_dict(ev) for ev in evaluations]
        print(json.dumps(data[0] if len(data) == 1 else data, ensure_ascii=False, indent=2))
    else:
        for ev in evaluations:
            printer(ev)
    return EXIT_OK


def cmd_score(args) -> int:
    return _evaluate_and_print(args, print_scores)


def cmd_review(args) -> int:
    from ..review.checks import SEVERITIES, print_review

    evaluations = []
    status = _evaluate_and_print(args, print_review, evaluations)
    if args.fail_on and status == EXIT_OK:
        failing = SEVERITIES[:SEVERITIES.index(args.fail_on) + 1]  # 警告 also fails on 错误
        found = sum(1 for ev in evaluations for f in ev.findings if f.severity in failing)
        if found:
            print(f"复核发现 {found} 项{'或'.join(failing)}（--fail-on {args.fail_on}），退出码 1", file=sys.stderr)
            return EXIT_FAILED
    return status


def _new_file(args) -> Path:
    out = Path(args.output)
    if out.exists() and not args.force:
        raise InputError.single(str(out), "", "文件已存在；如需覆盖请加 --force")
    return out


def cmd_new_framework(args) -> int:
    from ..collect.skeleton import new_framework

    out = _new_file(args)
    new_framework(out, args.id, args.name, args.region, args.year, args.kind)
    print(f"已写入指标体系模板：{out}。填写后运行 evalbook lint {out}")
    return EXIT_OK


def cmd_new_subject(args) -> int:
    from ..collect.skeleton import new_subject

    out = _new_file(args)
    new_subject(Path(args.framework), out, args.id)
    print(f"已写入评价对象模板：{out}。填写后运行 evalbook score {out}")
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    from .. import __version__

    parser = ChineseArgumentParser(
        prog="evalbook", description="预算绩效评价工作簿：指标体系、评分、复核与报告",
        epilog="各命令的说明：evalbook 命令 -h。在评价工作簿（evalbook init 创建）的任一子文件夹中运行，"
               "默认使用工作簿的 parameters/ 与 outputs/。")
    parser.add_argument("--version", action="version", version=f"evalbook {__version__}", help="显示版本号并退出")
    sub = parser.add_subparsers(dest="command", required=True, title="命令", metavar="命令", help="下列命令之一")

    p = sub.add_parser("lint", help="检查指标体系文件")
    p.add_argument("files", nargs="+", metavar="FRAMEWORK", help="指标体系文件（YAML），可多个")
    p.set_defaults(func=cmd_lint)

    for name, func, text in (("score", cmd_score, "评分：逐项得分、合计与等级"),
                             ("review", cmd_review, "复核：重算并列出与自评不一致之处")):
        p = sub.add_parser(name, help=text)
        p.add_argument("files", nargs="+", metavar="FILE", help="评价对象文件（YAML），可多个")
        p.add_argument("--json", action="store_true", help="以 JSON 输出（稳定的数据格式）")
        p.add_argument("--tolerance", default="0.01", metavar="分数", help="复算分与自评分差异的容忍度，默认 0.01")
        p.add_argument("--frameworks", action="append", metavar="DIR",
                       help="指标体系所在目录（可多次指定）；默认为工作簿的 parameters/frameworks，其后总是自带的指标体系")
        if name == "review":
            p.add_argument("--fail-on", choices=["错误", "警告"], metavar="错误|警告",
                           help="有此级别（或更严重）的复核发现时退出码为 1，便于脚本与持续集成判断")
        p.set_defaults(func=func)

    p = sub.add_parser("new-framework", help="生成带注释的指标体系模板文件")
    p.add_argument("-o", "--output", required=True, metavar="FILE", help="要写出的指标体系文件（YAML）")
    p.add_argument("--id", default="my-region-2023-dept", help="指标体系编号（英文、数字、短横线）")
    p.add_argument("--name", default="某地区部门整体支出绩效评价指标体系", help="指标体系名称")
    p.add_argument("--region", default="", help="地区，如“某某区”")
    p.add_argument("--year", type=int, default=None, metavar="年份", help="适用年度，如 2023")
    p.add_argument("--kind", choices=["部门整体", "项目支出"], default="部门整体", metavar="部门整体|项目支出",
                   help="评价类型，默认 部门整体")
    p.add_argument("--force", action="store_true", help="覆盖已有文件")
    p.set_defaults(func=cmd_new_framework)

    p = sub.add_parser("new-subject", help="按指标体系生成带注释的评价对象模板文件")
    p.add_argument("framework", metavar="FRAMEWORK", help="指标体系文件")
    p.add_argument("-o", "--output", required=True, metavar="FILE", help="要写出的评价对象文件（YAML）")
    p.add_argument("--id", default="my-subject-2023", help="评价对象编号（英文、数字、短横线）")
    p.add_argument("--force", action="store_true", help="覆盖已有文件")
    p.set_defaults(func=cmd_new_subject)

    from . import commands  # report, batch and deliverable commands register themselves

    commands.add_all(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except InputError as exc:
        print("输入有误：", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        return EXIT_INPUT
    except BrokenPipeError:  # output piped into `head` and closed early
        sys.stderr.close()
        return EXIT_OK
    except KeyboardInterrupt:
        print("已中断。", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
