"""Recaps read from a real SQLite file: first-timers across occurrences, opt-outs and deletes
as storage records them, choosing the occurrence to export, and the engine's recap post."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from bot.core.answers import Answer, AnswerSource
from bot.core.errors import ChatNotFound, OccurrenceNotFound
from bot.core.plan import StepKind
from bot.core.ports import PostRequest
from bot.core.run import Phase, Run
from bot.core.spec import ChatSpec
from bot.render.discord_limits import group_embeds, message_problems
from bot.render.html_page import render_html
from bot.render.markdown import render_markdown
from bot.runtime.clock import VirtualClock
from bot.runtime.engine import Engine
from bot.runtime.recaps import find_occurrence, load_recap, recap_post
from bot.storage import SqliteStore
from tests.support.venue import MemoryVenue
from tests.unit.recap.generate import START, finished_run
from tests.unit.recap.talk import small_spec

ANA, BEN = 201, 202


async def _occurrence(
    store: SqliteStore, spec: ChatSpec, start: object = START, phase: Phase = Phase.RECAPPED
) -> Run:
    await store.save_chat(spec)
    run = replace(finished_run(spec, start), occurrence_id=0, phase=phase)  # type: ignore[arg-type]
    return await store.create_occurrence(spec, run)


def _answer(run: Run, message_id: int, author: int, name: str, text: str, minute: int) -> Answer:
    return Answer(
        message_id=message_id,
        part=0,
        occurrence_id=run.occurrence_id,
        channel_id=77,
        author_id=author,
        author_name=name,
        question=1,
        content=text,
        source=AnswerSource.PREFIX,
        created_at=run.start + timedelta(minutes=minute),
    )


async def test_first_timers_are_people_whose_first_answer_in_the_chat_is_this_one(
    store: SqliteStore,
) -> None:
    """Ana answered last week; Ben answers for the first time tonight."""
    spec = small_spec()
    last_week = await _occurrence(store, spec, START - timedelta(days=7))
    tonight = await _occurrence(store, spec, START)
    await store.upsert_answers([_answer(last_week, 1, ANA, "ana", "hello", 9)])
    await store.upsert_answers(
        [
            _answer(tonight, 2, ANA, "ana", "back again", 9),
            _answer(tonight, 3, BEN, "ben", "first time here", 10),
        ]
    )
    recap = await load_recap(store, await store.load_occurrence(tonight.occurrence_id))
    assert (recap.header.participants, recap.header.first_timers) == (2, 1)
    earlier = await load_recap(store, await store.load_occurrence(last_week.occurrence_id))
    assert earlier.header.first_timers == 1


async def test_hosts_and_guests_are_named_as_last_seen_and_unknown_ones_left_out_of_files(
    store: SqliteStore,
) -> None:
    """The host (9) answered in last week's chat and is silent tonight; guest 31 posts
    tonight; guest 32 never posted anywhere. Files name the first two and leave out the
    bare id; Discord mentions all three (Discord shows each reader their names)."""
    spec = replace(small_spec(), guests=(31, 32))
    last_week = await _occurrence(store, spec, START - timedelta(days=7))
    tonight = await _occurrence(store, spec, START)
    await store.upsert_answers([_answer(last_week, 1, 9, "Host Hana", "welcome all", 9)])
    await store.upsert_answers([_answer(tonight, 2, 31, "Guest Gil", "glad to be here", 9)])

    recap = await load_recap(store, await store.load_occurrence(tonight.occurrence_id))
    assert [(p.user_id, p.name) for p in recap.header.hosts] == [(9, "Host Hana")]
    assert [(p.user_id, p.name) for p in recap.header.guests] == [(31, "Guest Gil"), (32, "")]
    markdown = render_markdown(recap)
    assert "Hosts: Host Hana · Guests: Guest Gil  " in markdown
    assert "user 32" not in markdown
    assert ", 32" not in markdown
    page = render_html(recap)
    assert '<p>Guests: <span class="who" dir="auto">Guest Gil</span></p>' in page
    text = recap_post(recap, PostRequest(0, "recap", 77, StepKind.RECAP, "")).text
    assert "Hosts: <@9>" in text
    assert "<@31>, <@32>" in text


async def test_storage_opt_outs_and_deletes_reach_the_recap(store: SqliteStore) -> None:
    spec = small_spec()
    run = await _occurrence(store, spec)
    await store.upsert_answers(
        [
            _answer(run, 1, ANA, "ana", "visible answer", 9),
            _answer(run, 2, BEN, "ben", "private answer", 10),
            _answer(run, 3, ANA, "ana", "deleted answer", 11),
        ]
    )
    await store.set_opt_out(BEN, "ben", True, START)
    await store.mark_deleted([3])
    recap = await load_recap(store, await store.load_occurrence(run.occurrence_id))
    question = recap.questions[0]
    assert [q.text for q in question.transcript] == ["visible answer"]
    assert (question.answers, question.withheld) == (2, 1)


async def test_find_occurrence_by_default_and_by_local_date(store: SqliteStore) -> None:
    """By default the latest recapped one; with a date, the one that started that local day."""
    spec = small_spec()
    first = await _occurrence(store, spec, START - timedelta(days=7))
    second = await _occurrence(store, spec, START)
    await _occurrence(store, spec, START + timedelta(days=7), phase=Phase.SCHEDULED)

    latest = await find_occurrence(store, "edchat", None)
    assert latest.run.occurrence_id == second.occurrence_id
    # 02:00 UTC on 2 March is 19:00 on 1 March in Phoenix: the local date counts.
    by_date = await find_occurrence(store, "edchat", date(2027, 2, 22))
    assert by_date.run.occurrence_id == first.occurrence_id
    with pytest.raises(OccurrenceNotFound, match="no occurrence on 2027-03-02"):
        await find_occurrence(store, "edchat", date(2027, 3, 2))
    with pytest.raises(ChatNotFound, match=r"no chat 'nochat'.*edchat"):
        await find_occurrence(store, "nochat", None)


async def test_the_engine_posts_the_recap_with_embeds_and_files(
    store: SqliteStore, clock: VirtualClock
) -> None:
    """The default recap builder: a short text naming each question, embeds within Discord's
    limits, and the transcript (Markdown, HTML) and chart attached."""
    spec = small_spec()
    run = await _occurrence(store, spec)
    await store.upsert_answers(
        [_answer(run, n, 300 + n, f"p{n}", f"answer {n} about podcasts", 9) for n in range(1, 6)]
    )
    engine = Engine(store, MemoryVenue(clock), clock)
    occurrence = await store.load_occurrence(run.occurrence_id)
    request = PostRequest(run.occurrence_id, "recap", spec.channel, StepKind.RECAP, "")

    post = await engine.summary_recap(occurrence, request)

    assert post.text.startswith("📋 Recap of Ed Chat #EdChat · <t:")
    assert "Q1: Who is in your learning network? — 5 answers from 5 people" in post.text
    assert "Q3: What will you read next? — 0 answers from 0 people" in post.text
    assert [f.filename for f in post.files] == [
        "edchat-2027-03-01.md",
        "edchat-2027-03-01.html",
        "edchat-2027-03-01-activity.png",
    ]
    assert post.files[2].data.startswith(b"\x89PNG")
    assert post.embeds[0]["title"] == "Q1: Who is in your learning network?"
    contents = [post.text, *post.continuation]
    for index, group in enumerate(group_embeds(post.embeds)):
        content = contents[index] if index < len(contents) else ""
        assert message_problems(content, group) == []
