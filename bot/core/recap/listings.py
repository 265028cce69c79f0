"""The recap's lists across the whole chat: the reading list (links shared), the open
questions (asked, never replied to) and the moderation timeline.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from bot.core.answers import Answer
from bot.core.plan import StepStatus
from bot.core.recap.model import OpenQuestion, Quote, Resource, TimelineEntry
from bot.core.recap.text import asked_questions, find_links, normalise_link, sentence_around
from bot.core.run import Record, Run

if TYPE_CHECKING:  # bot.core.cards imports bot.core.recap.text, which loads this package
    from bot.core.cards import LinkCard


def reading_list(
    messages: Sequence[Answer], quotes: dict[tuple[int, int], Quote], hidden: frozenset[int]
) -> tuple[Resource, ...]:
    """Every link shared, once, credited to the first participant who shared it and did not
    opt out (a link shared only by participants who opted out is left out), in time order."""
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


def with_cards(
    resources: Sequence[Resource], cards: Mapping[str, LinkCard]
) -> tuple[Resource, ...]:
    """``resources`` with the card of each link that has one. A card keeps no trace of whose
    message it came from: a list names the resource's sharer, through the consent filter."""
    return tuple(
        replace(resource, card=replace(card, message_id=0, author_id=0))
        if (card := cards.get(resource.url)) is not None
        else resource
        for resource in resources
    )


def _relocate(quote: Quote, link: str, start: int) -> tuple[int, int]:
    """Where ``link`` is in the quote's (possibly scrubbed) text."""
    found = quote.text.find(link)
    if found < 0:
        found = min(start, len(quote.text))
    return found, found + len(link)


def open_questions(
    messages: Sequence[Answer], quotes: dict[tuple[int, int], Quote], replies: Counter[int]
) -> tuple[OpenQuestion, ...]:
    """Questions participants asked in messages nobody replied to."""
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


def moderation_timeline(
    run: Run, records: Sequence[Record], hidden: frozenset[int]
) -> tuple[TimelineEntry, ...]:
    """The moderation records and the steps posted late, in time order; a moderator who
    opted out is "a moderator"."""
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
