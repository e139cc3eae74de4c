"""The `evalbook` command. User mistakes print a Chinese message and exit 2, never a traceback."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..review.findings import SEVERITIES, severity_counts
from ..core.errors import InputError
from ..core.numbers import fmt
from ..model.subject import scorer_label
from .parser import ChineseArgumentParser, ljust, rjust, display_width

EXIT_OK, EXIT_FAILED, EXIT_INPUT = 0, 1, 2


def _framework_dirs(args) -> list[Path] | None:
    from .paths import framework_dirs

    return framework_dirs(getattr(args, "frameworks", None))


def cmd_lint(args) -> int:
    from ..core.yamlio import drafts_allowed
    from ..model.framework import load_framework
    from ..model.lint import lint

    from .paths import input_files

    input_files(args.files, "FRAMEWORK")
    status = EXIT_OK
    for path in args.files:
        with drafts_allowed():  # lint checks a draft too; scoring commands never enter this block
            framework = load_framework(Path(path))
        draft = framework.spec.draft
        unconfirmed = draft is not None and not (isinstance(draft, dict) and draft.get("confirmed") is True)
        if unconfirmed:
            print(f"！！注意：{path} 是 evalbook extract 生成的指标体系草稿，尚未确认（draft.confirmed 不是 true）。"
                  "以下只检查其内容；确认之前，score、review、run、template 等命令一律拒绝使用它。")
        messages = lint(framework)
        errors = [m for m in messages if m.level == "错误"]
        print(f"{path}（{framework.id}{'，未确认的草稿' if unconfirmed else ''}）："
              f"错误 {len(errors)} 个，警告 {len(messages) - len(errors)} 个")
        for m in messages:
            print(f"  {m}")
        if errors:
            status = EXIT_INPUT  # a framework with errors is bad input, like any other; a draft is not an error
    return status


def print_scores(a) -> None:
    ev = a.evaluation
    meta = ev.subject.meta
    filed = scorer_label(meta)
    print(f"{meta.unit} · {meta.name}（{meta.year or '年度未注明'}） · 指标体系 {ev.framework.meta.name}")
    width = max((display_width(" / ".join(l.node.path)) for l in ev.leaf_list()), default=10)
    print(f"{ljust('指标', width)}  {rjust('分值', 6)} {rjust('得分', 7)} {rjust(filed, 7)}  来源")
    for leaf in ev.leaf_list():
        name = " / ".join(leaf.node.path)
        weight = "—" if not leaf.applicable else (fmt(leaf.node.weight) if leaf.node.weight is not None else f"共{fmt(leaf.node.cap)}")
        print(f"{ljust(name, width)}  {rjust(weight, 6)} {rjust(fmt(leaf.score), 7)} {rjust(fmt(leaf.self_score), 7)}"
              f"  {leaf.source}")
    print(f"合计：{fmt(ev.total)} 分，等级：{ev.grade or '—'}")
    unscored = [l for l in ev.leaf_list() if l.source == "未评分"]
    if unscored:
        print(f"注意：{len(unscored)} 项未评分（缺少数据或评分依据），合计不完整：" + "、".join(l.node.name for l in unscored))
    print(f"{filed}合计：{fmt(ev.self_total)} 分（{ev.self_grade or '—'}）；文件所述总分：{fmt(ev.stated_total)}")
    if ev.stated_total is not None and ev.self_total is not None and ev.stated_total != ev.self_total:
        print(f"注意：文件所述总分 {fmt(ev.stated_total)} 与各项{filed}之和 {fmt(ev.self_total)} 不一致")


def _evaluate_and_print(args, printer, evaluated: list | None = None) -> int:
    import json

    from ..assess.assessment import assess
    from ..assess.contract import assessment_dict

    from .paths import input_files, tolerance

    files, dirs, within = input_files(args.files), _framework_dirs(args), tolerance(args.tolerance)
    conventions = ()
    if getattr(args, "conventions", None):
        from ..review.conventions import load_conventions
        conventions = load_conventions(Path(args.conventions))
    evaluations = [assess(p, dirs, tolerance=within, conventions=conventions) for p in files]
    if evaluated is not None:
        evaluated.extend(evaluations)
    if args.json:  # one object for one file, an array for several: always one valid JSON document
        data = [assessment_dict(a) for a in evaluations]
        print(json.dumps(data[0] if len(data) == 1 else data, ensure_ascii=False, indent=2))
    else:
        for ev in evaluations:
            printer(ev)
    return EXIT_OK


def print_review(a) -> None:
    ev, rv = a.evaluation, a.review
    meta = ev.subject.meta
    print(f"复核：{meta.unit} · {meta.name}（{meta.year or '年度未注明'}）")
    print(f"自评合计 {fmt(ev.self_total)} 分（{ev.self_grade or '—'}）；复核后合计 {fmt(ev.total)} 分（{ev.grade or '—'}）；"
          f"等级{'发生变化' if (ev.self_grade != ev.grade) else '不变'}")
    if ev.stated_total is not None:
        print(f"文件所述总分：{fmt(ev.stated_total)} 分（{ev.subject.spec.stated.grade or '—'}）")
    counts = severity_counts(rv.findings)
    print(f"发现 {len(rv.findings)} 项：" + "，".join(f"{s} {n}" for s, n in counts.items()))
    for i, f in enumerate(rv.findings, 1):
        extra = ""
        if f.claimed is not None or f.recomputed is not None:
            extra = f"  [所报 {f.claimed or '—'} → 复核 {f.recomputed or '—'}" + (f"，分差 {fmt(f.delta)}" if f.delta is not None else "") + "]"
        print(f"{i:>3}. [{f.severity}] {f.category} · {f.indicator}：{f.message}{extra}")
    if rv.coverage:
        from ..review.run import coverage_text
        print(coverage_text(rv.coverage, rv.filed))
    if rv.not_recomputable:
        print("无法复算的指标（采用自评分）：")
        for name, reason in rv.not_recomputable:
            print(f"     {name}：{reason}")
    if rv.readings:
        print("评分标准的不同解读：")
        print(f"     默认解读：{fmt(ev.total)} 分（{ev.grade}）")
        for rid, text, total, grade in rv.readings:
            print(f"     {text}：{fmt(total)} 分（{grade}）")
        grades = {ev.grade} | {g for *_, g in rv.readings}
        print(f"     等级在各种解读下{'一致' if len(grades) == 1 else '不一致'}")


def cmd_score(args) -> int:
    return _evaluate_and_print(args, print_scores)


def cmd_review(args) -> int:
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
    from .paths import identifier, output_file

    identifier(args.id)
    return output_file(args.output, "-o/--output", force=args.force)


def cmd_new_framework(args) -> int:
    from ..collect.skeleton import new_framework

    out = _new_file(args)
    new_framework(out, args.id, args.name, args.region, args.year, args.kind)
    print(f"已写入指标体系模板：{out}。填写后运行 evalbook lint {out}")
    return EXIT_OK


def cmd_new_subject(args) -> int:
    from ..collect.skeleton import new_subject

    from .paths import input_files

    input_files([args.framework], "FRAMEWORK")
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
        if name == "review":
            p.add_argument("--conventions", metavar="FILE", help="本机构复核口径文件（YAML），默认不启用")
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
