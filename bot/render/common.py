"""What every renderer shares: times in the chat's zone, counts in words, escaping."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.core.polls import OptionResult, PollResult, percent
from bot.core.recap import (
    Header,
    Person,
    QuestionRecap,
    QuestionStatus,
    Quote,
    Recap,
    Revision,
    Takeaway,
)
from bot.core.recap.text import find_links


def local(moment: datetime, zone: str) -> datetime:
    """``moment`` in the chat's time zone."""
    return moment.astimezone(ZoneInfo(zone))


def long_date(header: Header) -> str:
    """``Tuesday 12 January 2027, 20:00 CST (America/Chicago)``: the start in the chat's zone."""
    start = local(header.start, header.timezone)
    return f"{start:%A} {start.day} {start:%B %Y, %H:%M %Z} ({header.timezone})"


def clock_time(moment: datetime, zone: str) -> str:
    """``20:08``: a time of the chat in its zone."""
    shown = moment.astimezone(ZoneInfo(zone))
    return f"{shown.hour:02d}:{shown.minute:02d}"


def duration(delta: timedelta) -> str:
    """``48 min``, ``1 h 5 min``."""
    minutes = max(round(delta.total_seconds() / 60), 0)
    hours, minutes = divmod(minutes, 60)
    if hours and minutes:
        return f"{hours} h {minutes} min"
    return f"{hours} h" if hours else f"{minutes} min"


def count(number: int, singular: str, plural: str | None = None) -> str:
    """``1 answer``, ``3 answers``, ``2 people``."""
    return f"{number:,} {singular if number == 1 else (plural or singular + 's')}"


def question_numbers(question: QuestionRecap) -> str:
    """``12 answers from 9 people`` or ``skipped``: a question's line in every format."""
    if question.status is QuestionStatus.SKIPPED and not question.answers:
        return "skipped"
    if question.status is QuestionStatus.NOT_POSTED and not question.answers:
        return "not asked"
    numbers = (
        f"{count(question.answers, 'answer')} from {count(question.answerers, 'person', 'people')}"
    )
    if question.status is not QuestionStatus.POSTED:
        numbers += f" ({question.status.value})"
    return numbers


def headline(header: Header) -> str:
    """``150 answers from 25 participants (4 here for the first time), 7 late; 14 resources``."""
    text = f"{count(header.answers, 'answer')} from {count(header.participants, 'participant')}"
    if header.first_timers and header.first_timers == header.participants:
        text += " (all here for the first time)"
    elif header.first_timers:
        text += f" ({header.first_timers} here for the first time)"
    if header.late_answers:
        text += f", {header.late_answers} late"
    return text + f"; {count(header.resources, 'resource')} shared"


def revision_time(revision: Revision, zone: str) -> str:
    """``2026-11-23 18:05 (America/Phoenix)``: when the recap was last updated, in the chat's
    zone (Markdown and HTML; Discord shows ``<t:UNIX:R>`` instead)."""
    return f"{local(revision.at, zone):%Y-%m-%d %H:%M} ({zone})"


#: The heading of the takeaways that answer no particular prompt, after those that do.
OTHER_TAKEAWAYS = "Other takeaways"


@dataclass(frozen=True, slots=True)
class TakeawayGroup:
    """The takeaways that answer one reflection prompt (``number``, 1-based, and its text), or
    (``number`` 0, ``prompt`` empty) no particular one: those are shown last, under
    :data:`OTHER_TAKEAWAYS` when other groups come before them (``titled``)."""

    number: int
    prompt: str
    takeaways: tuple[Takeaway, ...]
    titled: bool = True


def takeaway_groups(recap: Recap) -> list[TakeawayGroup]:
    """The recap's takeaways grouped by prompt, in the prompts' order, each group in the
    model's order; takeaways for no prompt, or for a number the chat has no prompt for (a
    prompt since removed from the chat file), come last in one group."""
    by_prompt: dict[int, list[Takeaway]] = {}
    for takeaway in recap.takeaways:
        number = takeaway.prompt if 1 <= takeaway.prompt <= len(recap.prompts) else 0
        by_prompt.setdefault(number, []).append(takeaway)
    groups = [
        TakeawayGroup(number, recap.prompts[number - 1], tuple(by_prompt[number]))
        for number in sorted(n for n in by_prompt if n)
    ]
    if 0 in by_prompt:
        groups.append(TakeawayGroup(0, "", tuple(by_prompt[0]), titled=bool(groups)))
    return groups


