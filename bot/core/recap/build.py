"""The recap model: what learners read after the chat, computed from stored answers.

:func:`build_recap` turns one occurrence (its spec, its run, its answers and
conversation, who opted out, who came for the first time, the moderation
timeline, and any reflection answers) into a :class:`Recap`. Renderers in
:mod:`bot.render` turn the model into Discord messages, Markdown, HTML, JSON
and a chart; none of them needs anything else.

Privacy rules, enforced here so that no renderer can get them wrong:

* participants who opted out are **counted** (answers, participants, reply and
  share counts) but never named or quoted: their messages are not in the model,
  their names and mentions in other people's messages read "a participant",
  and their words never make a theme;
* deleted messages are left out entirely (storage already gives each message
  in its last, edited form).

The types live in :mod:`bot.core.recap.model`; the text analysis in
:mod:`bot.core.recap.text` (links, sentences, words) and
:mod:`bot.core.recap.themes` (TF-IDF themes and centrality). The package
(:mod:`bot.core.recap`) re-exports the model and :func:`build_recap`.

Pure: no I/O and no clock; linear in the number of answers.
"""

from __future__ import annotations

import heapq
import re
from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.core.answers import Answer
from bot.core.plan import StepKind, StepStatus
from bot.core.recap.model import (
    ANONYMOUS,
    HIGHLIGHTS,
    THEMES,
    Header,
    OpenQuestion,
    Person,
    QuestionRecap,
    QuestionStatus,
    Quote,
    Recap,
    Resource,
    Revision,
    SideConversation,
    Takeaway,
    TimelineEntry,
)
from bot.core.recap.text import (
    STOP_WORDS,
    asked_questions,
    defuse_mentions,
    find_links,
    normalise_link,
    sentence_around,
)
from bot.core.recap.themes import TextModel, Theme
from bot.core.run import Record, Run
from bot.core.spec import ChatSpec

__all__ = [
    "ANONYMOUS",
    "Header",
    "OpenQuestion",
    "Person",
    "QuestionRecap",
    "QuestionStatus",
    "Quote",
    "Recap",
    "Resource",
    "Revision",
    "SideConversation",
    "Takeaway",
    "Theme",
    "TimelineEntry",
    "build_recap",
]


def build_recap(
    spec: ChatSpec,
    run: Run,
    answers: Sequence[Answer],
    *,
    opted_out: Collection[int] = frozenset(),
    first_timers: Collection[int] = frozenset(),
    timeline: Sequence[Record] = (),
    takeaways: Sequence[Takeaway] = (),
    known_names: Mapping[int, str] | None = None,
) -> Recap:
    """The recap of ``run``. ``answers`` are its stored messages (answers and conversation);
    deleted ones are left out here too. ``first_timers`` are participants whose first answer
    in this chat is in this occurrence. ``known_names`` name hosts and guests who did not
    post in this occurrence (as seen elsewhere); the names they post under here win."""
    messages = sorted(
        (a for a in answers if not a.deleted), key=lambda a: (a.created_at, a.message_id, a.part)
    )
    hidden = frozenset(opted_out)
    scrub = _Scrubber(messages, hidden)
    authors = {a.message_id: a.author_id for a in messages}
    names = {a.author_id: a.author_name for a in messages}
    replies: Counter[int] = Counter(a.reply_to for a in messages if a.reply_to is not None)
    quotes = {
        (a.message_id, a.part): _quote(a, scrub, authors, names, hidden)
        for a in messages
        if a.author_id not in hidden
    }
    start = _start(run)
    answered = [a for a in messages if a.is_answer]
    visible_answers = [a for a in answered if a.author_id not in hidden]
    excluded = scrub.words | {spec.hashtag.lstrip("#").lower(), spec.id.lower()}
    model = TextModel(
        [quotes[a.message_id, a.part].text for a in visible_answers],
        [a.question or 0 for a in visible_answers],
        excluded,
    )
    context = _Context(quotes, replies, model, visible_answers)
    by_question: dict[int | None, list[Answer]] = {}
    for a in messages:
        by_question.setdefault(a.question, []).append(a)
    questions = tuple(
        _question(spec, run, number, by_question.get(number, []), context, hidden)
        for number in range(1, len(spec.questions) + 1)
    )
    resources = _resources(messages, quotes, hidden)
    participants = {a.author_id for a in messages}
    host_names = {**known_names, **names} if known_names else names
    header = Header(
        chat_id=spec.id,
        occurrence_id=run.occurrence_id,
        title=defuse_mentions(spec.title),
        hashtag=spec.hashtag,
        timezone=spec.timezone,
        start=start,
        duration=_end(run, spec, start) - start,
        participants=len(participants),
        first_timers=len(participants & set(first_timers)),
        answers=len(answered),
        late_answers=sum(1 for a in answered if a.late),
        conversation=len(messages) - len(answered),
        resources=len(resources),
        opted_out=len(participants & hidden),
        hosts=_people(spec.hosts, host_names, hidden),
        guests=_people(spec.guests, host_names, hidden),
    )
    return Recap(
        header=header,
        before=tuple(
            quotes[a.message_id, a.part]
            for a in messages
            if a.question is None and a.author_id not in hidden
        ),
        questions=questions,
        resources=resources,
        open_questions=_open_questions(messages, quotes, replies),
        prompts=tuple(defuse_mentions(prompt) for prompt in spec.recap.prompts),
        timeline=_timeline(run, timeline, hidden),
        takeaways=tuple(
            Takeaway(
                t.prompt,
                t.author_id,
                defuse_mentions(t.author),
                scrub.text(t.text),
                t.at,
                t.message_id,
            )
            for t in takeaways
            if t.author_id not in hidden
        ),
        activity=_activity(answered, start),
    )


