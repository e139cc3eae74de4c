"""argparse in Chinese, and text columns aligned by display width.

argparse writes its own text (usage, section titles, errors) in English through gettext; rather than
patch the argparse module for the whole process, this parser sets its titles and prefixes and
translates argparse's error messages in `error()`.
"""
from __future__ import annotations

import argparse
import re
import sys
import unicodedata

ERROR_EXIT = 2

_TYPE_NAMES = {"int": "整数", "float": "数", "str": "文本"}

# argparse's error messages (3.11–3.13 wording) -> Chinese; applied to the message text in order
_ERRORS: list[tuple[re.Pattern, object]] = [
    (re.compile(r"^the following arguments are required: (.*)$"), lambda m: f"缺少必需的参数：{m[1]}"),
    (re.compile(r"^unrecognized arguments: (.*)$"), lambda m: f"无法识别的参数：{m[1]}"),
    (re.compile(r"^one of the arguments (.*) is required$"), lambda m: f"须指定以下参数之一：{m[1]}"),
    (re.compile(r"^ambiguous option: (\S+) could match (.*)$"), lambda m: f"选项 {m[1]} 有歧义，可能是：{m[2]}"),
    (re.compile(r"^argument (.+?): (.*)$", re.S), lambda m: f"参数 {m[1]}：{_detail(m[2])}"),
]
_DETAILS: list[tuple[re.Pattern, object]] = [
    (re.compile(r"^invalid (\w+) value: (.*)$"),
     lambda m: f"{m[2]} 不是有效的{_TYPE_NAMES.get(m[1], m[1])}"),
    (re.compile(r"^invalid choice: (.*?) \(choose from (.*)\)$"),
     lambda m: f"无效的取值 {m[1]}（可选：{'、'.join(c.strip(chr(39)) for c in m[2].split(', '))}）"),
    (re.compile(r"^expected one argument$"), lambda m: "需要一个值"),
    (re.compile(r"^expected at most one argument$"), lambda m: "最多一个值"),
    (re.compile(r"^expected at least one argument$"), lambda m: "至少需要一个值"),
    (re.compile(r"^expected (\d+) arguments?$"), lambda m: f"需要 {m[1]} 个值"),
    (re.compile(r"^not allowed with argument (.*)$"), lambda m: f"不能与参数 {m[1]} 同用"),
    (re.compile(r"^ignored explicit argument (.*)$"), lambda m: f"不接受值 {m[1]}"),
]


def _apply(rules, text: str) -> str:
    for pattern, replace in rules:
        m = pattern.match(text)
        if m:
            return replace(m)
    return text


def _detail(text: str) -> str:
    return _apply(_DETAILS, text)


def translate_error(message: str) -> str:
    return _apply(_ERRORS, message)


class ChineseHelpFormatter(argparse.HelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None):
        super().add_usage(usage, actions, groups, "用法：" if prefix is None else prefix)


class ChineseArgumentParser(argparse.ArgumentParser):
    """An ArgumentParser whose own text is Chinese; subcommand parsers inherit it."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", ChineseHelpFormatter)
        add_help = kwargs.pop("add_help", True)
        super().__init__(*args, add_help=False, **kwargs)
        self._positionals.title = "位置参数"
        self._optionals.title = "选项"
        if add_help:
            self.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS, help="显示本帮助并退出")

    def error(self, message: str):
        self.print_usage(sys.stderr)
        self.exit(ERROR_EXIT, f"{self.prog}：错误：{translate_error(message)}\n")


# -- columns by display width ---------------------------------------------------------------------

def display_width(text: str) -> int:
    """Terminal columns: wide and full-width characters (Chinese, full-width punctuation) take two."""
    return sum(0 if unicodedata.combining(ch) else 2 if unicodedata.east_asian_width(ch) in "WF" else 1
               for ch in text)


def ljust(text: str, width: int) -> str:
    return text + " " * max(0, width - display_width(text))


def rjust(text: str, width: int) -> str:
    return " " * max(0, width - display_width(text)) + text
