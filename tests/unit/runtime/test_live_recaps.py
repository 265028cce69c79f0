"""The live recap: after it is posted, late answers, edits, deletes and takeaways update it in
place (the same message edited, the files re-attached, an "Updated: +N late answers" line).

The real engine, collector and SQLite file, an in-memory venue and a virtual clock.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from bot.core.ports import PostRequest, VenueError
from bot.core.spec import RecapSpec
from bot.runtime.clock import VirtualClock
from bot.runtime.collector import LIVE_FOR, Collector
from bot.runtime.engine import Engine
from bot.runtime.live_recaps import UPDATE_DELAY
from bot.runtime.routing import UNKNOWN_KEEP_MAX, IncomingMessage
from bot.storage import SqliteStore, open_store
from tests.conftest import T0
from tests.support.driving import drive
from tests.support.messages import message
from tests.support.specs import make_spec
from tests.support.venue import Crash, MemoryVenue, SentMessage

SPEC = make_spec(
    questions=make_spec().questions[:2],
    recap=RecapSpec(prompts=("What will you try first?", "Who will you follow up with?")),
)


@dataclass
class Chat:
    """A chat that has just posted its recap, with the parts to poke at it."""

    store: SqliteStore
    clock: VirtualClock
    venue: MemoryVenue
    engine: Engine
    collector: Collector
    occurrence_id: int
    threads: dict[int, int]
    #: An answer in the channel with a prefix, and one in Q2's thread (both in the recap).
    prefixed: IncomingMessage
    threaded: IncomingMessage

    @property
    def recap(self) -> SentMessage:
        return next(m for m in self.venue.messages if m.step_key == "recap")

    def file(self, suffix: str) -> str:
        request = self.recap.request
        assert request is not None
        return next(f.data for f in request.files if f.filename.endswith(suffix)).decode()

    async def send(self, content: str, **fields: object) -> IncomingMessage:
        sent = message(self.clock, content, **fields)
        await self.collector.ingest(sent)
        return sent

    async def settle(self) -> None:
        """Let the collector's report of the last writes reach the live recaps."""
        await self.collector.flush()
        await self.engine.live_recaps.settle()

    async def after(self, delay: timedelta) -> datetime | None:
        """Move time on by ``delay`` and run the live recaps' due updates."""
        await self.settle()
        self.clock.advance(delay)
        return await self.engine.live_recaps.update_due()


async def _chat(tmp_path: Path, *, at_once: str | None = None) -> Chat:
    """The chat, played until its recap is posted. ``at_once``: a takeaway someone sends in
    the reflection thread the moment it opens, before the bot has recorded the recap."""
    store = await open_store(tmp_path / "bot.db")
    clock = VirtualClock(T0)
    venue = MemoryVenue(clock)
    engine = Engine(store, venue, clock)
    collector = Collector(store, clock=clock)

    def write_at_once(request: PostRequest) -> None:
        recap = venue.messages[-1]
        if at_once is not None and request.step_key == "recap" and recap.thread_id:
            assert collector.enqueue(message(clock, at_once, thread_id=recap.thread_id)) == 0

    venue.after_post = write_at_once
    engine.on_run_saved.append(collector.on_run_saved)
    collector.on_stored.append(engine.live_recaps.changed)
    planned = await engine.schedule_chat(SPEC)
    assert planned is not None
    occurrence_id, start = planned.run.occurrence_id, planned.run.start
    await drive(engine, clock, start + SPEC.question_interval + timedelta(seconds=5))
    posts = {p.step_key: p for p in await store.posts(occurrence_id)}
    threads = {n: posts[f"q{n}"].thread_id or 0 for n in (1,)}
    prefixed = message(clock, "A1: I keep a list of weak ties to thank", author_id=7)
    await collector.ingest(prefixed)
    await drive(engine, clock, start + 2 * SPEC.question_interval + timedelta(seconds=5))
    posts = {p.step_key: p for p in await store.posts(occurrence_id)}
    threads[2] = posts["q2"].thread_id or 0
    threaded = message(
        clock, "Portfolios beat CVs https://example.org/p", author_id=8, author_name="ben"
    )
    threaded = threaded._replace(thread_id=threads[2])
    await collector.ingest(threaded)
    await drive(engine, clock, start + SPEC.run_length + SPEC.late_answers + timedelta(minutes=1))
    await engine.live_recaps.load()
    chat = Chat(store, clock, venue, engine, collector, occurrence_id, threads, prefixed, threaded)
    assert chat.recap.thread_id is not None  # the reflection thread
    return chat


