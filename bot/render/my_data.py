"""``/chat my-data``: everything stored about the caller, as ``my-data.json``.

One JSON document (keys sorted, times in ISO 8601 UTC, indented so a person can read
it): who they are to the bot (the name they last posted under, their consent records),
every stored part of their messages with its chat, date, question and state, the
reactions they gave, the questions they suggested, their votes on the bot's polls, and any
chat form they typed and have not finished (moderators). Nothing about anyone else: other people's messages appear only as
the ids of the messages they reacted to.

A history too large for one Discord attachment is split into numbered files
(``my-data-1.json`` …), each a whole JSON document with ``part`` and ``parts``; the
consent records are in every part.
"""

from __future__ import annotations

import json
from typing import Any

from bot.core.personal import PersonalData
from bot.render.json_data import plain

#: Discord's attachment limit for a bot (10 MiB), with room for the request around it.
MAX_FILE_BYTES = 10 * 1024 * 1024 - 64 * 1024
SCHEMA = 1


def render_my_data(data: PersonalData, *, limit: int = MAX_FILE_BYTES) -> list[tuple[str, bytes]]:
    """The files to attach: ``[("my-data.json", bytes)]``, or numbered parts when one file
    would pass ``limit`` bytes."""
    about = {
        "schema": SCHEMA,
        "user_id": data.user_id,
        "name": data.name,
        "first_seen": plain(data.first_seen),
        "profile": plain(data.profile),
        "consent": {
            "opted_out": data.opted_out,
            "forget_requested_at": plain(data.forget_requested_at),
            "forget_by_moderator": data.forget_by_moderator,
        },
    }
    items = [("messages", plain(m)) for m in data.messages]
    items += [("reactions", plain(r)) for r in data.reactions]
    items += [("drafts", plain(d)) for d in data.drafts]
    items += [("poll_votes", plain(v)) for v in data.poll_votes]
    items += [("saves", plain(s)) for s in data.saves]
    items += [("suggestions", plain(q)) for q in data.suggestions]
    documents = _split(about, items, limit)
    if len(documents) == 1:
        return [("my-data.json", _encode({**about, **documents[0]}))]
    return [
        (
            f"my-data-{number}.json",
            _encode({**about, **document, "part": number, "parts": len(documents)}),
        )
        for number, document in enumerate(documents, start=1)
    ]


def _split(
    about: dict[str, Any], items: list[tuple[str, Any]], limit: int
) -> list[dict[str, list[Any]]]:
    """Group ``items`` into documents of at most ``limit`` bytes (an item is never split)."""
    room = limit - len(_encode({**about, "part": 999, "parts": 999}))
    documents: list[dict[str, list[Any]]] = []
    current: dict[str, list[Any]] = _empty()
    size = len(_encode(current))
    for key, item in items:
        encoded = _encode(item)
        cost = len(encoded) + 2 * encoded.count(b"\n") + 8  # indented two levels deeper
        if size + cost > room and any(current.values()):
            documents.append(current)
            current = _empty()
            size = len(_encode(current))
        current[key].append(item)
        size += cost
    documents.append(current)
    return documents


def _empty() -> dict[str, list[Any]]:
    return {"messages": [], "reactions": [], "drafts": [], "suggestions": [], "poll_votes": []}


def _encode(value: Any) -> bytes:
    return (json.dumps(value, ensure_ascii=False, sort_keys=True, indent=1) + "\n").encode()
