"""Recaps from storage: the model for one occurrence, and the Discord post made from it.

:func:`load_recap` reads what :func:`bot.core.recap.build_recap` needs (answers,
takeaways, opt-outs, first-time participants, the moderation timeline, and what
changed since the recap was first published); :func:`recap_post` renders the
Discord messages and the attached files. The engine's recap step, the live
recap's updates (:mod:`bot.runtime.live_recaps`), ``python -m bot recap`` and the
archive all go through here.
"""

from __future__ import annotations

import asyncio
from collections.abc import Collection, Sequence
from dataclasses import replace
from datetime import date, datetime
from typing import Protocol

from bot.archive.links import recap_page_url
from bot.core.answers import AnswerSource
from bot.core.boards import BoardView, SharedLink
from bot.core.errors import ChatNotFound, OccurrenceNotFound
from bot.core.ports import (
    AnswerStore,
    BackfillReads,
    BoardStore,
    CardStore,
    ChatStore,
    LiveRecapStore,
    Occurrence,
    OccurrenceStore,
    ParticipantStore,
    PeopleStore,
    PollStore,
    PostRequest,
)
from bot.core.profiles import PublicProfile
from bot.core.recap import Recap, Revision, Takeaway, build_recap
from bot.core.recap.listings import with_cards
from bot.core.run import Phase
from bot.core.schedule import to_local
from bot.core.series import Series, SeriesPart
from bot.render import recap_files
from bot.render.discord_post import render_discord
from bot.runtime.board_views import board_views
from bot.runtime.people import chat_series, consent_of, published_profiles
from bot.runtime.polls import result_of
from bot.runtime.speed import collection_paused


class RecapStore(
    AnswerStore, BackfillReads, ParticipantStore, LiveRecapStore, CardStore, PollStore, Protocol
):
    """What a recap model is built from: answers and who reacted to them, participants'
    consent, the live recap, the link cards of the reading list, the polls' votes."""


class RecapArchiveStore(RecapStore, ChatStore, OccurrenceStore, PeopleStore, BoardStore, Protocol):
    """What finding past occurrences and their recaps reads (exports and the archive, with its
    profile and series pages)."""


async def load_recap(
    store: RecapStore, occurrence: Occurrence, *, revision: Revision | None = None
) -> Recap:
    """The recap model of ``occurrence`` as storage has it now.

    Messages in the recap's reflection thread become its takeaways. ``revision`` says
    what changed since the recap was first published; by default it is the stored
    one (None while the published recap was never updated).
    """
    run = occurrence.run
    stored = await store.answers(run.occurrence_id)
    answers = [a for a in stored if a.source is not AnswerSource.TAKEAWAY]
    takeaways = [
        Takeaway(a.question or 0, a.author_id, a.author_name, a.content, a.created_at, a.message_id)
        for a in stored
        if a.source is AnswerSource.TAKEAWAY
    ]
    consent = await consent_of(store)
    firsts = await store.first_timers(run.occurrence_id, run.chat_id, run.start)
    spec = occurrence.spec
    known = await store.participant_names([*spec.hosts, *spec.guests])
    reactors = {
        message_id: {user for user, _ in reactions}
        for message_id, reactions in (await store.reactions_of(run.occurrence_id)).items()
        if reactions
    }
    if revision is None:
        revision = await stored_revision(store, run.occurrence_id)
    with collection_paused():
        recap = build_recap(
            occurrence.spec,
            run,
            answers,
            consent=consent,
            first_timers=firsts,
            timeline=occurrence.records,
            takeaways=takeaways,
            known_names=known,
            reactors=reactors,
        )
    cards = await store.cards_for([resource.url for resource in recap.resources])
    live = await store.live_recap(run.occurrence_id)
    thread = live.thread_id if live is not None else None
    polls = tuple(result_of(tally) for tally in await store.poll_tallies(run.occurrence_id))
    return replace(
        recap,
        revision=revision,
        reflection_thread=thread,
        resources=with_cards(recap.resources, cards),
        polls=polls,
    )


async def stored_revision(
    store: RecapStore, occurrence_id: int, *, next_at: datetime | None = None
) -> Revision | None:
    """What changed since the occurrence's recap was first published: as of its last
    update (None if it was never updated), or, with ``next_at``, for an update made then."""
    live = await store.live_recap(occurrence_id)
    if live is None or (next_at is None and (live.revision == 0 or live.updated_at is None)):
        return None
    changes = await store.recap_changes(occurrence_id, live.as_of)
    number = live.revision + 1 if next_at is not None else live.revision
    at = next_at or live.updated_at
    assert at is not None
    return Revision(
        number=number,
        at=at,
        late_answers=changes.late_answers,
        edited=changes.edited,
        removed=max(
            0,
            live.shown_answers + changes.late_answers - changes.answers - live.erased_answers,
        ),
        takeaways=changes.takeaways,
        erased=live.erased,
    )


