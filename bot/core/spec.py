"""Chat specifications: what a moderator wrote in a chat file, as typed values.

A :class:`ChatSpec` is immutable and self-contained. It is validated from YAML by
:mod:`bot.chatfile`, stored as JSON with every occurrence (so a reload of the
files never changes a chat that is already running), and read by the schedule,
the plan and the run.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

#: Discord's limit for one message's content.
DISCORD_MESSAGE_LIMIT = 2000

_DURATION_PART = re.compile(r"(\d+)\s*([dhms])")
_DURATION_WHOLE = re.compile(r"^(?:\s*\d+\s*[dhms])+\s*$")
_UNIT_SECONDS = {"d": 86400, "h": 3600, "m": 60, "s": 1}

#: Shorthands accepted for ``repeat``; anything else must be an RFC 5545 RRULE.
REPEAT_SHORTHANDS = {
    "daily": "FREQ=DAILY",
    "weekly": "FREQ=WEEKLY",
    "biweekly": "FREQ=WEEKLY;INTERVAL=2",
    "monthly": "FREQ=MONTHLY",
}


class DurationError(ValueError):
    """A text that is not a duration such as ``90s``, ``8m``, ``1h30m`` or ``2d``."""


def parse_duration(text: str) -> timedelta:
    """Parse ``90s``, ``8m``, ``1h30m``, ``2d`` (units d, h, m, s; combinable).

    >>> parse_duration("1h30m")
    datetime.timedelta(seconds=5400)
    """
    if not isinstance(text, str) or not _DURATION_WHOLE.match(text.lower()):
        raise DurationError(f"{text!r} is not a duration; use 7m or 90s")
    seconds = sum(int(n) * _UNIT_SECONDS[u] for n, u in _DURATION_PART.findall(text.lower()))
    return timedelta(seconds=seconds)


def format_duration(delta: timedelta) -> str:
    """The inverse of :func:`parse_duration`: ``timedelta(seconds=5400)`` -> ``1h30m``."""
    total = int(delta.total_seconds())
    if total == 0:
        return "0s"
    sign = "-" if total < 0 else ""
    total = abs(total)
    parts = []
    for unit, size in _UNIT_SECONDS.items():
        count, total = divmod(total, size)
        if count:
            parts.append(f"{count}{unit}")
    return sign + "".join(parts)


#: Discord's poll limits: the question (with its ``Qn:`` label and hashtag), each option, the
#: number of options, and how long a poll may stay open (whole hours, 1 h to 32 days).
POLL_QUESTION_LIMIT = 300
POLL_OPTION_LIMIT = 55
POLL_OPTIONS_MAX = 10
POLL_DURATION_MIN = timedelta(hours=1)
POLL_DURATION_MAX = timedelta(days=32)
POLL_DURATION_DEFAULT = timedelta(hours=24)


@dataclass(frozen=True)
class PollSpec:
    """A question asked as a native Discord poll: its options, whether members may pick
    several, and how long it stays open. With a ``duration`` Discord ends it then (and a
    recap posted before is updated with the final results); without one the bot ends it
    when the recap is posted, so the recap has its final results."""

    options: tuple[str, ...]
    multiple: bool = False
    duration: timedelta | None = None

    @property
    def until_recap(self) -> bool:
        """Whether the bot ends it with the recap (no duration given)."""
        return self.duration is None

    @property
    def hours(self) -> int:
        """How long Discord keeps it open, in whole hours (a day when the bot ends it)."""
        return int((self.duration or POLL_DURATION_DEFAULT).total_seconds() // 3600)

    def to_plain(self) -> dict[str, Any]:
        plain: dict[str, Any] = {"options": list(self.options), "multiple": self.multiple}
        if self.duration is not None:
            plain["duration"] = self.duration.total_seconds()
        return plain

    @classmethod
    def from_plain(cls, plain: dict[str, Any]) -> PollSpec:
        return cls(
            options=tuple(plain["options"]),
            multiple=bool(plain.get("multiple", False)),
            duration=_seconds(plain.get("duration")),
        )


@dataclass(frozen=True)
class QuestionSpec:
    """One question of a chat.

    ``after`` is the time from the previous post (the intro for Q1) to this
    question; ``None`` means the chat's ``question_interval``. ``poll`` makes it a
    native Discord poll (its thread still opens for the why behind the votes).
    """

    text: str
    after: timedelta | None = None
    image: str | None = None
    poll: PollSpec | None = None
    #: A question suggested by a member (``/chat suggest``) and approved: its suggestion's id,
    #: who suggested it, and the name it is credited to ('' when they opted out of being
    #: named). Never written in chat files: added when an occurrence is planned.
    suggestion: int | None = None
    suggested_by: int | None = None
    credit: str = ""


@dataclass(frozen=True)
class RecapSpec:
    """Where the recap goes and what learners are asked to reflect on."""

    channel: int | None = None
    prompts: tuple[str, ...] = ()


#: Where ``suggestions.post_in`` may post suggestions for members to upvote.
SUGGESTIONS_POST_IN = ("chat", "moderators")


@dataclass(frozen=True)
class SuggestionsSpec:
    """Questions suggested with ``/chat suggest``: ``post_in`` is where each is posted for
    members to upvote with a 👍: ``chat`` (the chat's channel) or ``moderators`` (the
    moderator channel, else the chat's channel)."""

    post_in: str = "chat"


@dataclass(frozen=True)
class ChatSpec:
    """A chat as scheduled by its moderators. Times are local to ``timezone``.

    ``start`` is a naive local date and time; it is resolved to UTC by
    :mod:`bot.core.schedule`, which also documents how a local time that does
    not exist (spring forward) or happens twice (fall back) is handled.
    """

    id: str
    title: str
    hashtag: str
    channel: int
    timezone: str
    start: datetime
    questions: tuple[QuestionSpec, ...]
    guild: int | None = None
    repeat: str | None = None
    until: date | None = None
    count: int | None = None
    reminders: tuple[timedelta, ...] = ()
    intro: str = ""
    question_interval: timedelta = timedelta(minutes=8)
    last_call: timedelta | None = None
    closing: str = ""
    late_answers: timedelta = timedelta(minutes=30)
    max_late: timedelta = timedelta(minutes=30)
    recap: RecapSpec = field(default_factory=RecapSpec)
    #: Where notes meant for moderators go (a chat missed or cut short, a post that failed, a
    #: missing permission); ``None`` means the chat's ``channel``.
    moderator_channel: int | None = None
    hosts: tuple[int, ...] = ()
    guests: tuple[int, ...] = ()
    #: Questions suggested by members (``/chat suggest``): where they are posted.
    suggestions: SuggestionsSpec = field(default_factory=SuggestionsSpec)
    #: Where the spec came from: a chat file path, or ``None`` for chats
    #: scheduled at run time and kept only in the database.
    source: str | None = None

    @property
    def notice_channel(self) -> int:
        """The channel for notes to moderators: ``moderator_channel``, else ``channel``."""
        return self.moderator_channel or self.channel

    @property
    def suggestions_channel(self) -> int:
        """Where suggestions are posted: the chat's channel or the moderators' channel."""
        return self.notice_channel if self.suggestions.post_in == "moderators" else self.channel

    @property
    def rrule(self) -> str | None:
        """The recurrence as an RRULE body (no ``RRULE:`` prefix), or None for a one-off."""
        if self.repeat is None:
            return None
        shorthand = REPEAT_SHORTHANDS.get(self.repeat.strip().lower())
        if shorthand is not None:
            return shorthand
        rule = self.repeat.strip()
        return rule[len("RRULE:") :] if rule.upper().startswith("RRULE:") else rule

    def question_gap(self, number: int) -> timedelta:
        """The time from the post before question ``number`` (1-based) to it."""
        question = self.questions[number - 1]
        return question.after if question.after is not None else self.question_interval

    def question_offset(self, number: int) -> timedelta:
        """From the intro to question ``number`` (1-based), as planned."""
        return sum((self.question_gap(n) for n in range(1, number + 1)), timedelta())

    @property
    def run_length(self) -> timedelta:
        """From the intro to the closing: every question, plus one interval for the last."""
        total = sum((self.question_gap(n) for n in range(1, len(self.questions) + 1)), timedelta())
        return total + self.question_interval

    def to_json(self) -> str:
        """Serialise for storage; :meth:`from_json` restores an equal spec."""
        return json.dumps(_spec_to_plain(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> ChatSpec:
        """Restore a spec written by :meth:`to_json`."""
        return _spec_from_plain(json.loads(text))


def _spec_to_plain(spec: ChatSpec) -> dict[str, Any]:
    plain: dict[str, Any] = {
        "id": spec.id,
        "title": spec.title,
        "hashtag": spec.hashtag,
        "channel": spec.channel,
        "guild": spec.guild,
        "timezone": spec.timezone,
        "start": spec.start.isoformat(),
        "repeat": spec.repeat,
        "until": spec.until.isoformat() if spec.until else None,
        "count": spec.count,
        "reminders": [d.total_seconds() for d in spec.reminders],
        "intro": spec.intro,
        "questions": [_question_to_plain(q) for q in spec.questions],
        "question_interval": spec.question_interval.total_seconds(),
        "last_call": spec.last_call.total_seconds() if spec.last_call is not None else None,
        "closing": spec.closing,
        "late_answers": spec.late_answers.total_seconds(),
        "max_late": spec.max_late.total_seconds(),
        "recap": {"channel": spec.recap.channel, "prompts": list(spec.recap.prompts)},
        "hosts": list(spec.hosts),
        "guests": list(spec.guests),
        "source": spec.source,
    }
    # Written only when set, so a chat without it keeps the fingerprint it was stored with
    # (bot.storage.chats.spec_hash) and is not taken for a changed chat after an upgrade.
    if spec.moderator_channel is not None:
        plain["moderator_channel"] = spec.moderator_channel
    if spec.suggestions != SuggestionsSpec():
        plain["suggestions"] = {"post_in": spec.suggestions.post_in}
    return plain


def _question_to_plain(question: QuestionSpec) -> dict[str, Any]:
    plain: dict[str, Any] = {
        "text": question.text,
        "after": question.after.total_seconds() if question.after is not None else None,
        "image": question.image,
    }
    # Only for suggested questions, so a file's questions keep their stored fingerprint.
    if question.suggestion is not None:
        plain["suggestion"] = question.suggestion
        plain["suggested_by"] = question.suggested_by
        plain["credit"] = question.credit
    # Only when set, like moderator_channel: a chat without polls keeps its fingerprint.
    if question.poll is not None:
        plain["poll"] = question.poll.to_plain()
    return plain


def _seconds(value: float | None) -> timedelta | None:
    return None if value is None else timedelta(seconds=value)


def _spec_from_plain(plain: dict[str, Any]) -> ChatSpec:
    return ChatSpec(
        id=plain["id"],
        title=plain["title"],
        hashtag=plain["hashtag"],
        channel=int(plain["channel"]),
        guild=plain.get("guild"),
        timezone=plain["timezone"],
        start=datetime.fromisoformat(plain["start"]),
        repeat=plain.get("repeat"),
        until=date.fromisoformat(plain["until"]) if plain.get("until") else None,
        count=plain.get("count"),
        reminders=tuple(timedelta(seconds=s) for s in plain.get("reminders", [])),
        intro=plain.get("intro", ""),
        questions=tuple(
            QuestionSpec(
                text=q["text"],
                after=_seconds(q.get("after")),
                image=q.get("image"),
                poll=PollSpec.from_plain(q["poll"]) if q.get("poll") else None,
                suggestion=q.get("suggestion"),
                suggested_by=q.get("suggested_by"),
                credit=q.get("credit", ""),
            )
            for q in plain["questions"]
        ),
        question_interval=timedelta(seconds=plain["question_interval"]),
        last_call=_seconds(plain.get("last_call")),
        closing=plain.get("closing", ""),
        late_answers=timedelta(seconds=plain["late_answers"]),
        max_late=timedelta(seconds=plain.get("max_late", 1800)),
        recap=RecapSpec(
            channel=plain.get("recap", {}).get("channel"),
            prompts=tuple(plain.get("recap", {}).get("prompts", [])),
        ),
        moderator_channel=plain.get("moderator_channel"),
        hosts=tuple(plain.get("hosts", [])),
        guests=tuple(plain.get("guests", [])),
        suggestions=SuggestionsSpec(**plain.get("suggestions", {})),
        source=plain.get("source"),
    )
