"""The figure catalogue: every basic figure (基础数据) a subject may file — label, unit, kind — and the
check that a subject's figures belong to it. Shared figures live in evallib/data/figures.yaml; a framework
adds its own. Each figure kind's accepted values are decided here and nowhere else.
"""
from __future__ import annotations

from decimal import Decimal
from functools import lru_cache
from importlib import resources
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict

from ..core.errors import InputError, Problem
from ..core.numbers import to_decimal


class FigureSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    label: str
    unit: str = "万元"
    kind: Literal["money", "count", "ratio", "number"] = "money"


@lru_cache(maxsize=1)
def base_catalogue() -> dict[str, FigureSpec]:
    data = yaml.safe_load(resources.files("evallib.data").joinpath("figures.yaml").read_text("utf-8"))
    return {f"{group}.{name}": FigureSpec(**spec) for group, fields in data.items() for name, spec in fields.items()}


def catalogue_for(extra: dict[str, dict[str, FigureSpec]] | None = None) -> dict[str, FigureSpec]:
    merged = dict(base_catalogue())
    for group, fields in (extra or {}).items():
        for name, spec in fields.items():
            merged[f"{group}.{name}"] = spec
    return merged


def check_figures(raw: dict[str, dict[str, Any]], catalogue: dict[str, FigureSpec], file: str) -> dict[str, Decimal]:
    """Validate nested figures against the catalogue; return them flat ('人员.编制数' -> Decimal)."""
    problems: list[Problem] = []
    flat: dict[str, Decimal] = {}
    groups = {name.split(".", 1)[0] for name in catalogue}
    for group, fields in raw.items():
        if group not in groups:
            problems.append(Problem(file, f"figures.{group}", f"未知的数据分组；可用分组：{'、'.join(sorted(groups))}"))
            continue
        if not isinstance(fields, dict):
            problems.append(Problem(file, f"figures.{group}", "应为键值表", fields))
            continue
        for name, value in fields.items():
            key = f"{group}.{name}"
            where = f"figures.{key}"
            spec = catalogue.get(key)
            if spec is None:
                known = "、".join(k.split(".", 1)[1] for k in catalogue if k.startswith(group + "."))
                problems.append(Problem(file, where, f"未知的数据项（拼写是否有误？）；{group} 下可用：{known}"))
                continue
            if value is None:
                continue  # not filed: stays missing
            try:
                number = to_decimal(value)
            except ValueError as exc:
                hint = str(exc).partition("（")[2].rstrip("）")  # why, when the number parser says more
                problems.append(Problem(file, where, f"{spec.label}应为数字（单位：{spec.unit}）"
                                        + (f"；{hint}" if hint else ""), value))
                continue
            if spec.kind in ("money", "count", "ratio") and number < 0:
                problems.append(Problem(file, where, f"{spec.label}不能为负数", value))
                continue
            if spec.kind == "count" and number != number.to_integral_value():
                problems.append(Problem(file, where, f"{spec.label}应为整数", value))
                continue
            if spec.kind == "ratio":
                problem = ratio_problem(value, number)
                if problem:
                    problems.append(Problem(file, where, f"{spec.label}{problem}", value))
                    continue
            flat[key] = number
    if problems:
        raise InputError(problems)
    return flat


def ratio_problem(value, number: Decimal) -> str | None:
    """The one convention for a rate (kind ratio): "98%" with a percent sign, or the fraction 0.98.

    A bare number above 1 is ambiguous — 98 could mean 98% or 9800% — so it is refused with the two
    ways to write it, never guessed.
    """
    from ..core.numbers import fmt, is_percent_text

    if number < 0 or (is_percent_text(value) and number > 1):
        return "应在 0%–100% 之间"
    if not is_percent_text(value) and number > 1:
        return (f"含义不明：比率请写成带百分号的“{fmt(number)}%”，或写成小数 {fmt(number / 100)}"
                f"（不带百分号的数按小数读，1 即 100%）")
    return None
