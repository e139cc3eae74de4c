"""The command line speaks Chinese (argparse's own text included), explains every argument, has
--version, aligns Chinese columns by display width, and `review --fail-on` sets the exit code."""
import argparse
import re

import pytest

from conftest import run_cli
from evallib import __version__
from evallib.cli.main import build_parser
from evallib.cli.parser import display_width, ljust, rjust, translate_error

ENGLISH = re.compile(r"usage:|options:|positional arguments|show this help|error:|invalid|required|unrecognized")


def _subparsers(parser):
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action.choices
    return {}


COMMANDS = sorted(_subparsers(build_parser()))


def test_every_argument_of_every_command_has_help():
    parser = build_parser()
    missing = [f"evalbook {name} {a.dest}" for name, sub in _subparsers(parser).items()
               for a in sub._actions if not a.help or a.help == argparse.SUPPRESS]
    missing += [a.dest for a in parser._actions if not a.help]
    assert not missing, missing
    assert {"init", "score", "review", "run", "verify"} <= set(COMMANDS)


@pytest.mark.parametrize("command", [None] + COMMANDS)
def test_help_text_is_chinese(capsys, command):
    with pytest.raises(SystemExit) as info:
        build_parser().parse_args([command, "--help"] if command else ["--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("用法：evalbook") and "选项" in out and "显示本帮助并退出" in out
    assert not ENGLISH.search(out), out


def test_version(capsys):
    with pytest.raises(SystemExit) as info:
        build_parser().parse_args(["--version"])
    assert info.value.code == 0 and capsys.readouterr().out.strip() == f"evalbook {__version__}"


@pytest.mark.parametrize("argv,expected", [
    (["nosuch"], "参数 命令：无效的取值 'nosuch'（可选：lint、score"),
    (["score", "x.yaml", "--nosuch"], "无法识别的参数：--nosuch"),
    (["run", "--jobs", "abc"], "参数 --jobs/-j：'abc' 不是有效的整数"),
    (["score"], "缺少必需的参数：FILE"),
    ([], "缺少必需的参数：命令"),
    (["review", "x.yaml", "--fail-on", "提示"], "参数 --fail-on：无效的取值 '提示'（可选：错误、警告）"),
    (["run", "--out"], "参数 --out：需要一个值"),
])
def test_errors_are_chinese(capsys, argv, expected):
    with pytest.raises(SystemExit) as info:
        build_parser().parse_args(argv)
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("用法：evalbook") and "evalbook" in err and "：错误：" in err
    assert expected in err, err
    assert not ENGLISH.search(err), err


def test_untranslated_messages_pass_through():
    assert translate_error("something new") == "something new"


def test_display_width():
    assert display_width("指标") == 4 and display_width("ab") == 2 and display_width("（一）a") == 7
    assert ljust("预算", 6) == "预算  " and rjust("5", 3) == "  5" and ljust("很长的名字", 2) == "很长的名字"


def test_score_columns_line_up_by_display_width(capsys):
    code, out, _ = run_cli(capsys, "score", "parameters/subjects/003-futian-2021-dept.yaml")
    assert code == 0
    rows = [l for l in out.splitlines() if " / " in l or l.startswith("指标")]
    assert len(rows) > 10
    # everything before the last column (来源) has the same terminal width in every row, header included
    widths = {display_width(l.rsplit("  ", 1)[0]) for l in rows}
    assert len(widths) == 1, widths
    assert len({len(l.rsplit("  ", 1)[0]) for l in rows}) > 1  # (padding by len would not line these up)


def test_review_fail_on(capsys):
    file = "parameters/subjects/002-junshan-2021-dept.yaml"  # its self-assessment has errors
    assert run_cli(capsys, "review", file)[0] == 0
    code, out, err = run_cli(capsys, "review", file, "--fail-on", "错误")
    assert code == 1 and "复核" in out and "--fail-on 错误" in err
    assert run_cli(capsys, "review", file, "--fail-on", "警告")[0] == 1
    assert run_cli(capsys, "review", file, "--fail-on", "错误", "--json")[0] == 1


def test_review_fail_on_passes_a_clean_subject(capsys):
    from evallib.assess.assessment import assess
    from pathlib import Path

    clean = [p for p in sorted(Path("parameters/subjects").glob("*.yaml"))
             if not any(f.severity == "错误" for f in assess(p).findings)]
    assert clean, "no subject without errors among the examples"
    assert run_cli(capsys, "review", clean[0], "--fail-on", "错误")[0] == 0
