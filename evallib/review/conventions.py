"""Firm review conventions (复核口径): rules a firm applies beyond the framework's printed ones, switched on
by a YAML file (`evalbook review --conventions FILE`), off by default. Each produces findings under its own name.

The file:  conventions: [无佐证资料不得分, 满意度未调查不得分, 每项扣分须写明理由, 产出与效益重复指标只计一次]
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable

from pydantic import BaseModel, ConfigDict

from ..core.errors import InputError, Problem
from ..core.numbers import fmt
from ..core.yamlio import read_mapping, validate
from .findings import Review, path_of

NOTE = "复核合计按印发的评分标准计算，未按本口径调整"


def _no_evidence(rv: Review, name: str) -> None:
    for leaf in rv.ev.leaf_list():
        if leaf.applicable and leaf.self_score and leaf.source != "复算" and not leaf.trace.evidence.strip():
            rv.add(severity="警告", category=f"复核口径：{name}", indicator=path_of(leaf), action="补证",
                   message=(f"“{leaf.node.name}”{rv.filed}{fmt(leaf.self_score)}分，未提供佐证资料；按本机构复核口径"
                            f"“{name}”，该项不得分（{NOTE}）。请补充佐证资料。"),
                   claimed=fmt(leaf.self_score), recomputed="0")


def _satisfaction(rv: Review, name: str) -> None:
    surveyed = any(key.startswith("调查.") for key in rv.ev.calc.figures)
    for leaf in rv.ev.leaf_list():
        if "满意" in leaf.node.name and leaf.applicable and leaf.self_score and not surveyed:
            rv.add(severity="警告", category=f"复核口径：{name}", indicator=path_of(leaf), action="补证",
                   message=(f"“{leaf.node.name}”{rv.filed}{fmt(leaf.self_score)}分，但未提供满意度调查数据；按本机构复核口径"
                            f"“{name}”，该项不得分（{NOTE}）。请补充调查问卷及统计结果。"),
                   claimed=fmt(leaf.self_score), recomputed="0")


def _deduction_reasons(rv: Review, name: str) -> None:
    for leaf in rv.ev.leaf_list():
        if not leaf.applicable or leaf.self_score is None or leaf.self_score >= leaf.limit:
            continue
        given = leaf.node.given or {}
        if leaf.trace.evidence.strip() or str(given.get("note") or "").strip():
            continue
        rv.add(severity="警告", category=f"复核口径：{name}", indicator=path_of(leaf), action="补证",
               message=(f"“{leaf.node.name}”{rv.filed}{fmt(leaf.self_score)}分，扣{fmt(leaf.limit - leaf.self_score)}分，"
                        f"未写明扣分理由；按本机构复核口径“{name}”，请补充扣分理由。"),
               claimed=fmt(leaf.self_score))


def _duplicates(rv: Review, name: str) -> None:
    seen: dict[str, object] = {}
    for leaf in rv.ev.leaf_list():
        first = leaf.node.path[0]
        other = seen.get(leaf.node.name)
        if other is not None and other.node.path[0] != first and leaf.applicable and leaf.self_score:
            rv.add(severity="警告", category=f"复核口径：{name}", indicator=path_of(leaf), action="说明口径",
                   places=[path_of(other), path_of(leaf)],
                   message=(f"“{leaf.node.name}”同时列于“{other.node.path[0]}”和“{first}”之下并分别计分；按本机构复核口径"
                            f"“{name}”，只计一次（{NOTE}）。"),
                   claimed=fmt(leaf.self_score), recomputed="0")
        seen.setdefault(leaf.node.name, leaf)


CONVENTIONS: dict[str, Callable[[Review, str], None]] = {
    "无佐证资料不得分": _no_evidence,
    "满意度未调查不得分": _satisfaction,
    "每项扣分须写明理由": _deduction_reasons,
    "产出与效益重复指标只计一次": _duplicates,
}


class ConventionFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    conventions: list[str]


def load_conventions(path: Path) -> list[str]:
    """The convention names a firm's file switches on; an unknown name is an error, never ignored."""
    data = validate(ConventionFile, read_mapping(Path(path), "复核口径文件"), str(path))
    unknown = [(i, n) for i, n in enumerate(data.conventions) if n not in CONVENTIONS]
    if unknown:
        raise InputError([Problem(str(path), f"conventions.{i}", "未知的复核口径，可用：" + "、".join(CONVENTIONS), n)
                          for i, n in unknown])
    return list(data.conventions)


def apply_conventions(rv: Review) -> None:
    for name in rv.conventions:
        CONVENTIONS[name](rv, name)
