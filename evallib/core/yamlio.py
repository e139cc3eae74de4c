"""Reading YAML files and turning schema-library errors into Chinese messages."""
from __future__ import annotations

import contextvars
import hashlib
from decimal import Decimal
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from .errors import InputError, Problem, os_reason

M = TypeVar("M", bound=BaseModel)

_MESSAGES = {
    "missing": "缺少必填字段",
    "extra_forbidden": "未知字段（拼写是否有误？）",
    "string_type": "应为文本",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "int_from_float": "应为整数",
    "float_type": "应为数字",
    "float_parsing": "应为数字",
    "decimal_type": "应为数字",
    "decimal_parsing": "应为数字",
    "bool_type": "应为 true 或 false",
    "bool_parsing": "应为 true 或 false",
    "list_type": "应为列表",
    "dict_type": "应为键值表",
    "model_type": "应为键值表",
    "greater_than_equal": "不能小于 {ge}",
    "greater_than": "应大于 {gt}",
    "less_than_equal": "不能大于 {le}",
    "literal_error": "取值应为 {expected} 之一",
    "enum": "取值应为 {expected} 之一",
    "too_short": "至少需要 {min_length} 项",
    "string_too_short": "不能为空",
    "date_from_datetime_parsing": "应为日期（YYYY-MM-DD）",
    "date_parsing": "应为日期（YYYY-MM-DD）",
    "date_type": "应为日期（YYYY-MM-DD）",
    "finite_number": "应为有限的数字（不能是 NaN 或无穷大）",
    "less_than": "应小于 {lt}",
    "multiple_of": "应为 {multiple_of} 的整数倍",
    "too_long": "最多 {max_length} 项",
    "string_too_long": "最多 {max_length} 个字符",
    "string_pattern_mismatch": "格式不符合要求",
    "tuple_type": "应为列表",
    "set_type": "应为列表",
    "none_required": "此处应留空",
    "bool_from_float": "应为 true 或 false",
    "model_attributes_type": "应为键值表",
    "is_instance_of": "类型不符合要求",
    "union_tag_invalid": "类型标记无效",
    "union_tag_not_found": "缺少类型标记",
    "decimal_max_digits": "数字位数过多",
    "decimal_max_places": "小数位数过多",
    "decimal_whole_digits": "整数位数过多",
    "date_from_datetime_inexact": "应为日期（YYYY-MM-DD）",
    "datetime_parsing": "应为日期时间",
    "datetime_type": "应为日期时间",
    "bytes_type": "应为文本",
    "frozen_instance": "不能修改",
    "frozen_field": "不能修改",
    "recursion_loop": "存在循环引用",
    "json_invalid": "不是有效的 JSON",
}

# Field patterns in the schemas, described in words rather than as a regular expression.
_PATTERNS = {
    r"^[A-Za-z0-9][A-Za-z0-9_.-]*$": "只能由英文字母、数字和“.”“_”“-”组成，且以字母或数字开头（不能有空格、斜杠或中文）",
}


class DuplicateKeyError(yaml.constructor.ConstructorError):
    def __init__(self, key, first, again):
        super().__init__(None, None, f"duplicate key {key!r}", again)
        self.key, self.first = key, first


class _UniqueKeyLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """The safe loader, except that a key repeated in one mapping is an error: otherwise the
    second value silently wins (a repeated score line would change a total without a word)."""

    def construct_mapping(self, node, deep=False):
        if isinstance(node, yaml.MappingNode):
            seen: dict = {}
            for key_node, _ in node.value:
                if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == "tag:yaml.org,2002:merge":
                    continue
                key = self.construct_object(key_node)
                try:
                    first = seen.setdefault(key, key_node.start_mark)
                except TypeError:  # an unhashable key: the base constructor reports it
                    continue
                if first is not key_node.start_mark:
                    raise DuplicateKeyError(key, first, key_node.start_mark)
        return super().construct_mapping(node, deep=deep)


_Loader = _UniqueKeyLoader

_YAML_PROBLEMS = {
    "expected ',' or ']'": "方括号列表未闭合，缺少“]”或逗号",
    "expected ',' or '}'": "花括号未闭合，缺少“}”或逗号",
    "mapping values are not allowed": "此处不能出现冒号（冒号后需空格，含冒号的文本需加引号）",
    "found character '\\t'": "不能用制表符缩进，请改用空格",
    "could not find expected ':'": "缺少冒号“:”",
    "found undefined alias": "引用了未定义的锚点",
    "expected <block end>": "缩进不一致",
    "found unexpected end of stream": "文件意外结束（引号或括号未闭合？）",
    "while scanning a quoted scalar": "引号未闭合",
}


