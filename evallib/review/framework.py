"""Findings about the framework itself: lint errors, printed rules whose direction contradicts the indicator."""
from __future__ import annotations

import re

from .findings import Review, check, path_of

# How encoders record (in a node's `note`) that the printed rule runs against the indicator's meaning.
_INVERTED = re.compile(r"方向有误|方向与[^。；]*相反|与指标说明不合|按字面[^。；]*(反而|无论如何)")


@check
def framework_errors(rv: Review) -> None:
    seen = set()
    for message in rv.lint_messages:
        text = re.sub(r"（解读“[^”]*”）", "", message.message)
        if message.level != "错误" or (message.where, text) in seen:
            continue
        seen.add((message.where, text))
        where = message.where if message.where != "指标体系" else "指标体系整体"
        rv.add(severity="警告", category="指标体系自身问题", indicator=where, action="说明口径", places=["指标体系"],
               message=f"指标体系问题：{message.message}。请核实所用指标体系文件。")


@check
def inverted_rules(rv: Review) -> None:
    """A printed rule whose deduction direction contradicts the indicator (the encoder's note says so)."""
    for node in rv.ev.nodes():
        note = node.note or ""
        if not _INVERTED.search(note):
            continue
        rv.add(severity="警告", category="评分标准方向与指标相反", indicator=path_of(node), action="说明口径",
               places=["指标体系：" + node.name],
               message=(f"“{node.name}”印发的评分标准与指标含义方向相反：{note.strip()}"
                        "复核按指标本意计分；请单位说明自评所用口径，并建议主管部门修订评分标准。"),
               trace={"criteria": node.criteria, "note": note})
