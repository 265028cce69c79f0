"""Moderators write chats in Discord, through the real bot process and the stand-in: /host new
and its form, problems by field and line with a retry that reopens the form filled in (after a
restart too), edits that re-plan a future date and its server event but leave a live run
alone, export and upload byte for byte, delete with a confirmation, autocomplete, and
everyone else refused."""

from __future__ import annotations

import asyncio
import json
import sys
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.e2e.botproc import (
    REPO,
    BotProcess,
    World,
    assert_on_schedule,
    chat_yaml,
    command,
    count_posts,
    host,
    planned_questions,
    wait_post,
)
from tests.e2e.standin import Answer, Interaction, Perm, User

WAIT = 40.0
SCHEDULED, CANCELLED = 1, 4
REFUSED = "⚠️ only moderators can do that (Manage Events or Manage Server permission)"
#: A chat far in the future (until a test starts it), in seconds rather than minutes.
OPTIONS = {
    "title": "Form Chat",
    "hashtag": "#FormChat",
    "start": "2030-01-01 18:00",
    "timezone": "UTC",
    "repeat": "weekly",
    "interval": "4s",
}
QUESTIONS = "First question, what do you think?\nSecond question, what next?"


async def open_form(world: World, user: User | None = None, **options: Any) -> Interaction:
    """``/host new`` with ``OPTIONS`` (and ``options``); the bot answers with its form."""
    asked = await world.standin.invoke(
        user or world.mod, world.guild, world.channel, "host", "new", options=OPTIONS | options
    )
    shown = await asked.wait_response(WAIT)
    assert shown.kind == "modal", shown.content
    return asked


async def submit(world: World, form: Interaction, **typed: str) -> Answer:
    """The moderator submits ``form`` with ``typed`` (the rest as it was shown)."""
    submitted = await world.standin.submit_modal(form, world.mod, typed)
    return await submitted.wait_response(WAIT)


async def new_chat(world: World, questions: str = QUESTIONS, **options: Any) -> Answer:
    """A chat made with /host new and its form; returns the bot's answer to the form."""
    saved = await submit(world, await open_form(world, **options), questions=questions)
    assert saved.content.startswith("✅"), saved.content
    return saved


def shown_inputs(form: Interaction) -> dict[str, str | None]:
    """The text inputs of the form the bot showed, with what they were filled in with."""
    modal = form.answer()
    assert modal is not None
    assert modal.modal is not None
    return {
        label["component"]["custom_id"]: label["component"].get("value")
        for label in modal.modal["components"]
    }


def button(answer: Answer) -> str:
    """The custom_id of the first button of a message."""
    assert answer.message is not None
    return str(answer.message["components"][0]["components"][0]["custom_id"])


def events(world: World) -> list[tuple[str, str | None, int]]:
    """(start, end, status) of every server event of the guild, in creation order."""
    return [
        (e.scheduled_start_time[:19], (e.scheduled_end_time or "")[:19], e.status)
        for e in world.standin.scheduled_events(world.guild)
    ]


def attached(world: World, answer: Answer) -> tuple[str, bytes]:
    """The file attached to an answer: its name and bytes, as Discord serves them."""
    assert answer.message is not None
    [attachment] = answer.message["attachments"]
    return attachment["filename"], world.standin.world.attachments[int(attachment["id"])].data


def stored_chats(bot: BotProcess) -> list[tuple[Any, ...]]:
    return bot.query("SELECT id, source, active FROM chats ORDER BY id")


async def test_a_chat_made_in_discord_is_planned_announced_listed_and_run_on_time(
    world: World, bot: BotProcess
) -> None:
    standin = world.standin
    await bot.start()
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=20)
    form = await open_form(world, start=f"{start:%Y-%m-%d %H:%M:%S}", repeat="once")
    assert form.callback is not None
    assert form.callback["data"]["custom_id"].startswith("qachat:chat-form:")
    saved = await submit(world, form, questions=QUESTIONS, intro="Hello from a form!")
    assert saved.ephemeral
    assert saved.content.startswith(
        f"✅ **Form Chat** #FormChat (`formchat`) is scheduled for <t:{int(start.timestamp())}:F>"
        f" in <#{world.channel.id}>."
    )
    assert stored_chats(bot) == [("formchat", None, 1)]  # stored like an uploaded chat
    [(spec_json,)] = bot.query("SELECT spec_json FROM chats")
    assert json.loads(spec_json)["guild"] == world.guild.id
    await standin.wait_for(lambda: events(world)[:1] and events(world)[0][2] == SCHEDULED, WAIT)
    assert events(world)[0][0] == f"{start:%Y-%m-%dT%H:%M:%S}"
    listed = await command(world, world.people[0], "list")
    assert f"**Form Chat** (`formchat`) <t:{int(start.timestamp())}:F>" in listed.content

    planned = planned_questions(bot)
    assert sorted(planned) == [1, 2]
    intro = await wait_post(world, "👋", within=WAIT)
    assert "Hello from a form!" in intro["content"]
    await wait_post(world, "**Q2:**", within=WAIT)
    assert_on_schedule(world, bot, planned, tolerance=3.0)
    assert "Traceback" not in bot.log.read_text()