def recap_post(recap: Recap, request: PostRequest, archive_url: str | None = None) -> PostRequest:
    """``request`` with the recap's Discord text, embeds, continuation messages and files;
    with ``archive_url`` (``ARCHIVE_URL``), the text links to the recap's archive page.

    The embeds are spread over the messages by
    :func:`bot.render.discord_limits.group_embeds`, as the renderer planned them.
    """
    link = recap_page_url(archive_url, recap) if archive_url else None
    with collection_paused():
        messages = render_discord(recap, archive_link=link)
        files = recap_files(recap)
    return replace(
        request,
        text=messages[0].content,
        continuation=tuple(message.content for message in messages[1:]),
        embeds=tuple(embed for message in messages for embed in message.embeds),
        files=files,
    )


async def recap_request(
    store: RecapStore,
    occurrence: Occurrence,
    request: PostRequest,
    *,
    revision: Revision | None = None,
    archive_url: str | None = None,
) -> PostRequest:
    """Build and render the recap of ``occurrence`` for ``request`` (rendering, chart included,
    runs in a worker thread so the event loop keeps serving other chats); ``archive_url``: see
    :func:`recap_post`."""
    recap = await load_recap(store, occurrence, revision=revision)
    return await asyncio.to_thread(recap_post, recap, request, archive_url)


async def find_occurrence(store: RecapArchiveStore, chat_id: str, on: date | None) -> Occurrence:
    """The occurrence of ``chat_id`` that started on local date ``on`` (the latest that day), or
    by default its latest recapped one. Raises :class:`ChatNotFound` or
    :class:`OccurrenceNotFound` with a sentence that says what exists."""
    known = sorted(spec.id for spec in await store.chat_specs(active_only=False))
    if chat_id not in known:
        listing = ", ".join(known) if known else "none yet"
        raise ChatNotFound(f"no chat {chat_id!r} in the database (chats: {listing})")
    history = await store.occurrences(chat_id=chat_id)
    started = [o for o in history if o.run.started]

    def local_date(occurrence: Occurrence) -> date:
        return to_local(occurrence.run.start, occurrence.spec.timezone).date()

    if on is None:
        recapped = [o for o in started if o.run.phase is Phase.RECAPPED]
        if recapped:
            return recapped[-1]
        raise OccurrenceNotFound(
            f"{chat_id} has no recapped occurrence yet"
            + (
                f"; pass --occurrence {local_date(started[-1])} for the one that is live"
                if started
                else ""
            )
        )
    chosen = [o for o in started if local_date(o) == on]
    if chosen:
        return chosen[-1]
    dates = ", ".join(str(local_date(o)) for o in started[-5:]) or "none yet"
    raise OccurrenceNotFound(f"{chat_id} has no occurrence on {on} (recent dates: {dates})")


#: The formats of ``python -m bot recap``.
FORMATS = ("md", "html", "json", "png")


def render_format(recap: Recap, fmt: str) -> bytes:
    """The recap as one file's bytes: ``md``, ``html`` (chart inside), ``json`` or ``png``."""
    from bot.render.chart import render_chart  # matplotlib is heavy: load it when drawing
    from bot.render.html_page import render_html
    from bot.render.json_data import render_json
    from bot.render.markdown import render_markdown

    with collection_paused():
        if fmt == "md":
            return render_markdown(recap).encode("utf-8")
        if fmt == "html":
            return render_html(recap, render_chart(recap)).encode("utf-8")
        if fmt == "json":
            return render_json(recap).encode("utf-8")
        if fmt == "png":
            return render_chart(recap)
    raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")


async def export_recap(store: RecapArchiveStore, chat_id: str, on: date | None, fmt: str) -> bytes:
    """The recap of one occurrence (see :func:`find_occurrence`) in format ``fmt``."""
    occurrence = await find_occurrence(store, chat_id, on)
    return render_format(await load_recap(store, occurrence), fmt)


def archived(occurrence: Occurrence) -> bool:
    """True for a past occurrence that has a recap: it started and nothing more will be posted
    (recapped, or finished otherwise after it started)."""
    return occurrence.run.started and occurrence.run.phase.finished


class StoredRecaps:
    """The recap models of past occurrences, read from a store: the archive's read API
    (:class:`bot.core.ports.RecapReader`), so the archive needs neither the runtime nor
    a storage backend."""

    def __init__(self, store: RecapArchiveStore) -> None:
        self.store = store
        #: Each past occurrence's part of its chat's series, kept between calls.
        self._series_parts: dict[int, SeriesPart] = {}

    async def archived(self) -> list[Occurrence]:
        """Past occurrences that have a recap, oldest first."""
        return [o for o in await self.store.occurrences() if archived(o)]

    async def recap(self, occurrence: Occurrence) -> Recap:
        """The recap model of ``occurrence`` as storage has it now."""
        return await load_recap(self.store, occurrence)

    async def public_profiles(self) -> list[PublicProfile]:
        """The profiles that get a page (consent applied)."""
        return await published_profiles(self.store)

    async def series(self, chat_id: str, changed: Collection[int] | None = None) -> Series:
        """The chat's community over its past occurrences; the occurrences not in ``changed``
        are not read again when an earlier call read them (None: all are read again)."""
        return await chat_series(self.store, chat_id, parts=self._series_parts, changed=changed)

    async def boards(self, links: Sequence[SharedLink]) -> list[BoardView]:
        """Every server board with its cards from ``links`` and the saves to it (never
        anyone's My saves)."""
        return await board_views(self.store, links)
