"""The recap model's types: what a learner reads about one occurrence.

Built by :func:`bot.core.recap.build_recap`; every renderer in :mod:`bot.render`
reads these and nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING

from bot.core.consent import consented
from bot.core.engagement import engagement_reason
from bot.core.polls import PollResult
from bot.core.recap.themes import Theme

if TYPE_CHECKING:  # bot.core.cards imports bot.core.recap.text, which loads this package
    from bot.core.cards import LinkCard

#: How a participant who opted out is referred to where a reference cannot be avoided.
ANONYMOUS = "a participant"
#: Highlights per question.
HIGHLIGHTS = 3
#: Themes per question.
THEMES = 5
#: Voices to follow in a recap (fewer when fewer people drew engagement).
VOICES = 5


class QuestionStatus(StrEnum):
    """Whether a question of the plan was asked."""

    POSTED = "posted"
    SKIPPED = "skipped"
    NOT_POSTED = "not posted"


@dataclass(frozen=True, slots=True)
class Person:
    """Someone the recap names: a host or guest (``name`` empty when they never posted)."""

    user_id: int
    name: str


@dataclass(frozen=True, slots=True)
class Quote:
    """One message (or one part of a split message) of a participant who did not opt out.

    ``text`` is the message as it reads now (its last edit), with the names and mentions
    of participants who opted out replaced by :data:`ANONYMOUS` and every mention defused.
    """

    message_id: int
    part: int
    author_id: int
    author: str
    text: str
    at: datetime
    question: int | None
    is_answer: bool
    reactions: int = 0
    late: bool = False
    edited: bool = False
    reply_to: int | None = None
    #: Who the message replies to: a name, :data:`ANONYMOUS`, or None (no reply, or deleted).
    replying_to: str | None = None


@dataclass(frozen=True, slots=True)
class SideConversation:
    """The answer with the most replies, and the replies that may be shown."""

    answer: Quote
    replies: int
    shown: tuple[Quote, ...]


@dataclass(frozen=True, slots=True)
class QuestionRecap:
    """One question of the plan, asked or not."""

    number: int
    text: str
    status: QuestionStatus
    posted_at: datetime | None
    posted_late: bool
    note: str
    answers: int
    answerers: int
    late_answers: int
    #: Answers counted but not shown: their authors opted out.
    withheld: int
    highlights: tuple[Quote, ...]
    themes: tuple[Theme, ...]
    representative: Quote | None
    contrasting: Quote | None
    conversation: SideConversation | None
    #: Every message shown for the question (answers and conversation), in order.
    transcript: tuple[Quote, ...]


@dataclass(frozen=True, slots=True)
class Resource:
    """A link shared in the chat, once however often it was shared."""

    url: str
    shared_by: str
    shared_by_id: int
    #: How many people shared it (including people who opted out, who are not named).
    sharers: int
    shares: int
    question: int | None
    context: str
    at: datetime
    #: Discord's preview of the link (title, provider, description), when it unfurled;
    #: without one a list shows the normalised ``url``.
    card: LinkCard | None = None


@dataclass(frozen=True, slots=True)
class Voice:
    """Someone whose answers drew engagement from others in this chat (see
    :mod:`bot.core.engagement`), with their most engaging answer."""

    user_id: int
    name: str
    #: Distinct other people who reacted to their answers, and who replied in their chains.
    reacted: int
    replied: int
    answer: Quote
    #: Where ``answer`` was posted: its thread, else its channel (for a jump link).
    channel_id: int
    host: bool = False

    @property
    def engagement(self) -> int:
        """Distinct people reacting plus distinct people replying."""
        return self.reacted + self.replied

    @property
    def reason(self) -> str:
        """``6 people reacted, 3 replied``."""
        return engagement_reason(self.reacted, self.replied)


@dataclass(frozen=True, slots=True)
class Engagement:
    """How much engagement one named participant's answers drew from others in this chat."""

    user_id: int
    reacted: int
    replied: int


@dataclass(frozen=True, slots=True)
class OpenQuestion:
    """A question a participant asked that nobody replied to."""

    author: str
    author_id: int
    text: str
    question: int | None
    at: datetime
    message_id: int


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    """A line of the moderation timeline: a control, a late post, a cut-short chat."""

    at: datetime
    action: str
    actor: str
    detail: str


