"""Building the recap model: what learners read after the chat, computed from stored answers.

:func:`build_recap` turns one occurrence (its spec, its run, its answers and
conversation, who opted out, who came for the first time, the moderation
timeline, and any reflection answers) into a :class:`~bot.core.recap.model.Recap`.
Renderers in :mod:`bot.render` turn the model into Discord messages, Markdown,
HTML, JSON and a chart; none of them needs anything else.

Privacy rules, enforced here so that no renderer can get them wrong:

* participants who opted out are **counted** (answers, participants, reply and
  share counts) but never named or quoted: their messages are not in the model,
  their names and mentions in other people's messages read "a participant",
  and their words never make a theme;
* participants who asked to be forgotten: what they posted up to their request is left
  out entirely, as if never said (:class:`bot.core.consent.Consent` is the one filter);
* deleted messages are left out entirely (storage already gives each message
  in its last, edited form);
* voices to follow (:mod:`~bot.core.recap.voices`) never name someone who opted out;
  reactions and replies count by distinct people, never the author's own.

This module puts the recap together; the parts are in sibling modules:
:mod:`~bot.core.recap.privacy` (scrubbing and quoting), :mod:`~bot.core.recap.questions`
(one question each), :mod:`~bot.core.recap.listings` (reading list, open questions,
moderation timeline), over the text analysis in :mod:`~bot.core.recap.text` (links,
sentences, words) and :mod:`~bot.core.recap.themes` (TF-IDF themes and centrality).

Pure: no I/O and no clock; linear in the number of answers.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from bot.core.answers import Answer
from bot.core.consent import Consent
from bot.core.plan import StepKind, StepStatus
from bot.core.recap.listings import moderation_timeline, open_questions, reading_list
from bot.core.recap.model import Header, QuestionRecap, Quote, Recap, Resource, Takeaway
from bot.core.recap.privacy import Scrubber, people, to_quote
from bot.core.recap.questions import QuestionContext, question_recap
from bot.core.recap.text import defuse_mentions
from bot.core.recap.themes import TextModel
from bot.core.recap.voices import find_voices
from bot.core.run import Record, Run
from bot.core.spec import ChatSpec

__all__ = ["build_recap"]


def build_recap(
    spec: ChatSpec,
    run: Run,
    answers: Sequence[Answer],
    *,
    opted_out: Collection[int] = frozenset(),
    consent: Consent | None = None,
    first_timers: Collection[int] = frozenset(),
    timeline: Sequence[Record] = (),
    takeaways: Sequence[Takeaway] = (),
    known_names: Mapping[int, str] | None = None,
    reactors: Mapping[int, Collection[int]] | None = None,
) -> Recap:
    """The recap of ``run``. ``answers`` are its stored messages (answers and conversation);
    deleted ones are left out here too. ``first_timers`` are participants whose first answer
    in this chat is in this occurrence. ``known_names`` name hosts and guests who did not
    post in this occurrence (as seen elsewhere); the names they post under here win.

    ``consent`` is the one filter (:class:`bot.core.consent.Consent`): who opted out and who
    asked to be forgotten; ``opted_out`` adds to its opt-outs (a shortcut for tests).
    ``reactors`` says who reacted to each message (by message id), for the voices to follow;
    without it only replies count."""
    consent = consent or Consent()
    if opted_out:
        consent = replace(consent, opted_out=consent.opted_out | frozenset(opted_out))
    answers = consent.words(answers, "author_id", "created_at")
    takeaways = consent.words(takeaways, "author_id", "at")
    chat = _read_messages(answers, consent.hidden)
    start = _start(run)
    resources = reading_list(chat.messages, chat.quotes, chat.hidden)
    voices = find_voices(chat.messages, chat.quotes, reactors or {}, chat.hidden, spec.hosts)
    return Recap(
        header=_header(spec, run, chat, start, resources, first_timers, known_names),
        before=tuple(
            chat.quotes[a.message_id, a.part]
            for a in chat.messages
            if a.question is None and a.author_id not in chat.hidden
        ),
        questions=_questions(spec, run, chat),
        resources=resources,
        open_questions=open_questions(chat.messages, chat.quotes, chat.replies),
        prompts=tuple(defuse_mentions(prompt) for prompt in spec.recap.prompts),
        timeline=moderation_timeline(run, timeline, chat.hidden),
        takeaways=_takeaways(takeaways, chat),
        activity=_activity(chat.answered, start),
        voices=voices.voices,
        host_voices=voices.hosts,
        engagement=voices.engagement,
    )


@dataclass(frozen=True)
class _Messages:
    """An occurrence's messages as every part of the recap reads them."""

    #: Every message that was not deleted, in the order it was sent.
    messages: list[Answer]
    #: Participants who opted out.
    hidden: frozenset[int]
    scrub: Scrubber
    #: Each author's name as they posted in this occurrence.
    names: dict[int, str]
    #: How many replies each message got, by message id.
    replies: Counter[int]
    #: The quote of each message (by message id and part) whose author did not opt out.
    quotes: dict[tuple[int, int], Quote]
    #: The answers among ``messages`` (not conversation), in order.
    answered: list[Answer]


