"""Poll results: counts per option, shares, voters, final or not. Voters are never named.

A poll is a poll question of a chat file (``poll:`` on a question) or a live poll
(``/host poll``). Its votes are stored by message, answer and user only to count each vote
once (a redelivered event, a reconciliation after a restart); a result carries counts alone.
When Discord has ended the poll its own final counts win (they include votes the bot could
not see, such as those of members who left).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta

from bot.core.errors import ChatError
from bot.core.spec import (
    POLL_DURATION_DEFAULT,
    POLL_DURATION_MAX,
    POLL_DURATION_MIN,
    POLL_OPTION_LIMIT,
    POLL_OPTIONS_MAX,
    POLL_QUESTION_LIMIT,
    DurationError,
    parse_duration,
)

#: The reactions members vote with on a poll posted as text (the bot lacked Send Polls).
NUMBER_EMOJIS = ("1️⃣", "2️⃣", "3️⃣", "4️⃣", "5️⃣", "6️⃣", "7️⃣", "8️⃣", "9️⃣", "🔟")


@dataclass(frozen=True)
class OptionResult:
    """One option of a poll: its text, its votes, and its share of all votes (0..1)."""

    text: str
    votes: int
    share: float


@dataclass(frozen=True)
class PollResult:
    """A poll as a recap shows it."""

    #: The question as posted (``Q3: … #tag``, or a live poll's text).
    question: str
    #: The question number it belongs to, or None for a live poll (``/host poll``).
    number: int | None
    options: tuple[OptionResult, ...]
    #: How many people voted (each once, however many options they picked).
    voters: int
    multiple: bool
    #: Discord ended the poll: these are its final results (else: the votes so far).
    final: bool
    #: It went out as text with numbered reactions (no Send Polls): counted from those.
    reactions: bool = False

    @property
    def total_votes(self) -> int:
        """Votes over every option (more than voters when several picks are allowed)."""
        return sum(option.votes for option in self.options)

    @property
    def leaders(self) -> tuple[str, ...]:
        """The option(s) with the most votes; none without votes."""
        most = max((option.votes for option in self.options), default=0)
        return tuple(o.text for o in self.options if most and o.votes == most)


def poll_result(
    question: str,
    number: int | None,
    options: Sequence[str],
    votes: Mapping[int, Collection[int]],
    *,
    multiple: bool = False,
    final: bool = False,
    final_counts: Mapping[int, int] | None = None,
    reactions: bool = False,
) -> PollResult:
    """The result of a poll from its stored votes (answer id, 1-based -> user ids) or, once
    Discord ended it, from Discord's ``final_counts``."""
    counts = {answer: len(users) for answer, users in votes.items()}
    if final and final_counts:
        counts = dict(final_counts)
    per_option = [counts.get(number_, 0) for number_ in range(1, len(options) + 1)]
    total = sum(per_option)
    voters = len({user for users in votes.values() for user in users})
    if final and final_counts and not multiple:
        voters = max(voters, total)  # one vote per voter: Discord's total is the voters
    return PollResult(
        question=question,
        number=number,
        options=tuple(
            OptionResult(text, count, count / total if total else 0.0)
            for text, count in zip(options, per_option, strict=True)
        ),
        voters=voters,
        multiple=multiple,
        final=final,
        reactions=reactions,
    )


def percent(share: float) -> str:
    """A share as a whole percentage: ``0.4`` -> ``40%``."""
    return f"{round(share * 100)}%"


class PollInvalid(ChatError):
    """A live poll (``/host poll``) beyond Discord's limits; the message says what to fix."""


@dataclass(frozen=True)
class LivePoll:
    """A poll a moderator posts during a chat: its question (shown with the chat's hashtag),
    options, one or several picks, how long it stays open; without a duration given it is
    open a day and ended by the bot when the recap is posted."""

    question: str
    options: tuple[str, ...]
    multiple: bool
    duration: timedelta
    end_with_recap: bool


def live_poll(
    question: str,
    options: str,
    hashtag: str,
    *,
    multiple: bool = False,
    duration: str | None = None,
) -> LivePoll:
    """Read ``/host poll``'s fields: ``options`` separated by ``|``; ``duration`` like ``2h``
    (whole hours, 1 hour to 32 days). Raises :class:`PollInvalid` naming the field and fix."""
    text = " ".join(question.split())
    if not text:
        raise PollInvalid("question: write the poll's question")
    shown = f"{text} {hashtag}".strip()
    if len(shown) > POLL_QUESTION_LIMIT:
        raise PollInvalid(
            f"question: {len(shown)} characters with the hashtag, over Discord's limit of "
            f"{POLL_QUESTION_LIMIT}; shorten it by {len(shown) - POLL_QUESTION_LIMIT}"
        )
    picked = [" ".join(option.split()) for option in options.split("|")]
    if any(not option for option in picked):
        raise PollInvalid("options: an option is empty; separate options with | like yes | no")
    if not 1 <= len(picked) <= POLL_OPTIONS_MAX:
        raise PollInvalid(
            f"options: {len(picked)} options; a Discord poll takes 1 to {POLL_OPTIONS_MAX}"
        )
    for number, option in enumerate(picked, 1):
        if len(option) > POLL_OPTION_LIMIT:
            raise PollInvalid(
                f"options: option {number} is {len(option)} characters; at most "
                f"{POLL_OPTION_LIMIT} each, shorten it by {len(option) - POLL_OPTION_LIMIT}"
            )
    folded = [option.casefold() for option in picked]
    for number, option in enumerate(folded, 1):
        if option in folded[: number - 1]:
            raise PollInvalid(f"options: option {number} repeats another; each option once")
    lasting = POLL_DURATION_DEFAULT
    if duration is not None and duration.strip():
        try:
            lasting = parse_duration(duration.strip())
        except (DurationError, OverflowError):
            raise PollInvalid(f"duration: {duration!r} is not a duration; use 1h or 2d") from None
        if not POLL_DURATION_MIN <= lasting <= POLL_DURATION_MAX:
            raise PollInvalid("duration: a Discord poll lasts 1h to 32d (768h)")
        if lasting % timedelta(hours=1):
            raise PollInvalid("duration: Discord polls last whole hours, like 1h or 3h")
    return LivePoll(
        question=shown,
        options=tuple(picked),
        multiple=multiple,
        duration=lasting,
        end_with_recap=duration is None or not duration.strip(),
    )