@dataclass(frozen=True, slots=True)
class Takeaway:
    """An answer to one of the recap's reflection prompts (``prompt`` is 1-based)."""

    prompt: int
    author_id: int
    author: str
    text: str
    at: datetime
    #: The Discord message it was sent as (0 when unknown); the archive links to it.
    message_id: int = 0


@dataclass(frozen=True, slots=True)
class Revision:
    """What changed since the recap was first published (it is edited in place as late
    answers, edits, deletes and takeaways arrive): shown as "updated: +7 late answers"."""

    #: 1 for the first update, 2 for the next …
    number: int
    at: datetime
    #: Answers that arrived after the first version was built.
    late_answers: int
    #: Answers shown in the first version that were edited since.
    edited: int
    #: Answers shown in the first version that were deleted (or edited away) since.
    removed: int
    #: Answers to the reflection prompts in the recap's thread.
    takeaways: int
    #: Participants whose messages were removed at their request (forget-me); their answers
    #: are not counted in ``removed``.
    erased: int = 0

    @property
    def summary(self) -> str:
        """``+7 late answers, 2 edited, 1 removed, 3 takeaways`` (the parts that are not 0)."""
        parts = []
        if self.late_answers:
            parts.append(f"+{self.late_answers:,} late answer{_s(self.late_answers)}")
        if self.edited:
            parts.append(f"{self.edited:,} edited")
        if self.removed:
            parts.append(f"{self.removed:,} removed")
        if self.takeaways:
            parts.append(f"{self.takeaways:,} takeaway{_s(self.takeaways)}")
        if self.erased:
            whose = "participant's" if self.erased == 1 else "participants'"
            parts.append(f"{self.erased:,} {whose} messages removed at their request")
        return ", ".join(parts) or "reactions and corrections"


def _s(count: int) -> str:
    return "" if count == 1 else "s"


@dataclass(frozen=True, slots=True)
class Header:
    """The headline of the recap."""

    chat_id: str
    occurrence_id: int
    title: str
    hashtag: str
    timezone: str
    start: datetime
    duration: timedelta
    participants: int
    first_timers: int
    answers: int
    late_answers: int
    conversation: int
    resources: int
    #: Participants who opted out (counted in ``participants``, never named).
    opted_out: int
    hosts: tuple[Person, ...]
    guests: tuple[Person, ...]
    #: The chat's server when the chat file names it (answers then get Discord jump links).
    guild_id: int | None = None


@consented
@dataclass(frozen=True, slots=True)
class Recap:
    """Everything a learner reads about one occurrence."""

    header: Header
    #: Conversation before the first question (introductions).
    before: tuple[Quote, ...]
    questions: tuple[QuestionRecap, ...]
    resources: tuple[Resource, ...]
    open_questions: tuple[OpenQuestion, ...]
    prompts: tuple[str, ...]
    timeline: tuple[TimelineEntry, ...]
    takeaways: tuple[Takeaway, ...]
    #: Answers per minute from the start (index 0 is the first minute), for the chart.
    activity: tuple[int, ...]
    #: Set once the published recap has been updated (None: as first published).
    revision: Revision | None = None
    #: The Discord thread opened under the published recap where learners answer the
    #: prompts (None until it exists); a copy posted again points to it.
    reflection_thread: int | None = None
    #: Voices to follow: the (at most :data:`VOICES`) participants whose answers drew the
    #: most engagement from others, hosts left out; never someone who opted out.
    voices: tuple[Voice, ...] = ()
    #: The hosts whose answers drew engagement, listed apart ("your hosts").
    host_voices: tuple[Voice, ...] = ()
    #: Every named participant whose answers drew engagement, ranked (profiles read it).
    engagement: tuple[Engagement, ...] = ()
    #: The occurrence's polls (poll questions and /host polls), counts only: voters are
    #: never named.
    polls: tuple[PollResult, ...] = ()

    @property
    def late_answers(self) -> tuple[Quote, ...]:
        """Every late answer shown, in order."""
        return tuple(q for question in self.questions for q in question.transcript if q.late)
