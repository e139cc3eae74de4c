"""HTML fragments for the report notebook: tables (pandas Styler with stable uuids),
paragraphs, the cover block and the merged-cell score table. Output is deterministic.
"""
from __future__ import annotations

import html
import zlib
from decimal import Decimal

import pandas as pd

from ..core.numbers import fmt
from .data import NamedTable, Report


def esc(text) -> str:
    return html.escape("" if text is None else str(text), quote=True)


def cell_text(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, Decimal):
        return fmt(value)
    if isinstance(value, float):
        if value != value:  # NaN from pandas reindexing
            return "—"
        return fmt(Decimal(repr(value)))
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)


def uuid_for(key: str) -> str:
    """A stable Styler uuid (crc32, never the salted hash())."""
    return f"{zlib.crc32(key.encode('utf-8')):08x}"


def table_html(table: NamedTable, highlight: str | None = None, caption: bool = True) -> str:
    frame = table.frame
    if frame is None or len(frame) == 0:
        return f'<p class="eb-empty">{esc(table.title)}：无。</p>'
    styler = frame.style.set_uuid(uuid_for(table.key)).hide(axis="index")
    styler = styler.format(cell_text, escape="html").set_table_attributes('class="eb-table"')
    if highlight and highlight in frame.columns:
        def mark(row):
            value = row[highlight]
            on = value is not None and not (isinstance(value, float) and value != value) and value != 0
            return ["background-color:#fdecea" if on else "" for _ in row]
        styler = styler.apply(mark, axis=1)
    numeric = [c for c in frame.columns if frame[c].map(lambda v: isinstance(v, (Decimal, int, float)) and not isinstance(v, bool)).any()]
    if numeric:
        styler = styler.set_properties(subset=numeric, **{"text-align": "right"})
    parts = []
    if caption:
        unit = f'<span class="eb-unit">单位：{esc(table.unit)}</span>' if table.unit else ""
        parts.append(f'<p class="eb-caption">{esc(table.title)}{unit}</p>')
    parts.append(styler.to_html())
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
    def score(v, g):
        return f"{esc(fmt(v) if v is not None else '—')} 分（{esc(g or '—')}）"
    findings = "，".join(f"{k} {v} 项" for k, v in c["findings"].items())
    return (f'<div class="eb-cover"><h1 class="eb-title">{esc(c["title"])}</h1>'
            f'<p class="eb-subtitle">{esc(c["subtitle"])}</p>'
            f'<div class="eb-kpis">'
            f'<div class="eb-kpi eb-kpi-main"><div class="eb-kpi-label">复核得分</div><div class="eb-kpi-value">{score(c["total"], c["grade"])}</div></div>'
            f'<div class="eb-kpi"><div class="eb-kpi-label">自评得分</div><div class="eb-kpi-value">{score(c["self_total"], c["self_grade"])}</div></div>'
            f'<div class="eb-kpi"><div class="eb-kpi-label">资料所述</div><div class="eb-kpi-value">{score(c["stated_total"], c["stated_grade"])}</div></div>'
            f'</div><table class="eb-meta">{rows}<tr><th>复核发现</th><td>{esc(findings)}</td></tr></table></div>')


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
    total = (f'<tr class="eb-total"><td colspan="{depth}">合计</td><td class="num">{esc(fmt(ev.framework_meta.total))}</td>'
             f'<td class="num">{esc(fmt(ev.self_total) if ev.self_total is not None else "—")}</td>'
             f'<td class="num">{esc(fmt(ev.total))}</td><td colspan="2">等级：{esc(ev.grade or "—")}</td></tr>')
    return ('<div class="eb-block"><p class="eb-caption">附件1 评分表</p>'
            f'<table class="eb-table eb-scores"><thead><tr>{head}</tr></thead><tbody>'
            + "\n".join(body) + total + "</tbody></table></div>")


def frame_html(frame: pd.DataFrame, key: str, title: str = "", unit: str = "") -> str:
    return table_html(NamedTable(key, title, frame, unit=unit), caption=bool(title))
