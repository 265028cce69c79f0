"""Readers for the plain values of a chat file: texts, ids, numbers, durations, URLs.

See :mod:`bot.chatfile._yaml` for how readers report problems.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from yaml.nodes import Node, ScalarNode

from bot.chatfile._yaml import FLOAT, INT, NULL, STR, Report, construct, is_null, show, wrong
from bot.core.spec import DurationError, parse_duration

#: Longest accepted duration: longer is surely a typo, and sums of it stay far
#: inside what ``timedelta`` can hold.
MAX_DURATION = timedelta(days=30)
#: Discord ids are 64-bit snowflakes, stored in SQLite's signed 64-bit integers.
MAX_ID = 2**63 - 1

_SLUG = re.compile(r"[a-z0-9][a-z0-9-]{1,62}")
_HASHTAG = re.compile(r"#[^\s#]+")
_DIGITS = re.compile(r"[0-9]{1,20}")

# --- scalars ------------------------------------------------------------------


def read_text(
    report: Report, node: Node, name: str, what: str = "text", limit: int | None = None
) -> str | None:
    """Any non-empty scalar as the text the moderator wrote (so ``2026`` stays "2026")."""
    if not isinstance(node, ScalarNode):
        report.error(node, name, wrong(node, what))
        return None
    text = str(node.value).strip() if node.tag != NULL else ""
    if not text:
        report.error(node, name, f"is empty; expected {what}")
        return None
    if limit is not None and len(text) > limit:
        report.error(
            node,
            name,
            f"is {len(text):,} characters; keep it to {limit:,} so the bot can add "
            f"the hashtag and mentions (Discord's limit is 2,000 per message)",
        )
        return None
    return text


def read_slug(report: Report, node: Node, name: str) -> str | None:
    """The chat id: 2-63 lowercase letters, digits and hyphens."""
    text = read_text(report, node, name, "a short name like careerchat")
    if text is not None and not _SLUG.fullmatch(text):
        report.error(
            node,
            name,
            f"{show(text)} is not a valid id; use 2-63 lowercase letters, digits and "
            "hyphens, starting with a letter or digit (like careerchat or lead-chat)",
        )
        return None
    return text


def read_hashtag(report: Report, node: Node, name: str) -> str | None:
    """``#word``: no spaces. A bare ``#word`` in YAML is a comment, hence the hint."""
    if is_null(node):
        written = _rest_of_line(node)
        example = written if _HASHTAG.fullmatch(written) else "#mychat"
        report.error(
            node,
            name,
            f'is empty; a # starts a comment in YAML, so put the hashtag in quotes: "{example}"',
        )
        return None
    text = read_text(report, node, name, 'a hashtag in quotes, like "#mychat"')
    if text is not None and not _HASHTAG.fullmatch(text):
        report.error(
            node,
            name,
            f"{show(text)} is not a hashtag; write # and one word without spaces, "
            'in quotes, like "#mychat"',
        )
        return None
    return text


def _rest_of_line(node: Node) -> str:
    """What follows a node on its line: for an empty value, the comment YAML skipped."""
    mark = node.start_mark
    if mark is None or mark.buffer is None:
        return ""
    return mark.buffer[mark.pointer :].split("\n", 1)[0].strip(" \t\r\0")


def read_snowflake(report: Report, node: Node, name: str, what: str = "Discord id") -> int | None:
    """A Discord id: a positive whole number; a quoted string of digits is fine too."""
    expected = f"a {what} (a positive whole number like 1187654321098765432)"
    value: Any = None
    if isinstance(node, ScalarNode) and node.tag == INT:
        try:
            value = construct(node)
        except ValueError:  # more digits than Python will convert
            value = MAX_ID + 1
    elif isinstance(node, ScalarNode) and node.tag == STR and _DIGITS.fullmatch(node.value.strip()):
        value = int(node.value)
    if not isinstance(value, int):
        report.error(node, name, wrong(node, expected))
        return None
    if not 0 < value <= MAX_ID:
        report.error(node, name, f"{show(str(node.value))} is not a valid id; expected {expected}")
        return None
    return value


def read_count(report: Report, node: Node, name: str) -> int | None:
    """A positive whole number (the number of occurrences)."""
    value: Any = None
    if isinstance(node, ScalarNode) and node.tag == INT:
        try:
            value = construct(node)
        except ValueError:
            value = None
    if not isinstance(value, int) or not 0 < value <= 100_000:
        report.error(node, name, wrong(node, "a whole number from 1 to 100000"))
        return None
    return value


def read_duration(
    report: Report, node: Node, name: str, allow_zero: bool = False
) -> timedelta | None:
    """``90s``, ``8m``, ``1h30m``, ``2d``; a bare number has no unit and is refused."""
    if isinstance(node, ScalarNode) and node.tag in (INT, FLOAT):
        raw = str(node.value)
        hint = f"use {raw}s or {raw}m" if raw.isdigit() else "use 7m or 90s"
        report.error(node, name, f"{raw} is not a duration; {hint}")
        return None
    if not isinstance(node, ScalarNode) or node.tag != STR:
        report.error(node, name, wrong(node, "a duration like 8m or 90s"))
        return None
    try:
        value = parse_duration(node.value)
    except DurationError as error:
        report.error(node, name, str(error))
        return None
    except OverflowError:
        value = MAX_DURATION + timedelta(seconds=1)
    if value > MAX_DURATION:
        report.error(node, name, f"{show(node.value)} is longer than the 30-day maximum")
        return None
    if value <= timedelta() and not allow_zero:
        report.error(node, name, f"{show(node.value)} must be longer than 0s")
        return None
    return value


def read_url(report: Report, node: Node, name: str) -> str | None:
    """An http(s) URL."""
    text = read_text(report, node, name, "an image URL starting with https://")
    if text is None:
        return None
    parts = urlsplit(text) if not re.search(r"\s", text) else None
    if parts is None or parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        report.error(node, name, f"{show(text)} is not a web address; use https://...")
        return None
    return text