async def test_a_bad_line_comes_back_by_field_and_line_and_the_retry_reopens_it_filled_in(
    world: World, bot: BotProcess
) -> None:
    await bot.start()
    form = await open_form(world)
    long_line = "x" * 2140
    typed = {
        "questions": f"Fine question?\n\n{long_line}\nLast question?",
        "intro": "An intro I do not want to type twice.",
        "prompts": "What will you try?",
    }
    problems = await submit(world, form, **typed)
    assert problems.ephemeral
    assert problems.content.splitlines() == [
        "⚠️ The chat is not saved yet. Fix these, then press **Reopen the form** (what you typed "
        "is kept):",
        "• questions, line 3: is too long for one Discord message: 2,154 characters with the "
        "'Q2: ' prefix and ' #FormChat' suffix, over the limit of 2,000; shorten it by 154",
    ]
    assert stored_chats(bot) == []
    retry = button(problems)
    assert retry.startswith("qachat:chat-retry:")

    # The button outlives a restart: what was typed is in the database.
    assert await bot.stop() == 0
    await bot.start()
    assert problems.message is not None
    again = await world.standin.click(int(problems.message["id"]), world.mod, retry)
    assert (await again.wait_response(WAIT)).kind == "modal"
    assert shown_inputs(again) == {
        "questions": typed["questions"],
        "intro": typed["intro"],
        "closing": None,
        "prompts": typed["prompts"],
    }
    fixed = typed["questions"].replace(long_line, "A shorter second question?")
    saved = await submit(world, again, questions=fixed)  # the rest as it was kept
    assert saved.content.startswith("✅ **Form Chat** #FormChat (`formchat`) is scheduled")
    [(spec_json,)] = bot.query("SELECT spec_json FROM chats")
    spec = json.loads(spec_json)
    assert spec["intro"] == typed["intro"]
    assert [q["text"] for q in spec["questions"]] == [
        "Fine question?",
        "A shorter second question?",
        "Last question?",
    ]
    assert spec["recap"]["prompts"] == ["What will you try?"]

    # The form is used up: submitting it again (a double click) saves nothing twice.
    stale = await submit(world, again, questions=fixed)
    assert stale.content.startswith("⚠️ this form has expired")

    # Short fields with problems are told at once, before any form.
    refused = await world.standin.invoke(
        world.mod,
        world.guild,
        world.channel,
        "host",
        "new",
        options=OPTIONS | {"timezone": "Phoenix", "start": "2030-02-30 18:00"},
    )
    told = await refused.wait_response(WAIT)
    assert told.kind == "message"
    assert told.content.splitlines()[1:] == [
        "• timezone: unknown time zone 'Phoenix'; did you mean 'America/Phoenix'?",
        "• start: '2030-02-30 18:00' is not a real date and time (day is out of range for month)",
    ]


async def test_an_edit_moves_the_plan_and_server_event_of_a_future_date(
    world: World, bot: BotProcess
) -> None:
    standin = world.standin
    await bot.start()
    await new_chat(world)
    first = [("2030-01-01T18:00:00", "2030-01-01T18:00:12", SCHEDULED)]
    await standin.wait_for(lambda: events(world) == first, WAIT)

    editing = await standin.invoke(
        world.mod, world.guild, world.channel, "host", "edit", options={"chat": "formchat"}
    )
    assert (await editing.wait_response(WAIT)).kind == "modal"
    assert shown_inputs(editing)["questions"] == QUESTIONS
    # A form open while the bot restarts still arrives: it is handled by its custom_id.
    assert await bot.stop() == 0
    await bot.start()
    edited = await submit(world, editing, questions=QUESTIONS + "\nA third question?")
    assert edited.content.startswith("✅ **Form Chat** #FormChat (`formchat`) is now scheduled")
    keys = "SELECT step_key FROM timers ORDER BY due_at"
    assert bot.query(keys)[-3:] == [("q3",), ("closing",), ("recap",)]
    longer = [("2030-01-01T18:00:00", "2030-01-01T18:00:16", SCHEDULED)]
    await standin.wait_for(lambda: events(world) == longer, WAIT)

    moved = await host(world, world.mod, "set", chat="formchat", start="2030-01-02 19:30")
    assert moved.content.startswith("✅ **Form Chat** #FormChat (`formchat`) is now scheduled")
    assert bot.query("SELECT start_at FROM occurrences") == [("2030-01-02T19:30:00.000000+00:00",)]
    both = [
        ("2030-01-01T18:00:00", "2030-01-01T18:00:16", CANCELLED),
        ("2030-01-02T19:30:00", "2030-01-02T19:30:16", SCHEDULED),
    ]
    links = "SELECT 1 FROM scheduled_events"
    await standin.wait_for(lambda: events(world) == both and len(bot.query(links)) == 1, WAIT)

    # A problem in a short field is told by field, and nothing changes.
    bad = await host(world, world.mod, "set", chat="formchat", interval="8")
    assert bad.content.splitlines() == [
        "⚠️ Nothing is changed yet. Fix these:",
        "• interval: '8' is not a duration; use 7m or 90s",
    ]
    assert events(world) == both


