"""Discord as the gateway delivers it: payloads, and discord.py's own ConnectionState.

The payloads are shaped like real MESSAGE_CREATE events (guild, author,
member, mentions, reply references, links, ~200 characters of text) and are
parsed by a real :class:`discord.state.ConnectionState` built with the bot's
intents, after a GUILD_CREATE that makes the chat channels and question
threads known, exactly as the gateway feeds it.
"""

from __future__ import annotations

import asyncio
import random
import types
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, cast

import discord
from discord.http import HTTPClient
from discord.state import ConnectionState
from discord.user import ClientUser

from bot.discord_app.client import intents

Payload = dict[str, Any]

GUILD_ID = 900_000_000_000_000_001
BOT_USER_ID = 900_000_000_000_000_002
#: Participants' user ids start here.
USER_BASE = 800_000_000_000_000_000

_WORDS = [
    "network",
    "learning",
    "mentor",
    "growth",
    "feedback",
    "career",
    "skills",
    "community",
    "practice",
    "reflect",
    "students",
    "teachers",
    "curiosity",
    "habit",
    "weekly",
    "project",
    "portfolio",
    "listen",
    "question",
    "share",
    "idea",
    "podcast",
    "article",
    "resource",
    "goal",
    "challenge",
    "story",
    "support",
    "team",
    "coach",
    "journal",
]
_LINKS = (
    "https://example.org/articles/building-a-learning-network",
    "https://blog.example.com/2026/05/feedback-loops-that-work",
    "https://youtu.be/dQw4w9WgXcQ",
    "https://docs.example.net/guides/mentoring?ref=chat",
)


def snowflakes(start: datetime | None = None) -> Callable[[], int]:
    """Fresh Discord-like ids: the time ``start`` (default now) plus a counter."""
    base = discord.utils.time_snowflake(start or datetime.now(UTC))
    counter = iter(range(1, 1 << 22))
    return lambda: base + next(counter)


def user_payload(user_id: int, name: str, *, bot: bool = False) -> Payload:
    """A user object as Discord sends it."""
    return {
        "id": str(user_id),
        "username": name,
        "global_name": name.title(),
        "discriminator": "0",
        "avatar": None,
        "public_flags": 0,
        "bot": bot,
    }


def _member(nick: str | None) -> Payload:
    return {
        "roles": [],
        "joined_at": "2025-09-01T12:00:00.000000+00:00",
        "deaf": False,
        "mute": False,
        "flags": 0,
        "nick": nick,
        "avatar": None,
        "premium_since": None,
        "pending": False,
    }


def channel_payload(channel_id: int, position: int) -> Payload:
    """A guild text channel."""
    return {
        "id": str(channel_id),
        "type": 0,
        "guild_id": str(GUILD_ID),
        "name": f"chat-{position}",
        "position": position,
        "permission_overwrites": [],
        "parent_id": None,
        "nsfw": False,
        "topic": "Twitter-style chats, Q1/A1",
        "last_message_id": None,
        "rate_limit_per_user": 0,
        "flags": 0,
    }


def thread_payload(thread_id: int, parent_id: int, name: str, *, new: bool = False) -> Payload:
    """A public thread (in GUILD_CREATE, or a THREAD_CREATE event when ``new``)."""
    payload: Payload = {
        "id": str(thread_id),
        "type": 11,
        "guild_id": str(GUILD_ID),
        "parent_id": str(parent_id),
        "owner_id": str(BOT_USER_ID),
        "name": name,
        "last_message_id": None,
        "message_count": 0,
        "member_count": 1,
        "rate_limit_per_user": 0,
        "flags": 0,
        "thread_metadata": {
            "archived": False,
            "auto_archive_duration": 1440,
            "archive_timestamp": datetime.now(UTC).isoformat(),
            "locked": False,
        },
    }
    if new:
        payload["newly_created"] = True
    return payload


def guild_create(channels: list[int], threads: list[tuple[int, int, str]]) -> Payload:
    """GUILD_CREATE with the chat channels and the question threads (id, parent, name)."""
    return {
        "id": str(GUILD_ID),
        "name": "Learning Guild",
        "icon": None,
        "owner_id": str(USER_BASE),
        "afk_timeout": 300,
        "verification_level": 1,
        "default_message_notifications": 1,
        "explicit_content_filter": 2,
        "mfa_level": 0,
        "nsfw_level": 0,
        "premium_tier": 0,
        "system_channel_flags": 0,
        "preferred_locale": "en-US",
        "features": ["COMMUNITY"],
        "roles": [
            {
                "id": str(GUILD_ID),
                "name": "@everyone",
                "permissions": "1071698660929",
                "position": 0,
                "color": 0,
                "hoist": False,
                "managed": False,
                "mentionable": False,
                "flags": 0,
            }
        ],
        "emojis": [],
        "stickers": [],
        "channels": [channel_payload(c, i) for i, c in enumerate(channels)],
        "threads": [thread_payload(t, p, name) for t, p, name in threads],
        "members": [],
        "member_count": 1500,
        "large": True,
        "unavailable": False,
        "joined_at": "2025-09-01T12:00:00.000000+00:00",
        "voice_states": [],
        "presences": [],
        "stage_instances": [],
        "guild_scheduled_events": [],
        "soundboard_sounds": [],
    }


