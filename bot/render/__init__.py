"""Renderers of the recap model (:mod:`bot.core.recap`): Discord messages and embeds,
Markdown, one self-contained HTML page, JSON and the activity chart."""

from __future__ import annotations

from bot.core.ports import Attachment
from bot.core.recap import Recap
from bot.render.common import local


def file_stem(recap: Recap) -> str:
    """``plnchat-2027-01-12``: the chat and its local date, for file names."""
    header = recap.header
    return f"{header.chat_id}-{local(header.start, header.timezone):%Y-%m-%d}"


def recap_files(recap: Recap) -> tuple[Attachment, ...]:
    """The files attached to the recap in Discord: the transcript as Markdown and as an HTML
    page (with the chart inside), and the chart as a PNG."""
    from bot.render.chart import render_chart  # matplotlib is heavy: load it when drawing
    from bot.render.html_page import render_html
    from bot.render.markdown import render_markdown

    chart = render_chart(recap)
    stem = file_stem(recap)
    return (
        Attachment(f"{stem}.md", render_markdown(recap).encode("utf-8")),
        Attachment(f"{stem}.html", render_html(recap, chart).encode("utf-8")),
        Attachment(f"{stem}-activity.png", chart),
    )
