"""Recaps from storage: the model for one occurrence, and the Discord post made from it.

:func:`load_recap` reads what :func:`bot.core.recap.build_recap` needs (answers,
opt-outs, first-time participants, the moderation timeline); :func:`recap_post`
renders the Discord messages and the attached files. Both the engine's recap
step and ``python -m bot recap`` go through here.
"""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import date

from bot.core.errors import ChatNotFound, OccurrenceNotFound
from bot.core.ports import Occurrence, PostRequest
from bot.core.recap import Recap, build_recap
from bot.core.run import Phase
from bot.core.schedule import to_local
from bot.render import recap_files
from bot.render.discord_post import render_discord
from bot.storage import SqliteStore
from bot.storage._convert import ts

# Participants of this occurrence who never answered in an earlier occurrence of the chat.
# (A read-only query over the answers and occurrences tables; it belongs in the answers
# repository once that settles.)
_FIRST_TIMERS = """
SELECT DISTINCT a.author_id FROM answers a
WHERE a.occurrence_id = ? AND a.deleted = 0 AND a.source != 'conversation'
  AND NOT EXISTS (
    SELECT 1 FROM answers b JOIN occurrences o ON o.id = b.occurrence_id
    WHERE b.author_id = a.author_id AND o.chat_id = ? AND b.source != 'conversation'
      AND (o.start_at < ? OR (o.start_at = ? AND o.id < ?)))
"""


@contextmanager
def _collection_paused() -> Iterator[None]:
    """Hold Python's cyclic garbage collector while a recap is built or rendered.

    A recap allocates an object or more per answer and frees them by reference
    counting; the collector's full passes over them only add time that grows
    faster than the chat (about a fifth of the time at 100,000 answers).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


async def first_timers(store: SqliteStore, occurrence: Occurrence) -> set[int]:
    """Participants whose first answer in this chat is in ``occurrence``."""
    run = occurrence.run
    rows = await store.db.fetchall(
        _FIRST_TIMERS,
        (run.occurrence_id, run.chat_id, ts(run.start), ts(run.start), run.occurrence_id),
    )
    return {int(row[0]) for row in rows}


async def load_recap(store: SqliteStore, occurrence: Occurrence) -> Recap:
    """The recap model of ``occurrence`` as storage has it now."""
    run = occurrence.run
    answers = await store.answers(run.occurrence_id)
    opted_out = await store.opted_out()
    firsts = await first_timers(store, occurrence)
    with _collection_paused():
        return build_recap(
            occurrence.spec,
            run,
            answers,
            opted_out=opted_out,
            first_timers=firsts,
            timeline=occurrence.records,
        )


def recap_post(recap: Recap, request: PostRequest) -> PostRequest:
    """``request`` with the recap's Discord text, embeds, continuation messages and files.

    The embeds are spread over the messages by
    :func:`bot.render.discord_limits.group_embeds`, as the renderer planned them.
    """
    with _collection_paused():
        messages = render_discord(recap)
        files = recap_files(recap)
    return replace(
        request,
        text=messages[0].content,
        continuation=tuple(message.content for message in messages[1:]),
        embeds=tuple(embed for message in messages for embed in message.embeds),
        files=files,
    )


async def recap_request(
    store: SqliteStore, occurrence: Occurrence, request: PostRequest
) -> PostRequest:
    """Build and render the recap of ``occurrence`` for ``request`` (rendering, chart included,
    runs in a worker thread so the event loop keeps serving other chats)."""
    recap = await load_recap(store, occurrence)
    return await asyncio.to_thread(recap_post, recap, request)


async def find_occurrence(store: SqliteStore, chat_id: str, on: date | None) -> Occurrence:
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

    with _collection_paused():
        if fmt == "md":
            return render_markdown(recap).encode("utf-8")
        if fmt == "html":
            return render_html(recap, render_chart(recap)).encode("utf-8")
        if fmt == "json":
            return render_json(recap).encode("utf-8")
        if fmt == "png":
            return render_chart(recap)
    raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")


async def export_recap(store: SqliteStore, chat_id: str, on: date | None, fmt: str) -> bytes:
    """The recap of one occurrence (see :func:`find_occurrence`) in format ``fmt``."""
    occurrence = await find_occurrence(store, chat_id, on)
    return render_format(await load_recap(store, occurrence), fmt)
