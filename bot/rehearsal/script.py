"""Scripted answers for a rehearsal: one line per message or action, at a chat time.

Format (``#`` starts a comment; times are from the chat's start, the intro)::

    +08:15 alice: A1: I lean on my PLN for ...      a message in the channel
    +08:30 bob: [q1] I agree, ...                     a message in Q1's thread
    +59:00 bob: [recap] R1: I'll try ...              a takeaway in the recap's thread
    +09:10 carol: >alice that is a great point        a reply to alice's latest message
    +09:40 alice: !edit A1: I lean on my PLN daily    alice edits her latest message
    +10:00 dan: !delete                               dan deletes his latest message
    +10:05 erin: !react alice 👍                       erin reacts to alice's latest message
    +10:06 erin: !unreact alice 👍                     ... and takes it back
    +00:30 frank: !optout                             frank may not be named or quoted (!optin undoes)
    +00:00 gina: !host                                gina is the chat file's first host

``!host`` gives the person the user id of the next host in the chat file's ``hosts``
(in order), so the recap names its hosts; it comes before that person's first line.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import timedelta
from enum import StrEnum
from pathlib import Path

_LINE = re.compile(r"^\+(\d{1,3}):([0-5]\d)\s+([^\s:][^:]*?)\s*:\s?(.*)$")
_THREAD = re.compile(r"^\[q(\d{1,3})\]\s*(.*)$", re.IGNORECASE | re.DOTALL)
_RECAP_THREAD = re.compile(r"^\[recap\]\s*(.*)$", re.IGNORECASE | re.DOTALL)
_REPLY = re.compile(r"^>(\S+)\s+(.*)$", re.DOTALL)


class ScriptError(ValueError):
    """A line of an answers file that does not parse; the message names file and line."""


class Action(StrEnum):
    """What a script line does."""

    SAY = "say"
    EDIT = "edit"
    DELETE = "delete"
    REACT = "react"
    UNREACT = "unreact"
    OPT_OUT = "optout"
    OPT_IN = "optin"
    HOST = "host"


@dataclass(frozen=True)
class ScriptLine:
    """One scripted action."""

    line: int
    at: timedelta
    author: str
    action: Action
    text: str = ""
    thread_question: int | None = None
    #: Posted in the recap's reflection thread (a takeaway).
    in_recap_thread: bool = False
    reply_to: str | None = None
    target: str | None = None
    emoji: str = ""


def parse_line(text: str, number: int, source: str) -> ScriptLine | None:
    """Parse one line; None for blank lines and comments."""
    stripped = text.strip()
    if not stripped or stripped.startswith("#"):
        return None
    match = _LINE.match(stripped)
    if match is None:
        raise ScriptError(f"{source}:{number}: expected '+MM:SS name: text', got {stripped[:60]!r}")
    minutes, seconds, author, body = match.groups()
    at = timedelta(minutes=int(minutes), seconds=int(seconds))
    base = ScriptLine(line=number, at=at, author=author.strip(), action=Action.SAY)
    if body.startswith("!"):
        command, _, rest = body[1:].partition(" ")
        return _command(command.lower(), rest.strip(), base, f"{source}:{number}")
    recap_thread = _RECAP_THREAD.match(body)
    if recap_thread:
        return replace(base, text=recap_thread.group(1), in_recap_thread=True)
    thread = _THREAD.match(body)
    if thread:
        return replace(base, text=thread.group(2), thread_question=int(thread.group(1)))
    reply = _REPLY.match(body)
    if reply:
        return replace(base, text=reply.group(2), reply_to=reply.group(1))
    return replace(base, text=body)


def _command(command: str, rest: str, base: ScriptLine, where: str) -> ScriptLine:
    if command == "edit":
        return replace(base, action=Action.EDIT, text=rest)
    if command in ("delete", "optout", "optin", "host"):
        return replace(base, action=Action(command))
    if command in ("react", "unreact"):
        target, _, emoji = rest.partition(" ")
        if not target or not emoji.strip():
            raise ScriptError(f"{where}: use '!{command} NAME EMOJI'")
        return replace(base, action=Action(command), target=target, emoji=emoji.strip())
    raise ScriptError(
        f"{where}: unknown action !{command}; use !edit, !delete, !react, !unreact, !optout, "
        "!optin or !host"
    )


def cast_hosts(script: Sequence[ScriptLine], hosts: Sequence[int], source: str) -> dict[str, int]:
    """Who plays which host: each ``!host`` line's author gets the next user id of ``hosts``
    (the chat file's). Raises :class:`ScriptError` for a ``!host`` after its author's first
    line, or one more than the chat file has hosts."""
    cast: dict[str, int] = {}
    seen: set[str] = set()
    for line in script:
        if line.action is Action.HOST:
            if line.author in seen:
                raise ScriptError(
                    f"{source}:{line.line}: !host must come before {line.author}'s first line"
                )
            if len(cast) == len(hosts):
                raise ScriptError(
                    f"{source}:{line.line}: the chat file names {len(hosts)} host(s), "
                    f"none left for {line.author}; add their user id to its hosts"
                )
            cast[line.author] = hosts[len(cast)]
        seen.add(line.author)
    return cast


def load_script(path: Path) -> list[ScriptLine]:
    """Every action in an answers file, in time order (stable for equal times)."""
    lines = []
    text = path.read_text(encoding="utf-8")
    for number, raw in enumerate(text.splitlines(), start=1):
        parsed = parse_line(raw, number, str(path))
        if parsed is not None:
            lines.append(parsed)
    return sorted(lines, key=lambda line: line.at)
