"""Partial credit inside checklist points and per-case deductions of a share of the weight.

Real criteria read "要点2部分满足，扣该项分值的50%" and "每发现一例问题扣分值的10%", often on the
same indicator as whole points. ChecklistRule hands such inputs here; the shares stay exact (1/3 is 1/3)
and the score is rounded once, by the engine.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from ..core.numbers import HUNDRED, ONE, ZERO, fmt, to_decimal
from .base import RuleContext, RuleResult


def share_text(share: Decimal) -> str:
    """0.1 -> '10%', 1/2 -> '50%', 1/3 -> '33.33%' (a share as the criteria print it)."""
    return f"{fmt((share * HUNDRED).quantize(Decimal('0.01')))}%"


def _lose(entry: Any) -> Decimal:
    return to_decimal(entry["lose"])


def _partly_problems(entry: Any, where: str) -> list[tuple[str, str, Any]]:
    if not isinstance(entry, dict) or set(entry) - {"lose", "evidence"}:
        return [(where, "部分满足的要点应写成 {lose: 扣除比例, evidence: 依据}", entry)]
    problems = []
    try:
        lose = _lose(entry)
        if not ZERO < lose <= ONE:
            problems.append((f"{where}.lose", "扣除比例应大于 0、不超过 100%（如 50%、1/2、0.1）", entry["lose"]))
    except (KeyError, ValueError):
        problems.append((f"{where}.lose", "缺少或无法识别扣除比例（如 50%、1/2、0.1）", entry.get("lose")))
    if not str(entry.get("evidence") or "").strip():
        problems.append((f"{where}.evidence", "部分满足的要点须写明依据", None))
    return problems


def score_with_shares(rule, ctx: RuleContext) -> RuleResult:
    """Checklist points (whole or partly met) minus a share of the full marks per case found."""
    full = rule.full_marks(ctx.weight)
    formula = rule.formula_text()
    given = ctx.given
    evidence = str(given.get("evidence", "") or "")
    known = {i.id: i for i in rule.items}
    partly = {str(k): v for k, v in (given.get("partly") or {}).items()}
    inputs: dict[str, str] = {}
    texts: list[str] = []
    if known:
        if given.get("met") is None and given.get("missed") is None:
            return RuleResult.missing(formula, "缺少评价要点核查结果（met 或 missed）")
        if given.get("met") is not None:
            met = [str(x) for x in given["met"]]
            missed = [i for i in known if i not in met and i not in partly]
        else:
            missed = [str(x) for x in given["missed"]]
            met = [i for i in known if i not in missed and i not in partly]
        inputs.update({"满足的要点": "、".join(met) or "无", "未满足的要点": "、".join(missed) or "无"})
        if rule.mode == "earn":
            points = sum((rule.item_points(known[i]) for i in met), ZERO)
        else:
            points = full - sum((rule.item_points(known[i]) for i in missed), ZERO)
        texts.append(f"满足{len(met)}项要点" + (f"，{len(missed)}项未满足（{'；'.join(known[i].text for i in missed)}）" if missed else ""))
        for item_id, entry in partly.items():
            value = rule.item_points(known[item_id])
            lost = value * _lose(entry)
            points += (value - lost) if rule.mode == "earn" else -lost
            inputs[f"要点{item_id}部分满足"] = f"扣该项分值的{share_text(_lose(entry))}"
            texts.append(f"要点{item_id}（{known[item_id].text}）部分满足，扣该项{fmt(value)}分的{share_text(_lose(entry))}，"
                         f"即{fmt(lost)}分：{entry['evidence']}")
    else:
        points = full
    if given.get("violations") is not None and rule.mode == "deduct" and rule.per_item is not None:
        count = to_decimal(given["violations"])
        points -= count * rule.per_item
        inputs["不符合例数"] = fmt(count)
        texts.append(f"发现{fmt(count)}例不符合，扣{fmt(count * rule.per_item)}分")
    if rule.per_case is not None:
        if given.get("cases") is None:
            return RuleResult.missing(formula, f"缺少{rule.case_text or '发现的问题'}例数（cases）", inputs)
        cases = to_decimal(given["cases"])
        lost = cases * rule.per_case * full
        points -= lost
        inputs[f"{rule.case_text or '发现的问题'}例数"] = fmt(cases)
        texts.append(f"发现{fmt(cases)}例{rule.case_text or '问题'}，每例扣分值{fmt(full)}分的{share_text(rule.per_case)}，"
                     f"共扣{fmt(lost)}分" if cases else f"未发现{rule.case_text or '问题'}")
    score = max(ZERO, points)
    return RuleResult(score, formula, inputs, "；".join(texts) + f"；得{fmt(score)}分", evidence=evidence)
