"""Chats written in Discord, without Discord: a form becomes a stored, planned chat like an
uploaded one; problems keep what was typed; edits re-plan what has not started and leave a
live run alone; exports upload back byte for byte; delete drops what has not started."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.chatfile import ChatSet, load_chat_text, load_chats
from bot.chatfile.form import ChatForm
from bot.core.errors import ChatNotFound, DefinedByFile, DraftExpired
from bot.core.ports import ChatDraft
from bot.core.run import Phase, Start
from bot.runtime.authoring import Authoring, Refused, Saved
from bot.runtime.clock import VirtualClock
from bot.runtime.engine import Engine
from bot.storage import SqliteStore
from tests.support.driving import drive
from tests.support.specs import make_spec
from tests.support.venue import MemoryVenue

#: 2027-01-12 19:00 in Phoenix.
START = datetime(2027, 1, 13, 2, 0, tzinfo=UTC)
FORM = ChatForm(
    title="Career Chat",
    hashtag="#CareerChat",
    start="2027-01-12 19:00",
    timezone="America/Phoenix",
    repeat="weekly",
    interval="8m",
    channel=111,
)
TEXTS = {
    "questions": "Who is in your network?\nWhat did you learn?",
    "intro": "Welcome!",
    "closing": "",
    "prompts": "What will you try?",
}


@pytest.fixture
def chats_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "chats"
    folder.mkdir()
    return folder


@pytest.fixture
def authoring(store: SqliteStore, engine: Engine, chats_dir: Path) -> Authoring:
    def files() -> ChatSet:
        return load_chats([chats_dir], engine.clock.now())

    return Authoring(store, engine, files, chats_dir)


async def new_chat(authoring: Authoring, form: ChatForm = FORM, **texts: str) -> Saved:
    draft = await authoring.open_new(form, guild_id=9, user_id=501)
    assert isinstance(draft, ChatDraft)
    saved = await authoring.submit(draft.draft_id, 501, **(TEXTS | texts))
    assert isinstance(saved, Saved), saved
    return saved


async def test_a_form_becomes_a_planned_chat_like_an_uploaded_one(
    authoring: Authoring, store: SqliteStore
) -> None:
    saved = await new_chat(authoring)
    assert saved.spec.id == "careerchat"
    assert (saved.spec.source, saved.spec.guild, saved.spec.repeat) == (None, 9, "weekly")
    assert saved.occurrence is not None
    assert saved.occurrence.run.start == START
    assert [s.id for s in await store.chat_specs()] == ["careerchat"]
    assert (await store.occurrences(chat_id="careerchat"))[0].spec == saved.spec

    # The same hashtag again is another chat.
    again = await new_chat(authoring, replace(FORM, start="2027-01-14 19:00"))
    assert again.spec.id == "careerchat-2"


async def test_problems_keep_what_was_typed_and_a_retry_saves_it(
    authoring: Authoring, store: SqliteStore
) -> None:
    draft = await authoring.open_new(FORM, guild_id=9, user_id=501)
    assert isinstance(draft, ChatDraft)
    bad = TEXTS | {"questions": "Fine?\n\n" + "x" * 2140}
    refused = await authoring.submit(draft.draft_id, 501, **bad)
    assert isinstance(refused, Refused)
    assert [str(p)[:44] for p in refused.problems] == [
        "questions, line 3: is too long for one Disco"
    ]
    assert refused.draft is not None
    assert ChatForm.from_fields(refused.draft.fields).questions == bad["questions"]
    assert await store.chat_specs() == []

    kept = await authoring.draft(draft.draft_id, 501)  # what the retry button reopens
    assert ChatForm.from_fields(kept.fields).intro == "Welcome!"
    saved = await authoring.submit(draft.draft_id, 501, **TEXTS)
    assert isinstance(saved, Saved)
    with pytest.raises(DraftExpired):
        await authoring.draft(draft.draft_id, 501)


async def test_short_fields_are_checked_before_the_form_opens(authoring: Authoring) -> None:
    refused = await authoring.open_new(
        replace(
            FORM, timezone="Phoenix", hashtag="career chat", repeat="once", start="2026-01-01 19:00"
        ),
        guild_id=9,
        user_id=501,
    )
    assert isinstance(refused, Refused)
    shown = [str(p) for p in refused.problems]
    assert shown[0].startswith("hashtag: 'career chat' is not a hashtag")
    assert shown[1] == "timezone: unknown time zone 'Phoenix'; did you mean 'America/Phoenix'?"


async def test_an_edit_replans_the_occurrence_not_yet_started(
    authoring: Authoring, store: SqliteStore, engine: Engine
) -> None:
    dropped: list[int] = []

    async def on_dropped(occurrence_id: int) -> None:
        dropped.append(occurrence_id)

    engine.planner.on_dropped.append(on_dropped)
    saved = await new_chat(authoring)
    assert saved.occurrence is not None
    first = saved.occurrence.run.occurrence_id

    draft = await authoring.open_edit("careerchat", guild_id=9, user_id=501)
    assert ChatForm.from_fields(draft.fields).questions == TEXTS["questions"]
    edited = await authoring.submit(
        draft.draft_id, 501, **(TEXTS | {"questions": TEXTS["questions"] + "\nA third?"})
    )
    assert isinstance(edited, Saved)
    [occurrence] = await store.occurrences(chat_id="careerchat")
    assert occurrence.run.occurrence_id == first
    assert occurrence.run.has_step("q3")

    moved = await authoring.change("careerchat", start="2027-01-13 18:30")
    assert isinstance(moved, Saved)
    [occurrence] = await store.occurrences(chat_id="careerchat")
    assert occurrence.run.start == START + timedelta(hours=23, minutes=30)
    assert dropped == [first]


async def test_a_live_run_keeps_the_chat_it_started_with(
    authoring: Authoring, store: SqliteStore, engine: Engine, clock: VirtualClock
) -> None:
    saved = await new_chat(authoring)
    await engine.control("careerchat", Start("mod"))
    await drive(engine, clock, clock.now() + timedelta(minutes=1))
    changed = await authoring.change("careerchat", interval="5m", title="Renamed")
    assert isinstance(changed, Saved)
    [live] = await store.occurrences(chat_id="careerchat", unfinished=True)
    assert live.run.phase is Phase.RUNNING
    assert live.spec == saved.spec
    [stored] = await store.chat_specs()
    assert (stored.title, stored.question_interval) == ("Renamed", timedelta(minutes=5))


async def test_chats_from_files_are_changed_in_their_file(
    authoring: Authoring, engine: Engine, chats_dir: Path, store: SqliteStore
) -> None:
    (chats_dir / "careerchat.yaml").write_text("placeholder")
    await engine.schedule_chat(make_spec(source=str(chats_dir / "careerchat.yaml")))
    message = (
        "careerchat is defined by the chat file chats/careerchat.yaml; change it there, then "
        "/host reload"
    )
    for attempt in (
        authoring.open_edit("careerchat", 9, 501),
        authoring.change("careerchat", title="x"),
        authoring.delete("careerchat"),
    ):
        with pytest.raises(DefinedByFile) as refused:
            await attempt
        assert str(refused.value) == message
    with pytest.raises(ChatNotFound):
        await authoring.open_edit("nochat", 9, 501)
    name, _text = await authoring.export("careerchat")  # exporting a file's chat is fine
    assert name == "careerchat.yaml"


async def test_an_export_uploads_back_to_the_same_chat_byte_for_byte(
    authoring: Authoring, engine: Engine, store: SqliteStore
) -> None:
    await new_chat(
        authoring, intro="Welcome to #careerchat!\nSay: who are you?", prompts='One\n"Two"'
    )
    name, exported = await authoring.export("careerchat")
    loaded = load_chat_text(exported, name, engine.clock.now())
    assert [p for p in loaded.problems if p.severity == "error"] == []
    assert loaded.spec is not None
    await engine.schedule_chat(replace(loaded.spec, source=None))  # what /host schedule does
    assert [s.id for s in await store.chat_specs()] == ["careerchat"]
    assert await authoring.export("careerchat") == (name, exported)


async def test_delete_drops_the_occurrence_not_yet_started(
    authoring: Authoring, store: SqliteStore, engine: Engine
) -> None:
    dropped: list[int] = []

    async def on_dropped(occurrence_id: int) -> None:
        dropped.append(occurrence_id)

    engine.planner.on_dropped.append(on_dropped)
    saved = await new_chat(authoring)
    assert saved.occurrence is not None
    await authoring.delete("careerchat")
    assert dropped == [saved.occurrence.run.occurrence_id]
    assert await store.chat_specs() == []
    assert await store.occurrences(chat_id="careerchat") == []
    assert "careerchat" in await authoring.taken_ids()
    assert (await new_chat(authoring)).spec.id == "careerchat-2"


async def test_drafts_a_day_old_are_gone(
    authoring: Authoring, clock: VirtualClock, venue: MemoryVenue
) -> None:
    old = await authoring.open_new(FORM, guild_id=9, user_id=501)
    assert isinstance(old, ChatDraft)
    clock.advance(timedelta(days=1, minutes=1))
    new = await authoring.open_new(FORM, guild_id=9, user_id=501)
    assert isinstance(new, ChatDraft)
    assert new.draft_id != old.draft_id
    with pytest.raises(DraftExpired):
        await authoring.submit(old.draft_id, 501, **TEXTS)
    with pytest.raises(DraftExpired):  # only its writer has a draft's form
        await authoring.draft(new.draft_id, 502)
    assert venue.step_keys() == []
