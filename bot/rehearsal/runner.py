"""Run a whole chat in the terminal, at N times real speed, from scripted answers.

The rehearsal uses the real runtime, wired by the same composition root as the bot
(:func:`bot.runtime.root.build_runtime`), and a real SQLite file (a temporary one unless
``--db`` is given); only the venue (the terminal) and the clock (scaled) differ from a
live run. The chat starts right away: only the
shortest reminder is kept, so a rehearsal shows one reminder and then the run.
"""

from __future__ import annotations

import asyncio
import tempfile
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TextIO

from bot.chatfile import load_chat_file
from bot.core.answers import Answer
from bot.core.recap import Recap
from bot.core.run import Run
from bot.core.schedule import to_local
from bot.core.spec import ChatSpec
from bot.rehearsal.script import Action, ScriptLine, cast_hosts, load_script
from bot.rehearsal.venue import TerminalVenue
from bot.render.chart import render_chart
from bot.render.html_page import render_html
from bot.render.json_data import render_json
from bot.render.markdown import render_markdown
from bot.runtime.clock import ScaledClock
from bot.runtime.recaps import load_recap
from bot.runtime.root import Runtime, build_runtime
from bot.runtime.routing import IncomingMessage
from bot.storage import SqliteStore, open_store

#: A one-hour chat takes about a minute.
DEFAULT_SPEED = 60.0
#: The chat starts this long (chat time) after the rehearsal begins.
LEAD = timedelta(seconds=30)


@dataclass
class Rehearsal:
    """The live parts of one rehearsal."""

    spec: ChatSpec
    start: datetime
    store: SqliteStore
    clock: ScaledClock
    venue: TerminalVenue
    runtime: Runtime
    finished: asyncio.Event
    occurrence_id: int = 0


def rehearsal_spec(spec: ChatSpec, origin: datetime) -> tuple[ChatSpec, datetime]:
    """The spec moved to start now: one-off, only the shortest reminder kept."""
    reminders = (min(spec.reminders),) if spec.reminders else ()
    start = (origin + (reminders[0] if reminders else timedelta(0)) + LEAD).replace(microsecond=0)
    local = to_local(start, spec.timezone).replace(tzinfo=None)
    moved = replace(spec, start=local, repeat=None, until=None, count=None, reminders=reminders)
    return moved, start


async def rehearse(
    chat_file: Path,
    *,
    answers: Path | None,
    speed: float,
    out_dir: Path | None,
    db_path: Path | None,
    out: TextIO,
) -> int:
    """Rehearse ``chat_file``; returns the process exit code."""
    origin = datetime.now(UTC)
    loaded = load_chat_file(chat_file, origin)
    errors = [p for p in loaded.problems if p.severity == "error"]
    if loaded.spec is None or errors:
        for problem in loaded.problems:
            out.write(f"{problem}\n")
        return 1
    script = load_script(answers) if answers else []
    hosts = cast_hosts(script, loaded.spec.hosts, str(answers))
    spec, start = rehearsal_spec(loaded.spec, origin)
    with tempfile.TemporaryDirectory(prefix="rehearsal-") as scratch:
        store = await open_store(db_path or Path(scratch) / "rehearsal.db")
        try:
            rehearsal = _assemble(spec, start, store, ScaledClock(origin, speed), out)
            out.write(
                f"Rehearsing {spec.title} {spec.hashtag} at {speed:g}x: "
                f"{len(spec.questions)} questions, {len(script)} scripted lines.\n"
            )
            occurrence = await rehearsal.runtime.engine.schedule_chat(spec)
            assert occurrence is not None
            rehearsal.occurrence_id = occurrence.run.occurrence_id
            await _play(rehearsal, script, hosts)
            if out_dir is not None:
                await _write_outputs(out_dir, rehearsal, occurrence.run.occurrence_id)
                out.write(f"Recap written to {out_dir}/\n")
        finally:
            await store.close()
    return 0


def _assemble(
    spec: ChatSpec, start: datetime, store: SqliteStore, clock: ScaledClock, out: TextIO
) -> Rehearsal:
    venue = TerminalVenue(clock, start, spec.timezone, out)
    runtime = build_runtime(store, venue, clock)
    finished = asyncio.Event()

    async def watch(run: Run, _spec: ChatSpec) -> None:
        if run.phase.finished:
            finished.set()

    runtime.engine.on_run_saved.append(watch)
    return Rehearsal(spec, start, store, clock, venue, runtime, finished)


async def _play(rehearsal: Rehearsal, script: list[ScriptLine], hosts: dict[str, int]) -> None:
    """Run the chat to its recap; lines scripted after the recap (late answers in a question's
    thread, takeaways in the recap's thread) are played too, and the rehearsal ends once the
    published recap has been updated to show them."""
    loop = await rehearsal.runtime.start()
    feeder = asyncio.create_task(_feed(rehearsal, script, hosts))
    try:
        await rehearsal.finished.wait()
        await asyncio.wait({feeder, loop}, return_when=asyncio.FIRST_COMPLETED)
        await _recap_shown(rehearsal)
    finally:
        feeder.cancel()
        await rehearsal.runtime.engine.stop()
        loop.cancel()
        await asyncio.gather(loop, feeder, return_exceptions=True)


async def _recap_shown(rehearsal: Rehearsal) -> None:
    """Wait (on the rehearsal's clock) until the published recap shows every stored change."""
    await rehearsal.runtime.collector.flush()
    await rehearsal.runtime.live_recaps.settle()
    never = asyncio.Event()
    deadline = rehearsal.clock.now() + 3 * rehearsal.runtime.live_recaps.delay
    while rehearsal.clock.now() < deadline:
        live = await rehearsal.store.live_recap(rehearsal.occurrence_id)
        if live is None or live.dirty_since is None:
            return
        await rehearsal.clock.sleep_until(rehearsal.clock.now() + timedelta(seconds=5), never)