@pytest.fixture
async def chat(tmp_path: Path) -> AsyncIterator[Chat]:
    played = await _chat(tmp_path)
    yield played
    await played.collector.close()
    await played.store.close()


async def test_the_published_recap_is_kept_live_with_its_reflection_thread(chat: Chat) -> None:
    live = await chat.store.live_recap(chat.occurrence_id)
    assert live is not None
    assert live.message_ids == (chat.recap.message_id,)
    assert live.thread_id == chat.recap.thread_id
    assert live.shown_answers == 2
    assert live.dirty_since is None
    assert live.revision == 0
    assert chat.engine.live_recaps.live == {chat.occurrence_id}
    assert "Updated" not in chat.recap.text


async def test_a_late_answer_in_a_thread_updates_the_recap_in_place(chat: Chat) -> None:
    before = len(chat.venue.messages)
    await chat.send(
        "Late but: informational interviews", thread_id=chat.threads[1], author_name="cy"
    )
    assert await chat.after(UPDATE_DELAY - timedelta(seconds=1)) is not None
    assert chat.recap.edits == []  # not yet: changes within the delay share one edit
    await chat.send("One more late one", thread_id=chat.threads[2], author_id=9)
    await chat.after(timedelta(seconds=1))
    assert len(chat.recap.edits) == 1
    assert len(chat.venue.messages) == before  # edited, not posted again
    assert "+2 late answers" in chat.recap.text
    transcript = chat.file(".md")
    assert "informational interviews" in transcript
    assert "One more late one" in transcript
    assert chat.recap.request is not None
    assert {f.filename.rsplit(".", 1)[-1] for f in chat.recap.request.files} == {
        "md",
        "html",
        "png",
    }
    live = await chat.store.live_recap(chat.occurrence_id)
    assert live is not None
    assert live.revision == 1
    assert live.dirty_since is None
    assert await chat.after(UPDATE_DELAY * 3) is None  # nothing more to show: no edit
    assert len(chat.recap.edits) == 1


async def test_a_deleted_answer_disappears_from_the_published_recap(chat: Chat) -> None:
    assert "Portfolios beat CVs" in chat.file(".md")
    await chat.collector.delete([chat.threaded.message_id])
    await chat.after(UPDATE_DELAY)
    assert "1 removed" in chat.recap.text
    for suffix in (".md", ".html"):
        assert "Portfolios beat CVs" not in chat.file(suffix)
        assert "example.org/p" not in chat.file(suffix)


async def test_an_edit_days_later_after_a_restart_is_shown(chat: Chat, tmp_path: Path) -> None:
    # A new collector (the bot restarted) does not remember the message: it looks it up.
    await chat.collector.close()
    chat.clock.advance(timedelta(days=2))
    chat.collector = Collector(chat.store, clock=chat.clock)
    chat.collector.on_stored.append(chat.engine.live_recaps.changed)
    await chat.collector.refresh()
    edited = chat.prefixed._replace(
        content="A1: I thank weak ties every Friday", edited_at=chat.clock.now()
    )
    assert chat.collector.enqueue(edited) == 0  # queued after the lookup
    await chat.after(UPDATE_DELAY)
    assert "1 edited" in chat.recap.text
    transcript = chat.file(".md")
    assert "every Friday" in transcript
    assert "keep a list" not in transcript