async def test_an_edit_during_a_run_leaves_the_run_alone(world: World, bot: BotProcess) -> None:
    standin = world.standin
    (bot.chats / "e2echat.yaml").write_text(chat_yaml(world.channel))
    await bot.start()
    await new_chat(world)
    started = await host(world, world.mod, "start", chat="formchat")
    assert "starting now" in started.content
    await wait_post(world, "👋")
    [(running,)] = bot.query("SELECT spec_json FROM occurrences WHERE chat_id = 'formchat'")

    editing = await standin.invoke(
        world.mod, world.guild, world.channel, "host", "edit", options={"chat": "formchat"}
    )
    await editing.wait_response(WAIT)
    edited = await submit(world, editing, questions=QUESTIONS + "\nAdded during the run?")
    assert "The run in progress keeps what it started with" in edited.content
    changed = await host(world, world.mod, "set", chat="formchat", interval="30s")
    assert "The run in progress keeps what it started with" in changed.content

    await wait_post(world, "🏁")  # after Q2, as planned when it started
    assert count_posts(world, "**Q3:**") == 0
    assert bot.query("SELECT spec_json FROM occurrences WHERE chat_id = 'formchat'") == [(running,)]
    [(now_json,)] = bot.query("SELECT spec_json FROM chats WHERE id = 'formchat'")
    assert json.loads(now_json)["question_interval"] == 30
    assert len(json.loads(now_json)["questions"]) == 3

    # A chat from a file is changed in its file.
    told = "⚠️ e2echat is defined by the chat file chats/e2echat.yaml; change it there, then /host reload"
    for sub, options in (
        ("edit", {}),
        ("set", {"title": "Renamed"}),
        ("delete", {}),
    ):
        answer = await host(world, world.mod, sub, chat="e2echat", **options)
        assert (answer.kind, answer.content) == ("message", told)


async def test_an_export_uploads_back_byte_for_byte(world: World, bot: BotProcess) -> None:
    standin = world.standin
    await bot.start()
    form = await open_form(world, title='Career Chat: "grow" your #network')
    saved = await submit(
        world,
        form,
        questions='Who is in your network? 🌱\nWhat does "a lead" mean: to you?\n#1 tip',
        intro="Welcome!\nAnswer with A1, A2... # not a comment",
        closing="That's a wrap: see you next week.",
        prompts="Which answer made you rethink something?\nWho will you reach out to?",
    )
    assert saved.content.startswith("✅")

    exported = await host(world, world.mod, "export", chat="formchat")
    assert exported.ephemeral
    name, data = attached(world, exported)
    assert name == "formchat.yaml"
    path = bot.workdir / name
    path.write_bytes(data)
    checked = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "validate",
        str(path),
        cwd=REPO,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await checked.communicate()
    assert checked.returncode == 0, output.decode()
    assert "1 valid chat(s), 0 error(s), 0 warning(s)" in output.decode()

    upload = await standin.invoke(
        world.mod,
        world.guild,
        world.channel,
        "host",
        "schedule",
        attachments={"file": (name, data)},
    )
    assert "is scheduled for <t:" in (await upload.wait_response(WAIT)).content
    assert stored_chats(bot) == [("formchat", None, 1)]
    again = await host(world, world.mod, "export", chat="formchat")
    assert attached(world, again) == (name, data)


