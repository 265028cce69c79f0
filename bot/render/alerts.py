"""A member's alerts as one direct message: each item's channel, author, a snippet with
the matched words in bold, and a jump link; within Discord's 2,000 characters.

The text is user text made literal (markup escaped, mentions defused); the message is
sent with mentions disabled too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.core.alerts import DigestMode
from bot.core.alerts.model import UNNAMED, AlertDigest, AlertItem
from bot.core.recap.text import defuse_mentions
from bot.render.common import jump_link

#: Discord's limit on a message's content.
MAX_MESSAGE = 2000
#: Characters of a message's text shown around its first match.
SNIPPET = 180
_MARKUP = re.compile(r"([\\`*_~\[\]<>|])")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class RenderedDigest:
    """A delivery's DM text and how many of its items it holds (the rest wait for the next)."""

    text: str
    shown: int


def marker(delivery_id: int) -> str:
    """The delivery's mark in its DM, by which a restart finds a DM already sent."""
    return f"(alerts delivery {delivery_id})"


def _literal(text: str) -> str:
    """A piece of user text made literal on one line, its spaces kept (pieces are joined)."""
    return _MARKUP.sub(r"\\\1", defuse_mentions(_SPACES.sub(" ", text)))


def snippet(text: str, spans: tuple[tuple[int, int], ...]) -> str:
    """Up to :data:`SNIPPET` characters of ``text`` around its first match, made literal,
    with the matched words in bold."""
    start = 0
    if spans and spans[0][0] > SNIPPET // 3:
        start = spans[0][0] - SNIPPET // 3
    end = min(len(text), start + SNIPPET)
    pieces = ["…" if start else ""]
    position = start
    for span_start, span_end in spans:
        if span_end <= start or span_start >= end:
            continue
        span_start, span_end = max(span_start, start), min(span_end, end)
        pieces.append(_literal(text[position:span_start]) if span_start > position else "")
        pieces.append(f"**{_literal(text[span_start:span_end])}**")
        position = span_end
    if position < end:
        pieces.append(_literal(text[position:end]))
    if end < len(text):
        pieces.append("…")
    return "".join(pieces)


def item_text(item: AlertItem) -> str:
    """One item: channel, author (or unnamed, without a quote), snippet, jump link."""
    channel = item.thread_id or item.channel_id
    link = jump_link(item.guild_id, channel, item.message_id)
    who = _literal(item.author) if item.author is not None else f"*{UNNAMED}*"
    line = f"• <#{channel}> · {who}"
    if item.quote is not None:
        line += f": {snippet(item.quote, item.spans)}"
    else:
        line += " posted a message that matches"
    alerts = ", ".join(f"`{alert.replace('`', '')}`" for alert in item.alerts)
    return f"{line}\n  {alerts} · [Jump to the message](<{link}>)"


def render_alert_digest(digest: AlertDigest) -> RenderedDigest:
    """The DM for a delivery: as many items as fit in one message, oldest first."""
    total = len(digest.items)
    if digest.mode is DigestMode.INSTANT:
        head = "**New messages match your alerts**"
    else:
        head = f"**Your {digest.mode.value} alerts digest**"
    foot = f"-# /alerts list to change them · {marker(digest.delivery_id)}"
    lines: list[str] = []
    used = len(head) + len(foot) + 40
    for item in digest.items:
        text = item_text(item)
        if lines and used + len(text) + 1 > MAX_MESSAGE:
            break
        lines.append(text[: MAX_MESSAGE - used - 1])
        used += len(text) + 1
    count = f" ({len(lines)} of {total})" if len(lines) < total else f" ({total})"
    return RenderedDigest("\n".join([head + count, *lines, foot]), len(lines))
