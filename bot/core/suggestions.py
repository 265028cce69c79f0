"""Questions suggested by the community (``/chat suggest``), reviewed by moderators.

A member suggests a question for a chat; it is posted (mentions off) where the chat file's
``suggestions.post_in`` says (the chat's channel or its moderator channel) and members
upvote it with a 👍 on that message. Moderators list the open suggestions by votes
(``/host suggestions``) and approve or reject each. An approved suggestion joins the
chat's NEXT occurrence that has not started, at the place the moderator picked (before the
file's question ``position``) or after the file's own questions; once that occurrence
starts, it runs with them and they are asked (never again).

This module is pure: the limits, the ordering, and :func:`merge_suggestions`, which turns
a chat's stored spec and its approved suggestions into the spec an occurrence runs with
(the same inputs always give the same spec, so planning again after a restart changes
nothing).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from bot.core.errors import ChatError
from bot.core.spec import DISCORD_MESSAGE_LIMIT, ChatSpec, QuestionSpec

#: Open suggestions one member may have per chat at a time.
MAX_OPEN_PER_MEMBER = 5
#: Discord's limit for a slash command's string option; the posted question must also fit
#: in one message with its ``Qn:`` label, the hashtag and the credit line.
OPTION_LIMIT = 6000
#: Room kept for ``**Q99:** `` and the how-to-answer line and the credit line.
QUESTION_ROOM = 300
#: The emoji that upvotes a suggestion.
UPVOTE = "👍"


class SuggestionStatus(StrEnum):
    """Where a suggestion stands."""

    OPEN = "open"
    APPROVED = "approved"
    REJECTED = "rejected"
    #: Approved and part of an occurrence that started: it was (or is being) asked.
    ASKED = "asked"
    #: Its author was forgotten: emptied, kept only until its message is deleted.
    WITHDRAWN = "withdrawn"


class SuggestionRefused(ChatError):
    """A suggestion the bot cannot take (too long, empty, too many open)."""


class SuggestionNotFound(ChatError):
    """No suggestion with that id (or it was withdrawn: its author was forgotten)."""


@dataclass(frozen=True)
class Suggestion:
    """One suggested question."""

    suggestion_id: int
    chat_id: str
    author_id: int
    text: str
    created_at: datetime
    #: The name to credit (their display name when they suggested it).
    author_name: str = ""
    status: SuggestionStatus = SuggestionStatus.OPEN
    votes: int = 0
    #: The channel and message where members upvote it (None until posted).
    channel_id: int | None = None
    message_id: int | None = None
    #: Approved: before the file's question ``position`` (None: after the file's questions).
    position: int | None = None
    decided_at: datetime | None = None
    #: The occurrence it was asked in (status ASKED).
    occurrence_id: int | None = None


def check_text(text: str, spec: ChatSpec) -> str:
    """The suggestion's text, stripped, if it fits as a question of ``spec``; else
    :class:`SuggestionRefused` with the reason and the fix."""
    text = " ".join(text.split()) if "\n" not in text else text.strip()
    if not text:
        raise SuggestionRefused("question: write the question you suggest (it is empty)")
    limit = max_length(spec)
    if len(text) > limit:
        raise SuggestionRefused(
            f"question: {len(text):,} characters is too long; a question of {spec.hashtag} "
            f"can have {limit:,} at most, so shorten it by {len(text) - limit:,}"
        )
    return text


def max_length(spec: ChatSpec) -> int:
    """The longest suggestion ``spec`` can post as a question within one Discord message."""
    return DISCORD_MESSAGE_LIMIT - QUESTION_ROOM - len(spec.hashtag)


def check_open(open_count: int) -> None:
    """Refuse a member's suggestion beyond :data:`MAX_OPEN_PER_MEMBER` open in one chat."""
    if open_count >= MAX_OPEN_PER_MEMBER:
        raise SuggestionRefused(
            f"you have {open_count} open suggestions for this chat, the most there can be "
            f"({MAX_OPEN_PER_MEMBER}); wait until moderators approve or reject one"
        )


def by_votes(suggestions: Iterable[Suggestion]) -> list[Suggestion]:
    """Most upvoted first; among equals the oldest first (then by id, stable)."""
    return sorted(suggestions, key=lambda s: (-s.votes, s.created_at, s.suggestion_id))


def merge_suggestions(
    spec: ChatSpec,
    approved: Sequence[Suggestion],
    *,
    credits: dict[int, str],
) -> ChatSpec:
    """``spec`` with the ``approved`` suggestions as questions: each before the file's
    question ``position`` (in approval order among the same position), the rest after the
    file's own questions. ``credits`` is the name to credit per author; an author missing
    from it (opted out) is not named. Suggestions already in ``spec`` are not added twice."""
    present = {q.suggestion for q in spec.questions if q.suggestion is not None}
    base = [q for q in spec.questions if q.suggestion is None]
    chosen = sorted(
        (s for s in approved if s.suggestion_id not in present),
        key=lambda s: (s.decided_at or s.created_at, s.suggestion_id),
    )
    if not chosen:
        return spec
    kept = [q for q in spec.questions if q.suggestion is not None]

    def question(suggestion: Suggestion) -> QuestionSpec:
        return QuestionSpec(
            text=suggestion.text,
            suggestion=suggestion.suggestion_id,
            suggested_by=suggestion.author_id,
            credit=credits.get(suggestion.author_id, ""),
        )

    before: dict[int, list[QuestionSpec]] = {}
    after: list[QuestionSpec] = []
    for suggestion in chosen:
        place = suggestion.position
        if place is not None and 1 <= place <= len(base):
            before.setdefault(place, []).append(question(suggestion))
        else:
            after.append(question(suggestion))
    questions: list[QuestionSpec] = []
    for number, own in enumerate(base, start=1):
        questions.extend(before.get(number, []))
        questions.append(own)
    questions.extend(kept)
    questions.extend(after)
    return replace(spec, questions=tuple(questions))


def suggestion_ids(spec: ChatSpec) -> list[int]:
    """The suggestions an occurrence's spec asks."""
    return [q.suggestion for q in spec.questions if q.suggestion is not None]
