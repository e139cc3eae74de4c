"""Text normalisation for matching names across documents and frameworks.

Printed tables break names over lines ("预算\n执行率"), number them ("1."、"（一）"、"①"), mix
full- and half-width characters and pad with spaces; a name is compared only after all that is removed.
"""
from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation

_SPACE = re.compile(r"\s+")
_NUMBERING = re.compile(r"^(?:[（(]?[一二三四五六七八九十]+[）)、.．]|[（(]\d+[）)]|\d+(?:\.\d+)*[、.．](?!\d)|[①-⑳]|[a-zA-Z][、.．)）])\s*")
# a weight printed after a name: "（6分）", "(10)", "（20 分）"
_WEIGHT = re.compile(r"[（(]\s*(\d+(?:\.\d+)?)\s*分?\s*[）)]\s*$")
_NUMBER = re.compile(r"^[+-]?\d+(?:,\d{3})*(?:\.\d+)?$")


def clean(text: str | None) -> str:
    """Join a cell's lines: drop line breaks and the spaces around CJK text, keep spaces between Latin words."""
    if not text:
        return ""
    text = text.replace("\u3000", " ").strip()
    text = re.sub(r"<\/?p>", " ", text)
    text = re.sub(r"\s*\n\s*", "", text)
    text = re.sub(r"(?<=[^\x00-\x7f])\s+|\s+(?=[^\x00-\x7f])", "", text)
    return _SPACE.sub(" ", text).strip()


def half_width(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def split_weight(text: str) -> tuple[str, Decimal | None]:
    """'绩效目标合理性 （6分）' -> ('绩效目标合理性', Decimal(6))."""
    name = clean(text)
    match = _WEIGHT.search(half_width(name))
    if not match:
        return name, None
    # cut the same number of characters from the original (NFKC keeps the length of these characters)
    cut = len(half_width(name)) - match.start()
    return name[: len(name) - cut].strip(), Decimal(match.group(1))


def strip_numbering(text: str) -> str:
    previous = None
    while previous != text:
        previous, text = text, _NUMBERING.sub("", text, count=1)
    return text


def key(text: str | None) -> str:
    """The comparison key of a name: half-width, no spaces, numbering, weight, quotes or brackets."""
    name, _ = split_weight(text or "")
    name = strip_numbering(half_width(name))
    name = re.sub(r"[\s\"'“”‘’「」『』《》<>]", "", name)
    return name.lower()


def number(text: str | None) -> Decimal | None:
    """A cell that holds only a number ('2', '94.79', '5分', '1,402.24') -> Decimal; else None."""
    if text is None:
        return None
    t = half_width(clean(text)).removesuffix("分").strip()
    if not _NUMBER.match(t):
        return None
    try:
        return Decimal(t.replace(",", ""))
    except InvalidOperation:
        return None
