"""Ranking across subjects: only subjects scored on the same framework are ranked against each other.

One tie rule, used by summary.html and summary.xlsx alike: equal reviewed totals share a rank and the
next rank skips (1, 1, 3 — standard competition ranking); tied subjects are listed by subject id.
Groups are ordered 部门整体 first, then 项目支出, then any other kind, then by framework name and id.
"""
from __future__ import annotations

from dataclasses import dataclass, field

KIND_ORDER = ("部门整体", "项目支出")


@dataclass
class FrameworkGroup:
    framework_id: str
    framework_name: str
    kind: str
    total: object  # the framework's full marks
    grades: list[tuple[str, str]]  # the framework's own grade scale, best first
    ranked: list[tuple[int, object]] = field(default_factory=list)  # (rank, AssessmentRecord)

    @property
    def records(self) -> list:
        return [ev for _, ev in self.ranked]


def competition_ranks(totals: list) -> list[int]:
    """Ranks of totals already sorted best first: equal totals share a rank, the next one skips."""
    ranks: list[int] = []
    for i, total in enumerate(totals, 1):
        ranks.append(ranks[-1] if ranks and total == totals[i - 2] else i)
    return ranks


def _group_key(group: FrameworkGroup) -> tuple:
    kind = KIND_ORDER.index(group.kind) if group.kind in KIND_ORDER else len(KIND_ORDER)
    return (kind, group.kind, group.framework_name, group.framework_id)


def framework_groups(records) -> list[FrameworkGroup]:
    """Subjects grouped by the framework they were scored on, each group ranked by reviewed total."""
    groups: dict[str, FrameworkGroup] = {}
    for ev in records:
        fw = ev.framework_meta
        group = groups.get(fw.id)
        if group is None:
            group = groups[fw.id] = FrameworkGroup(fw.id, fw.name or fw.id, getattr(fw, "kind", None) or ev.meta.kind or "",
                                                   fw.total, list(ev.grades))
        group.ranked.append((0, ev))
    out = []
    for group in sorted(groups.values(), key=_group_key):
        ordered = sorted(group.records, key=lambda ev: (-ev.total, ev.id))
        group.ranked = list(zip(competition_ranks([ev.total for ev in ordered]), ordered))
        out.append(group)
    return out


def display_name(ev) -> str:
    """The reader-facing name of a subject: unit and object, the unit not repeated."""
    unit, name = ev.meta.unit or "", (ev.meta.name or "").replace(" ", "")
    return name if not unit or name.startswith(unit) else f"{unit} {name}"
