"""Indicator tables (评分表 / 指标体系表) read into a tree: names, weights, texts, self-scores, totals.

One reader serves both drafts: the framework draft takes the tree, weights and texts; the subject
draft takes the self-scores, 得分依据 and stated total of the same rows.

A row is read by its column when it lines up with the header; printed tables are often shifted
by merged cells and page breaks, and such rows are read by content instead: names (possibly with a
printed weight "（6分）") on the left, then the texts, then the numbers (分值, 得分), then 得分依据.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from .normalize import clean, half_width, key, number, split_weight
from .readers import Document, Row

LEVELS = {"一级": 1, "二级": 2, "三级": 3, "四级": 4}
_TOTAL = re.compile(r"^(合计|总分|总计|总得分|得分合计|综合得分|绩效自评综合得分)")
_SENTENCE = re.compile(r"[，,。；;：:=＝×%％]|\d{3,}")


def column_role(text: str) -> str | None:
    h = key(text)
    if not h:
        return None
    level = next((n for word, n in LEVELS.items() if word in h), None)
    if level:
        return f"W{level}" if ("分值" in h or "权重" in h) else f"L{level}"
    if any(w in h for w in ("年度指标值", "实际完成值", "指标值", "目标值")):
        return "target"
    if any(w in h for w in ("得分依据", "扣分原因", "评分依据", "偏差原因")):
        return "evidence"
    if any(w in h for w in ("评分标准", "评价标准", "评分及标准", "评分办法", "评分方法", "计分方法")):
        return "criteria"
    if any(w in h for w in ("指标说明", "指标解释", "指标内容", "具体指标", "评价要点", "指标释义", "指标定义")):
        return "definition"
    if any(w in h for w in ("分值", "权重", "标准分", "满分")):
        return "weight"
    if any(w in h for w in ("得分", "自评分", "评分", "自评")):
        return "score"
    if h in ("评价指标", "名称", "指标"):
        return "label"
    return None


@dataclass
class Header:
    roles: list[str | None]
    where: str

    @property
    def depth(self) -> int:
        levels = [int(r[1]) for r in self.roles if r and r.startswith("L")]
        return max(levels) if levels else 3

    def count(self, *roles: str) -> int:
        return sum(1 for r in self.roles if r in roles)

    @property
    def texts_before_numbers(self) -> int:
        first_num = next((i for i, r in enumerate(self.roles) if r in ("weight", "score")), len(self.roles))
        return sum(1 for r in self.roles[:first_num] if r in ("definition", "criteria"))

    @property
    def numbers_after_texts(self) -> list[str]:
        last_text = max((i for i, r in enumerate(self.roles) if r in ("definition", "criteria")), default=-1)
        return [r for r in self.roles[last_text + 1:] if r in ("weight", "score")]


@dataclass
class Item:
    name: str
    level: int
    where: str
    weight: Decimal | None = None
    weight_where: str = ""
    definition: str = ""
    criteria: str = ""
    score: Decimal | None = None
    evidence: str = ""
    children: list["Item"] = field(default_factory=list)

    def walk(self):
        yield self
        for c in self.children:
            yield from c.walk()


@dataclass
class IndicatorTable:
    header: Header
    roots: list[Item]
    where: str
    title: str = ""
    total: Decimal | None = None
    total_where: str = ""
    notes: list[str] = field(default_factory=list)  # rows that could not be read, and why
    rows: set[str] = field(default_factory=set)  # where of every row read into this table

    def leaves(self) -> list[Item]:
        return [i for r in self.roots for i in r.walk() if not i.children]

    def items(self):
        for r in self.roots:
            yield from r.walk()


def _is_header_row(cells: list[str]) -> bool:
    filled = [c for c in cells if c.strip()]
    if len(filled) < 2:
        return False
    roles = [column_role(c) for c in filled]
    return all(r is not None for r in roles) and sum(1 for c in filled if len(clean(c)) > 12) == 0


def _header(rows: list[Row]) -> Header:
    width = max(len(r.cells) for r in rows)
    combined: list[list[str]] = [[] for _ in range(width)]
    for row in rows:
        before = [list(c) for c in combined]
        filled = ""
        for i in range(width):
            value = clean(row.cells[i]) if i < len(row.cells) else ""
            if not value and i > 0 and before[i] == before[i - 1]:
                value = filled
            filled = value
            if value:
                combined[i].append(value)
    last = max((i for row in rows for i, c in enumerate(row.cells) if clean(c)), default=width - 1)
    roles = []
    for parts in combined[: last + 1]:
        role = column_role("".join(parts[-1:]))
        full = column_role("".join(parts))
        if full and full.startswith(("L", "W")):
            role = full
        roles.append(role)
    roles += [None] * (width - len(roles))
    # two explanation columns and no criteria column: the second holds the criteria (评价要点)
    if "criteria" not in roles and roles.count("definition") == 2:
        roles[len(roles) - 1 - roles[::-1].index("definition")] = "criteria"
    # a weight column right after a level column is that level's weight
    for i, r in enumerate(roles):
        if r == "weight" and i > 0 and roles[i - 1] and roles[i - 1].startswith("L"):
            roles[i] = "W" + roles[i - 1][1:]
    return Header(roles, rows[0].where)


def _split_header_tail(row: Row) -> list[Row]:
    """A total row run together with the next table's header (text exports do this): split it."""
    cells = row.cells
    for j in range(1, len(cells) - 2):
        if clean(cells[j]) and any(clean(c) and column_role(c) is None for c in cells[:j]) and _is_header_row(cells[j:]) and sum(1 for c in cells[j:] if clean(c)) >= 3 \
                and any(column_role(c) and column_role(c).startswith("L") for c in cells[j:]):
            return [Row(cells[:j], row.where), Row(cells[j:], row.where)]
    return [row]


