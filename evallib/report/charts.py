"""Report charts (matplotlib, object API only: no pyplot state, no inline backend).

Every chart takes plain data (DataFrames from `evallib.report.data`) and returns a
`matplotlib.figure.Figure`; `to_png` / `to_svg` give byte-identical output for the same data.
Chinese labels use the Noto Sans CJK SC file registered by path (see fonts.py); a missing
glyph would warn, and the tests turn that warning into an error. A chart carries no title of its
own: the report numbers and captions it (图N …, render.figure_caption). Bars carry their values,
printed like the tables (fmt_amount / fmt_percent); legends sit above the axes, clear of the data.
"""
from __future__ import annotations

import contextlib
import io
from decimal import Decimal

import matplotlib

matplotlib.use("Agg", force=False)

from matplotlib.figure import Figure  # noqa: E402

from matplotlib.ticker import MaxNLocator  # noqa: E402

from ..core.numbers import fmt_amount, fmt_percent, to_decimal  # noqa: E402
from .fonts import FONT_FAMILY, register_matplotlib  # noqa: E402

DPI = 120
COLORS = {"score": "#2f6db5", "lost": "#c0504d", "self": "#9bbb59", "reviewed": "#2f6db5",
          "schedule": "#7f7f7f", "actual": "#c0504d", "grid": "#d9d9d9"}
GRADE_COLORS = ["#2f6db5", "#4f9a4a", "#e0a030", "#c0504d", "#7f7f7f", "#8064a2"]


def rc() -> dict:
    register_matplotlib()
    return {
        "font.family": "sans-serif",
        "font.sans-serif": [FONT_FAMILY, "DejaVu Sans"],
        "axes.unicode_minus": False,
        "svg.hashsalt": "evalbook",
        "svg.fonttype": "path",
        "savefig.dpi": DPI,
        "figure.dpi": DPI,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "font.size": 10,
    }


@contextlib.contextmanager
def style():
    with matplotlib.rc_context(rc()):
        yield


def _num(value) -> float:
    if value is None:
        return 0.0
    return float(value) if not isinstance(value, Decimal) else float(value)


def _dec(value) -> Decimal | None:
    """The exact value behind a plotted float, for its label (labels are printed like the tables)."""
    if value is None or (isinstance(value, float) and value != value):
        return None
    return value if isinstance(value, Decimal) else to_decimal(value)


def _points(value) -> str:
    return fmt_amount(_dec(value))


def _legend_outside(ax, columns: int = 2) -> None:
    """The legend above the plot, outside the axes (charts have no title of their own), so it never
    covers bars, lines or value labels."""
    ax.legend(loc="lower left", bbox_to_anchor=(0.0, 1.01), ncol=columns, frameon=False, borderaxespad=0.2)


def _height(n: int) -> float:
    return max(2.4, 0.9 + 0.38 * n)


def _label(text: str, limit: int = 18) -> str:
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def score_rate_chart(sections) -> Figure:
    """Score rate (得分/分值) per 一级指标. `sections`: DataFrame with 指标, 分值, 得分."""
    with style():
        names = [_label(n) for n in sections["指标"]]
        weights = [_num(w) for w in sections["分值"]]
        scores = [_num(s) for s in sections["得分"]]
        rates = [s / w * 100 if w else 0.0 for s, w in zip(scores, weights)]
        fig = Figure(figsize=(7.0, _height(len(names))))
        ax = fig.add_subplot()
        y = list(range(len(names)))[::-1]
        ax.barh(y, [100] * len(names), color="#eeeeee", height=0.6)
        ax.barh(y, rates, color=COLORS["score"], height=0.6)
        for yi, rate, s, w in zip(y, rates, sections["得分"], sections["分值"]):
            s, w = _dec(s), _dec(w)
            share = fmt_percent(s / w) if s is not None and w else "—"
            ax.text(min(rate, 100) + 1.5, yi, f"{share}（{fmt_amount(s)}/{fmt_amount(w)}分）", va="center", fontsize=9)
        ax.set_yticks(y, names)
        ax.set_xlim(0, 130)
        ax.set_xticks([0, 20, 40, 60, 80, 100])
        ax.set_xlabel("得分率（%）")
        fig.tight_layout()
        return fig


def points_lost_chart(lost) -> Figure | None:
    """Points lost per indicator. `lost`: DataFrame with 指标, 扣分 (only rows with 扣分 > 0)."""
    if lost is None or len(lost) == 0:
        return None
    with style():
        names = [_label(n, 22) for n in lost["指标"]]
        values = [_num(v) for v in lost["扣分"]]
        fig = Figure(figsize=(7.0, _height(len(names))))
        ax = fig.add_subplot()
        y = list(range(len(names)))[::-1]
        ax.barh(y, values, color=COLORS["lost"], height=0.6)
        top = max(values) if values else 1
        for yi, v, exact in zip(y, values, lost["扣分"]):
            ax.text(v + top * 0.02, yi, _points(exact), va="center", fontsize=9)
        ax.set_yticks(y, names)
        ax.set_xlim(0, top * 1.2)
        ax.set_xlabel("扣分（分）")
        fig.tight_layout()
        return fig


