"""A memory implementation of the DM port for alert tests: who can view which channel,
who closed their DMs, what was sent, and a crash switch (after the send, before it is
recorded)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from bot.core.ports.direct import DirectMessageRefused


class CrashAfterSend(BaseException):
    """The process dies right after Discord accepted the DM (nothing recorded)."""


@dataclass
class SentDM:
    id: int
    user_id: int
    text: str
    at: datetime


@dataclass
class MemoryDirect:
    """DMs in memory; ``hidden`` are (user id, channel id) pairs the user cannot view."""

    now: object = None
    hidden: set[tuple[int, int]] = field(default_factory=set)
    closed: set[int] = field(default_factory=set)
    sent: list[SentDM] = field(default_factory=list)
    crash_after_send: bool = False
    _next_id: int = 9000

    def to(self, user_id: int) -> list[str]:
        return [dm.text for dm in self.sent if dm.user_id == user_id]

    async def send_dm(self, user_id: int, text: str, key: str) -> int:
        assert key in text
        assert len(text) <= 2000
        if user_id in self.closed:
            raise DirectMessageRefused("50007 Cannot send messages to this user")
        self._next_id += 1
        at = self.now() if callable(self.now) else datetime.now().astimezone()
        self.sent.append(SentDM(self._next_id, user_id, text, at))
        if self.crash_after_send:
            self.crash_after_send = False
            raise CrashAfterSend
        return self._next_id

    async def find_dm(self, user_id: int, key: str, after: datetime) -> int | None:
        for dm in self.sent:
            if dm.user_id == user_id and key in dm.text:
                return dm.id
        return None

    async def can_view(
        self, user_id: int, guild_id: int, channel_id: int, thread_id: int | None
    ) -> bool:
        return (user_id, channel_id) not in self.hidden
