"""`evalbook run` and `evalbook verify`."""
from __future__ import annotations

import sys
from pathlib import Path

EXIT_OK, EXIT_FAILED, EXIT_INPUT = 0, 1, 2


def cmd_run(args) -> int:
    from .export import available_formats
    from .runner import default_subjects, run_all

    formats = [f.strip() for part in (args.format or ["html"]) for f in part.split(",") if f.strip()]
    known = available_formats()
    unknown = [f for f in formats if f not in known]
    if unknown:
        print(f"不支持的输出格式：{'、'.join(unknown)}；可用：{'、'.join(known)}", file=sys.stderr)
        return EXIT_INPUT
    files = [Path(f) for f in args.files] or default_subjects()
    if not files:
        print("没有评价对象：请指定文件，或在 parameters/subjects/ 下放置 *.yaml", file=sys.stderr)
        return EXIT_INPUT
    out = Path(args.out)
    print(f"生成报告：{len(files)} 个评价对象 → {out}/（格式：{'、'.join(formats)}）")

    def progress(r):
        if r.ok:
            print(f"  完成 {r.id}：{r.total} 分（{r.grade or '—'}）")
            for w in r.warnings:
                print(f"    警告：报告执行时有错误输出：{w.strip()[:200]}")
        else:
            print(f"  失败 {r.file}：{r.message}")

    run = run_all(files, out, args.frameworks, formats, progress=progress)
    failed = [r for r in run.subjects if not r.ok]
    if run.summary:
        print(f"汇总：{out / 'summary.html'}")
    if run.summary_error:
        print(f"汇总失败：{run.summary_error}")
    print(f"运行记录：{out / 'manifest.json'}")
    print(f"成功 {len(run.subjects) - len(failed)} 个，失败 {len(failed)} 个。")
    return EXIT_OK if run.ok else EXIT_FAILED


def cmd_verify(args) -> int:
    from .runner import verify

    checks, notes = verify(Path(args.dir))
    print(f"复现检查：{args.dir}（重新运行记录中的评价对象，逐个文件比较）")
    for note in notes:
        print(f"  输入变化：{note}")
    for c in checks:
        print(f"  [{c.status}] {c.path}" + (f"：{c.detail}" if c.detail else ""))
    same = sum(1 for c in checks if c.status == "相同")
    print(f"共 {len(checks)} 个文件，相同 {same} 个，不同或缺少 {len(checks) - same} 个。")
    if checks and same == len(checks):
        print("结论：全部输出逐字节一致，结果可复现。")
        return EXIT_OK
    print("结论：输出与记录不一致。")
    return EXIT_FAILED


def add(sub) -> None:
    p = sub.add_parser("run", help="生成评价报告（每个评价对象一份）与汇总")
    p.add_argument("files", nargs="*", metavar="FILE", help="评价对象文件；不指定则为 parameters/subjects/*.yaml")
    p.add_argument("--out", default="outputs", metavar="DIR", help="输出目录，默认 outputs/")
    p.add_argument("--format", action="append", metavar="FMT", help="输出格式，默认 html（可多次指定或用逗号分隔）")
    p.add_argument("--frameworks", action="append", metavar="DIR", help="指标体系所在目录（可多次指定）")
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("verify", help="复现检查：重新运行并逐个文件比较输出是否逐字节一致")
    p.add_argument("dir", metavar="DIR", help="evalbook run 的输出目录（含 manifest.json）")
    p.set_defaults(func=cmd_verify)
