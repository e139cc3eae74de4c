"""Reading YAML files and turning schema-library errors into Chinese messages."""
from __future__ import annotations

import contextvars
import hashlib
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from .errors import InputError, Problem

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
}


_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

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
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InputError.single(str(path), "", "文件不是 UTF-8 编码的文本")
    try:
        return yaml.load(text, Loader=_Loader)
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
        ctx = err.get("ctx") or {}
        if err["type"] in ("value_error", "assertion_error"):
            message = str(ctx.get("error", err["msg"])).removeprefix("Value error, ")
        elif template:
            try:
                message = template.format(**ctx)
            except (KeyError, IndexError):
                message = template
        else:
            message = f"取值无效（{err['msg']}）"
        value = err.get("input") if err["type"] != "missing" else None
        if isinstance(value, (dict, list)):
            value = None
        problems.append(Problem(file, where, message, value))
    return problems


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