async def test_takeaways_in_the_reflection_thread_become_a_section(chat: Chat) -> None:
    thread = chat.recap.thread_id
    await chat.send("R2: I'll message ana this week", thread_id=thread, author_name="dee")
    await chat.send("Everything about portfolios", thread_id=thread, author_id=12)
    await chat.after(UPDATE_DELAY)
    assert "2 takeaways" in chat.recap.text
    transcript = chat.file(".md")
    assert "Takeaways" in transcript
    assert "I'll message ana this week" in transcript
    assert "R2:" not in transcript
    rows = await chat.store.db.fetchall(
        "SELECT question, source, late FROM answers WHERE thread_id = ? ORDER BY message_id",
        (thread,),
    )
    assert [(r[0], r[1]) for r in rows] == [(2, "takeaway"), (None, "takeaway")]
    assert "late answer" not in chat.recap.text


async def test_a_takeaway_sent_before_the_recap_is_recorded_is_kept(tmp_path: Path) -> None:
    """Someone writes in the reflection thread the moment it opens, before the bot has
    recorded the recap (so the thread is not known yet): the message is kept and becomes a
    takeaway once the recap is recorded."""
    chat = await _chat(tmp_path, at_once="R1: the first one in, before the bot knew")
    try:
        await chat.after(UPDATE_DELAY)
        rows = await chat.store.db.fetchall(
            "SELECT question, source, content FROM answers WHERE thread_id = ?",
            (chat.recap.thread_id,),
        )
        assert [tuple(r) for r in rows] == [
            (1, "takeaway", "the first one in, before the bot knew")
        ]
        assert "1 takeaway" in chat.recap.text
    finally:
        await chat.collector.close()
        await chat.store.close()


async def test_a_message_in_an_unknown_thread_is_forgotten_after_a_while(chat: Chat) -> None:
    """A thread that never becomes a chat's: its messages are not kept for ever."""
    for n in range(UNKNOWN_KEEP_MAX + 5):
        assert chat.collector.enqueue(message(chat.clock, f"elsewhere {n}", thread_id=424242)) == 0
    assert len(chat.collector.unknown) == UNKNOWN_KEEP_MAX
    oldest = chat.collector.unknown.oldest()
    assert oldest is not None
    assert oldest.content == "elsewhere 5"
    chat.collector.enqueue(message(chat.clock, "in the channel, no thread"))
    assert len(chat.collector.unknown) == UNKNOWN_KEEP_MAX


async def test_new_messages_in_the_channel_after_the_recap_are_not_the_chats(chat: Chat) -> None:
    await chat.send("A1: talking about something else entirely, next day")
    await chat.after(UPDATE_DELAY)
    assert chat.recap.edits == []
    rows = await chat.store.db.fetchall("SELECT COUNT(*) FROM answers")
    assert rows[0][0] == 2


async def test_a_change_during_an_edit_is_shown_by_the_next_edit(chat: Chat) -> None:
    await chat.send("first late answer", thread_id=chat.threads[1])
    sneaked: list[IncomingMessage] = []

    def during(_request: PostRequest) -> None:
        if not sneaked:  # an answer lands while the messages are being edited
            sneaked.append(message(chat.clock, "sneaked in", thread_id=chat.threads[2]))
            chat.collector.enqueue(sneaked[0])

    chat.venue.before_edit = during
    await chat.after(UPDATE_DELAY)
    assert len(chat.recap.edits) == 1
    assert "sneaked in" not in chat.file(".md")
    assert await chat.after(timedelta(seconds=1)) is not None  # still dirty, due later
    await chat.after(UPDATE_DELAY)
    assert len(chat.recap.edits) == 2
    assert "sneaked in" in chat.file(".md")
    assert "+2 late answers" in chat.recap.text


