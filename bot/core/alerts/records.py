"""What the store keeps of alerts: members' settings, matches, deliveries."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime

from bot.core.alerts.digest import DigestSettings


class BlockKind(enum.StrEnum):
    """What a member silenced with ``/alerts block``."""

    MEMBER = "member"
    CHANNEL = "channel"


@dataclass(frozen=True)
class AlertPerson:
    """A member's delivery settings and state (one per user, across servers)."""

    user_id: int
    settings: DigestSettings = field(default_factory=DigestSettings)
    paused: bool = False
    #: When their pending matches are next delivered (None: nothing pending).
    due_at: datetime | None = None
    #: The last delivery tried (sent or refused).
    last_attempt: datetime | None = None
    #: Discord refused the last DM (error 50007: DMs closed); cleared by the next success.
    refused_at: datetime | None = None


@dataclass(frozen=True)
class AlertMatch:
    """A message that matched one of a member's alerts, kept until it is delivered."""

    message_id: int
    alert_id: int
    user_id: int
    guild_id: int
    channel_id: int
    thread_id: int | None
    author_id: int
    author_name: str
    content: str
    created_at: datetime
    found_at: datetime


@dataclass(frozen=True)
class PendingDelivery:
    """A delivery whose intent is recorded: its id, when, and the matches it carries
    (withdrawn ones left out). ``resumed`` when it was begun before a restart and never
    finished: the DM may have been sent, so look for it before sending again."""

    id: int
    user_id: int
    intent_at: datetime
    matches: list[AlertMatch]
    resumed: bool = False


@dataclass(frozen=True)
class AlertsState:
    """What the watcher keeps in memory: every alert, who paused, blocks, excluded channels."""

    alerts: list[tuple[int, int, int, str]]  # (id, guild id, user id, keywords as typed)
    paused: frozenset[int]
    blocks: frozenset[tuple[int, BlockKind, int]]
    excluded: frozenset[int]
