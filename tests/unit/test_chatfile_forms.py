"""Chats written in Discord: the chat file writer (export), forms checked by the rules of chat
files with problems by field and line, chat ids from hashtags, and time zones by city."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.chatfile import load_chat_text
from bot.chatfile.dump import dump_chat, plain, quote
from bot.chatfile.form import ChatForm, check_form, form_of, new_chat_id
from bot.chatfile.zones import zone_choices, zone_label
from bot.core.spec import ChatSpec, QuestionSpec, RecapSpec
from tests.support.specs import make_spec

NOW = datetime(2026, 12, 1, tzinfo=UTC)


def reload(text: str) -> ChatSpec:
    loaded = load_chat_text(text, "exported.yaml", NOW)
    assert [p for p in loaded.problems if p.severity == "error"] == []
    assert loaded.spec is not None
    return replace(loaded.spec, source=None)


# --- the writer ---------------------------------------------------------------------------

texts = st.text(min_size=1, max_size=60).map(str.strip).filter(bool)


@given(texts)
def test_any_text_quoted_reads_back_exactly(text: str) -> None:
    assert yaml.safe_load(f"v: {quote(text)}")["v"] == text
    assert yaml.safe_load(f"v: {plain(text)}")["v"] == text


def test_a_form_is_kept_as_text_fields() -> None:
    assert ChatForm.from_fields(FORM.fields()) == FORM


@st.composite
def specs(draw: st.DrawFn) -> ChatSpec:
    question = st.builds(
        QuestionSpec,
        texts,
        st.none() | st.integers(1, 600).map(lambda s: timedelta(seconds=s)),
        st.none() | st.just("https://example.org/a picture?.png").map(lambda u: u.replace(" ", "")),
    )
    repeat = draw(st.sampled_from([None, "weekly", "monthly", "FREQ=WEEKLY;BYDAY=TU,TH"]))
    until = draw(st.none() | st.just(date(2031, 6, 30))) if repeat else None
    return ChatSpec(
        id=draw(st.from_regex(r"[a-z0-9][a-z0-9-]{1,20}", fullmatch=True)),
        title=draw(texts),
        hashtag="#" + draw(st.from_regex(r"[A-Za-z0-9_é]{1,12}", fullmatch=True)),
        channel=draw(st.integers(1, 2**63 - 1)),
        guild=draw(st.none() | st.integers(1, 2**63 - 1)),
        timezone=draw(st.sampled_from(["UTC", "America/Phoenix", "Asia/Kolkata"])),
        start=datetime(2030, 1, 1, 19, 0) + timedelta(seconds=draw(st.integers(0, 86399))),
        questions=tuple(draw(st.lists(question, min_size=1, max_size=5))),
        repeat=repeat,
        until=until,
        reminders=tuple(timedelta(minutes=m) for m in draw(st.lists(st.integers(1, 90)))),
        intro=draw(st.just("") | texts | st.lists(texts, min_size=2, max_size=3).map("\n".join)),
        closing=draw(st.just("") | texts),
        late_answers=timedelta(minutes=draw(st.integers(0, 120))),
        recap=RecapSpec(draw(st.none() | st.integers(1, 999)), tuple(draw(st.lists(texts)))),
        moderator_channel=draw(st.none() | st.integers(1, 999)),
        hosts=tuple(draw(st.lists(st.integers(1, 2**63 - 1), max_size=2))),
    )


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(specs())
def test_an_exported_chat_loads_back_as_the_same_chat_and_exports_the_same_bytes(
    spec: ChatSpec,
) -> None:
    exported = dump_chat(spec)
    again = reload(exported)
    assert again == spec
    assert dump_chat(again) == exported


def test_an_export_reads_like_the_readme_example() -> None:
    spec = make_spec(
        intro="Welcome to #careerchat!\nIntroduce yourself: name, role.",
        repeat="weekly",
        until=date(2027, 6, 30),
        guild=77,
        questions=(
            QuestionSpec("Who is in your network?"),
            QuestionSpec("What did you learn?", timedelta(minutes=10), "https://example.com/r.png"),
        ),
        hosts=(402871993215369216,),
    )
    assert dump_chat(spec) == (
        "# careerchat: a chat file exported by /host export. Check it with\n"
        "# `python -m bot validate FILE`; upload it with /host schedule to change the chat.\n"
        "id: careerchat\n"
        'title: "Career Chat"\n'
        'hashtag: "#CareerChat"\n'
        "channel: 111\n"
        "guild: 77\n"
        "timezone: America/Phoenix\n"
        "start: 2027-01-05 19:00\n"
        "repeat: weekly\n"
        "until: 2027-06-30\n"
        "reminders: [1d, 1h, 10m]\n"
        "intro: |-\n"
        "  Welcome to #careerchat!\n"
        "  Introduce yourself: name, role.\n"
        "question_interval: 8m\n"
        "last_call: 1m\n"
        "questions:\n"
        '  - "Who is in your network?"\n'
        '  - text: "What did you learn?"\n'
        "    after: 10m\n"
        '    image: "https://example.com/r.png"\n'
        'closing: "Thanks all."\n'
        "late_answers: 30m\n"
        "max_late: 30m\n"
        "recap:\n"
        "  prompts:\n"
        '    - "What will you try?"\n'
        "hosts: [402871993215369216]\n"
    )
    assert reload(dump_chat(spec)) == spec


# --- forms --------------------------------------------------------------------------------

FORM = ChatForm(
    title="Career Chat",
    hashtag="#careerchat",
    start="2027-01-12 19:00",
    timezone="America/Phoenix",
    repeat="weekly",
    interval="8m",
    channel=123,
    questions="Who is in your network?\nWhat did you learn: this year?",
    intro="Welcome! # not a comment",
    prompts="Which answer made you think?",
)


def test_a_valid_form_is_the_chat_it_describes() -> None:
    result = check_form(FORM, "careerchat", NOW, guild=9)
    assert result.problems == []
    assert result.spec == ChatSpec(
        id="careerchat",
        title="Career Chat",
        hashtag="#careerchat",
        channel=123,
        guild=9,
        timezone="America/Phoenix",
        start=datetime(2027, 1, 12, 19, 0),
        repeat="weekly",
        questions=(
            QuestionSpec("Who is in your network?"),
            QuestionSpec("What did you learn: this year?"),
        ),
        intro="Welcome! # not a comment",
        recap=RecapSpec(prompts=("Which answer made you think?",)),
        source="careerchat (form)",
    )


def test_problems_name_the_forms_field_and_the_line_typed() -> None:
    long_line = "x" * 2140
    form = replace(
        FORM,
        hashtag="career chat",
        interval="8",
        questions=f"First?\n\n{long_line}\nLast?",
        prompts="Fine\n\n\n" + "y" * 1901,
        start="2027-02-30 19:00",
    )
    result = check_form(form, "careerchat", NOW, guild=9)
    assert result.spec is None
    shown = [str(p) for p in result.problems]
    assert shown[0].startswith("hashtag: 'career chat' is not a hashtag")
    assert shown[1].startswith("start: '2027-02-30 19:00' is not a real date and time")
    assert shown[2] == "interval: '8' is not a duration; use 7m or 90s"
    assert shown[3].startswith("questions, line 3: is too long for one Discord message: 2,144")
    assert shown[4].startswith("reflection prompts, line 4: is 1,901 characters; keep it to 1,900")
    assert len(shown) == 5


def test_a_chat_with_no_date_to_come_is_refused() -> None:
    result = check_form(replace(FORM, repeat="once", start="2026-11-30 09:00"), "c1", NOW)
    assert result.spec is None
    assert [str(p) for p in result.errors] == [
        "start: 2026-11-30 09:00 America/Phoenix is in the past (it is now 2026-11-30 17:00 "
        "there), so this one-off chat will never run; expected a future start, or add repeat"
    ]


def test_editing_keeps_what_the_form_does_not_show() -> None:
    base = make_spec(
        repeat="FREQ=WEEKLY;BYDAY=TU",
        until=date(2027, 6, 30),
        guild=5,
        moderator_channel=77,
        questions=(
            QuestionSpec("Keep my picture?", timedelta(minutes=10), "https://example.com/p.png"),
            QuestionSpec("Plain one?"),
        ),
    )
    form = form_of(base)
    assert form.repeat == "FREQ=WEEKLY;BYDAY=TU"
    assert form.questions == "Keep my picture?\nPlain one?"
    edited = check_form(
        form.with_texts("New first?\r\nKeep my picture?", form.intro, form.closing, form.prompts),
        base.id,
        NOW,
        base=base,
    )
    assert edited.problems == []
    assert edited.spec is not None
    assert edited.spec.questions == (
        QuestionSpec("New first?"),
        QuestionSpec("Keep my picture?", timedelta(minutes=10), "https://example.com/p.png"),
    )
    kept = ("reminders", "last_call", "until", "guild", "moderator_channel", "late_answers")
    assert {name: getattr(edited.spec, name) for name in kept} == {
        name: getattr(base, name) for name in kept
    }
    assert replace(edited.spec, questions=base.questions, source=None) == base

    once = check_form(replace(form, repeat="once"), base.id, NOW, base=base)
    assert once.spec is not None
    assert (once.spec.repeat, once.spec.until) == (None, None)


def test_a_problem_in_a_field_the_form_lacks_says_where_to_change_it() -> None:
    base = make_spec(last_call=timedelta(minutes=1))
    result = check_form(replace(form_of(base), interval="45s"), base.id, NOW, base=base)
    assert result.spec is None
    assert str(result.problems[0]).startswith(
        "last_call (not in the form: /host export, edit the file, /host schedule it): 1m must "
        "be shorter than every gap"
    )


@pytest.mark.parametrize(
    ("hashtag", "taken", "expected"),
    [
        ("#CareerChat", set(), "careerchat"),
        ("#CareerChat", {"careerchat", "careerchat-2"}, "careerchat-3"),
        ("#café_talk", set(), "cafe-talk"),
        ("#学习", set(), "chat"),
        ("#a", set(), "chat-a"),
        ("#" + "x" * 80, set(), "x" * 56),
    ],
)
def test_a_new_chats_id_comes_from_its_hashtag(
    hashtag: str, taken: set[str], expected: str
) -> None:
    assert new_chat_id(hashtag, taken) == expected


# --- time zones ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "first"),
    [
        ("phoenix", "America/Phoenix"),
        ("kolkata", "Asia/Kolkata"),
        ("new york", "America/New_York"),
        ("New_York", "America/New_York"),
        ("PST", "America/Los_Angeles"),
        ("utc", "UTC"),
        ("buenos", "America/Argentina/Buenos_Aires"),
    ],
)
def test_a_zone_is_found_by_its_city(typed: str, first: str) -> None:
    assert zone_choices(typed, {})[0] == first


def test_the_servers_zones_come_first() -> None:
    used = {"Europe/Paris": 1, "Europe/London": 3}
    assert zone_choices("", used)[:3] == ["Europe/London", "Europe/Paris", "UTC"]
    assert zone_choices("europe", used)[:3] == ["Europe/London", "Europe/Paris", "Europe/Amsterdam"]
    assert len(zone_choices("a", {})) == 25
    assert zone_choices("nowhere at all", used) == []


def test_a_zone_is_labelled_with_its_offset_now() -> None:
    assert zone_label("Asia/Kolkata", NOW) == "Asia/Kolkata (UTC+05:30)"
    assert zone_label("America/St_Johns", NOW) == "America/St_Johns (UTC-03:30)"


def test_a_field_left_as_it_was_keeps_the_chats_own_text() -> None:
    base = make_spec(
        questions=(QuestionSpec("Spans\ntwo lines?"), QuestionSpec("One line?")),
        recap=RecapSpec(prompts=("A prompt\nover lines",)),
    )
    form = form_of(base)
    assert form.questions == "Spans two lines?\nOne line?"
    moved = check_form(replace(form, start="2027-02-02 19:00"), base.id, NOW, base=base)
    assert moved.spec is not None
    assert (moved.spec.questions, moved.spec.recap) == (base.questions, base.recap)
