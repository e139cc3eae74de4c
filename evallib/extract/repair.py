"""Repairs of a read indicator tree that printed tables need: children moved under the parent whose
weight they add up to, and unweighted siblings grouped under a shared weight."""
from __future__ import annotations


from .tables import Item


def rebalance(items: list[Item], notes: list[str]) -> None:
    """A merged parent cell split by a page break can leave its first child printed under the previous
    parent. When the previous parent's children exceed its weight by exactly its last child, and the
    next parent is short by exactly that much, the child belongs to the next parent: move it, and say so."""
    for parent in [None, *[i for r in items for i in r.walk()]]:
        siblings = items if parent is None else parent.children
        for a, b in zip(siblings, siblings[1:]):
            if not a.children or not b.children or a.weight is None or b.weight is None:
                continue
            last = a.children[-1]
            if last.weight is None or last.children:
                continue
            sum_a = sum((c.weight or 0) for c in a.children)
            sum_b = sum((c.weight or 0) for c in b.children)
            if sum_a - a.weight == last.weight and b.weight - sum_b == last.weight:
                a.children.pop()
                b.children.insert(0, last)
                notes.append(f"“{last.name}”（{last.where}）印在“{a.name}”下，但按分值属于“{b.name}”"
                             f"（{a.name} {a.weight} 分、{b.name} {b.weight} 分）：已移至“{b.name}”，请核对")


def group_shared(items: list[Item]) -> None:
    """Leaves printed as '经济效益 15 | 社会效益 — | 生态效益 —' share one weight: group them under one node."""
    for parent in [None, *[i for r in items for i in r.walk()]]:
        siblings = items if parent is None else parent.children
        out, i = [], 0
        while i < len(siblings):
            s = siblings[i]
            j = i + 1
            while j < len(siblings) and siblings[j].weight is None and not siblings[j].children:
                j += 1
            if s.weight is not None and not s.children and j - i > 1:
                group = Item(name="、".join(x.name for x in siblings[i:j]), level=s.level, where=s.where,
                             weight=s.weight, weight_where=s.weight_where, definition=s.definition,
                             criteria=s.criteria)
                for x in siblings[i:j]:
                    x.weight, x.level = None, x.level + 1
                    group.children.append(x)
                group.children[0].definition = group.children[0].criteria = ""
                out.append(group)
                group.shared = True  # type: ignore[attr-defined]
            else:
                out.extend(siblings[i:j])
            i = j
        siblings[:] = out