# --- privacy ------------------------------------------------------------------------------


class _Scrubber:
    """Replaces the names and mentions of participants who opted out in other people's text."""

    def __init__(self, messages: Sequence[Answer], hidden: frozenset[int]) -> None:
        hidden_names = {a.author_name for a in messages if a.author_id in hidden}
        shown_names = {a.author_name for a in messages if a.author_id not in hidden}
        names = sorted(
            (
                name
                for name in hidden_names - shown_names
                if len(name) >= 3 and name.lower() not in STOP_WORDS
            ),
            key=lambda name: (-len(name), name),
        )
        ids = "|".join(str(user_id) for user_id in sorted(hidden))
        self._mentions = re.compile(rf"<@!?(?:{ids})>") if ids else None
        self._lowered = [name.lower() for name in names]
        self._names = (
            re.compile("|".join(rf"(?<!\w)@?{re.escape(n)}(?!\w)" for n in names), re.IGNORECASE)
            if names
            else None
        )
        #: Words that never make a theme: the chat's hidden names.
        self.words = frozenset(re.findall(r"\w+", " ".join(names).lower()))

    def text(self, text: str) -> str:
        """``text`` with every reference to a hidden participant made anonymous, and
        mentions defused (see :func:`defuse_mentions`)."""
        # The substring checks spare the regular expressions on most messages.
        if self._mentions is not None and "<@" in text:
            text = self._mentions.sub(ANONYMOUS, text)
        if self._names is not None:
            lowered = text.lower()
            if any(name in lowered for name in self._lowered):
                text = self._names.sub(ANONYMOUS, text)
        return defuse_mentions(text)


def _quote(
    answer: Answer,
    scrub: _Scrubber,
    authors: dict[int, int],
    names: dict[int, str],
    hidden: frozenset[int],
) -> Quote:
    replying_to = None
    if answer.reply_to is not None and answer.reply_to in authors:
        target = authors[answer.reply_to]
        replying_to = ANONYMOUS if target in hidden else defuse_mentions(names[target])
    return Quote(
        message_id=answer.message_id,
        part=answer.part,
        author_id=answer.author_id,
        author=defuse_mentions(answer.author_name),
        text=scrub.text(answer.content),
        at=answer.created_at,
        question=answer.question,
        is_answer=answer.is_answer,
        reactions=answer.reactions,
        late=answer.late,
        edited=answer.edited_at is not None,
        reply_to=answer.reply_to,
        replying_to=replying_to,
    )


def _people(
    user_ids: Iterable[int], names: dict[int, str], hidden: frozenset[int]
) -> tuple[Person, ...]:
    return tuple(Person(u, defuse_mentions(names.get(u, ""))) for u in user_ids if u not in hidden)


# --- per question -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Context:
    quotes: dict[tuple[int, int], Quote]
    replies: Counter[int]
    model: TextModel
    visible_answers: list[Answer]


