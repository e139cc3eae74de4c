"""Exact numbers: every score and rate is a Decimal; scores are rounded in one place.

Scores are rounded to two decimals (ROUND_HALF_UP) when a leaf's rule result
becomes a score (`round_score`); totals are sums of rounded scores, so a total
always equals the sum of the printed leaf scores.
"""
from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

SCORE_QUANTUM = Decimal("0.01")
ZERO = Decimal(0)
ONE = Decimal(1)
HUNDRED = Decimal(100)


# Thousands separators must group by three ("1,402.24"); "98,5" (a decimal comma) is not a number here.
_GROUPED = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
# a figure already printed as text: 1,234.50 / -0.08 / 96.42% (tables right-align these)
NUMBER_TEXT = re.compile(r"^[-+−]?\d[\d,]*(\.\d+)?\s*%?$")


def to_decimal(value) -> Decimal:
    """Convert int/float/str/Decimal to a finite Decimal via its printed form (never binary floats).

    A string may end in "%" (divided by 100) and may group thousands with commas. NaN and
    infinities are refused: no score can rest on them.
    """
    if isinstance(value, bool):
        raise ValueError("布尔值不是数字")
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float):
        number = Decimal(repr(value))
    elif isinstance(value, str):
        text = value.strip().replace("，", ",")
        percent = text.endswith("%") or text.endswith("％")
        if percent:
            text = text[:-1].strip()
        if "," in text:
            if not _GROUPED.match(text):
                raise ValueError(f"“{value}”不是数字（小数点请用“.”；千位分隔符“,”须每三位一组，如 1,402.24）")
            text = text.replace(",", "")
        try:
            number = _fraction(text) if "/" in text else Decimal(text)
        except InvalidOperation:
            raise ValueError(f"“{value}”不是数字") from None
        if number.is_finite() and percent:
            number = number / HUNDRED
    else:
        raise ValueError(f"“{value}”不是数字")
    if not number.is_finite():
        raise ValueError(f"“{value}”不是有限的数字（不能是 NaN 或无穷大）")
    return number


def is_percent_text(value) -> bool:
    return isinstance(value, str) and value.strip().endswith(("%", "％"))


def to_points(value) -> Decimal:
    """A score, weight or count of points: a plain number; "100%" would silently mean 1 point."""
    if is_percent_text(value):
        raise ValueError(f"分值、得分应写成分数（如 6 或 5.5），不能写成百分数“{value}”")
    return to_decimal(value)


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


def fmt_amount(value: Decimal | None, places: int = 2) -> str:
    """Reader-facing numbers, one way everywhere: thousands separators and a fixed number of decimals
    (2,951.99; 0.60; 12.10). Percentages go through fmt_percent."""
    if value is None:
        return "—"
    quantum = Decimal(1).scaleb(-places)
    return f"{value.quantize(quantum, rounding=ROUND_HALF_UP):,.{places}f}"


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
# A score, weight or points field: a plain number, never a percentage.
Points = Annotated[Decimal, BeforeValidator(to_points)]


from pydantic import BaseModel, ConfigDict, model_validator  # noqa: E402


class Interval(BaseModel):
    """An interval with explicit bound inclusiveness (下限含、上限不含 by default).

    Shared by grade bands and score bands so both read bounds the same way.
    """

    model_config = ConfigDict(extra="forbid")
    min: Num | None = None
    max: Num | None = None
    min_inclusive: bool = True
    max_inclusive: bool = False

    @model_validator(mode="after")
    def _not_empty(self):
        if self.min is not None and self.max is not None:
            if self.min > self.max:
                raise ValueError(f"下限 min（{fmt(self.min)}）高于上限 max（{fmt(self.max)}），区间为空")
            if self.min == self.max and not (self.min_inclusive and self.max_inclusive):
                raise ValueError(f"下限与上限同为 {fmt(self.min)} 且不同时包含端点，区间为空")
        return self

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
