"""The Discord side of writing chats, without Discord: the form as Discord is sent it (within
its limits, filled in from the draft), what a submit carries, the replies, the persistent
buttons, and the chat autocomplete's order."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.chatfile.form import ChatForm, FormProblem
from bot.config import Settings
from bot.core.ports import ChatDraft
from bot.core.run import Start
from bot.discord_app.forms import (
    ChatFormModal,
    DeleteButton,
    FormTooLong,
    RetryButton,
    problems_text,
    submitted_values,
)
from bot.discord_app.services import Services
from bot.runtime.clock import VirtualClock
from bot.runtime.root import build_runtime
from bot.storage import SqliteStore
from tests.support.specs import make_spec
from tests.support.venue import MemoryVenue

FORM = ChatForm(
    title="Career Chat",
    hashtag="#careerchat",
    start="2027-01-12 19:00",
    timezone="America/Phoenix",
    repeat="weekly",
    interval="8m",
    channel=123,
    questions="One?\nTwo?",
    intro="Hello",
)
DRAFT = ChatDraft(7, 1, 2, None, FORM.fields(), datetime(2027, 1, 1, tzinfo=UTC))


def test_the_form_is_what_discord_accepts_filled_in_from_the_draft() -> None:
    payload = ChatFormModal(DRAFT).to_dict()
    assert payload["custom_id"] == "qachat:chat-form:7"
    assert payload["title"] == "New chat #careerchat"
    assert 1 <= len(payload["components"]) <= 5
    inputs = {}
    for label in payload["components"]:
        assert label["type"] == 18
        assert len(label["label"]) <= 45
        assert len(label.get("description", "")) <= 100
        text = label["component"]
        assert (text["type"], text["style"]) == (4, 2)
        assert 1 <= text["max_length"] <= 4000
        inputs[text["custom_id"]] = (text.get("value"), text["required"])
    assert inputs == {
        "questions": ("One?\nTwo?", True),
        "intro": ("Hello", False),
        "closing": (None, False),
        "prompts": (None, False),
    }
    editing = ChatFormModal(replace(DRAFT, chat_id="a-very-long-chat-id-" + "x" * 40)).to_dict()
    assert len(editing["title"]) == 45


def test_a_chat_too_long_for_a_form_says_what_to_do() -> None:
    draft = replace(DRAFT, fields=replace(FORM, questions="q" * 4001).fields())
    with pytest.raises(FormTooLong, match="/host export"):
        ChatFormModal(draft)


def test_a_submit_is_read_from_labels_and_from_action_rows() -> None:
    data: dict[str, Any] = {
        "custom_id": "qachat:chat-form:7",
        "components": [
            {
                "type": 18,
                "id": 1,
                "component": {"type": 4, "id": 2, "custom_id": "questions", "value": "A?"},
            },
            {
                "type": 1,
                "id": 3,
                "components": [{"type": 4, "id": 4, "custom_id": "intro", "value": "Hi"}],
            },
            {"type": 10, "id": 5, "content": "text display"},
        ],
    }
    assert submitted_values(data) == {"questions": "A?", "intro": "Hi"}
    assert submitted_values(None) == {}


def test_problems_fit_in_one_message() -> None:
    many = [FormProblem("questions", n, "is too long " + "x" * 200) for n in range(1, 40)]
    text = problems_text(many, retry=True)
    assert len(text) <= 2000
    assert text.startswith("⚠️ The chat is not saved yet. Fix these, then press **Reopen the form**")
    assert "• questions, line 1: is too long" in text
    assert text.splitlines()[-1].startswith("… and ")


def test_the_buttons_carry_what_they_act_on_in_their_custom_id() -> None:
    assert RetryButton(7).item.custom_id == "qachat:chat-retry:7"
    assert RetryButton.__discord_ui_compiled_template__.fullmatch("qachat:chat-retry:7")
    assert DeleteButton("careerchat").item.custom_id == "qachat:chat-delete:careerchat"


async def test_chat_choices_put_the_next_to_happen_first(
    store: SqliteStore, clock: VirtualClock, venue: MemoryVenue, tmp_path: Path
) -> None:
    services = Services(Settings(chats_dir=tmp_path), store, build_runtime(store, venue, clock))
    engine = services.engine
    later = make_spec(id="later", title="Later", start=datetime(2027, 3, 1, 19, 0))
    sooner = make_spec(id="sooner", title="Sooner", start=datetime(2027, 2, 1, 19, 0))
    live = make_spec(id="live", title="Live", start=datetime(2027, 6, 1, 19, 0))
    over = make_spec(id="over", title="Over", start=datetime(2027, 1, 2, 19, 0))
    for spec in (later, sooner, live, over):
        await engine.schedule_chat(spec)
    await engine.control("live", Start("mod"))
    await engine.run_due()
    clock.advance(timedelta(days=3))  # "over"'s date passed while the bot was down
    choices = await services.chat_choices("")
    assert [c.name for c in choices] == [
        "live — Live · on now",
        "over — Over · due now",
        "sooner — Sooner · Mon 01 Feb 19:00 America/Phoenix",
        "later — Later · Mon 01 Mar 19:00 America/Phoenix",
    ]
    assert [c.value for c in await services.chat_choices("soon")] == ["sooner"]
    assert (await services.zones_used(None)) == {"America/Phoenix": 4}
