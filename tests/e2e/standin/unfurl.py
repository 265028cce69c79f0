"""Link previews the way Discord makes them, without ever fetching a URL.

On Discord, a few seconds after a message with links is created, the crawler's result
arrives as a MESSAGE_UPDATE of the whole message whose ``embeds`` gained one embed per
link (type ``article`` or ``link``: url, title, description, provider, thumbnail). The
author did not edit anything, so ``edited_timestamp`` stays as it was (null for a message
never edited), and GET history returns the embeds from then on. A link in ``<...>`` is not
unfurled, nor is any link of a message with the SUPPRESS_EMBEDS flag (1 << 2).

The stand-in never fetches: tests register what a URL unfurls to with
``standin.unfurl(url, title=..., description=..., provider=..., thumbnail=...)``; URLs
without registered data are not unfurled (like a page without Open Graph tags). ``delay``
is the seconds between MESSAGE_CREATE and the update (Discord takes a few; tests short).
"""

from __future__ import annotations

import asyncio
import re

from .model import JSON, Message
from .world import World

#: Links Discord would preview: http(s), not wrapped in angle brackets.
LINK = re.compile(r"(?<!<)https?://[^\s<>]+")
SUPPRESS_EMBEDS = 1 << 2
#: At most this many embeds on a message (Discord's limit).
MAX_EMBEDS = 10


def link_embed(
    url: str,
    *,
    title: str | None = None,
    description: str | None = None,
    provider: str | None = None,
    provider_url: str | None = None,
    thumbnail: str | None = None,
    kind: str = "article",
) -> JSON:
    """The embed Discord's crawler produces for ``url`` (only the fields that are given)."""
    embed: JSON = {"type": kind, "url": url}
    if title is not None:
        embed["title"] = title
    if description is not None:
        embed["description"] = description
    if provider is not None or provider_url is not None:
        embed["provider"] = {
            key: value
            for key, value in (("name", provider), ("url", provider_url))
            if value is not None
        }
    if thumbnail is not None:
        embed["thumbnail"] = {
            "url": thumbnail,
            "proxy_url": f"https://images-ext-1.discordapp.net/external/x/{thumbnail}",
            "width": 400,
            "height": 300,
            "flags": 0,
        }
    return embed


class Unfurls:
    """Registered previews by URL, and the pending updates that add them to messages."""

    def __init__(self, world: World, delay: float = 0.3) -> None:
        self.world = world
        self.delay = delay
        self.previews: dict[str, JSON] = {}
        self._pending: set[asyncio.TimerHandle] = set()
        world.message_created.append(self.created)

    def register(self, url: str, **fields: str | None) -> JSON:
        """``url`` unfurls to these fields from now on (see :func:`link_embed`)."""
        kind = fields.pop("kind", None) or "article"
        embed = link_embed(url, kind=kind, **fields)
        self.previews[url] = embed
        return embed

    def embeds_for(self, content: str) -> list[JSON]:
        """The previews of the registered links in ``content``, once each, in order."""
        out: list[JSON] = []
        for link in dict.fromkeys(LINK.findall(content)):
            embed = self.previews.get(link)
            if embed is not None:
                out.append(dict(embed))
        return out

    def created(self, msg: Message) -> None:
        """A message was created: unfurl its registered links ``delay`` seconds later."""
        if msg.flags & SUPPRESS_EMBEDS or not self.embeds_for(msg.content):
            return
        loop = asyncio.get_running_loop()
        handle: asyncio.TimerHandle
        handle = loop.call_later(self.delay, lambda: self._apply(msg.id, handle))
        self._pending.add(handle)

    def _apply(self, message_id: int, handle: asyncio.TimerHandle) -> None:
        self._pending.discard(handle)
        msg = self.world.messages.get(message_id)
        if msg is None or msg.deleted or msg.flags & SUPPRESS_EMBEDS:
            return
        known = {embed.get("url") for embed in msg.embeds}
        added = [e for e in self.embeds_for(msg.content) if e["url"] not in known]
        if not added:
            return
        msg.embeds = (msg.embeds + added)[:MAX_EMBEDS]
        # Not an edit: edited_timestamp is left as it was.
        self.world.dispatch_message("MESSAGE_UPDATE", msg)

    def close(self) -> None:
        """Drop the updates not sent yet (the stand-in is stopping)."""
        for handle in self._pending:
            handle.cancel()
        self._pending.clear()
