"""HTML fragments for the report notebook: tables (plain HTML with stable ids), paragraphs, the cover
block and the merged-cell score table. Output is deterministic.

Tables are written directly rather than through pandas' Styler: the Styler adds an id per cell and a
<style> block of per-cell selectors to every table, which made each report's HTML larger, the kernel
slower (a fifth of a notebook's time) and the PDF engines' style matching slower; classes do the same job.
"""
from __future__ import annotations

import html
import re
import zlib
from decimal import Decimal

from ..core.numbers import NUMBER_TEXT, fmt, fmt_amount
from .data import NamedTable, Report
from .tables import Link


def esc(text) -> str:
    return html.escape("" if text is None else str(text), quote=True)


def cell_text(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, Link):  # pandas escapes strings only: the link's own text and href are escaped here
        return f'<a href="{esc(value.href)}">{esc(value.text)}</a>'
    if isinstance(value, Decimal):
        return fmt_amount(value)
    if isinstance(value, float):
        if value != value:  # NaN from pandas reindexing
            return "—"
        return fmt_amount(Decimal(repr(value)))
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)


def uuid_for(key: str) -> str:
    """A stable Styler uuid (crc32, never the salted hash())."""
    return f"{zlib.crc32(key.encode('utf-8')):08x}"


class Numbering:
    """表N / 图N numbers in reading order, one counter each per report."""

    def __init__(self):
        self.tables = 0
        self.figures = 0

    def table(self) -> int:
        self.tables += 1
        return self.tables

    def figure(self) -> int:
        self.figures += 1
        return self.figures


def figure_caption(number: int, title: str) -> str:
    return f'<figcaption class="eb-caption">图{number} {esc(title)}</figcaption>'


_OWN_NUMBER = re.compile(r"^(表\s*[0-9][0-9.\-—－]*)\s*")


def caption_text(number: int | None, title: str) -> str:
    """表N and the title; a table copied from the unit's document keeps its own number as a note
    ("表1 部门预算收支情况（原表1-1）"), so a caption never reads "表1 表1-1 …"."""
    own = _OWN_NUMBER.match(title)
    if number and own:
        title = f"{title[own.end():]}（原{own.group(1).replace(' ', '')}）"
    return (f"表{number} " if number else "") + title


def _is_number(value) -> bool:
    if isinstance(value, str):
        return bool(NUMBER_TEXT.match(value.strip()))
    return isinstance(value, (Decimal, int, float)) and not isinstance(value, bool)


def _cell(value) -> str:
    """A cell's HTML: a Link is HTML already (its parts escaped by cell_text); any other text is escaped."""
    return cell_text(value) if isinstance(value, Link) else esc(cell_text(value))


def _marked(value) -> bool:
    """A highlighted row: its `highlight` column holds something other than nothing or zero ("0.00" is zero)."""
    if value is None or (isinstance(value, float) and value != value):
        return False
    if isinstance(value, str):
        text = value.strip().replace(",", "").rstrip("%").replace("−", "-")
        if text in ("", "—", "-"):
            return False
        try:
            return Decimal(text) != 0
        except ArithmeticError:
            return True
    return value != 0


def table_html(table: NamedTable, highlight: str | None = None, caption: bool = True, number: int | None = None) -> str:
    frame = table.frame
    if frame is None or len(frame) == 0:
        return f'<p class="eb-empty">{esc(table.title)}：无。</p>'
    columns = list(frame.columns)
    numeric = [any(_is_number(v) for v in frame[c]) for c in columns]  # right-aligned columns
    rows = frame.itertuples(index=False, name=None)
    mark_at = columns.index(highlight) if highlight in columns else None
    body = []
    for row in rows:
        cells = "".join(f'<td class="{"num" if _is_number(v) else "r"}">{_cell(v)}</td>' if right else f"<td>{_cell(v)}</td>"
                        for v, right in zip(row, numeric))
        marked = mark_at is not None and _marked(row[mark_at])
        body.append(f'<tr class="eb-marked">{cells}</tr>' if marked else f"<tr>{cells}</tr>")
    head = "".join(f"<th>{esc(c)}</th>" for c in columns)
    title = f"<caption>{esc(caption_text(number, table.title))}</caption>" if caption else ""
    parts = []
    if table.unit:
        parts.append(f'<p class="eb-unit">单位：{esc(table.unit)}</p>')
    parts.append(f'<table id="T_{uuid_for(table.key)}" class="eb-table">{title}<thead><tr>{head}</tr></thead>'
                 f"<tbody>\n" + "\n".join(body) + "\n</tbody></table>")
    if table.note:
        parts.append(f'<p class="eb-note">注：{esc(table.note)}</p>')
    return '<div class="eb-block">' + "\n".join(parts) + "</div>"