async def test_a_pending_update_survives_a_crash(chat: Chat, tmp_path: Path) -> None:
    await chat.send("late, then the bot dies", thread_id=chat.threads[1])
    await chat.settle()

    def crash(_request: PostRequest) -> None:
        raise Crash("killed while editing")

    chat.venue.before_edit = crash
    chat.clock.advance(UPDATE_DELAY)
    with pytest.raises(Crash):
        await chat.engine.live_recaps.update_due()
    # Restart: a new engine over the same file and platform edits it once it is due.
    chat.venue.before_edit = None
    engine = Engine(chat.store, chat.venue, chat.clock)
    await engine.live_recaps.load()
    await engine.live_recaps.update_due()
    assert len(chat.recap.edits) == 1
    assert "late, then the bot dies" in chat.file(".md")


async def test_a_deleted_recap_stops_updating_until_posted_again(chat: Chat) -> None:
    def gone(_request: PostRequest) -> None:
        raise VenueError("404 Unknown Message", permanent=True)

    chat.venue.before_edit = gone
    await chat.send("late", thread_id=chat.threads[1])
    await chat.after(UPDATE_DELAY)
    assert chat.engine.live_recaps.live == frozenset()
    await chat.send("later", thread_id=chat.threads[1])  # still stored, but nothing to edit
    assert await chat.after(UPDATE_DELAY) is None
    chat.venue.before_edit = None
    message_id = await chat.engine.repost_recap(SPEC.id)
    assert chat.engine.live_recaps.live == {chat.occurrence_id}
    await chat.send("after the repost", thread_id=chat.threads[1])
    await chat.after(UPDATE_DELAY)
    reposted = chat.venue.message(message_id)
    assert len(reposted.edits) == 1
    assert reposted.request is not None
    assert "after the repost" in reposted.request.files[0].data.decode()


def _reflect(request: PostRequest | None) -> str:
    assert request is not None
    return str(next(e["description"] for e in request.embeds if e["title"] == "🪞 Reflect"))


async def test_a_copy_posted_again_points_to_the_reflection_thread(chat: Chat) -> None:
    """The copy has no thread of its own: its Reflect embed links the first copy's thread
    (a channel link, which pings nobody). The first copy, built before its thread existed,
    gets the link with its next update."""
    thread = chat.recap.thread_id
    assert "<#" not in _reflect(chat.recap.request)
    message_id = await chat.engine.repost_recap(SPEC.id)
    reposted = chat.venue.message(message_id)
    assert reposted.thread_id is None
    assert _reflect(reposted.request).startswith(f"Share your takeaways in <#{thread}>:\n1. ")


async def test_a_passing_failure_is_retried(chat: Chat) -> None:
    failures = [VenueError("503 Service Unavailable")]

    def flaky(_request: PostRequest) -> None:
        if failures:
            raise failures.pop()

    chat.venue.before_edit = flaky
    await chat.send("late", thread_id=chat.threads[1])
    retry_at = await chat.after(UPDATE_DELAY)
    assert retry_at is not None
    assert chat.recap.edits == []
    chat.clock.set(retry_at)
    await chat.engine.live_recaps.update_due()
    assert len(chat.recap.edits) == 1


async def test_after_a_week_the_recap_is_left_as_it_is(chat: Chat) -> None:
    chat.clock.advance(LIVE_FOR + timedelta(minutes=5))
    await chat.send("a week late", thread_id=chat.threads[1])
    await chat.after(UPDATE_DELAY)
    assert chat.recap.edits == []
    rows = await chat.store.db.fetchall(
        "SELECT COUNT(*) FROM answers WHERE content = 'a week late'"
    )
    assert rows[0][0] == 0


async def test_the_revision_is_in_exports_too(chat: Chat) -> None:
    from bot.runtime.recaps import load_recap

    await chat.send("late", thread_id=chat.threads[1])
    await chat.after(UPDATE_DELAY)
    occurrence = await chat.store.load_occurrence(chat.occurrence_id)
    recap = await load_recap(chat.store, occurrence)
    assert recap.revision is not None
    assert (recap.revision.number, recap.revision.late_answers) == (1, 1)
    assert recap.header.answers == 3