def _name_like(text: str) -> bool:
    name, weight = split_weight(text)
    if number(text) is not None:
        return False
    return len(name) <= 30 and (weight is not None or not _SENTENCE.search(name))


def find_indicator_tables(doc: Document) -> list[IndicatorTable]:
    """Every indicator table in the document, in order; a table ends at its total row or a new header."""
    rows = []
    for t in doc.tables:
        for r in t.rows:
            rows.extend((t, part) for part in _split_header_tail(r))
    out: list[IndicatorTable] = []
    i = 0
    current: _Builder | None = None
    while i < len(rows):
        table, row = rows[i]
        if _is_header_row(row.cells):
            block = [row]
            while i + 1 < len(rows) and _is_header_row(rows[i + 1][1].cells):
                i += 1
                block.append(rows[i][1])
            header = _header(block)
            levels = [r for r in header.roles if r and r[0] in "LW"]
            if "target" in header.roles or not levels:
                current = None  # a target table or some other table: not an indicator table
            elif current is None or current.header.roles != header.roles or current.closed:
                current = _Builder(header, table.title)
                out.append(current.result)
            i += 1
            continue
        if current is not None and not current.closed:
            current.add(row)
        i += 1
    return [t for t in out if t.roots]


class _Builder:
    def __init__(self, header: Header, title: str):
        self.header = header
        self.result = IndicatorTable(header, [], header.where, title)
        self.stack: list[Item] = []
        self.last_leaf: Item | None = None
        self.closed = False

    # -- placing names in the tree ------------------------------------------------------------
    def place(self, name_cell: str, level: int, where: str, weight_cell: str | None = None) -> Item:
        name, weight = split_weight(name_cell)
        if weight is None and weight_cell:
            weight = number(weight_cell)
        parent = self.stack[level - 2] if level >= 2 and len(self.stack) >= level - 1 else None
        siblings = parent.children if parent else self.result.roots
        found = next((s for s in siblings if key(s.name) == key(name)), None)
        if found is None:
            found = Item(name=name, level=level, where=where, weight=weight, weight_where=where if weight is not None else "")
            siblings.append(found)
        elif found.weight is None and weight is not None:
            found.weight, found.weight_where = weight, where
        del self.stack[level - 1:]
        self.stack.append(found)
        return found

    def add(self, row: Row) -> None:
        self.result.rows.add(row.where)
        cells = [c for c in row.cells]
        while cells and not cells[-1].strip():
            cells.pop()
        filled = [clean(c) for c in cells if clean(c)]
        if not filled:
            return
        if len(filled) == 1 and re.match(r"^[一二三四五六七八九十]+、", filled[0]) and len(filled[0]) > 4:
            self.result.notes.append(f"{row.where}：跳过标题行“{filled[0]}”")
            return
        if _TOTAL.match(key(filled[0])) or (len(filled) == 1 and number(filled[0]) is not None and self.result.roots):
            nums = [number(c) for c in filled[1:] if number(c) is not None]
            score_cols = [i for i, r in enumerate(self.header.roles) if r == "score"]
            if score_cols and len(row.cells) > score_cols[-1]:
                lead = re.match(r"^\s*(\d+(?:\.\d+)?)", half_width(row.cells[score_cols[-1]]))
                if lead:
                    nums = [Decimal(lead.group(1))]
            stated = re.match(r"^\D*?[:：]?\s*(\d+(?:\.\d+)?)", half_width(filled[0]))
            if not nums and stated:
                nums = [Decimal(stated.group(1))]
            if nums:
                self.result.total, self.result.total_where = nums[-1], row.where
            self.closed = True
            return
        roles = self.header.roles
        if len(row.cells) == len(roles) and self._aligned(row.cells):
            self._positional(row)
        else:
            self._by_content(row)

    def _aligned(self, cells: list[str]) -> bool:
        roles = self.header.roles
        names = [(int(r[1]), clean(c)) for r, c in zip(roles, cells) if r and r.startswith("L") and clean(c)]
        if any(not _name_like(c) for _, c in names):
            return False
        has_body = any(clean(c) for r, c in zip(roles, cells) if r in ("definition", "criteria", "score"))
        if names and has_body and max(lv for lv, _ in names) != self.header.depth:
            return False  # a leaf row whose name is not in the leaf column: shifted
        levels = sorted(lv for lv, _ in names)
        if levels and levels != list(range(levels[0], levels[-1] + 1)):
            return False  # a new parent always opens new children: a gap means the row is shifted
        for r, c in zip(roles, cells):
            if r in ("score", "weight") or (r and r.startswith("W")):
                if clean(c) and number(c) is None:
                    return False
        return True

    def _positional(self, row: Row) -> None:
        roles = self.header.roles
        values = {}
        leaf = None
        for i, (role, cell) in enumerate(zip(roles, row.cells)):
            if role and role.startswith("L") and clean(cell):
                level = int(role[1])
                weight_cell = row.cells[i + 1] if i + 1 < len(roles) and roles[i + 1] == f"W{level}" else None
                leaf = self.place(cell, level, row.where, weight_cell)
            elif role and role.startswith("W") and clean(cell):
                level = int(role[1])
                name_blank = not any(clean(row.cells[j]) for j, r in enumerate(roles) if r == f"L{level}")
                if name_blank and len(self.stack) >= level and number(cell) is not None:
                    node = self.stack[level - 1]  # a merged cell split by a page break: the parts add up
                    node.weight = (node.weight or 0) + number(cell)
            elif role in ("definition", "criteria", "evidence", "weight", "score") and clean(cell):
                if role in ("definition", "criteria") and number(cell) is not None:
                    role = "score_shifted"  # a score printed one column early
                values.setdefault(role, clean(cell))
        if "score" not in values and "score_shifted" in values:
            values["score"] = values.pop("score_shifted")
        has_body = any(k in values for k in ("definition", "criteria", "score"))
        if leaf is None:
            if self.last_leaf is not None and (values.get("definition") or values.get("criteria")):
                self._continue(self.last_leaf, values.get("definition", ""), values.get("criteria", ""))
                if self.last_leaf.score is None and values.get("score"):
                    self.last_leaf.score = number(values["score"])
            return
        if not has_body and "weight" not in values:
            return  # a row that only opens a parent
        self._fill(leaf, values, row.where)

    def _by_content(self, row: Row) -> None:
        cells = [clean(c) for c in row.cells if clean(c)]
        # trailing evidence texts, then the numbers before them
        ev_count = 1 if "evidence" in self.header.roles[-2:] else 0
        end = len(cells)
        evidence = ""
        if ev_count and end >= 2 and number(cells[-1]) is None and number(cells[-2]) is not None:
            evidence, end = cells[-1], end - 1
        nums_start = end
        while nums_start > 0 and number(cells[nums_start - 1]) is not None:
            nums_start -= 1
        prefix, numbers = cells[:nums_start], [number(c) for c in cells[nums_start:end]]
        # names (each possibly followed by its weight), then k texts
        protected = set()
        for j, c in enumerate(prefix):
            if split_weight(c)[1] is not None and _name_like(c):
                protected.add(j)
            if j + 1 < len(cells) and number(cells[j + 1]) is not None and j + 1 < nums_start and _name_like(c):
                protected.add(j)
        k = self.header.texts_before_numbers
        if not numbers and all(_name_like(c) for c in prefix):
            k = 0  # a row of names only (a leaf printed without texts, or parents opened on their own)
        texts: list[str] = []
        j = len(prefix) - 1
        while j >= 0 and len(texts) < k and j not in protected and not (prefix[j] and _is_weight_num(prefix, j)):
            texts.insert(0, prefix[j])
            j -= 1
        head = prefix[: j + 1]
        names: list[tuple[str, str | None]] = []
        for c in head:
            if number(c) is not None:
                if names and names[-1][1] is None:
                    names[-1] = (names[-1][0], c)
                continue
            if names and key(names[-1][0]) == key(c):
                continue  # a merged cell printed twice
            names.append((c, None))
        if not names:
            if self.last_leaf is not None and texts:
                self._continue(self.last_leaf, *(texts + [""])[:2])
            return
        depth = self.header.depth
        if not texts and not numbers and len(names) == 1 and names[0][1] is None \
                and split_weight(names[0][0])[1] is None and self.last_leaf is not None:
            self._fill(self.place(names[0][0], depth, row.where), {}, row.where)  # a leaf printed bare
            return
        leaf = None
        for n, (name, weight_cell) in enumerate(names):
            level = depth - (len(names) - 1 - n) if (texts or numbers) else max(1, depth - len(names) + n)
            leaf = self.place(name, max(level, 1), row.where, weight_cell)
        if not texts and not numbers:
            return
        values: dict = {}
        roles = [r for r in self.header.roles if r in ("definition", "criteria")]
        for role, text in zip(roles[-len(texts):] if texts else [], texts):
            values[role] = text
        after = self.header.numbers_after_texts
        if leaf.weight is not None and len(numbers) >= 2 and numbers[0] == leaf.weight:
            numbers = numbers[1:]
            after = ["score"]
        if len(numbers) >= len(after):
            for role, value in zip(after, numbers[-len(after):] if after else []):
                values[role] = str(value)
        elif numbers:
            values["score" if leaf.weight is not None or "score" in after[-1:] and len(after) == 1 else "weight"] = str(numbers[-1])
        if evidence:
            values["evidence"] = evidence
        self._fill(leaf, values, row.where)

    def _fill(self, leaf: Item, values: dict, where: str) -> None:
        if values.get("weight") and leaf.weight is None:
            leaf.weight, leaf.weight_where = number(values["weight"]), where
        leaf.definition = leaf.definition or values.get("definition", "")
        leaf.criteria = leaf.criteria or values.get("criteria", "")
        if values.get("score") and leaf.score is None:
            leaf.score = number(values["score"])
        leaf.evidence = leaf.evidence or values.get("evidence", "")
        self.last_leaf = leaf

    @staticmethod
    def _continue(leaf: Item, definition: str, criteria: str) -> None:
        if definition:
            leaf.definition = (leaf.definition + definition) if leaf.definition else definition
        if criteria:
            leaf.criteria = (leaf.criteria + criteria) if leaf.criteria else criteria


def _is_weight_num(prefix: list[str], j: int) -> bool:
    return number(prefix[j]) is not None
