"""The terminal venue: a rehearsal's posts printed with their chat-time stamp."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TextIO

from bot.core.ports import Clock, PostRequest, PostResult
from bot.core.schedule import to_local

_DISCORD_TIME = re.compile(r"<t:(\d+):([tTdDfFR])>")


def stamp(delta: timedelta) -> str:
    """``+08:15`` / ``-10:00``: minutes and seconds from the chat's start."""
    seconds = int(delta.total_seconds())
    sign = "-" if seconds < 0 else "+"
    minutes, rest = divmod(abs(seconds), 60)
    return f"{sign}{minutes:02d}:{rest:02d}"


@dataclass
class TerminalVenue:
    """Prints every post; message and thread ids are made up in order."""

    clock: Clock
    start: datetime
    zone: str
    out: TextIO
    posted: list[tuple[PostRequest, PostResult]] = field(default_factory=list)
    #: Every edit of a post (the recap, updated), in order.
    edited: list[PostRequest] = field(default_factory=list)
    _next_id: int = 10_000

    def new_id(self) -> int:
        """A fresh message id."""
        self._next_id += 1
        return self._next_id

    def render_times(self, text: str) -> str:
        """Discord's ``<t:UNIX:R>`` markup as a terminal reader would see it."""

        def local(match: re.Match[str]) -> str:
            moment = datetime.fromtimestamp(int(match.group(1)), tz=self.start.tzinfo)
            if match.group(2) == "R":
                return f"at chat time {stamp(moment - self.start)}"
            return to_local(moment, self.zone).strftime("%a %d %b %H:%M %Z")

        return _DISCORD_TIME.sub(local, text)

    def say(self, line: str) -> None:
        """Print one line stamped with the current chat time."""
        self.out.write(f"[{stamp(self.clock.now() - self.start)}] {line}\n")
        self.out.flush()

    async def post(self, request: PostRequest) -> PostResult:
        """Print the post as the bot would make it."""
        text = self.render_times(request.text)
        first, *rest = text.splitlines() or [""]
        self.say(f"🤖 {first}")
        for line in [*rest, *request.continuation]:
            self.out.write(f"           {line}\n")
        for embed in request.embeds:
            self._embed(embed)
        for attachment in request.files:
            size = max(round(len(attachment.data) / 1024), 1)
            self.out.write(f"           📎 {attachment.filename} ({size} KB)\n")
        message_id = self.new_id()
        result = PostResult(message_id, message_id if request.thread_name else None)
        self.posted.append((request, result))
        return result

    def _embed(self, embed: dict[str, Any]) -> None:
        """An embed as a boxed block: title, description, then each field."""
        lines = [f"┏ {embed.get('title', '')}"]
        lines += [f"┃ {line}" for line in str(embed.get("description", "")).splitlines()]
        for part in embed.get("fields", []):
            lines.append(f"┃ · {part.get('name', '')}")
            lines += [f"┃   {line}" for line in str(part.get("value", "")).splitlines()]
        for line in lines:
            self.out.write(f"           {self.render_times(line)}\n")

    async def find_post(self, request: PostRequest, after: datetime) -> PostResult | None:
        """A rehearsal never crashes half-way through a post: nothing to find."""
        return None

    async def open_thread(
        self, channel_id: int, message_id: int, name: str, notice_channel_id: int | None = None
    ) -> int:
        """Threads are implied: a thread's id is its question's message id."""
        return message_id

    async def edit_post(
        self, channel_id: int, message_ids: Sequence[int], request: PostRequest
    ) -> tuple[int, ...]:
        """Print that the post was edited: its new first lines and files (not every embed)."""
        lines = self.render_times(request.text).splitlines() or [""]
        self.say(f"✏️  edited message {message_ids[0]}: {lines[0]}")
        for line in lines[1:3]:
            self.out.write(f"           {line}\n")
        for attachment in request.files:
            self.out.write(f"           📎 {attachment.filename} (replaced)\n")
        self.edited.append(request)
        return tuple(message_ids)
