"""Exact numbers: every score and rate is a Decimal; scores are rounded in one place.

Scores are rounded to two decimals (ROUND_HALF_UP) when a leaf's rule result
becomes a score (`round_score`); totals are sums of rounded scores, so a total
always equals the sum of the printed leaf scores.
"""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

SCORE_QUANTUM = Decimal("0.01")
ZERO = Decimal(0)
ONE = Decimal(1)
HUNDRED = Decimal(100)


def to_decimal(value) -> Decimal:
    """Convert int/float/str/Decimal to Decimal via its printed form (never binary floats)."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool):
        raise ValueError("布尔值不是数字")
    if isinstance(value, (int, float)):
        return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    if isinstance(value, str):
        text = value.strip().replace(",", "").replace("，", "")
        percent = text.endswith("%") or text.endswith("％")
        if percent:
            text = text[:-1]
        try:
            number = Decimal(text)
        except InvalidOperation as exc:
            raise ValueError(f"“{value}”不是数字") from exc
        return number / HUNDRED if percent else number
    raise ValueError(f"“{value}”不是数字")


def round_score(value: Decimal) -> Decimal:
    """The one rounding rule for scores: two decimals, half up."""
    return value.quantize(SCORE_QUANTUM, rounding=ROUND_HALF_UP)


def clamp(value: Decimal, low: Decimal, high: Decimal) -> Decimal:
    return max(low, min(high, value))


def fmt(value: Decimal | None, places: int | None = None) -> str:
    """Print a Decimal as a person writes it: 94.79, 98, 96.5 (no exponent, no trailing zeros)."""
    if value is None:
        return "—"
    if places is not None:
        value = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
        return f"{value:f}"
    if value.as_tuple().exponent < -6:  # an unrounded intermediate: money never has more than 6 decimals
        value = value.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
    text = f"{value.normalize():f}" if value != 0 else "0"
    return text


def fmt_percent(ratio: Decimal | None, places: int = 2) -> str:
    """0.96423 -> '96.42%'."""
    if ratio is None:
        return "—"
    return f"{(ratio * HUNDRED).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP):f}%"


def fmt_amount(value: Decimal | None, places: int = 2) -> str:
    """Reader-facing numbers, one way everywhere: thousands separators and a fixed number of decimals
    (2,951.99; 0.60; 12.10). Percentages go through fmt_percent."""
    if value is None:
        return "—"
    quantum = Decimal(1).scaleb(-places)
    return f"{value.quantize(quantum, rounding=ROUND_HALF_UP):,.{places}f}"


def decimal_places(text: str) -> int:
    """How many decimals a printed number carries ('96.42%' -> 2, '98' -> 0)."""
    text = str(text).strip().rstrip("%％")
    return len(text.split(".", 1)[1]) if "." in text else 0


def _to_decimal_or_none(value):
    return None if value is None else to_decimal(value)


from typing import Annotated  # noqa: E402

from pydantic import BeforeValidator  # noqa: E402

# A number field in a YAML file: accepts 2, 0.95, "95%", "1,402.24".
Num = Annotated[Decimal, BeforeValidator(to_decimal)]


from pydantic import BaseModel, ConfigDict  # noqa: E402


class Interval(BaseModel):
    """An interval with explicit bound inclusiveness (下限含、上限不含 by default).

    Shared by grade bands and score bands so both read bounds the same way.
    """

    model_config = ConfigDict(extra="forbid")
    min: Num | None = None
    max: Num | None = None
    min_inclusive: bool = True
    max_inclusive: bool = False

    def contains(self, value: Decimal) -> bool:
        if self.min is not None and (value < self.min or (value == self.min and not self.min_inclusive)):
            return False
        if self.max is not None and (value > self.max or (value == self.max and not self.max_inclusive)):
            return False
        return True


def json_number(value: Decimal | None):
    """A Decimal as a JSON number printed from its exact digits (94.79, never 94.78999999)."""
    if value is None:
        return None
    if value == value.to_integral_value():
        return int(value)
    return float(value)  # shortest repr of a float round-trips the decimal's own digits
