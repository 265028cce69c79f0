"""A chat's community over time as a chart: participants per occurrence, newcomers and
returning stacked (a PNG).

Drawn like the recap's chart (:mod:`bot.render.chart`): matplotlib's object API on an Agg
canvas, no display and no global state, and no timestamp or version in the file, so the same
series always gives the same bytes.
"""

from __future__ import annotations

import io

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from bot.core.series import Series
from bot.render.chart import _NO_GLYPH
from bot.render.common import local

_NEW = "#5865f2"
_BACK = "#9aa4f5"
#: Date labels shown at most along the axis.
LABELS = 12


def render_series_chart(series: Series) -> bytes:
    """Participants per occurrence (newcomers at the bottom, returning on top) as PNG bytes."""
    rows = series.rows
    figure = Figure(figsize=(9, 3.4), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    places = list(range(len(rows)))
    newcomers = [row.newcomers for row in rows]
    returning = [row.returning for row in rows]
    width = 0.8 if len(rows) < 60 else 1.0
    axes.bar(places, newcomers, width=width, color=_NEW, label="newcomers", linewidth=0)
    axes.bar(
        places,
        returning,
        width=width,
        bottom=newcomers,
        color=_BACK,
        label="returning",
        linewidth=0,
    )
    step = max(1, -(-len(rows) // LABELS))
    ticks = places[::step]
    axes.set_xticks(ticks)
    axes.set_xticklabels(
        [f"{local(rows[i].start, series.timezone):%Y-%m-%d}" for i in ticks],
        rotation=30,
        ha="right",
        fontsize=8,
    )
    axes.set_xlim(-0.6, max(len(rows), 1) - 0.4)
    top = max((row.participants for row in rows), default=0)
    axes.set_ylim(0, max(top, 1) * 1.15)
    axes.set_ylabel("participants")
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    title = _NO_GLYPH.sub("", f"{series.title} {series.hashtag}: participants per occurrence")
    axes.set_title(title, fontsize=10, loc="left", parse_math=False)
    axes.spines[["top", "right"]].set_visible(False)
    if rows:
        axes.legend(loc="upper left", fontsize=8, frameon=False, ncols=2)
    figure.subplots_adjust(left=0.07, right=0.985, top=0.88, bottom=0.24)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()
