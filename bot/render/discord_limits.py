"""Discord's limits for one message and its embeds, and how embeds are spread over messages.

Embeds are plain dicts in the shape of ``discord.Embed.to_dict()`` (``title``,
``description``, ``fields`` of ``name``/``value``/``inline``, ``footer``,
``color``), so the core and the renderers never import discord.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

MESSAGE = 2000
EMBEDS_PER_MESSAGE = 10
EMBEDS_TOTAL = 6000
TITLE = 256
DESCRIPTION = 4096
FIELDS = 25
FIELD_NAME = 256
FIELD_VALUE = 1024
FOOTER = 2048
AUTHOR = 256

Embed = dict[str, Any]


def embed_length(embed: Embed) -> int:
    """The characters Discord counts toward the 6,000 of a message: title, description,
    field names and values, footer text and author name."""
    total = len(embed.get("title", "")) + len(embed.get("description", ""))
    total += sum(len(f.get("name", "")) + len(f.get("value", "")) for f in embed.get("fields", []))
    total += len(embed.get("footer", {}).get("text", ""))
    total += len(embed.get("author", {}).get("name", ""))
    return total


def group_embeds(embeds: Sequence[Embed]) -> list[list[Embed]]:
    """Embeds in order, in groups that each fit one message (at most 10, 6,000 characters).

    The renderer and the Discord venue both use this, so a recap's continuation
    messages carry exactly the embeds the renderer planned for them.
    """
    groups: list[list[Embed]] = []
    size = 0
    for embed in embeds:
        length = embed_length(embed)
        if not groups or len(groups[-1]) == EMBEDS_PER_MESSAGE or size + length > EMBEDS_TOTAL:
            groups.append([])
            size = 0
        groups[-1].append(embed)
        size += length
    return groups


def embed_problems(embed: Embed) -> list[str]:
    """Every limit one embed breaks (empty when it fits)."""
    problems = []
    if len(embed.get("title", "")) > TITLE:
        problems.append(f"title of {len(embed['title'])} characters")
    if len(embed.get("description", "")) > DESCRIPTION:
        problems.append(f"description of {len(embed['description'])} characters")
    fields = embed.get("fields", [])
    if len(fields) > FIELDS:
        problems.append(f"{len(fields)} fields")
    for field in fields:
        if not field.get("name") or not field.get("value"):
            problems.append("an empty field name or value")
        if len(field.get("name", "")) > FIELD_NAME:
            problems.append(f"field name of {len(field['name'])} characters")
        if len(field.get("value", "")) > FIELD_VALUE:
            problems.append(f"field value of {len(field['value'])} characters")
    if len(embed.get("footer", {}).get("text", "")) > FOOTER:
        problems.append("footer too long")
    if embed_length(embed) > EMBEDS_TOTAL:
        problems.append(f"{embed_length(embed)} characters in one embed")
    return problems


def message_problems(content: str, embeds: Sequence[Embed]) -> list[str]:
    """Every limit one message breaks (empty when Discord accepts it)."""
    problems = []
    if len(content) > MESSAGE:
        problems.append(f"content of {len(content)} characters")
    if not content and not embeds:
        problems.append("an empty message")
    if len(embeds) > EMBEDS_PER_MESSAGE:
        problems.append(f"{len(embeds)} embeds")
    total = sum(embed_length(embed) for embed in embeds)
    if total > EMBEDS_TOTAL:
        problems.append(f"{total} characters across embeds")
    for embed in embeds:
        problems.extend(embed_problems(embed))
    return problems
