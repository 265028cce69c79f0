"""Forget-me through the runtime: applied at once and withdrawn from published recaps however
old they are, or kept queued while the database refuses writes and applied when it can.

The real engine, collector and SQLite file, an in-memory venue and a virtual clock.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.core.ports import ForgetRequest
from bot.runtime.collector import LIVE_FOR
from bot.runtime.consent import RETRY_EVERY, ConsentRequests
from bot.runtime.live_recaps import UPDATE_DELAY
from bot.storage import db
from tests.support.backends import sqlite_database
from tests.unit.runtime.test_live_recaps import _chat
from tests.unit.runtime.test_storage_faults import locked

WEAK_TIES = "weak ties to thank"  # author 7's answer in the sample chat
WITHDRAWN = "1 participant's messages removed at their request"


async def test_forget_me_withdraws_their_words_from_an_old_published_recap(
    tmp_path: Path,
) -> None:
    chat = await _chat(tmp_path)
    consent = ConsentRequests(
        chat.store, chat.collector.writer, chat.engine.live_recaps, chat.clock
    )
    assert WEAK_TIES in chat.file(".md")
    chat.clock.advance(LIVE_FOR * 3)  # long after the recap stopped taking late answers

    forgetting = await consent.forget(7)

    assert forgetting.request is not None
    assert (forgetting.request.messages, forgetting.request.recaps) == (1, 1)
    await chat.after(UPDATE_DELAY)
    assert WITHDRAWN in chat.recap.text
    for suffix in (".md", ".html"):
        assert WEAK_TIES not in chat.file(suffix)
    assert chat.recap.request is not None
    assert WEAK_TIES not in repr(chat.recap.request.embeds)
    assert "Portfolios beat CVs" in chat.file(".md")  # ben's answer stays
    # Their words are not read back: the same message redelivered is refused.
    await chat.collector.ingest(chat.prefixed)
    assert [a.author_id for a in await chat.store.answers(chat.occurrence_id)] == [8]
    await chat.collector.close()
    await chat.store.close()


async def test_a_forget_request_waits_out_a_locked_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(db, "BUSY_TIMEOUT_MS", 50)  # fail fast instead of waiting 5 s
    chat = await _chat(tmp_path)
    consent = ConsentRequests(
        chat.store, chat.collector.writer, chat.engine.live_recaps, chat.clock
    )
    told: list[ForgetRequest] = []

    async def done(request: ForgetRequest) -> None:
        told.append(request)

    with locked(sqlite_database(chat.store).path):
        forgetting = await consent.forget(7, done=done)
        assert not forgetting.applied
        assert await chat.store.answers(chat.occurrence_id) != []  # nothing lost, nothing yet
    for _ in range(50):  # the writer retries on its own; the request is applied once
        chat.clock.advance(RETRY_EVERY)
        await asyncio.sleep(0.05)
        if told:
            break
    await consent.settle()
    assert [(r.user_id, r.messages) for r in told] == [(7, 1)]
    assert [a.author_id for a in await chat.store.answers(chat.occurrence_id)] == [8]
    await chat.collector.close()
    await chat.store.close()


async def test_a_moderators_erasure_is_in_the_timeline_without_the_name(tmp_path: Path) -> None:
    chat = await _chat(tmp_path)
    consent = ConsentRequests(
        chat.store, chat.collector.writer, chat.engine.live_recaps, chat.clock
    )
    forgetting = await consent.forget(7, actor="4242", by_moderator=True)
    assert forgetting.request is not None
    assert forgetting.request.by_moderator
    records = (await chat.store.load_occurrence(chat.occurrence_id)).records
    erased = [r for r in records if r.action == "erased on request"]
    assert [(r.actor, r.detail) for r in erased] == [
        ("4242", "a participant's messages, at their request")
    ]
    data = await consent.my_data(7)
    assert data.messages == ()
    assert data.forget_by_moderator
    await chat.collector.close()
    await chat.store.close()