def _read_messages(answers: Sequence[Answer], hidden: frozenset[int]) -> _Messages:
    messages = sorted(
        (a for a in answers if not a.deleted), key=lambda a: (a.created_at, a.message_id, a.part)
    )
    scrub = Scrubber(messages, hidden)
    authors = {a.message_id: a.author_id for a in messages}
    names = {a.author_id: a.author_name for a in messages}
    replies: Counter[int] = Counter(a.reply_to for a in messages if a.reply_to is not None)
    quotes = {
        (a.message_id, a.part): to_quote(a, scrub, authors, names, hidden)
        for a in messages
        if a.author_id not in hidden
    }
    answered = [a for a in messages if a.is_answer]
    return _Messages(messages, hidden, scrub, names, replies, quotes, answered)


def _header(
    spec: ChatSpec,
    run: Run,
    chat: _Messages,
    start: datetime,
    resources: Sequence[Resource],
    first_timers: Collection[int],
    known_names: Mapping[int, str] | None,
) -> Header:
    participants = {a.author_id for a in chat.messages}
    host_names = {**known_names, **chat.names} if known_names else chat.names
    return Header(
        chat_id=spec.id,
        occurrence_id=run.occurrence_id,
        title=defuse_mentions(spec.title),
        hashtag=spec.hashtag,
        timezone=spec.timezone,
        start=start,
        duration=_end(run, spec, start) - start,
        participants=len(participants),
        first_timers=len(participants & set(first_timers)),
        answers=len(chat.answered),
        late_answers=sum(1 for a in chat.answered if a.late),
        conversation=len(chat.messages) - len(chat.answered),
        resources=len(resources),
        opted_out=len(participants & chat.hidden),
        hosts=people(spec.hosts, host_names, chat.hidden),
        guests=people(spec.guests, host_names, chat.hidden),
        guild_id=spec.guild,
    )


def _questions(spec: ChatSpec, run: Run, chat: _Messages) -> tuple[QuestionRecap, ...]:
    """Every question of the plan; themes and typical answers come from the answers shown."""
    visible_answers = [a for a in chat.answered if a.author_id not in chat.hidden]
    excluded = chat.scrub.words | {spec.hashtag.lstrip("#").lower(), spec.id.lower()}
    model = TextModel(
        [chat.quotes[a.message_id, a.part].text for a in visible_answers],
        [a.question or 0 for a in visible_answers],
        excluded,
    )
    context = QuestionContext(chat.quotes, chat.replies, model, visible_answers)
    by_question: dict[int | None, list[Answer]] = {}
    for a in chat.messages:
        by_question.setdefault(a.question, []).append(a)
    return tuple(
        question_recap(spec, run, number, by_question.get(number, []), context, chat.hidden)
        for number in range(1, len(spec.questions) + 1)
    )


def _takeaways(takeaways: Sequence[Takeaway], chat: _Messages) -> tuple[Takeaway, ...]:
    """The reflection answers of participants who did not opt out, scrubbed like quotes."""
    return tuple(
        Takeaway(
            t.prompt,
            t.author_id,
            defuse_mentions(t.author),
            chat.scrub.text(t.text),
            t.at,
            t.message_id,
        )
        for t in takeaways
        if t.author_id not in chat.hidden
    )


def _activity(answers: Sequence[Answer], start: datetime) -> tuple[int, ...]:
    per_minute: Counter[int] = Counter(
        max(int((a.created_at - start).total_seconds() // 60), 0) for a in answers
    )
    if not per_minute:
        return ()
    return tuple(per_minute[minute] for minute in range(max(per_minute) + 1))


def _start(run: Run) -> datetime:
    """When the chat actually started: the intro's time once it was posted."""
    intro = next((s for s in run.steps if s.kind is StepKind.INTRO), None)
    if intro is not None and intro.status is StepStatus.DONE:
        return intro.due
    return run.start


def _end(run: Run, spec: ChatSpec, start: datetime) -> datetime:
    closing = next((s for s in run.steps if s.kind is StepKind.CLOSING), None)
    if closing is not None and closing.status is StepStatus.DONE:
        return closing.due
    return start + spec.run_length
