"""Match indicator names in a document to a framework's, one to one, with a score for each match."""
from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz import fuzz

from .normalize import key

THRESHOLD = 70.0


@dataclass
class Match:
    framework_id: str
    framework_name: str
    found_name: str
    score: float  # 0–100: how alike the names (and their parents) are
    item: object


def match_leaves(framework_leaves, found) -> tuple[list[Match], list, list]:
    """framework_leaves: Node list; found: (path names tuple, item) list. Greedy best-first, one to one."""
    pairs = []
    for i, node in enumerate(framework_leaves):
        name, parent = key(node.name), key(node.path[-2]) if len(node.path) > 1 else ""
        for j, (path, item) in enumerate(found):
            s_name = fuzz.ratio(name, key(path[-1]))
            if s_name < 50:
                s_name = max(s_name, fuzz.partial_ratio(name, key(path[-1])) - 15)
            s_parent = fuzz.ratio(parent, key(path[-2])) if parent and len(path) > 1 else 50.0
            pairs.append((0.8 * s_name + 0.2 * s_parent, -abs(i / max(len(framework_leaves), 1) - j / max(len(found), 1)),
                          i, j, s_name))
    pairs.sort(reverse=True)
    used_i, used_j, matches = set(), set(), {}
    for score, _, i, j, s_name in pairs:
        if i in used_i or j in used_j or s_name < THRESHOLD:
            continue
        used_i.add(i)
        used_j.add(j)
        node = framework_leaves[i]
        matches[i] = Match(node.id, node.name, found[j][0][-1], round(score, 1), found[j][1])
    unmatched_framework = [n for i, n in enumerate(framework_leaves) if i not in used_i]
    unmatched_found = [f for j, f in enumerate(found) if j not in used_j]
    return [matches[i] for i in sorted(matches)], unmatched_framework, unmatched_found
