"""The activity chart: answers per minute, with each question marked, and a bar panel per
poll below it (votes per option, final or so far) (a PNG).

Drawn with matplotlib's object API on an Agg canvas: no display, no pyplot
global state, safe to run in a worker thread. The PNG carries no timestamp or
software version, so the same recap always gives the same bytes.
"""

from __future__ import annotations

import io
import re

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from bot.core.polls import PollResult, percent
from bot.core.recap import QuestionStatus, Recap
from bot.render.common import local, poll_title

#: Emoji and joiners: the chart's font has no glyphs for them.
_NO_GLYPH = re.compile("[\U0001f000-\U0001faff\u2600-\u27bf\ufe0f\u200d]")
_BAR = "#5865f2"
_MARK = "#b3261e"


def _poll_panel(axes: Axes, poll: PollResult) -> None:
    """Horizontal bars: votes per option, labelled with count and share."""
    # A "$" is a dollar sign, not TeX (tick labels have no parse_math switch).
    labels = [_NO_GLYPH.sub("", o.text).replace("$", r"\$") or "?" for o in poll.options]
    votes = [o.votes for o in poll.options]
    rows = list(range(len(labels)))
    axes.barh(rows, votes, color=_BAR if poll.final else "#8891f2")
    axes.set_yticks(rows, labels=labels, fontsize=8)
    axes.invert_yaxis()
    top = max(votes, default=0)
    axes.set_xlim(0, max(top, 1) * 1.25)
    for row, option in zip(rows, poll.options, strict=True):
        axes.annotate(
            f" {option.votes} ({percent(option.share)})",
            xy=(option.votes, row),
            va="center",
            fontsize=8,
        )
    state = "final" if poll.final else "so far"
    title = _NO_GLYPH.sub("", f"{poll_title(poll)} ({poll.voters} voters, {state})")
    axes.set_title(title[:110], fontsize=9, loc="left", parse_math=False)
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.spines[["top", "right"]].set_visible(False)


def render_chart(recap: Recap) -> bytes:
    """The chart as PNG bytes."""
    header = recap.header
    start = local(header.start, header.timezone)
    polls = recap.polls
    # The activity on top (3.2 in as without polls), then a panel per poll sized to its options.
    heights = [3.2, *(0.6 + 0.3 * len(poll.options) for poll in polls)]
    figure = Figure(figsize=(9, sum(heights)), dpi=100)
    FigureCanvasAgg(figure)
    grid = figure.add_gridspec(len(heights), 1, height_ratios=heights)
    axes = figure.add_subplot(grid[0])
    if recap.activity:
        # One stairs patch, not a bar per minute: a long chat stays as quick to draw.
        edges = list(range(len(recap.activity) + 1))
        axes.stairs(recap.activity, edges, fill=True, color=_BAR, linewidth=0)
    top = max(recap.activity, default=0)
    span = max(len(recap.activity), round(header.duration.total_seconds() / 60), 1)
    for question in recap.questions:
        if question.status is not QuestionStatus.POSTED or question.posted_at is None:
            continue
        at = (question.posted_at - header.start).total_seconds() / 60
        axes.axvline(at, color=_MARK, linewidth=1, linestyle="--")
        axes.annotate(
            f"Q{question.number}",
            xy=(at, 1),
            xycoords=("data", "axes fraction"),
            xytext=(3, -12),
            textcoords="offset points",
            color=_MARK,
            fontsize=9,
        )
    closing = header.duration.total_seconds() / 60
    axes.axvline(closing, color="#59636e", linewidth=1, linestyle=":")
    axes.annotate(
        "closing",
        xy=(closing, 1),
        xycoords=("data", "axes fraction"),
        xytext=(3, -24),
        textcoords="offset points",
        color="#59636e",
        fontsize=8,
    )
    axes.set_xlim(0, span + 1)
    axes.set_ylim(0, max(top, 1) * 1.15)
    axes.set_xlabel(f"minutes after {start:%H:%M %Z}")
    axes.set_ylabel("answers per minute")
    title = _NO_GLYPH.sub("", f"{header.title} {header.hashtag}: {start:%Y-%m-%d}")
    # parse_math off: a "$" in a title is a dollar sign, not TeX.
    axes.set_title(title, fontsize=10, loc="left", parse_math=False)
    axes.spines[["top", "right"]].set_visible(False)
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    for index, poll in enumerate(polls, start=1):
        _poll_panel(figure.add_subplot(grid[index]), poll)
    if polls:
        figure.subplots_adjust(left=0.2, right=0.985, top=1 - 0.38 / sum(heights), hspace=0.9)
        figure.subplots_adjust(bottom=0.5 / sum(heights))
    else:
        figure.subplots_adjust(left=0.07, right=0.985, top=0.88, bottom=0.16)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()