def read_yaml(path: Path) -> Any:
    path = Path(path)
    if not path.exists():
        raise InputError.single(str(path), "", "文件不存在")
    if path.is_dir():
        raise InputError.single(str(path), "", "这是一个目录，不是文件；请指定其中的 .yaml 文件")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InputError.single(str(path), "", "文件不是 UTF-8 编码的文本") from None
    except OSError as exc:
        raise InputError.single(str(path), "", f"无法读取文件（{os_reason(exc)}）") from None
    try:
        return yaml.load(text, Loader=_Loader)
    except DuplicateKeyError as exc:
        mark = exc.problem_mark
        raise InputError.single(str(path), f"第 {mark.line + 1} 行第 {mark.column + 1} 列",
                                f"YAML 格式错误：键“{exc.key}”重复（第一次出现在第 {exc.first.line + 1} 行）；"
                                "同一层的键只能出现一次，否则后一个值会悄悄覆盖前一个") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        context = getattr(exc, "context_mark", None)
        where = f"第 {mark.line + 1} 行第 {mark.column + 1} 列" if mark else ""
        reason = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        message = next((zh for en, zh in _YAML_PROBLEMS.items() if en in reason), "无法解析")
        if context is not None and (mark is None or context.line != mark.line):
            message += f"（自第 {context.line + 1} 行第 {context.column + 1} 列开始的内容）"
        raise InputError.single(str(path), where, f"YAML 格式错误：{message}；原文：{reason}")


def read_mapping(path: Path, what: str) -> dict:
    """A YAML file whose top level must be a mapping; `what` says what it should hold."""
    data = read_yaml(path)
    if not isinstance(data, dict):
        raise InputError.single(str(path), "", what)
    return data


def file_sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def loc_text(loc: tuple) -> str:
    parts: list[str] = []
    for item in loc:
        if isinstance(item, int):
            parts.append(f"[{item + 1}]")
        else:
            parts.append(("." if parts else "") + str(item))
    return "".join(parts)


def translate(exc: ValidationError, file: str, prefix: str = "", describe=None) -> list[Problem]:
    """Pydantic errors -> Chinese problems. `describe(loc)` may name a place more helpfully."""
    problems = []
    for err in exc.errors(include_url=False):
        loc = tuple(x for x in err["loc"] if not (isinstance(x, str) and x.startswith("function-")))
        where = describe(loc) if describe else None
        where = where or loc_text(loc)
        if prefix:
            where = f"{prefix}.{where}" if where else prefix
        template = _MESSAGES.get(err["type"])
        ctx = {k: (f"{v:f}" if isinstance(v, Decimal) else v) for k, v in (err.get("ctx") or {}).items()}
        if err["type"] in ("value_error", "assertion_error"):
            message = str(ctx.get("error", err["msg"])).removeprefix("Value error, ")
        elif err["type"] == "string_pattern_mismatch":
            message = _PATTERNS.get(str(ctx.get("pattern")), template)
        elif err["type"] == "literal_error":
            message = "取值应为 " + "、".join(f"“{x}”" for x in _literal_choices(err)) + " 之一"
        elif template:
            try:
                message = template.format(**ctx)
            except (KeyError, IndexError):
                message = template
        else:
            message = "取值无效"  # pydantic's own text is English: never shown
        value = err.get("input") if err["type"] != "missing" else None
        if isinstance(value, (dict, list)):
            value = None
        problems.append(Problem(file, where, message, value))
    return problems


def _literal_choices(err) -> list[str]:
    expected = str((err.get("ctx") or {}).get("expected", ""))
    return [part.strip().strip("'\"") for part in expected.replace(" or ", ",").split(",") if part.strip()]


def validate(model: type[M], data: Any, file: str, prefix: str = "", describe=None) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise InputError(translate(exc, file, prefix, describe)) from None


_DRAFTS_ALLOWED = contextvars.ContextVar("drafts_allowed", default=False)


@contextmanager
def drafts_allowed():
    """Inside this block unconfirmed drafts load (for checking a draft); scoring never enters it."""
    token = _DRAFTS_ALLOWED.set(True)
    try:
        yield
    finally:
        _DRAFTS_ALLOWED.reset(token)


def refuse_draft(data: dict, file: str) -> None:
    """A file drafted by `evalbook extract` is used only once a person has set draft.confirmed: true."""
    draft = data.get("draft")
    if draft is None or _DRAFTS_ALLOWED.get():
        return
    if isinstance(draft, dict) and draft.get("confirmed") is True:
        return
    raise InputError.single(file, "draft.confirmed", "此文件是 evalbook extract 自动提取的草稿，尚未确认，不能用于评分。"
                            "请对照提取报告逐项核对，确认无误后把 draft.confirmed 改为 true", draft.get("confirmed")
                            if isinstance(draft, dict) else draft)
