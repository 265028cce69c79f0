"""The sample chat, played deterministically: the real runtime (wired as the bot's, by
build_runtime) on a real SQLite file, a virtual clock, and the scripted answers of ``chats/samples/plnchat.answers.txt``.

Message ids, user ids and times depend only on the script, so a recap of the result can be
compared with a golden file.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

from bot.chatfile import load_chat_file
from bot.core.ports import Occurrence
from bot.core.spec import ChatSpec
from bot.rehearsal.runner import script_thread
from bot.rehearsal.script import Action, ScriptLine, cast_hosts, load_script
from bot.runtime.clock import VirtualClock
from bot.runtime.collector import Collector
from bot.runtime.engine import RecapBuilder
from bot.runtime.root import build_runtime
from bot.runtime.routing import IncomingMessage
from bot.storage import SqliteStore
from tests.support.driving import drive
from tests.support.venue import MemoryVenue

REPO = Path(__file__).resolve().parents[3]
SAMPLE_CHAT = REPO / "chats" / "samples" / "plnchat.yaml"
SAMPLE_ANSWERS = REPO / "chats" / "samples" / "plnchat.answers.txt"
#: Before the sample's first occurrence (2027-01-12 20:00 America/Chicago).
BEFORE = datetime(2027, 1, 10, 12, 0, tzinfo=UTC)
#: The first user id and message id handed out to scripted participants.
FIRST_USER = 500
FIRST_MESSAGE = 900_000_000


def sample_spec() -> ChatSpec:
    """The sample chat as its file describes it (``source`` left out: it names a local path)."""
    loaded = load_chat_file(SAMPLE_CHAT, BEFORE)
    assert loaded.spec is not None, loaded.problems
    return replace(loaded.spec, source=None)


@dataclass
class _People:
    ids: dict[str, int] = field(default_factory=dict)
    latest: dict[str, IncomingMessage] = field(default_factory=dict)
    next_message: int = FIRST_MESSAGE

    def id_of(self, name: str) -> int:
        return self.ids.setdefault(name, FIRST_USER + len(self.ids))

    def new_message_id(self) -> int:
        self.next_message += 1
        return self.next_message


@dataclass
class PlayedChat:
    """The result of playing a script: the stored occurrence and the ids people got."""

    occurrence: Occurrence
    user_ids: dict[str, int]
    venue: MemoryVenue


async def play(
    store: SqliteStore,
    script: list[ScriptLine] | None = None,
    spec: ChatSpec | None = None,
    *,
    recap_builder: RecapBuilder | None = None,
) -> PlayedChat:
    """Play ``script`` (default: the sample answers) through a whole occurrence of ``spec``."""
    spec = spec or sample_spec()
    script = load_script(SAMPLE_ANSWERS) if script is None else script
    clock = VirtualClock(BEFORE)
    venue = MemoryVenue(clock)
    runtime = build_runtime(store, venue, clock, recap_builder=recap_builder)
    engine, collector = runtime.engine, runtime.collector
    planned = await engine.schedule_chat(spec)
    assert planned is not None
    occurrence_id = planned.run.occurrence_id
    start = planned.run.start
    people = _People(ids=cast_hosts(script, spec.hosts, "script"))
    for line in script:
        await drive(engine, clock, start + line.at)
        await _act(store, collector, people, occurrence_id, spec, line, clock.now())
    await drive(engine, clock, start + spec.run_length + spec.late_answers)
    await collector.close()
    occurrence = await store.load_occurrence(occurrence_id)
    return PlayedChat(occurrence, dict(people.ids), venue)


async def _act(
    store: SqliteStore,
    collector: Collector,
    people: _People,
    occurrence_id: int,
    spec: ChatSpec,
    line: ScriptLine,
    now: datetime,
) -> None:
    author_id = people.id_of(line.author)
    latest = people.latest.get(line.author)
    if line.action is Action.SAY:
        thread_id = await script_thread(store, occurrence_id, line)
        reply_to = None
        if line.reply_to is not None and line.reply_to in people.latest:
            reply_to = people.latest[line.reply_to].message_id
        message = IncomingMessage(
            message_id=people.new_message_id(),
            channel_id=spec.channel,
            author_id=author_id,
            author_name=line.author,
            content=line.text,
            created_at=now,
            thread_id=thread_id,
            reply_to=reply_to,
        )
        people.latest[line.author] = message
        await collector.ingest(message)
    elif line.action is Action.EDIT and latest is not None:
        edited = latest._replace(content=line.text, edited_at=now)
        people.latest[line.author] = edited
        await collector.ingest(edited)
    elif line.action is Action.DELETE and latest is not None:
        await collector.delete([latest.message_id])
    elif line.action in (Action.REACT, Action.UNREACT) and line.target in people.latest:
        target = people.latest[line.target]
        await collector.react(target.message_id, author_id, line.emoji, line.action is Action.REACT)
    elif line.action in (Action.OPT_OUT, Action.OPT_IN):
        await store.set_opt_out(author_id, line.author, line.action is Action.OPT_OUT, now)
