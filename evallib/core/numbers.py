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
            number = _fraction(text) if "/" in text else Decimal(text)
        except InvalidOperation as exc:
            raise ValueError(f"“{value}”不是数字") from exc
        return number / HUNDRED if percent else number
    raise ValueError(f"“{value}”不是数字")


def _fraction(text: str) -> Decimal:
    """'1/3' -> 1/3 at full Decimal precision (28 digits): far below the score quantum, so rounding
    once at the end gives what exact rational arithmetic gives."""
    numerator, _, denominator = text.partition("/")
    bottom = Decimal(denominator.strip())
    if bottom == 0:
        raise InvalidOperation("zero denominator")
    return Decimal(numerator.strip()) / bottom


# Sums of fractions (1/3 + 1/3 + 1/3) carry a remainder in the 28th digit; compare totals at this quantum.
EXACT_QUANTUM = Decimal("1e-12")


def settle(value: Decimal) -> Decimal:
    """A sum of fractional weights as a comparable amount (not a rounding of any printed score)."""
    return value.quantize(EXACT_QUANTUM, rounding=ROUND_HALF_UP).normalize()


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


def fmt_unit(value: Decimal | None, unit: str | None) -> str:
    """A value in its unit: '%' -> '96.42%', '万元' -> '-2155万元', none -> '6'."""
    if unit == "%":
        return fmt_percent(value)
    if value is None:
        return "—"
    return f"{fmt(value)}{unit or ''}"


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
