"""Link cards: what Discord's own unfurl says about a shared link.

A few seconds after a message with links is posted, Discord adds a preview embed per link
(title, description, provider, thumbnail); the adapter hands those fields here and
:func:`card_from_unfurl` makes a :class:`LinkCard` of them, keyed by the link's normalised
form (:func:`bot.core.recap.text.normalise_link`), so every reading list can show the card
of each resource. The bot never fetches a URL itself.

Unfurl text is written by whoever runs the linked site, so it is treated as hostile: control
characters are removed, whitespace is collapsed, each field is cut at Discord's embed limits
(title 256, description 4096, provider name 256) and a thumbnail that is not an http(s) URL
is dropped. Renderers escape the text as they do any user text, and show
:meth:`LinkCard.short_description`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from urllib.parse import urlsplit

from bot.core.recap.text import clip, defuse_mentions, find_links, normalise_link

#: Discord's embed limits: longer unfurl text is cut here before it is stored.
TITLE_LIMIT = 256
DESCRIPTION_LIMIT = 4096
PROVIDER_LIMIT = 256
#: A thumbnail URL longer than this is dropped (Discord's URL limit).
URL_LIMIT = 2048
#: How much of the description reading lists show.
SHORT_DESCRIPTION = 160

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class LinkCard:
    """The card of one link, as unfurled in one message."""

    #: The normalised link (what reading lists key resources by).
    url: str
    title: str
    description: str
    #: The site's name ("" when Discord gave none).
    provider: str
    #: An http(s) image URL, or "".
    thumbnail: str
    #: The message whose unfurl it came from, and its author.
    message_id: int
    author_id: int
    #: When the message was posted, and when its unfurl arrived.
    posted_at: datetime
    seen_at: datetime

    @property
    def short_description(self) -> str:
        """The description cut at a word boundary for a reading list."""
        return clip(self.description, SHORT_DESCRIPTION)

    @property
    def label(self) -> str:
        """What a list shows for the link: the title, else the provider, else the host."""
        return self.title or self.provider or (urlsplit(self.url).hostname or self.url)


def clean_text(text: str | None, limit: int) -> str:
    """Unfurl text made safe to store: no control or direction characters, whitespace
    collapsed, mentions defused (a copy-paste pings nobody), about ``limit`` characters."""
    if not text:
        return ""
    text = _SPACE.sub(" ", _CONTROL.sub("", text)).strip()
    return defuse_mentions(clip(text, limit - 2))  # room for the defusing spaces


def safe_image(url: str | None) -> str:
    """``url`` when it is an http(s) URL with a host (within Discord's length), else ""."""
    if not url or len(url) > URL_LIMIT:
        return ""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return ""
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return ""
    if _CONTROL.search(url) or any(c.isspace() for c in url.strip()):
        return ""
    return url.strip()


def card_from_unfurl(
    url: str | None,
    *,
    title: str | None,
    description: str | None,
    provider: str | None,
    thumbnail: str | None,
    message_id: int,
    author_id: int,
    posted_at: datetime,
    seen_at: datetime,
) -> LinkCard | None:
    """The card of one unfurl embed; None when the embed is not a usable link preview (no
    http(s) URL, or neither a title nor a description)."""
    link = normalise_link(url) if url else None
    if link is None:
        return None
    card = LinkCard(
        url=link,
        title=clean_text(title, TITLE_LIMIT),
        description=clean_text(description, DESCRIPTION_LIMIT),
        provider=clean_text(provider, PROVIDER_LIMIT),
        thumbnail=safe_image(thumbnail),
        message_id=message_id,
        author_id=author_id,
        posted_at=posted_at,
        seen_at=seen_at,
    )
    if not card.title and not card.description:
        return None
    return card


@dataclass(frozen=True, slots=True)
class Unfurl:
    """One preview embed of a message, as the platform gave it (any field may be missing)."""

    url: str | None
    title: str | None = None
    description: str | None = None
    provider: str | None = None
    thumbnail: str | None = None


def message_cards(
    content: str,
    unfurls: Sequence[Unfurl],
    *,
    message_id: int,
    author_id: int,
    posted_at: datetime,
    seen_at: datetime,
) -> tuple[LinkCard, ...]:
    """The cards of a message's unfurls, each keyed by the link in ``content`` it previews.

    Discord may preview a link under its canonical URL (after a redirect): an unfurl whose
    URL is not one of the message's links is taken as the preview of the first link not
    previewed yet, in order (Discord unfurls links in the order they appear). Unfurls of
    links the message does not have at all are dropped when no link is left.

    Every message the gateway delivers comes through here. Without unfurls (most messages,
    and every new one: Discord adds previews by a later update) it returns at once, before
    looking for links in the text."""
    if not unfurls:
        return ()
    links = list(
        dict.fromkeys(n for _, _, link in find_links(content) if (n := normalise_link(link)))
    )
    cards: dict[str, LinkCard] = {}
    pending: list[LinkCard] = []
    for unfurl in unfurls:
        card = card_from_unfurl(
            unfurl.url,
            title=unfurl.title,
            description=unfurl.description,
            provider=unfurl.provider,
            thumbnail=unfurl.thumbnail,
            message_id=message_id,
            author_id=author_id,
            posted_at=posted_at,
            seen_at=seen_at,
        )
        if card is None:
            continue
        if card.url in links and card.url not in cards:
            cards[card.url] = card
        else:
            pending.append(card)
    free = [link for link in links if link not in cards]
    for card, link in zip(pending, free, strict=False):
        cards[link] = replace(card, url=link)
    return tuple(cards[link] for link in links if link in cards)
