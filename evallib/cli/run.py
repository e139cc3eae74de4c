"""`evalbook run` and `evalbook verify`."""
from __future__ import annotations

import os
import sys
from pathlib import Path

EXIT_OK, EXIT_FAILED, EXIT_INPUT = 0, 1, 2


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def failure_table(failed) -> list[str]:
    """The failed subjects as a Markdown table (file, subject id, reason)."""
    lines = [f"失败的评价对象（{len(failed)} 个）：", "", "| 序号 | 评价对象文件 | 编号 | 原因 |", "|---|---|---|---|"]
    for n, r in enumerate(failed, 1):
        reason = " ".join(r.message.split()).replace("|", "｜")
        lines.append(f"| {n} | {r.file} | {r.id or '—'} | {reason} |")
    return lines


def _use_reference_docx(path: str) -> int:
    """The firm's Word template for every report of this run (worker processes inherit the variable)."""
    import os

    from ..core.errors import InputError
    from ..export.docx import REFERENCE_ENV, reference_path

    os.environ[REFERENCE_ENV] = str(Path(path).resolve())
    try:
        reference_path()
    except InputError as exc:
        print(exc, file=sys.stderr)
        return EXIT_INPUT
    return 0


def _settle_pdf_engine(asked: str | None, formats: list[str], score_only: bool) -> int:
    """The PDF engine of this run, decided (with its warning, if any) once here, and Chromium's font
    built; worker processes inherit the engine through the environment, so they neither decide
    again nor warn again."""
    from ..export.pdfengine import ENGINE_ENV, PDF_FORMATS, EngineError, pdf_engine, prepare

    if asked:
        os.environ[ENGINE_ENV] = asked
    if score_only or not set(formats) & set(PDF_FORMATS):
        return 0
    try:
        engine = pdf_engine()
        os.environ[ENGINE_ENV] = engine
        print(f"PDF 引擎：{engine}" + ("（浏览器：" + _browser_name() + "）" if engine == "chromium" else ""), flush=True)
        prepare(formats)  # the font cache, before any worker starts
    except (EngineError, ValueError, OSError) as exc:
        print(exc, file=sys.stderr)
        return EXIT_INPUT
    return 0


def _browser_name() -> str:
    from ..export.pdf_chromium import browser

    how = browser() or {}
    return how.get("executable_path") or how.get("channel") or "—"


def cmd_run(args) -> int:
    from .paths import framework_dirs, input_files, output_dir

    # paths first: a wrong --out or file fails at once, before the batch machinery is even imported
    given = input_files(args.files)
    framework_dirs(args.frameworks)
    out = output_dir(args.out, "--out") if args.out else _workbook_outputs()
    from ..batch.worker import skip_slow_optional_imports

    skip_slow_optional_imports()  # before the batch machinery imports nbformat
    from ..batch.run import default_subjects, run_all
    from ..batch.outputs import BackendError

    formats = [f.strip() for part in (args.format or ["html"]) for f in part.split(",") if f.strip()]
    if args.score_only and args.format:
        print("--score-only 只计算得分（不生成报告），不能与 --format 同用", file=sys.stderr)
        return EXIT_INPUT
    if set(formats) - {"html"}:  # html is always there; the exporter registry costs an import of nbconvert
        from ..export.html import available_formats

        known = available_formats()
        unknown = [f for f in formats if f not in known]
        if unknown:
            print(f"不支持的输出格式：{'、'.join(unknown)}；可用：{'、'.join(known)}", file=sys.stderr)
            return EXIT_INPUT
    if args.reference_docx:
        code = _use_reference_docx(args.reference_docx)
        if code:
            return code
    code = _settle_pdf_engine(args.pdf_engine, formats, args.score_only)
    if code:
        return code
    if args.jobs is not None and args.jobs < 1:
        print("--jobs 须为正整数", file=sys.stderr)
        return EXIT_INPUT
    jobs = args.jobs or default_jobs()
    files = given or default_subjects()
    if not files:
        from ..model import workbook

        where = workbook.subjects_dir()
        why = "" if workbook.find_root() else "（当前文件夹不在评价工作簿内：可用 evalbook init 创建）"
        print(f"没有评价对象：请指定文件，或在 {where.as_posix()}/ 下放置 *.yaml{why}", file=sys.stderr)
        return EXIT_INPUT
    what = "只计算得分" if args.score_only else f"格式：{'、'.join(formats)}"
    where = f"Dask 集群 {args.scheduler}" if args.scheduler else f"{jobs} 个并行进程"
    print(f"生成报告：{len(files)} 个评价对象 → {out}/（{what}；{where}）", flush=True)

    bar = None
    failed_count = 0

    def on_start(to_run: int, skipped: int) -> None:
        nonlocal bar
        if skipped:
            print(f"跳过 {skipped} 个未变化的评价对象（输入与程序均未改变，沿用上次的输出；用 --force 全部重新生成）",
                  flush=True)
        if to_run:
            from tqdm import tqdm

            # on stderr; quiet (disable=None) when stderr is not a terminal
            bar = tqdm(total=to_run, file=sys.stderr, disable=None, unit="个", desc="评价对象", dynamic_ncols=True,
                       postfix={"失败": 0})

    def say(text: str) -> None:
        if bar is not None and not bar.disable:
            bar.write(text, file=sys.stdout)
        else:
            print(text, flush=True)

    def progress(r) -> None:
        nonlocal failed_count
        if r.ok:
            say(f"  完成 {r.id}：{r.total} 分（{r.grade or '—'}）")
            for w in r.warnings:
                say(f"    警告：报告执行时有错误输出：{w.strip()[:200]}")
        else:
            failed_count += 1
            say(f"  失败 {r.file}：{r.message}")
        if bar is not None:
            bar.set_postfix({"失败": failed_count}, refresh=False)
            bar.update(1)

    try:
        run = run_all(files, out, args.frameworks, formats, progress=progress, jobs=jobs, force=args.force,
                      scheduler=args.scheduler, score_only=args.score_only, on_start=on_start)
    except BackendError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_INPUT
    finally:
        if bar is not None:
            bar.close()
    failed = run.failed
    if run.summary:
        print(f"汇总：{out / 'summary.html'}" + ("（未变化，沿用上次的汇总）" if run.summary_skipped else ""))
    if run.summary_error:
        print(f"汇总失败：{run.summary_error}")
    print(f"运行记录：{out / 'manifest.json'}")
    done = len(run.subjects) - len(failed) - run.skipped
    print(f"成功 {done} 个，跳过（未变化）{run.skipped} 个，失败 {len(failed)} 个。")
    if failed:
        print()
        print("\n".join(failure_table(failed)))
    return EXIT_OK if run.ok else EXIT_FAILED