class _People:
    """Made-up user ids and each person's latest message, for replies, edits and reactions."""

    def __init__(self, hosts: dict[str, int]) -> None:
        #: Script names -> user ids; ``!host`` lines' authors have their host's.
        self.ids: dict[str, int] = dict(hosts)
        self.latest: dict[str, IncomingMessage] = {}

    def id_of(self, name: str) -> int:
        return self.ids.setdefault(name, 500 + len(self.ids))


async def _feed(rehearsal: Rehearsal, script: list[ScriptLine], hosts: dict[str, int]) -> None:
    people = _People(hosts)
    never = asyncio.Event()
    for line in script:
        await rehearsal.clock.sleep_until(rehearsal.start + line.at, never)
        await _act(rehearsal, people, line)


async def _act(rehearsal: Rehearsal, people: _People, line: ScriptLine) -> None:
    venue, collector, store = rehearsal.venue, rehearsal.runtime.collector, rehearsal.store
    now = rehearsal.clock.now()
    author_id = people.id_of(line.author)
    latest = people.latest.get(line.author)
    if line.action is Action.SAY:
        message = await _message(rehearsal, people, line, author_id, now)
        people.latest[line.author] = message
        stored = await collector.ingest(message)
        where = f"[thread Q{line.thread_question}] " if line.thread_question else ""
        venue.say(f"   {line.author}: {where}{line.text}{_attributed(stored)}")
    elif line.action is Action.EDIT and latest is not None:
        edited = latest._replace(content=line.text, edited_at=now)
        people.latest[line.author] = edited
        stored = await collector.ingest(edited)
        venue.say(f"   {line.author} edited: {line.text}{_attributed(stored)}")
    elif line.action is Action.DELETE and latest is not None:
        await collector.delete([latest.message_id])
        venue.say(f"   {line.author} deleted a message")
    elif line.action in (Action.REACT, Action.UNREACT) and line.target in people.latest:
        target = people.latest[line.target]
        present = line.action is Action.REACT
        await collector.react(target.message_id, author_id, line.emoji, present)
        venue.say(
            f"   {line.author} {'reacted' if present else 'unreacted'} {line.emoji} to {line.target}"
        )
    elif line.action is Action.HOST:
        venue.say(f"   {line.author} hosts the chat")
    elif line.action in (Action.OPT_OUT, Action.OPT_IN):
        opted_out = line.action is Action.OPT_OUT
        await store.set_opt_out(author_id, line.author, opted_out, now)
        venue.say(f"   {line.author} opted {'out of' if opted_out else 'back in to'} the recap")
    else:
        venue.say(f"   (line {line.line}: {line.author} has no earlier message to act on)")


async def _message(
    rehearsal: Rehearsal, people: _People, line: ScriptLine, author_id: int, now: datetime
) -> IncomingMessage:
    thread_id = await script_thread(rehearsal.store, rehearsal.occurrence_id, line)
    reply_to = None
    if line.reply_to is not None and line.reply_to in people.latest:
        reply_to = people.latest[line.reply_to].message_id
    return IncomingMessage(
        message_id=rehearsal.venue.new_id(),
        channel_id=rehearsal.spec.channel,
        author_id=author_id,
        author_name=line.author,
        content=line.text,
        created_at=now,
        thread_id=thread_id,
        reply_to=reply_to,
    )


async def script_thread(store: SqliteStore, occurrence_id: int, line: ScriptLine) -> int | None:
    """The thread a scripted message is posted in: its question's, the recap's, or none."""
    key = "recap" if line.in_recap_thread else f"q{line.thread_question}"
    if line.thread_question is None and not line.in_recap_thread:
        return None
    post = await store.post(occurrence_id, key)
    return post.thread_id if post is not None else None


def _attributed(stored: list[Answer]) -> str:
    if not stored:
        return "   (not the chat's: ignored)"
    labels = [
        f"A{a.question}" if a.is_answer else "takeaway" if a.source == "takeaway" else "chat"
        for a in stored
    ]
    return f"   → {', '.join(labels)}" + (" (late)" if stored[0].late else "")


async def _write_outputs(out_dir: Path, rehearsal: Rehearsal, occurrence_id: int) -> None:
    """Write the recap as the bot posted it (recap.txt) and as files: recap.md (the full
    transcript; also transcript.md), recap.html, recap.json and activity.png.

    Participants who opted out are counted but never named or quoted in any of them.
    """
    posted = [r for r, _ in rehearsal.venue.posted if r.step_key == "recap"]
    posted += rehearsal.venue.edited  # the recap as it reads after its last update
    text = rehearsal.venue.render_times(posted[-1].text) + "\n" if posted else ""
    occurrence = await rehearsal.store.load_occurrence(occurrence_id)
    _write_files(out_dir, text, await load_recap(rehearsal.store, occurrence))


def _write_files(out_dir: Path, text: str, recap: Recap) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "recap.txt").write_text(text, encoding="utf-8")
    chart = render_chart(recap)
    markdown = render_markdown(recap)
    (out_dir / "recap.md").write_text(markdown, encoding="utf-8")
    (out_dir / "transcript.md").write_text(markdown, encoding="utf-8")
    (out_dir / "recap.html").write_text(render_html(recap, chart), encoding="utf-8")
    (out_dir / "recap.json").write_text(render_json(recap), encoding="utf-8")
    (out_dir / "activity.png").write_bytes(chart)
