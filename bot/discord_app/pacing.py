"""Per-channel pacing and splitting, so long posts arrive whole and in order.

Discord allows about 5 messages per 5 seconds in a channel. discord.py waits
out a 429 by itself, but a burst (a recap in several messages) would still
arrive late and interleaved with other posts; so each channel has a lock and a
sliding window, and posts to one channel go out one at a time, in order.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

#: Discord's limit for one message's content.
MESSAGE_LIMIT = 2000


class ChannelPacer:
    """At most ``rate`` sends per ``per`` seconds per channel, one at a time."""

    def __init__(self, rate: int = 5, per: float = 5.0) -> None:
        self.rate = rate
        self.per = per
        self._locks: dict[int, asyncio.Lock] = {}
        self._sent: dict[int, deque[float]] = {}

    @asynccontextmanager
    async def slot(self, channel_id: int) -> AsyncIterator[None]:
        """Hold the channel for one send, waiting for the window first."""
        lock = self._locks.setdefault(channel_id, asyncio.Lock())
        async with lock:
            sent = self._sent.setdefault(channel_id, deque(maxlen=self.rate))
            if len(sent) == self.rate:
                wait = sent[0] + self.per - time.monotonic()
                if wait > 0:
                    await asyncio.sleep(wait)
            try:
                yield
            finally:
                sent.append(time.monotonic())


def split_message(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Split ``text`` into messages of at most ``limit`` characters, at line breaks where possible."""
    if len(text) <= limit:
        return [text]
    chunks: list[str] = []
    current = ""
    for line in text.splitlines(keepends=True):
        while len(line) > limit:
            cut = line.rfind(" ", 0, limit)
            cut = cut if cut > limit // 2 else limit
            if current:
                chunks.append(current)
                current = ""
            chunks.append(line[:cut])
            line = line[cut:].lstrip(" ")
        if len(current) + len(line) > limit:
            chunks.append(current)
            current = ""
        current += line
    if current:
        chunks.append(current)
    return [chunk.rstrip("\n") for chunk in chunks if chunk.strip()]
