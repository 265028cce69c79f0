"""Participants' messages for collector tests."""

from __future__ import annotations

from itertools import count

from bot.runtime.clock import VirtualClock
from bot.runtime.routing import IncomingMessage

_ids = count(50_000)


def message(clock: VirtualClock, content: str, **fields: object) -> IncomingMessage:
    """A message from ana in channel 111, sent now, with a fresh id; ``fields`` override."""
    values: dict[str, object] = {
        "message_id": next(_ids),
        "channel_id": 111,
        "author_id": 7,
        "author_name": "ana",
        "content": content,
        "created_at": clock.now(),
    }
    values.update(fields)
    return IncomingMessage(**values)  # type: ignore[arg-type]