async def test_delete_asks_then_cancels_the_next_date_and_its_server_event(
    world: World, bot: BotProcess
) -> None:
    standin = world.standin
    await bot.start()
    await new_chat(world)
    await standin.wait_for(lambda: [e[2] for e in events(world)] == [SCHEDULED], WAIT)

    asked = await host(world, world.mod, "delete", chat="formchat")
    assert asked.content.startswith("Delete **Form Chat** #FormChat (`formchat`)?")
    assert asked.message is not None
    kept = await standin.click(int(asked.message["id"]), world.mod, "qachat:chat-keep:formchat")
    assert (await kept.wait_response(WAIT)).content == "👍 formchat is kept."
    assert stored_chats(bot) == [("formchat", None, 1)]

    asked = await host(world, world.mod, "delete", chat="formchat")
    assert asked.message is not None
    confirm = button(asked)
    assert confirm == "qachat:chat-delete:formchat"
    done = await standin.click(int(asked.message["id"]), world.mod, confirm)
    deleted = await done.wait_response(WAIT)
    assert deleted.kind == "update"
    assert deleted.content.startswith("🗑️ Form Chat #FormChat (`formchat`) is deleted")
    assert standin.message(int(asked.message["id"]))["components"] == []
    assert stored_chats(bot) == [("formchat", None, 0)]
    assert bot.query("SELECT 1 FROM occurrences") == []
    await standin.wait_for(lambda: [e[2] for e in events(world)] == [CANCELLED], WAIT)
    assert "No chats are scheduled" in (await command(world, world.people[0], "list")).content


async def test_autocomplete_finds_zones_by_city_and_this_servers_chats_by_date(
    world: World, bot: BotProcess
) -> None:
    standin = world.standin
    await bot.start()

    async def zones(typed: str) -> list[str]:
        asked = await standin.autocomplete(
            world.mod,
            world.guild,
            world.channel,
            "host",
            "new",
            options={"timezone": typed},
            focused="timezone",
        )
        choices = (await asked.wait_response(WAIT)).choices
        assert choices is not None
        return [c["value"] for c in choices]

    assert (await zones("phoenix"))[0] == "America/Phoenix"
    assert (await zones("kolkata"))[0] == "Asia/Kolkata"
    assert (await zones("new york"))[0] == "America/New_York"
    await new_chat(world, timezone="Asia/Kolkata", start="2030-03-01 18:00")
    await new_chat(world, timezone="Asia/Kolkata", start="2030-02-01 18:00", hashtag="#Sooner")
    assert (await zones(""))[0] == "Asia/Kolkata"  # the server's own zone first

    asked = await standin.autocomplete(
        world.mod,
        world.guild,
        world.channel,
        "host",
        "edit",
        options={"chat": ""},
        focused="chat",
    )
    choices = (await asked.wait_response(WAIT)).choices
    assert choices == [
        {"name": "sooner — Form Chat · Fri 01 Feb 18:00 Asia/Kolkata", "value": "sooner"},
        {"name": "formchat — Form Chat · Fri 01 Mar 18:00 Asia/Kolkata", "value": "formchat"},
    ]


async def test_everyone_but_moderators_is_refused_everywhere(world: World, bot: BotProcess) -> None:
    standin, ana = world.standin, world.people[0]
    await bot.start()
    await new_chat(world)
    shown_form = await open_form(world)  # a moderator's form, open
    bad = await submit(world, await open_form(world), questions="x" * 2100)
    retry = button(bad)
    confirm = await host(world, world.mod, "delete", chat="formchat")

    # Discord does not show /host to members; an admin may show it to anyone, and then the
    # bot itself refuses, for every command here.
    with pytest.raises(PermissionError):
        await host(world, ana, "new", **OPTIONS)
    standin.set_command_permissions(world.guild, "host", allow=[ana, world.moderators])
    for sub, options in (
        ("new", OPTIONS),
        ("edit", {"chat": "formchat"}),
        ("set", {"chat": "formchat", "title": "Mine now"}),
        ("export", {"chat": "formchat"}),
        ("delete", {"chat": "formchat"}),
    ):
        answer = await host(world, ana, sub, **options)
        assert (answer.kind, answer.content, answer.ephemeral) == ("message", REFUSED, True), sub
    asked = await standin.autocomplete(
        ana, world.guild, world.channel, "host", "edit", options={"chat": ""}, focused="chat"
    )
    assert (await asked.wait_response(WAIT)).choices == []

    # A moderator who loses the role: the form, the retry and the delete buttons refuse too.
    standin.set_role_permissions(world.moderators, int(Perm.VIEW_CHANNEL))
    # (Gateway events arrive in order: the bot knows before the next interaction.)
    demoted = REFUSED
    answer = await host(world, world.mod, "export", chat="formchat")
    assert answer.content == demoted
    submitted = await submit(world, shown_form, questions="Sneaky question?")
    assert submitted.content == demoted
    assert bad.message is not None
    clicked = await standin.click(int(bad.message["id"]), world.mod, retry)
    assert (await clicked.wait_response(WAIT)).content == demoted
    assert confirm.message is not None
    clicked = await standin.click(int(confirm.message["id"]), world.mod, button(confirm))
    assert (await clicked.wait_response(WAIT)).content == demoted
    assert stored_chats(bot) == [("formchat", None, 1)]
    [(title,)] = bot.query("SELECT json_extract(spec_json, '$.title') FROM chats")
    assert title == "Form Chat"