def paragraphs(texts) -> str:
    out = []
    for text in texts:
        for para in str(text).split("\n"):
            if para.strip():
                out.append(f"<p>{esc(para.strip())}</p>")
    return "\n".join(out)


def numbered(items, empty: str = "无。") -> str:
    if not items:
        return f"<p>{esc(empty)}</p>"
    return "<ol>" + "".join(f"<li>{esc(i)}</li>" for i in items) + "</ol>"


def cover_html(report: Report) -> str:
    c = report.cover
    rows = "".join(f"<tr><th>{esc(k)}</th><td>{esc(v)}</td></tr>" for k, v in c["rows"])
    return (f'<section class="eb-cover"><p class="eb-stage">{esc(c["stage"])}</p>'
            f'<h1 class="eb-title">{esc(c["title"])}</h1>'
            f'<p class="eb-score">综合得分 {esc(fmt_amount(c["total"]))} 分（{esc(c["grade"] or "—")}）</p>'
            f'<table class="eb-meta">{rows}</table></section>')


def toc_html(report: Report) -> str:
    """目录 placeholder: the exporters replace it with page-numbered entries; HTML lists the chapters."""
    items = "".join(f"<li>{esc(t)}</li>" for t in report.toc)
    return f'<nav class="eb-toc"><h2 class="eb-toc-title">目录</h2><ol>{items}</ol></nav>'


def signature_html(report: Report) -> str:
    s = report.signature
    return (f'<section class="eb-signature"><p>主评人（签字）：<span class="eb-sign-line">　　　　　　　　</span>'
            f'（{esc(s["lead"])}）</p><p>评价机构：{esc(s["firm"])}</p>'
            f'<p class="eb-seal">（机构盖章）</p><p>日期：{esc(s["date"])}</p></section>')


def quote_html(title: str, items) -> str:
    """The unit's own statements, quoted under 单位自述 and never as the reviewer's text."""
    if not items:
        return ""
    body = "".join(f"<li>{esc(i)}</li>" for i in items)
    return f'<div class="eb-unit-says"><h4>单位自述：{esc(title)}</h4><ul>{body}</ul></div>'


def heading(text: str, level: int = 3) -> str:
    return f"<h{level}>{esc(text)}</h{level}>"


def score_table_html(report: Report) -> str:
    depth = report.annexes["score_depth"]
    names = ["一级指标", "二级指标", "三级指标", "四级指标", "五级指标"][:depth]
    head = "".join(f"<th>{n}</th>" for n in names) + "<th>分值</th><th>自评分</th><th>得分</th><th>评分方式</th><th>评分标准</th>"
    body = []
    for row in report.annexes["score_rows"]:
        cells = []
        for cell in row:
            attrs = f' class="{cell["cls"]}"'
            if cell["rowspan"] > 1:
                attrs += f' rowspan="{cell["rowspan"]}"'
            if cell["colspan"] > 1:
                attrs += f' colspan="{cell["colspan"]}"'
            cells.append(f"<td{attrs}>{esc(cell['text'])}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    ev = report.ev
    total = (f'<tr class="eb-total"><td colspan="{depth}">合计</td><td class="num">{esc(fmt_amount(ev.framework_meta.total))}</td>'
             f'<td class="num">{esc(fmt_amount(ev.self_total) if ev.self_total is not None else "—")}</td>'
             f'<td class="num">{esc(fmt_amount(ev.total))}</td><td colspan="2">等级：{esc(ev.grade or "—")}</td></tr>')
    return ('<div class="eb-block">'
            f'<table class="eb-table eb-scores"><caption>评分表</caption><thead><tr>{head}</tr></thead><tbody>'
            + "\n".join(body) + total + "</tbody></table></div>")



CHINESE_NUMBERS = "〇一二三四五六七八九十"


def chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 35 → 三十五 (1–99, as headings count)."""
    if not 0 < n < 100:
        return str(n)
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else CHINESE_NUMBERS[tens] + "十")
    return head + (CHINESE_NUMBERS[ones] if ones else "")


def problems_html(found) -> str:
    """Each problem with its indicator, figures and cause, numbered so suggestions can refer to it."""
    if not found:
        return "<p>本次评价未发现扣分事项或数据问题。</p>"
    items = "".join(f"<li><strong>{esc(p.title)}。</strong>{esc(p.text)}原因：{esc(p.cause)}</li>" for p in found)
    return f'<ol class="eb-problems">{items}</ol>'


def suggestions_html(items) -> str:
    if not items:
        return "<p>无。</p>"
    body = "".join(f"<li>{esc(s['text'])}（{esc(s['answers_text'])}）</li>" for s in items)
    return f'<ol class="eb-suggestions">{body}</ol>'