def _workbook_outputs() -> Path:
    from ..model import workbook

    return workbook.outputs_dir()


def cmd_verify(args) -> int:
    from ..batch.worker import skip_slow_optional_imports

    skip_slow_optional_imports()  # before the batch machinery imports nbformat
    from ..batch.verify import verify

    from .paths import ARG
    from ..core.errors import InputError

    if args.dir and not Path(args.dir).is_dir():
        raise InputError.single(args.dir, "", f"{ARG} DIR 应为 evalbook run 的输出目录"
                                + ("，这是一个文件" if Path(args.dir).exists() else "：目录不存在"))
    if args.jobs is not None and args.jobs < 1:
        raise InputError.single(ARG, "--jobs", "须为正整数", args.jobs)
    folder = Path(args.dir) if args.dir else _workbook_outputs()
    from ..export.pdfengine import EngineError

    try:
        checks, notes = verify(folder, jobs=args.jobs or default_jobs())
    except EngineError as exc:  # the recorded run's PDF engine cannot run here
        print(exc, file=sys.stderr)
        return EXIT_INPUT
    print(f"复现检查：{folder}（重新运行记录中的评价对象，逐个文件比较）")
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
    p.add_argument("files", nargs="*", metavar="FILE", help="评价对象文件；不指定则为工作簿的 parameters/subjects/*.yaml")
    p.add_argument("--out", metavar="DIR", help="输出目录，默认为工作簿的 outputs/")
    p.add_argument("--format", action="append", metavar="FMT", help="输出格式：html（默认）、pdf、docx、xlsx、opinion（复核意见书）、svg（图表另存矢量图）；可多次指定或用逗号分隔")
    p.add_argument("--frameworks", action="append", metavar="DIR",
                   help="指标体系所在目录（可多次指定）；默认为工作簿的 parameters/frameworks，其后总是自带的指标体系")
    p.add_argument("--jobs", "-j", type=int, metavar="N", help="并行进程数，默认为本机 CPU 核数")
    p.add_argument("--reference-docx", metavar="FILE",
                   help="Word 参考模板（事务所自己的 .docx：页面、字体、标题样式、页眉页脚），用于 docx 格式")
    p.add_argument("--pdf-engine", choices=["chromium", "weasyprint"],
                   help="PDF 引擎：chromium（默认，每份约 1–2 秒；用本机的 Chromium、Chrome 或 Edge，"
                        "也可由环境变量 EVALBOOK_CHROMIUM 指定）或 weasyprint（慢约 8 倍，无须浏览器）；"
                        "未指定且找不到浏览器时改用 weasyprint 并给出警告")
    p.add_argument("--force", action="store_true", help="全部重新生成（默认跳过输入与程序均未改变的评价对象）")
    p.add_argument("--score-only", action="store_true",
                   help="只计算得分与复核（scores.csv、findings.csv、result.json），不生成报告与汇总")
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="在 Dask 集群上运行（调度器地址，如 tcp://10.0.0.5:8786；需安装 evalbook[dask]）")
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("verify", help="复现检查：重新运行并逐个文件比较输出是否逐字节一致")
    p.add_argument("dir", nargs="?", metavar="DIR", help="evalbook run 的输出目录（含 manifest.json），默认为工作簿的 outputs/")
    p.add_argument("--jobs", "-j", type=int, metavar="N", help="并行进程数，默认为本机 CPU 核数")
    p.set_defaults(func=cmd_verify)