def quarterly_chart(quarters) -> Figure | None:
    """Cumulative spending progress against the time-elapsed schedule.

    `quarters`: DataFrame with 季度, 支出进度 (ratio or None), 时间进度 (ratio).
    """
    if quarters is None or len(quarters) == 0 or all(v is None for v in quarters["支出进度"]):
        return None
    with style():
        labels = list(quarters["季度"])
        x = list(range(len(labels)))
        schedule = [_num(v) * 100 for v in quarters["时间进度"]]
        actual = [(None if v is None else _num(v) * 100) for v in quarters["支出进度"]]
        fig = Figure(figsize=(7.0, 3.4))
        ax = fig.add_subplot()
        ax.plot(x, schedule, color=COLORS["schedule"], linestyle="--", marker="o", label="时间进度")
        pts = [(xi, a) for xi, a in zip(x, actual) if a is not None]
        ax.plot([p[0] for p in pts], [p[1] for p in pts], color=COLORS["actual"], marker="s", label="累计支出进度")
        exact = {xi: _dec(v) for xi, v in zip(x, quarters["支出进度"])}
        for xi, a in pts:  # the label on the side away from the schedule line, so the two never overlap
            above = a >= schedule[xi]
            ax.annotate(fmt_percent(exact[xi]), (xi, a), textcoords="offset points", xytext=(0, 8 if above else -15),
                        ha="center", fontsize=9)
        ax.set_xticks(x, labels)
        ax.set_ylim(0, max([110.0] + [p[1] + 12 for p in pts]))
        ax.set_ylabel("占全年预算（%）")
        ax.grid(axis="y", color=COLORS["grid"], linewidth=0.6)
        _legend_outside(ax)
        fig.tight_layout()
        return fig


def self_vs_reviewed_chart(compare) -> Figure | None:
    """Self-score beside reviewed score. `compare`: DataFrame with 指标, 自评分, 复核得分."""
    if compare is None or len(compare) == 0 or all(v is None for v in compare["自评分"]):
        return None
    with style():
        names = [_label(n) for n in compare["指标"]]
        mine = [_num(v) for v in compare["自评分"]]
        reviewed = [_num(v) for v in compare["复核得分"]]
        fig = Figure(figsize=(7.0, _height(len(names) * 1.4)))
        ax = fig.add_subplot()
        y = [i * 1.0 for i in range(len(names))][::-1]
        ax.barh([v + 0.2 for v in y], mine, height=0.38, color=COLORS["self"], label="自评分")
        ax.barh([v - 0.2 for v in y], reviewed, height=0.38, color=COLORS["reviewed"], label="复核得分")
        top = max(mine + reviewed + [1])
        for yi, a, b, ea, eb in zip(y, mine, reviewed, compare["自评分"], compare["复核得分"]):
            ax.text(a + top * 0.01, yi + 0.2, _points(ea), va="center", fontsize=8)
            ax.text(b + top * 0.01, yi - 0.2, _points(eb), va="center", fontsize=8)
        ax.set_yticks(y, names)
        ax.set_xlim(0, top * 1.18)
        ax.set_xlabel("分")
        _legend_outside(ax)
        fig.tight_layout()
        return fig


def grade_distribution_chart(counts) -> Figure | None:
    """Subjects per grade. `counts`: DataFrame with 等级, 自评等级数, 复核等级数."""
    if counts is None or len(counts) == 0:
        return None
    with style():
        labels = list(counts["等级"])
        x = list(range(len(labels)))
        a = [int(v) for v in counts["自评等级数"]]
        b = [int(v) for v in counts["复核等级数"]]
        fig = Figure(figsize=(7.0, 3.2))
        ax = fig.add_subplot()
        ax.bar([v - 0.2 for v in x], a, width=0.38, color=COLORS["self"], label="自评等级")
        ax.bar([v + 0.2 for v in x], b, width=0.38, color=COLORS["reviewed"], label="复核等级")
        for xi, va, vb in zip(x, a, b):
            ax.text(xi - 0.2, va, str(va), ha="center", va="bottom", fontsize=9)
            ax.text(xi + 0.2, vb, str(vb), ha="center", va="bottom", fontsize=9)
        ax.set_xticks(x, labels)
        ax.set_ylim(0, max(a + b + [1]) * 1.25)
        ax.set_ylabel("评价对象数")
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        _legend_outside(ax)
        fig.tight_layout()
        return fig


def to_png(fig: Figure) -> bytes:
    with style():
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=DPI, metadata={"Software": None})
    return buf.getvalue()


def to_svg(fig: Figure) -> bytes:
    with style():
        buf = io.BytesIO()
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
    return buf.getvalue()


def image(fig: Figure | bytes | None, alt: str = ""):
    """An IPython image (PNG, embedded in the notebook) for display in a report cell; given the PNG
    bytes of `to_png` it is not rendered again. `alt`: the chart's caption, for screen readers and Word."""
    if fig is None:
        return None
    from IPython.display import Image

    return Image(data=fig if isinstance(fig, bytes) else to_png(fig), format="png", alt=alt or None)
