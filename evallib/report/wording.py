"""Reader-facing wording: the one place where texts produced by the rules and the review are turned
into report language (no internal keys, English terms or file names), and where the unit's own
first-person statements are recognised so they are only ever quoted under 单位自述."""
from __future__ import annotations

import re

# Internal terms that rule and review messages carry, and what a reader sees instead.
REPLACEMENTS = [
    ("（met / missed / violations）", ""),
    ("met / missed / violations", ""),
    ("缺少评价要点核查结果", "未取得评价要点逐项核查结果"),
    ("无法按规则复算", "无法按评分标准由数据复算"),
    ("文件（", "单位报告（"),
    ("文件称", "单位报告称"),
    ("文件对", "单位报告对"),
    ("文件中", "单位报告中"),
]
# A decimal of three or more places inside a sentence (an unrounded intermediate such as 0.8647).
LONG_DECIMAL = re.compile(r"(?<![\d.])(\d+\.\d{2})\d+(?![\d%])")
FIRST_PERSON = re.compile(r"我们|我单位|我中心|我局|我办|我部门|我院|我所|我委|我处|本中心|本单位|我(?=[^国省市县区])")


def reader_text(text: str | None) -> str:
    """A rule or review message in report wording."""
    if not text:
        return ""
    out = str(text)
    for old, new in REPLACEMENTS:
        out = out.replace(old, new)
    out = LONG_DECIMAL.sub(lambda m: m.group(1), out)
    return out.strip()


def is_first_person(text: str) -> bool:
    """The unit speaking of itself (我中心、我单位 …): such text is quoted only as 单位自述."""
    return bool(FIRST_PERSON.search(text or ""))


def sentence(text: str) -> str:
    """End a clause with one full stop."""
    text = text.strip().rstrip("。；;，,")
    return text + "。" if text else ""


def with_labels(text: str, labels: dict[str, str]) -> str:
    """Catalogue keys in a message (预算.调整预算数) replaced by the figures' labels; a key bracketed
    right after its own label is dropped ('本年支出合计（执行数）（决算.支出合计）' -> '本年支出合计（执行数）')."""
    for key in sorted(labels, key=len, reverse=True):
        label = labels[key]
        text = text.replace(f"{label}（{key}）", label).replace(key, label)
    return text
