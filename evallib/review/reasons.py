"""Deduction reasons (扣分原因 / 得分依据) filed with a score, checked against the rule and the score.

The score may be right while the written reason is wrong: it states another deduction or score than the
one filed, or names a threshold or a direction the rule does not deduct for. Such a finding never changes
a score (警告, 说明口径): the unit corrects the written reason.
"""
from __future__ import annotations

import re
from decimal import Decimal

from ..core.numbers import ZERO, decimal_places, fmt, fmt_percent, to_decimal
from ..rules.formulas import NoValue
from .findings import Review, check, path_of
from .precision import metric_allowance

_NUMBER = r"(\d+(?:\.\d+)?)"
# The encoder's own remarks in the filed text, e.g. "（报告未说明扣0.5分的是哪一个项目目标）": not the unit's reason.
_ENCODER_NOTE = re.compile(r"（[^（）]*(?:未说明|未列|未述及|未涉及|报告|正文|原表|无法)[^（）]*）")
# "扣1分", "扣0.5分" — but not a quoted rule ("每减少一个百分点扣0.2分", "扣完为止").
_DEDUCTED = re.compile(r"(?<![每])扣(?:除|减)?\s*" + _NUMBER + r"\s*分")
_PER_UNIT = re.compile(r"每[^，。；,;]*$")
# "故此项得2分", "自评得分1.97分", "本项得 6 分": the score the text itself gives.
_SCORED = re.compile(r"(?:此项|本项|该项|自评)\s*得分?\s*(?:为\s*)?" + _NUMBER + r"\s*分")
# A direction word followed by the threshold it names: "未达50%", "超过100%".
_BELOW = r"未达到?|低于|不足"
_ABOVE = r"(?<![未不])(?:超过|超出|高于)"
_THRESHOLD = re.compile(r"(" + _BELOW + "|" + _ABOVE + r")\s*" + _NUMBER + r"\s*[%％]")
_PERCENT = re.compile(_NUMBER + r"\s*[%％]")


def reason_text(text: str) -> str:
    """The filed reason without the encoder's parenthetical remarks."""
    return _ENCODER_NOTE.sub("", text or "")


def stated_deduction(text: str) -> Decimal | None:
    """The deduction a reason states (the sum of its "扣N分"), None when it states none."""
    amounts = [to_decimal(m.group(1)) for m in _DEDUCTED.finditer(text)
               if not _PER_UNIT.search(text[:m.start()])]
    return sum(amounts, ZERO) if amounts else None


def stated_score(text: str) -> Decimal | None:
    """The score a reason states ("此项得N分"), None unless it states exactly one."""
    found = {to_decimal(m.group(1)) for m in _SCORED.finditer(text)}
    return found.pop() if len(found) == 1 else None


def _reason_of(leaf) -> tuple[str, str]:
    """(where the reason is filed, the reason): a target row's 偏差原因 or the item's 得分依据."""
    given = leaf.node.given or {}
    if given.get("note"):
        return "偏差原因", str(given["note"])
    return "得分依据", leaf.trace.evidence


def _add(rv: Review, leaf, where: str, reason: str, what: str, claimed: str, recomputed: str) -> None:
    rv.add(severity="警告", category="扣分理由与评分不符", indicator=path_of(leaf), action="说明口径",
           places=[where], claimed=claimed, recomputed=recomputed, trace=leaf.trace.as_dict(),
           message=(f"“{leaf.node.name}”{rv.filed}{fmt(leaf.self_score)}分（分值{fmt(leaf.weight)}分），"
                    f"{where}写明“{reason.strip()}”，{what}；得分不因此改变，请单位更正扣分理由的表述。"))


def _threshold_and_direction(rv: Review, leaf, where: str, reason: str, text: str) -> None:
    rule = leaf.node.rule
    if getattr(rule, "type", None) != "deduct" or rule.direction == "both":
        return
    if rv.ev.calc.unit(rule.input) != "%":
        return
    for m in _THRESHOLD.finditer(text):
        side = "below" if re.fullmatch(_BELOW, m.group(1)) else "above"
        named = to_decimal(m.group(2)) / 100
        rule_side = {"below": "低于", "above": "高于"}[rule.direction]
        target = f"{fmt(rule.target * 100)}%"
        if side != rule.direction:
            _add(rv, leaf, where, reason,
                 f"所述扣分情形（{m.group(1)}{m.group(2)}%）与评分标准不符：评分标准对{rv.ev.calc.label(rule.input)}"
                 f"{rule_side}{target}的部分扣分", f"{m.group(1)}{m.group(2)}%", f"{rule_side}{target}扣分")
            return
        if named != rule.target:
            _add(rv, leaf, where, reason,
                 f"所述标准{m.group(2)}%与评分标准规定的{target}不同", f"{m.group(2)}%", target)
            return


def _named_figure(rv: Review, leaf, where: str, reason: str, text: str) -> None:
    """The one rate a reason names, against the value of the rate the rule scores — only where the rule
    reproduces the filed score (else the score finding says it) and the value is not also a stated value."""
    rule, calc = leaf.node.rule, rv.ev.calc
    key = getattr(rule, "input", None)
    if not key or calc.unit(key) != "%" or leaf.source != "复算" or abs(leaf.score - leaf.self_score) > rv.tolerance:
        return
    value = calc.value(key)
    if isinstance(value, NoValue):
        return
    thresholds = {m.start(2) for m in _THRESHOLD.finditer(text)}
    target = getattr(rule, "target", None)
    named = [m.group(1) for m in _PERCENT.finditer(text)
             if m.start(1) not in thresholds and (target is None or to_decimal(m.group(1)) / 100 != target)]
    if len(named) != 1:
        return
    from .stated import _same_printed_number  # here, so importing this module registers no other checks
    stated = [sv.value for sv in rv.ev.subject.spec.stated.values if key in (sv.metric, sv.name)]
    if any(_same_printed_number(f"{named[0]}%", v) for v in stated):
        return  # the same value among the stated values: the stated-values check compares it once
    n = decimal_places(named[0])
    claimed = to_decimal(named[0]) / 100
    if abs(claimed - value) <= Decimal(1).scaleb(-n - 2) + metric_allowance(calc, key):
        return
    shown = fmt_percent(value, n)
    _add(rv, leaf, where, reason, f"所述{named[0]}%与按其自身数据计算的{calc.label(key)}{shown}不符",
         f"{named[0]}%", shown)


@check
def deduction_reasons(rv: Review) -> None:
    """A filed reason that states another deduction or score than the filed one, or another rule condition."""
    for leaf in rv.ev.leaf_list():
        if not leaf.applicable or leaf.self_score is None or not leaf.weight:
            continue  # a child of a shared weight has no deduction of its own
        where, reason = _reason_of(leaf)
        text = reason_text(reason)
        if not text.strip():
            continue
        lost = leaf.weight - leaf.self_score
        deducted, scored = stated_deduction(text), stated_score(text)
        if deducted is not None and deducted != lost:
            _add(rv, leaf, where, reason, f"所述扣{fmt(deducted)}分与实际扣分{fmt(lost)}分不符",
                 f"扣{fmt(deducted)}分", f"扣{fmt(lost)}分")
        elif scored is not None and scored != leaf.self_score:
            _add(rv, leaf, where, reason, f"所述得分{fmt(scored)}分与所填{rv.filed}{fmt(leaf.self_score)}分不符",
                 f"{fmt(scored)}分", f"{fmt(leaf.self_score)}分")
        else:
            if lost > 0:
                _threshold_and_direction(rv, leaf, where, reason, text)
            _named_figure(rv, leaf, where, reason, text)
