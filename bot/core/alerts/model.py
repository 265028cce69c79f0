"""A delivery's content, built through the consent filter: what a member's DM shows.

Only matches the member may see reach :func:`build_digest` (the runtime checked their
view of each channel first). Here the consent filter applies: a forgotten author's words
are left out as if never said; an opted-out author is "someone who prefers not to be
named", with no quote.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bot.core.alerts.digest import DigestMode
from bot.core.alerts.matcher import FollowedAlert, matched_spans
from bot.core.alerts.records import AlertMatch
from bot.core.consent import Consent, consented

#: How an opted-out author is shown.
UNNAMED = "someone who prefers not to be named"


@consented
@dataclass(frozen=True)
class AlertItem:
    """One message in a delivery: where, by whom (None: unnamed), its text with the spans
    that matched (None: not quoted), and the alerts it matched."""

    guild_id: int
    channel_id: int
    thread_id: int | None
    message_id: int
    author: str | None
    quote: str | None
    spans: tuple[tuple[int, int], ...]
    alerts: tuple[str, ...]
    #: The (message id, alert id) keys it delivers.
    keys: tuple[tuple[int, int], ...]


@consented
@dataclass(frozen=True)
class AlertDigest:
    """What one DM delivers."""

    delivery_id: int
    mode: DigestMode
    items: tuple[AlertItem, ...]


def build_digest(
    delivery_id: int,
    mode: DigestMode,
    matches: Sequence[AlertMatch],
    alerts: Mapping[int, FollowedAlert],
    consent: Consent,
) -> AlertDigest:
    """The delivery's items, one per message (all the alerts it matched together), oldest
    first, through ``consent``."""
    by_message: dict[int, list[AlertMatch]] = {}
    for match in matches:
        if not consent.kept(match.author_id, match.created_at):
            continue
        by_message.setdefault(match.message_id, []).append(match)
    items = []
    for group in sorted(by_message.values(), key=lambda g: (g[0].created_at, g[0].message_id)):
        first = group[0]
        followed = [alerts[m.alert_id] for m in group if m.alert_id in alerts]
        named = consent.named(first.author_id)
        terms = [term for alert in followed for term in alert.keywords.terms]
        items.append(
            AlertItem(
                guild_id=first.guild_id,
                channel_id=first.channel_id,
                thread_id=first.thread_id,
                message_id=first.message_id,
                author=first.author_name if named else None,
                quote=first.content if named else None,
                spans=tuple(matched_spans(first.content, terms)) if named else (),
                alerts=tuple(alert.keywords.shown for alert in followed),
                keys=tuple((m.message_id, m.alert_id) for m in group),
            )
        )
    return AlertDigest(delivery_id, mode, tuple(items))
