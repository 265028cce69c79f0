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
