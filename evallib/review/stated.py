"""Values the document states in its text (rates, amounts) against what its own figures give.

One finding per figure: every place it is stated is listed; a figure stated with two values and
stated differently from the computed value is one discrepancy, not two or three.
"""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from ..core.numbers import decimal_places, fmt, fmt_percent, to_decimal
from ..rules.formulas import NoValue
from ..rules.formulas import Calculator
from .findings import Review, check, review_data
from .precision import metric_allowance


def _claimed(text: str, is_rate: bool) -> Decimal:
    value = to_decimal(text.strip().rstrip("%％"))
    if is_rate:
        return value / 100
    return value


def _shown(value: Decimal, places: int, is_rate: bool) -> str:
    if is_rate:
        return fmt_percent(value, places)
    return fmt(value.quantize(Decimal(1).scaleb(-max(places, 2)), rounding=ROUND_HALF_UP))


def half_unit_of(n: int, scaled: bool) -> Decimal:
    """Below this a printed value is simply the computed one rounded."""
    return Decimal(5).scaleb(-n - 1) / (100 if scaled else 1)


def _same_printed_number(a: str, b: str) -> bool:
    """Two printed values of one figure agree if they are equal at the coarser of their precisions (195.7 = 195.70)."""
    def parse(text: str):
        text = text.strip()
        return to_decimal(text.rstrip("%％")), text.endswith(("%", "％")), decimal_places(text)
    try:
        (x, pct_a, da), (y, pct_b, db) = parse(a), parse(b)
    except ValueError:
        return a.strip() == b.strip()
    if pct_a != pct_b:
        return a.strip() == b.strip()
    q = Decimal(1).scaleb(-min(da, db))
    return x.quantize(q, rounding=ROUND_HALF_UP) == y.quantize(q, rounding=ROUND_HALF_UP)


def _basis_reproducing(calc, key: str, claimed: Decimal, within: Decimal) -> str | None:
    """Another basis (口径) of one input under which the metric gives the claimed value."""
    bases = review_data()["bases"]
    for figure in calc.leaf_inputs(key):
        for other in bases.get(figure, []):
            if other not in calc.figures or figure not in calc.figures:
                continue
            figures = dict(calc.figures)
            figures[figure] = calc.figures[other]
            value = Calculator(figures, calc.metrics).value(key)
            if not isinstance(value, NoValue) and abs(value - claimed) <= within:
                return f"以{calc.label(other)}代替{calc.label(figure)}"
    return None


@check
def stated_values(rv: Review) -> None:
    calc = rv.ev.calc
    by_key: dict[str, list] = {}
    for sv in rv.ev.subject.spec.stated.values:
        by_key.setdefault(sv.metric or sv.name, []).append(sv)
    for key, claims in by_key.items():
        label = calc.label(key)
        places = [f"{c.where or '文中'}：{c.value}" for c in claims]
        texts = sorted({c.value.strip() for c in claims})
        two_values = any(not _same_printed_number(a, b) for a in texts for b in texts)
        value = calc.value(key)
        is_rate = key in calc.metrics.metrics and calc.metrics.metrics[key].unit == "%"
        off, shown = [], None
        if not isinstance(value, NoValue):
            allowance = metric_allowance(calc, key)
            for c in claims:
                try:
                    scaled = is_rate and ("%" in c.value or to_decimal(c.value.strip().rstrip("%％")) > 1)
                    claimed = _claimed(c.value, scaled)
                except ValueError:
                    continue
                n = decimal_places(c.value)
                # one unit of the printed precision: rounded or truncated (97.439% printed 97.43%) both pass
                unit = Decimal(1).scaleb(-n) / (100 if scaled else 1)
                diff = abs(claimed - value)
                shown = _shown(value, n, is_rate)
                if diff > half_unit_of(n, scaled):
                    basis = _basis_reproducing(calc, key, claimed, unit + allowance) if diff > unit + allowance else None
                    off.append((c, basis, diff > unit + allowance and not basis))
        if not off and not two_values:
            continue
        inputs = {k: calc.show(k, v) for k, v in calc.leaf_inputs(key).items()}
        trace = {"formula": calc.formula(key) or key, "inputs": inputs}
        bases = [(c, basis) for c, basis, _ in off if basis]
        if bases and not any(beyond for *_, beyond in off):
            c, basis = bases[0]
            rv.add(severity="警告", category="口径差异", indicator=label, action="说明口径", places=places,
                   message=(f"{c.where or '文中'}所称{label}{c.value}与按评价所用数据计算的{shown}不同；"
                            f"{basis}计算可得{c.value}，差异来自计算口径；请单位说明所用口径。"),
                   claimed=" / ".join(texts), recomputed=shown, trace=trace)
        elif any(beyond for *_, beyond in off):
            wrong = "、".join(f"{c.where or '文中'}所称{c.value}" for c, _, beyond in off if beyond)
            rv.add(severity="错误", category="所述数值与数据不符", indicator=label, action="更正", places=places,
                   message=(f"{wrong}与按其自身数据计算的{label}{shown}不符，差异超出所列数据的舍入范围；"
                            + (f"文中对该数据给出了不同数值（{'、'.join(texts)}）；" if two_values else "") + "请更正。"),
                   claimed=" / ".join(texts), recomputed=shown, trace=trace)
        elif two_values:
            rv.add(severity="警告", category="同一数据两处不一致", indicator=label, action="更正", places=places,
                   message=(f"文件对{label}给出了不同的数值（{'；'.join(places)}）"
                            + (f"，按其自身数据计算为{shown}" if shown else "") + "；请统一。"),
                   claimed=" / ".join(texts), recomputed=shown, trace=trace)
        else:
            rv.add(severity="提示", category="所述数值舍入差异", indicator=label, action="仅提示", places=places,
                   message=(f"文件称{label}为{' / '.join(texts)}，按其自身数据计算为{shown}，差异在所列数据的舍入范围内。"),
                   claimed=" / ".join(texts), recomputed=shown, trace=trace)
