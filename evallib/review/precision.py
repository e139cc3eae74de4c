"""How far apart two numbers may be and still agree: the rounding allowed by the printed precision of
the inputs they come from (not a fixed 0.01)."""
from __future__ import annotations

from decimal import Decimal
from typing import Iterable

from ..rules.formulas import Calculator, NoValue


def places(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def half_unit(n_places: int) -> Decimal:
    return Decimal(5).scaleb(-n_places - 1)


def rounding_allowance(values: Iterable[Decimal]) -> Decimal:
    """Figures printed in one table or text share a precision (53 is 53.00 beside 46.18): each contributes
    half a unit of the finest precision among them."""
    values = list(values)
    if not values:
        return Decimal(0)
    finest = max(places(v) for v in values)
    return half_unit(finest) * len(values)


def metric_allowance(calc: Calculator, name: str) -> Decimal:
    """How much a metric can move when each figure it rests on moves by half a unit of its printed precision."""
    inputs = {k: v for k, v in calc.leaf_inputs(name).items() if k in calc.figures and not isinstance(v, NoValue)}
    base = calc.value(name)
    if not inputs or isinstance(base, NoValue):
        return Decimal(0)
    finest = max(places(v) for v in inputs.values())
    spread = Decimal(0)
    for key, value in inputs.items():
        moves = []
        for sign in (1, -1):
            figures = dict(calc.figures)
            figures[key] = value + sign * half_unit(finest)
            moved = Calculator(figures, calc.metrics).value(name)
            if not isinstance(moved, NoValue):
                moves.append(abs(moved - base))
        spread += max(moves, default=Decimal(0))
    return spread