def connection_state(on_event: Callable[..., Any]) -> ConnectionState[discord.Client]:
    """discord.py's ConnectionState with the bot's intents, its user set, and ``on_event``
    as dispatch (called as ``on_event(event_name, *args)``, like ``Client.dispatch``): the
    parse alone, for baselines. The bot's own path is :func:`bench.client.bot_gateway`."""
    http = cast(HTTPClient, types.SimpleNamespace())
    state: ConnectionState[discord.Client] = ConnectionState(
        dispatch=on_event,
        handlers={},
        hooks={},
        http=http,
        intents=intents(),
        max_messages=1000,
        guild_ready_timeout=0.0,
    )
    state.loop = asyncio.get_running_loop()
    state.user = bot_user(state)
    return state


def bot_user(state: ConnectionState[Any]) -> ClientUser:
    """The bot's own user, as READY tells the client who it is."""
    data = {
        **user_payload(BOT_USER_ID, "qachat", bot=True),
        "verified": True,
        "mfa_enabled": False,
        "flags": 0,
    }
    return ClientUser(state=state, data=cast(Any, data))


@dataclass
class Chat:
    """What a payload generator needs of a live chat."""

    channel_id: int
    #: question number -> (question message id, thread id)
    questions: dict[int, tuple[int, int | None]] = field(default_factory=dict)


class Messages:
    """Realistic MESSAGE_CREATE payloads for live chats (seeded, so runs compare)."""

    def __init__(self, authors: int = 60, seed: int = 6) -> None:
        self.random = random.Random(seed)
        self.ids = snowflakes()
        self._authors = [
            (user_payload(USER_BASE + n, f"learner{n}"), _member(f"Learner {n}" if n % 3 else None))
            for n in range(authors)
        ]
        self._recent: dict[int, list[tuple[int, Payload]]] = {}

    def text(self, length: int = 200) -> str:
        """About ``length`` characters of chat text, one message in three with a link."""
        words: list[str] = []
        size = 0
        if self.random.random() < 0.33:
            link = self.random.choice(_LINKS)
            words.append(link)
            size += len(link) + 1
        while size < length:
            word = self.random.choice(_WORDS)
            words.append(word)
            size += len(word) + 1
        self.random.shuffle(words)
        return " ".join(words)

    def one(self, chat: Chat) -> Payload:
        """One participant's message in ``chat``: in a question's thread (45%), "A3:" in the
        channel (30%), a reply to a question (10%) or to someone (10%), several answers (5%)."""
        author, member = self.random.choice(self._authors)
        asked = sorted(chat.questions)
        roll = self.random.random()
        channel_id = chat.channel_id
        reference: Payload | None = None
        referenced: Payload | None = None
        text = self.text()
        if not asked:
            content = text
        elif roll < 0.45 and chat.questions[asked[-1]][1] is not None:
            number = self.random.choice(asked[-2:])
            thread = chat.questions[number][1]
            channel_id = thread if thread is not None else channel_id
            content = text
        elif roll < 0.75:
            content = f"A{self.random.choice(asked[-2:])}: {text}"
        elif roll < 0.85:
            message_id = chat.questions[asked[-1]][0]
            reference = {"message_id": str(message_id), "channel_id": str(channel_id)}
            content = text
        elif roll < 0.95 and self._recent.get(channel_id):
            replied_id, replied = self.random.choice(self._recent[channel_id])
            reference = {"message_id": str(replied_id), "channel_id": str(channel_id)}
            referenced = replied
            content = text
        else:
            first, second = (asked[-2:] * 2)[:2]
            half = len(text) // 2
            content = f"A{first}: {text[:half]} A{second}: {text[half:]}"
        return self._payload(channel_id, author, member, content, reference, referenced)

    def _payload(
        self,
        channel_id: int,
        author: Payload,
        member: Payload,
        content: str,
        reference: Payload | None,
        referenced: Payload | None,
    ) -> Payload:
        message_id = self.ids()
        payload: Payload = {
            "id": str(message_id),
            "channel_id": str(channel_id),
            "guild_id": str(GUILD_ID),
            "author": author,
            "member": member,
            "content": content,
            "timestamp": discord.utils.snowflake_time(message_id).isoformat(),
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "mention_channels": [],
            "attachments": [],
            "embeds": [],
            "reactions": [],
            "pinned": False,
            "type": 0,
            "flags": 0,
            "components": [],
            "nonce": str(message_id),
        }
        if reference is not None:
            payload["type"] = 19
            payload["message_reference"] = {
                "type": 0,
                **reference,
                "guild_id": str(GUILD_ID),
                "fail_if_not_exists": False,
            }
            payload["referenced_message"] = referenced
        recent = self._recent.setdefault(channel_id, [])
        if len(recent) >= 50:
            recent.pop(0)
        recent.append((message_id, {k: v for k, v in payload.items() if k != "referenced_message"}))
        return payload

    def many(self, chats: list[Chat], count: int) -> list[Payload]:
        """``count`` payloads spread over ``chats``."""
        return [self.one(self.random.choice(chats)) for _ in range(count)]
