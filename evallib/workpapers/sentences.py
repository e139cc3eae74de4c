"""The report's sentences by section, and which of them the 正式稿 adds, removes or changes.

The sentences come from the report as data (evallib/report/data.py `build_report`): every text the
report prints as prose — work description, conclusion, indicator analysis, problems, suggestions,
other notes and the unit's quoted statements — split into sentences, each under its section heading.
Tables, cover and signature are not prose; their figures are listed as score changes.
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from ..report.data import Report
from ..report.frame import CHAPTERS
from ..report.render import chinese_number

# A sentence ends at 。！？ (with any closing quote or bracket after it) or at a line break.
SENTENCE_END = re.compile(r"([。！？][”’」』）)]*)")
ADDED, REMOVED, CHANGED = "新增", "删除", "修改"


def split_sentences(text) -> list[str]:
    marked = SENTENCE_END.sub(lambda m: m.group(1) + "\n", str(text))
    return [s.strip() for s in marked.split("\n") if s.strip()]


def _sentences(*texts) -> list[str]:
    return [s for text in texts for s in split_sentences(text)]


def report_sentences(report: Report) -> list[tuple[str, list[str]]]:
    """(section heading, its sentences in reading order) for every section the report writes prose in."""
    one, two, three, four, five, six, seven = CHAPTERS
    w, p = report.work, report.problems
    out = [(f"{one} / 单位自述：{heading}", _sentences(text)) for heading, text in report.basic["text"]]
    out += [(f"{two} / （一）评价目的、对象和范围", _sentences(w["purpose"])),
            (f"{two} / （二）评价依据", _sentences(*w["basis"])),
            (f"{two} / （三）评价原则、方法和标准", _sentences(w["method"], w["scoring"], w["grades_text"])),
            (f"{two} / （四）评价工作过程", _sentences(w["process"])),
            (f"{two} / （五）评价人员", _sentences(w["lead"], *[t for m in w["team"] for t in m])),
            (three, _sentences(*report.conclusion["text"]))]
    for i, s in enumerate(report.analysis, 1):
        out.append((f"{four} / （{chinese_number(i)}）{s.name}",
                    _sentences(s.summary, *s.sentences, *s.unit_says)))
    out += [(f"{five} / （一）主要经验及做法", _sentences(*p["experience"])),
            (f"{five} / （二）存在的问题及原因",
             _sentences(*[t for q in p["problems"] for t in (q.title, q.text, q.cause, q.advice)])),
            (f"{five} / （三）数据核查情况", _sentences(report.review["text"])),
            (f"{five} / 单位自述：存在问题", _sentences(*p["unit"]["问题"])),
            (six, _sentences(*[t for s in p["suggestions"] for t in (s["text"], s["answers_text"])])),
            (f"{six} / 单位自述：改进建议", _sentences(*p["unit"]["建议"])),
            (seven, _sentences(*p["other"]))]
    return out


@dataclass(frozen=True)
class SentenceChange:
    section: str
    kind: str  # 新增 / 删除 / 修改
    draft: str  # "" when added
    final: str  # "" when removed


def _section_changes(section: str, old: list[str], new: list[str]) -> list[SentenceChange]:
    out = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        pairs = min(i2 - i1, j2 - j1) if tag == "replace" else 0
        out += [SentenceChange(section, CHANGED, old[i1 + k], new[j1 + k]) for k in range(pairs)]
        out += [SentenceChange(section, REMOVED, s, "") for s in old[i1 + pairs:i2]]
        out += [SentenceChange(section, ADDED, "", s) for s in new[j1 + pairs:j2]]
    return out


def sentence_changes(draft: Report, final: Report) -> list[SentenceChange]:
    """Every sentence the final adds, removes or changes, section by section in reading order."""
    old, new = dict(report_sentences(draft)), report_sentences(final)
    order = list(old) + [s for s, _ in new if s not in old]
    new_map = dict(new)
    return [c for section in order for c in _section_changes(section, old.get(section, []), new_map.get(section, []))]