def named(people: Iterable[Person]) -> list[str]:
    """Hosts or guests as a file shows them: the names of those whose name is known.

    A name is known once someone posted (in any chat); a bare user id would tell a reader
    nothing, so the others are left out of files. In Discord the recap mentions them all,
    and Discord shows each reader their names.
    """
    return [person.name for person in people if person.name]


#: The recap's section of the people to learn from.
VOICES_TITLE = "Voices to follow"
#: What it says when nobody's answers drew reactions or replies from others.
NO_VOICES = "No answer drew reactions or replies from others yet."


def jump_link(guild_id: int | None, channel_id: int, message_id: int) -> str | None:
    """The Discord link that opens a message (None when the chat's server is not known)."""
    if guild_id is None:
        return None
    return f"https://discord.com/channels/{guild_id}/{channel_id}/{message_id}"


def question_label(number: int | None) -> str:
    """``Q3``, or ``intro`` for messages before the first question."""
    return f"Q{number}" if number else "intro"


def marks(quote: Quote) -> list[str]:
    """The small labels after a message: late, edited, reply."""
    labels = []
    if quote.late:
        labels.append("late")
    if quote.edited:
        labels.append("edited")
    if quote.replying_to:
        labels.append(f"reply to {quote.replying_to}")
    return labels


def split_links(text: str) -> list[tuple[str, bool]]:
    """``text`` as (segment, is_link) pieces, so links can be kept whole while text is escaped."""
    pieces: list[tuple[str, bool]] = []
    position = 0
    for start, end, link in find_links(text):
        if start > position:
            pieces.append((text[position:start], False))
        pieces.append((link, True))
        position = end
    if position < len(text):
        pieces.append((text[position:], False))
    return pieces


_MD_INLINE = re.compile(r"([\\`*_~\[\]<>|])")
_MD_BLOCK_START = re.compile(r"^(\s*)(?:([-+=#])|(\d+)([.)]))")


_MD_SPECIAL = re.compile(r"[\\`*_~\[\]<>|\n\r]")


def _escape_block_start(match: re.Match[str]) -> str:
    if match.group(2):
        return f"{match.group(1)}\\{match.group(2)}"
    return f"{match.group(1)}{match.group(3)}\\{match.group(4)}"


def markdown_inline(text: str) -> str:
    """User text made literal in Markdown: its markup characters escaped, links kept
    clickable, line breaks kept as hard breaks (a line that would start a heading, list or
    quote escaped). The text is meant to follow other text on its first line."""
    if not _MD_SPECIAL.search(text):
        return text if text.strip() else "(empty)"
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    escaped = []
    for number, line in enumerate(lines):
        body = "".join(
            segment if is_link else _MD_INLINE.sub(r"\\\1", segment)
            for segment, is_link in split_links(line)
        )
        escaped.append(_MD_BLOCK_START.sub(_escape_block_start, body) if number else body)
    return "  \n  ".join(line for line in escaped if line.strip()) or "(empty)"


_DISCORD_INLINE = re.compile(r"([\\`*_~\[\]<>|])")


def discord_inline(text: str) -> str:
    """User text made literal on one line of a Discord message or embed."""
    flat = " ".join(text.split())
    return "".join(
        segment if is_link else _DISCORD_INLINE.sub(r"\\\1", segment)
        for segment, is_link in split_links(flat)
    )


def poll_title(poll: PollResult) -> str:
    """``Q2 poll: Which fern? #plantchat`` or ``Live poll: …`` (plain text)."""
    label = f"Q{poll.number} poll" if poll.number is not None else "Live poll"
    question = poll.question
    prefix = f"Q{poll.number}: "
    if poll.number is not None and question.startswith(prefix):
        question = question[len(prefix) :]
    return f"{label}: {question}"


def poll_status(poll: PollResult) -> str:
    """``5 voters · final results`` / ``… · open: votes so far``; how it was counted."""
    parts = [count(poll.voters, "voter")]
    if poll.multiple:
        parts.append(f"{count(poll.total_votes, 'vote')} (several picks allowed)")
    parts.append("final results" if poll.final else "still open: votes so far")
    if poll.reactions:
        parts.append("counted from reactions")
    return " · ".join(parts)


def poll_bar(share: float, width: int = 10) -> str:
    """A text bar for a share of votes: ``▰▰▰▱▱▱▱▱▱▱``."""
    filled = round(share * width)
    return "▰" * filled + "▱" * (width - filled)


def option_numbers(option: OptionResult) -> str:
    """``2 votes (40%)``: an option's line in every format."""
    return f"{count(option.votes, 'vote')} ({percent(option.share)})"