def _question(
    spec: ChatSpec,
    run: Run,
    number: int,
    mine: Sequence[Answer],
    context: _Context,
    hidden: frozenset[int],
) -> QuestionRecap:
    """Question ``number``; ``mine`` are its messages, in order."""
    step = next(
        (s for s in run.steps if s.kind is StepKind.QUESTION and s.question == number), None
    )
    if step is not None and step.status is StepStatus.DONE:
        status = QuestionStatus.POSTED
    elif step is not None and step.status is StepStatus.SKIPPED:
        status = QuestionStatus.SKIPPED
    else:
        status = QuestionStatus.NOT_POSTED
    answered = [a for a in mine if a.is_answer]
    shown = [context.quotes[a.message_id, a.part] for a in mine if a.author_id not in hidden]
    shown_answers = [q for q in shown if q.is_answer]
    representative, contrasting = context.model.central(number)
    return QuestionRecap(
        number=number,
        text=defuse_mentions(spec.questions[number - 1].text),
        status=status,
        posted_at=step.due if status is QuestionStatus.POSTED and step is not None else None,
        posted_late=bool(step is not None and step.late),
        note=step.note if step is not None and status is QuestionStatus.SKIPPED else "",
        answers=len(answered),
        answerers=len({a.author_id for a in answered}),
        late_answers=sum(1 for a in answered if a.late),
        withheld=sum(1 for a in answered if a.author_id in hidden),
        highlights=tuple(
            heapq.nsmallest(
                HIGHLIGHTS,
                (q for q in shown_answers if q.reactions > 0),
                key=lambda q: (-q.reactions, q.at, q.message_id, q.part),
            )
        ),
        themes=context.model.themes(number, THEMES, asked=spec.questions[number - 1].text),
        representative=_document_quote(context, representative),
        contrasting=_document_quote(context, contrasting),
        conversation=_side_conversation(shown_answers, shown, context.replies),
        transcript=tuple(shown),
    )


def _document_quote(context: _Context, index: int | None) -> Quote | None:
    if index is None:
        return None
    answer = context.visible_answers[index]
    return context.quotes[answer.message_id, answer.part]


def _side_conversation(
    answers: Sequence[Quote], shown: Sequence[Quote], replies: Counter[int]
) -> SideConversation | None:
    best: Quote | None = None
    for quote in answers:  # in order, so a tie stays with the earliest
        if replies[quote.message_id] and (
            best is None or replies[quote.message_id] > replies[best.message_id]
        ):
            best = quote
    if best is None:
        return None
    root = best.message_id
    return SideConversation(
        answer=best,
        replies=replies[root],
        shown=tuple(q for q in shown if q.reply_to == root and q.message_id != root),
    )


# --- across the chat ----------------------------------------------------------------------


def _resources(
    messages: Sequence[Answer], quotes: dict[tuple[int, int], Quote], hidden: frozenset[int]
) -> tuple[Resource, ...]:
    first: dict[str, tuple[Quote, str]] = {}
    sharers: dict[str, set[int]] = {}
    shares: Counter[str] = Counter()
    for answer in messages:
        if "://" not in answer.content:
            continue
        links = find_links(answer.content)
        seen: set[str] = set()
        for start, _, link in links:
            url = normalise_link(link)
            if url is None or url in seen:
                continue
            seen.add(url)
            shares[url] += 1
            sharers.setdefault(url, set()).add(answer.author_id)
            if url not in first and answer.author_id not in hidden:
                quote = quotes[answer.message_id, answer.part]
                first[url] = (quote, sentence_around(quote.text, *_relocate(quote, link, start)))
    resources = [
        Resource(
            url=url,
            shared_by=quote.author,
            shared_by_id=quote.author_id,
            sharers=len(sharers[url]),
            shares=shares[url],
            question=quote.question,
            context=context,
            at=quote.at,
        )
        for url, (quote, context) in first.items()
    ]
    return tuple(sorted(resources, key=lambda r: r.at))


def _relocate(quote: Quote, link: str, start: int) -> tuple[int, int]:
    """Where ``link`` is in the quote's (possibly scrubbed) text."""
    found = quote.text.find(link)
    if found < 0:
        found = min(start, len(quote.text))
    return found, found + len(link)


def _open_questions(
    messages: Sequence[Answer], quotes: dict[tuple[int, int], Quote], replies: Counter[int]
) -> tuple[OpenQuestion, ...]:
    found: list[OpenQuestion] = []
    for answer in messages:
        quote = quotes.get((answer.message_id, answer.part))
        if quote is None or replies[answer.message_id] or "?" not in quote.text:
            continue
        asked = asked_questions(quote.text)
        if asked:
            found.append(
                OpenQuestion(
                    author=quote.author,
                    author_id=quote.author_id,
                    text=" ".join(asked),
                    question=quote.question,
                    at=quote.at,
                    message_id=quote.message_id,
                )
            )
    return tuple(found)


def _timeline(
    run: Run, records: Sequence[Record], hidden: frozenset[int]
) -> tuple[TimelineEntry, ...]:
    hidden_ids = {str(user_id) for user_id in hidden}
    entries = [
        TimelineEntry(
            at=record.at,
            action=record.action,
            actor="a moderator" if record.actor in hidden_ids else record.actor,
            detail=record.detail,
        )
        for record in records
    ]
    for step in run.steps:
        if step.late and step.status is StepStatus.DONE:
            label = f"Q{step.question}" if step.question else step.kind.value.replace("_", " ")
            entries.append(TimelineEntry(step.due, "posted late", "bot", label))
    return tuple(sorted(entries, key=lambda entry: entry.at))


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
