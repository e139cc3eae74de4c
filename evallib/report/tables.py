"""Small shared pieces of the report sections: the named table and tree helpers."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pandas as pd

from ..assess.record import AssessmentRecord, LeafRecord
from ..core.numbers import fmt_amount


@dataclass
class NamedTable:
    key: str  # stable ASCII-ish key: names the Styler uuid
    title: str
    frame: pd.DataFrame
    unit: str = ""
    note: str = ""


# -- small helpers ------------------------------------------------------------

def score_text(value: Decimal | None) -> str:
    return fmt_amount(value) if value is not None else "—"


def rate(score: Decimal | None, weight: Decimal | None) -> Decimal | None:
    if score is None or not weight:
        return None
    return score / weight


def leaf_name(leaf: LeafRecord) -> str:
    return " / ".join(leaf.node.path)


def first_level(ev: AssessmentRecord):
    return list(ev.roots)


def leaves_under(node) -> list:
    return [n for n in node.walk() if not n.children]




@dataclass(frozen=True)
class Link:
    """A table cell that links to another file of the run (a relative href), shown as its text."""
    text: str
    href: str

    def __str__(self) -> str:
        return self.text
