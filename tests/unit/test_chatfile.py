"""Chat files: every validation path, with the exact line, column and field it reports."""

from __future__ import annotations

import io
import json
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.chatfile import (
    ChatSet,
    FileResult,
    Problem,
    load_chat_file,
    load_chat_text,
    load_chats,
    validate_command,
)
from bot.chatfile._build import FIELDS
from bot.core.spec import ChatSpec, QuestionSpec, RecapSpec

NOW = datetime(2026, 11, 23, tzinfo=UTC)
REPO = Path(__file__).resolve().parents[2]

# Line numbers matter: tests below point at them. Extra fields appended by
# ``chat()`` start on line 10.
BASE = """\
id: careerchat
title: Career Chat
hashtag: "#careerchat"
channel: 1187423950213476372
timezone: America/Phoenix
start: 2026-12-01 18:00
questions:
  - Who is in your learning network?
  - What is one lead you followed up on?
"""


def chat(extra: str = "", **replace: str) -> str:
    """BASE with some lines replaced (by field name) and ``extra`` lines appended.

    Replacing ``questions`` replaces its items too, so write them in the value.
    """
    lines = BASE.splitlines()
    if "questions" in replace:
        lines = [line for line in lines if not line.startswith("  - ")]
    for name, value in replace.items():
        index = next(i for i, line in enumerate(lines) if line.startswith(f"{name}:"))
        lines[index] = f"{name}: {value}"
    return "\n".join(lines) + "\n" + extra


def load(text: str, name: str = "c.yaml") -> FileResult:
    return load_chat_text(text, name, NOW)


def where(result: FileResult) -> list[tuple[int, int, str, str]]:
    """(line, column, field, severity) of every problem, in order."""
    return [(p.line, p.column, p.field, p.severity) for p in result.problems]


def only(result: FileResult) -> Problem:
    assert len(result.problems) == 1, [str(p) for p in result.problems]
    return result.problems[0]


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# --- valid files --------------------------------------------------------------------


def test_minimal_file_loads_with_defaults() -> None:
    result = load(BASE)

    assert result.problems == []
    assert result.spec == ChatSpec(
        id="careerchat",
        title="Career Chat",
        hashtag="#careerchat",
        channel=1187423950213476372,
        timezone="America/Phoenix",
        start=datetime(2026, 12, 1, 18, 0),
        questions=(
            QuestionSpec("Who is in your learning network?"),
            QuestionSpec("What is one lead you followed up on?"),
        ),
        source="c.yaml",
    )


def test_every_field_loads(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "full.yaml",
        """\
id: lead-chat
title: Leading Through Change
hashtag: "#leadchat"
channel: "1190538217764921384"
guild: 1102739488162037760
timezone: Europe/London
start: 2027-01-14T19:00
repeat: monthly
until: 2027-12-31
reminders: [24h, 1h, 10m]
intro: |
  Welcome!
question_interval: 10m
last_call: 1m
questions:
  - text: First?
    after: 5m
    image: https://example.com/q1.png
  - Second?
closing: Thanks!
late_answers: 0s
max_late: 15m
recap:
  channel: 1190538217764921999
  prompts: ["What will you try?", "Who will you follow?"]
moderator_channel: 1190538217764921777
hosts: [559301284712648704]
guests: ["830177465022087168"]
""",
    )

    result = load_chat_file(path, NOW)

    assert result.problems == []
    assert result.path == str(path)
    assert result.spec == ChatSpec(
        id="lead-chat",
        title="Leading Through Change",
        hashtag="#leadchat",
        channel=1190538217764921384,
        guild=1102739488162037760,
        timezone="Europe/London",
        start=datetime(2027, 1, 14, 19, 0),
        repeat="monthly",
        until=date(2027, 12, 31),
        reminders=(timedelta(hours=24), timedelta(hours=1), timedelta(minutes=10)),
        intro="Welcome!",
        question_interval=timedelta(minutes=10),
        last_call=timedelta(minutes=1),
        questions=(
            QuestionSpec("First?", timedelta(minutes=5), "https://example.com/q1.png"),
            QuestionSpec("Second?"),
        ),
        closing="Thanks!",
        late_answers=timedelta(0),
        max_late=timedelta(minutes=15),
        recap=RecapSpec(1190538217764921999, ("What will you try?", "Who will you follow?")),
        moderator_channel=1190538217764921777,
        hosts=(559301284712648704,),
        guests=(830177465022087168,),
        source=str(path),
    )


def test_empty_optional_fields_mean_their_defaults() -> None:
    result = load(chat("intro:\nrecap:\nhosts:\nlast_call:\n"))

    assert result.problems == []
    assert result.spec is not None
    assert (result.spec.intro, result.spec.recap, result.spec.hosts) == ("", RecapSpec(), ())


def test_moderator_channel_is_where_notices_go_and_defaults_to_the_chat_channel() -> None:
    own = load(chat('moderator_channel: "1190538217764921777"\n'))
    default = load(BASE)

    assert own.problems == default.problems == []
    assert own.spec is not None
    assert default.spec is not None
    assert (own.spec.moderator_channel, own.spec.notice_channel) == (
        1190538217764921777,
        1190538217764921777,
    )
    assert (default.spec.moderator_channel, default.spec.notice_channel) == (
        None,
        1187423950213476372,
    )


def test_moderator_channel_survives_storage_and_old_specs_load_without_it() -> None:
    spec = load(chat("moderator_channel: 1190538217764921777\n")).spec
    assert spec is not None
    plain = json.loads(spec.to_json())
    old = {key: value for key, value in plain.items() if key != "moderator_channel"}

    assert plain["moderator_channel"] == 1190538217764921777
    assert ChatSpec.from_json(spec.to_json()) == spec
    restored = ChatSpec.from_json(json.dumps(old))
    assert restored.moderator_channel is None
    assert restored.notice_channel == restored.channel == 1187423950213476372
    # A chat without one is stored as before, so its fingerprint does not change.
    assert "moderator_channel" not in json.loads(restored.to_json())


def test_text_fields_keep_what_was_written() -> None:
    result = load(chat(title="2026", questions="\n  - 42\n  - yes"))

    assert result.spec is not None
    assert result.spec.title == "2026"
    assert [q.text for q in result.spec.questions] == ["42", "yes"]


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("2026-12-01 19:00", datetime(2026, 12, 1, 19, 0)),
        ("2026-12-01T19:00", datetime(2026, 12, 1, 19, 0)),
        ("2026-12-01 19:00:00", datetime(2026, 12, 1, 19, 0)),  # YAML makes this a datetime
        ("2026-12-01T19:00:30", datetime(2026, 12, 1, 19, 0, 30)),
        ('"2026-12-01 19:00:30"', datetime(2026, 12, 1, 19, 0, 30)),
        ("'2026-12-01 7:05'", datetime(2026, 12, 1, 7, 5)),
    ],
)
def test_start_accepts_local_date_and_time(written: str, expected: datetime) -> None:
    result = load(chat(start=written))

    assert result.problems == []
    assert result.spec is not None
    assert result.spec.start == expected


LOCAL_TIME_HELP = "; write the local date and time, like 2026-12-01 19:00, and set timezone"


@pytest.mark.parametrize(
    ("written", "message"),
    [
        (
            "2026-12-01 19:00:00-07:00",
            "'2026-12-01 19:00:00-07:00' has a UTC offset" + LOCAL_TIME_HELP,
        ),
        ("2026-12-01T19:00:00Z", "'2026-12-01T19:00:00Z' has a UTC offset" + LOCAL_TIME_HELP),
        ('"2026-12-01 19:00+01:00"', "'2026-12-01 19:00+01:00' has a UTC offset" + LOCAL_TIME_HELP),
        ("2026-12-01", "'2026-12-01' is a date without a time" + LOCAL_TIME_HELP),
        ('"2026-12-01"', "'2026-12-01' is a date without a time" + LOCAL_TIME_HELP),
        ("next tuesday", "is the text 'next tuesday'" + LOCAL_TIME_HELP),
        ("1700", "is the number '1700'" + LOCAL_TIME_HELP),
        ("", "is empty" + LOCAL_TIME_HELP),
        ("9999-12-31 23:59", "year 9999 is out of range; expected 1970-2999"),
        (
            "'2026-02-30 19:00'",
            "'2026-02-30 19:00' is not a real date and time (day is out of range for month)",
        ),
        (
            "2026-13-01 19:00:00",
            "'2026-13-01 19:00:00' is not a real date and time (month must be in 1..12)",
        ),
    ],
)
def test_start_errors(written: str, message: str) -> None:
    problem = only(load(chat(start=written)))

    assert (problem.line, problem.column, problem.field) == (6, 8 if written else 7, "start")
    assert problem.message == message


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("90s", timedelta(seconds=90)),
        ("8m", timedelta(minutes=8)),
        ("1h30m", timedelta(minutes=90)),
        ("1h 30m", timedelta(minutes=90)),
        ("2d", timedelta(days=2)),
        ("10M", timedelta(minutes=10)),
    ],
)
def test_durations(written: str, expected: timedelta) -> None:
    result = load(chat(f"question_interval: {written}\n"))

    assert result.problems == []
    assert result.spec is not None
    assert result.spec.question_interval == expected


# --- one problem, exactly located ---------------------------------------------------


@pytest.mark.parametrize(
    ("written", "message"),
    [
        ("7 minutes", "'7 minutes' is not a duration; use 7m or 90s"),
        ("90", "90 is not a duration; use 90s or 90m"),
        ("1.5", "1.5 is not a duration; use 7m or 90s"),
        ("1:30", "1:30 is not a duration; use 7m or 90s"),  # YAML 1.1 reads 1:30 as 90
        ("0m", "'0m' must be longer than 0s"),
        ("31d", "'31d' is longer than the 30-day maximum"),
        ("99999999999999999999d", "'99999999999999999999d' is longer than the 30-day maximum"),
        ("[8m]", "is a list; expected a duration like 8m or 90s"),
        ("true", "is 'true' (true/false); expected a duration like 8m or 90s"),
    ],
)
def test_duration_errors(written: str, message: str) -> None:
    problem = only(load(chat(f"question_interval: {written}\n")))

    assert (problem.line, problem.column, problem.field) == (10, 20, "question_interval")
    assert problem.message == message


def test_late_answers_may_be_zero_but_question_after_may_not() -> None:
    text = chat(
        "late_answers: 0s\n",
        questions="\n  - text: First?\n    after: 0s\n  - Second?",
    )

    problem = only(load(text))

    assert (problem.line, problem.column, problem.field) == (9, 12, "questions[1].after")


def test_question_after_error_names_question_and_position() -> None:
    text = chat(questions="\n  - First?\n  - text: Second?\n    after: 7 minutes")

    problem = only(load(text))

    assert (problem.line, problem.column, problem.field) == (10, 12, "questions[2].after")
    assert str(problem) == (
        "c.yaml:10:12: questions[2].after: '7 minutes' is not a duration; use 7m or 90s"
    )


def test_question_image_must_be_a_web_address() -> None:
    text = chat(questions="\n  - text: First?\n    image: ftp://example.com/a.png")

    problem = only(load(text))

    assert (problem.line, problem.column, problem.field) == (9, 12, "questions[1].image")
    assert "is not a web address" in problem.message


def test_question_mapping_without_text() -> None:
    problem = only(load(chat(questions="\n  - after: 5m\n    image: https://x.org/a.png")))

    assert (problem.line, problem.column, problem.field) == (8, 5, "questions[1].text")
    assert "required field is missing" in problem.message


def test_unknown_key_in_question_suggests_the_right_one() -> None:
    problem = only(load(chat(questions="\n  - text: First?\n    afterr: 5m")))

    assert (problem.line, problem.column, problem.field) == (9, 5, "questions[1].afterr")
    assert problem.message == "unknown field 'afterr'; did you mean 'after'?"


@pytest.mark.parametrize(
    ("question", "message"),
    [
        ("Who inspires you: and why?", "contains ': ', so YAML reads it as 'name: value'"),
        ("Q1: Who inspires you?", "starts with 'Q1:', which YAML reads as a field name"),
    ],
)
def test_question_misread_as_mapping(question: str, message: str) -> None:
    problem = only(load(chat(questions=f"\n  - {question}")))

    assert (problem.line, problem.column, problem.field) == (8, 5, "questions[1]")
    assert message in problem.message


def test_question_that_numbers_itself_is_a_warning() -> None:
    result = load(chat(questions='\n  - "Q1: Who inspires you?"'))

    problem = only(result)
    assert (problem.line, problem.column, problem.field) == (8, 5, "questions[1]")
    assert problem.severity == "warning"
    assert result.spec is not None


def test_unknown_top_level_key_with_suggestion() -> None:
    problem = only(load(chat("questoins: []\n")))

    assert (problem.line, problem.column, problem.field) == (10, 1, "questoins")
    assert problem.message == "unknown field 'questoins'; did you mean 'questions'?"


def test_unknown_top_level_key_without_suggestion_lists_fields() -> None:
    problem = only(load(chat("colour: red\n")))

    assert (problem.line, problem.column, problem.field) == (10, 1, "colour")
    assert problem.message.startswith("unknown field 'colour'; expected one of: id, title,")


def test_unknown_recap_key() -> None:
    problem = only(load(chat("recap:\n  chanel: 1190538217764921999\n")))

    assert (problem.line, problem.column, problem.field) == (11, 3, "recap.chanel")
    assert "did you mean 'channel'?" in problem.message


def test_repeated_key() -> None:
    problem = only(load(chat("title: Again\n")))

    assert (problem.line, problem.column, problem.field) == (10, 1, "title")
    assert problem.message == "is given twice (first on line 2); keep one"


def test_merge_keys_are_refused() -> None:
    problem = only(load(chat("<<: {intro: hi}\n")))

    assert (problem.line, problem.column, problem.field) == (10, 1, "<<")


def test_missing_required_fields_point_at_the_mapping_start() -> None:
    text = "# Career chat\n\n" + BASE.replace("title: Career Chat\n", "").replace(
        'hashtag: "#careerchat"\n', ""
    )

    result = load(text)

    assert where(result) == [(3, 1, "title", "error"), (3, 1, "hashtag", "error")]
    assert result.problems[0].message == ("required field is missing; expected the chat's title")
    assert result.spec is None


@pytest.mark.parametrize(
    ("field", "value", "column", "message"),
    [
        ("id", "Career Chat", 5, "'Career Chat' is not a valid id; use 2-63 lowercase"),
        ("id", "x", 5, "'x' is not a valid id"),
        ("id", "[a]", 5, "is a list; expected a short name"),
        ("title", "[a, b]", 8, "is a list; expected the chat's title"),
        ("title", '""', 8, "is empty; expected the chat's title"),
        ("title", "x" * 257, 8, "is 257 characters; keep it to 256"),
        (
            "hashtag",
            "#careerchat",
            9,
            'is empty; a # starts a comment in YAML, so put the hashtag in quotes: "#careerchat"',
        ),
        ("hashtag", "careerchat", 10, "'careerchat' is not a hashtag"),
        ("hashtag", '"#career chat"', 10, "'#career chat' is not a hashtag"),
        ("channel", "abc", 10, "is the text 'abc'; expected a Discord channel id"),
        ("channel", "-5", 10, "'-5' is not a valid id"),
        ("channel", "0", 10, "'0' is not a valid id"),
        ("channel", "1.5", 10, "is the number '1.5'; expected a Discord channel id"),
        ("channel", "9" * 5000, 10, "is not a valid id"),
        ("channel", "true", 10, "is 'true' (true/false)"),
        ("timezone", "{a: b}", 11, "is a mapping (name: value pairs); expected a time zone"),
    ],
)
def test_wrong_values_of_required_fields(field: str, value: str, column: int, message: str) -> None:
    line = list(BASE.splitlines()).index(next(x for x in BASE.splitlines() if x.startswith(field)))

    problem = only(load(chat(**{field: value})))

    assert (problem.line, problem.column, problem.field) == (line + 1, column, field)
    assert message in problem.message


@pytest.mark.parametrize(
    ("extra", "position", "field", "message"),
    [
        ("guild: server", (10, 8), "guild", "expected a Discord server (guild) id"),
        ("reminders: 1h", (10, 12), "reminders", "is the text '1h'; expected a list like"),
        ("reminders: [24h, 60]", (10, 18), "reminders[2]", "60 is not a duration"),
        ("reminders: [24h, 0s]", (10, 18), "reminders[2]", "must be longer than 0s"),
        ("hosts: [1, x]", (10, 12), "hosts[2]", "expected a Discord user id"),
        ("guests: 12", (10, 9), "guests", "is the number '12'; expected a list"),
        ("recap: [a]", (10, 8), "recap", "is a list; expected a mapping"),
        ("recap: {channel: x}", (10, 18), "recap.channel", "expected a Discord channel id"),
        ("recap: {prompts: [a, [b]]}", (10, 22), "recap.prompts[2]", "is a list"),
        (
            "moderator_channel: general",
            (10, 20),
            "moderator_channel",
            "is the text 'general'; expected a Discord channel id",
        ),
        ("moderator_channel: 0", (10, 20), "moderator_channel", "'0' is not a valid id"),
        ("count: three", (10, 8), "count", "expected a whole number from 1 to 100000"),
        ("count: 0", (10, 8), "count", "is the number '0'; expected a whole number"),
        ("until: soon", (10, 8), "until", "expected a date like 2027-06-30 (no time)"),
        ("until: 2027-01-01 10:00:00", (10, 8), "until", "expected a date like 2027-06-30"),
        ("max_late: 30", (10, 11), "max_late", "30 is not a duration; use 30s or 30m"),
        ("intro: [hi]", (10, 8), "intro", "is a list; expected text"),
        ("repeat: fortnightly", (10, 9), "repeat", "'fortnightly' is not a known repeat"),
        ("repeat: FREQ=WEEKLY;BYDAY=XX", (10, 9), "repeat", "is not a recurrence rule"),
        ("repeat: FREQ=HOURLY", (10, 9), "repeat", "repeats more often than daily"),
        ("repeat: [weekly]", (10, 9), "repeat", "is a list; expected daily, weekly"),
    ],
)
def test_wrong_values_of_optional_fields(
    extra: str, position: tuple[int, int], field: str, message: str
) -> None:
    extra += "\nrepeat: weekly" if extra.startswith(("count", "until")) else ""

    problem = only(load(chat(extra + "\n")))

    assert ((problem.line, problem.column), problem.field) == (position, field)
    assert message in problem.message


@pytest.mark.parametrize(
    ("zone", "message"),
    [
        ("America/Phenix", "unknown time zone 'America/Phenix'; did you mean 'America/Phoenix'?"),
        ("america/phoenix", "unknown time zone 'america/phoenix'; did you mean 'America/Phoenix'?"),
        ("Phoenix", "unknown time zone 'Phoenix'; did you mean 'America/Phoenix'?"),
        ("PST", "unknown time zone 'PST'; did you mean 'America/Los_Angeles'?"),
        ("localtime", "unknown time zone 'localtime'"),
        ("../etc/passwd", "unknown time zone '../etc/passwd'"),
        ("Mars/Olympus_Mons", "unknown time zone 'Mars/Olympus_Mons'"),
    ],
)
def test_unknown_time_zone(zone: str, message: str) -> None:
    problem = only(load(chat(timezone=zone)))

    assert (problem.line, problem.column, problem.field) == (5, 11, "timezone")
    assert problem.message.startswith(message)


def test_fixed_offset_zone_is_a_warning() -> None:
    result = load(chat(timezone="EST"))

    problem = only(result)
    assert (problem.line, problem.column, problem.field, problem.severity) == (
        5,
        11,
        "timezone",
        "warning",
    )
    assert "America/New_York" in problem.message
    assert result.spec is not None


def test_one_off_start_in_the_past_is_a_warning() -> None:
    result = load(chat(start="2026-11-01 18:00"))

    problem = only(result)
    assert (problem.line, problem.column, problem.field) == (6, 8, "start")
    assert problem.severity == "warning"
    assert "is in the past" in problem.message
    assert str(problem).startswith("c.yaml:6:8: warning: start: 2026-11-01 18:00 America/Phoenix")
    assert result.spec is not None


def test_repeating_chat_may_start_in_the_past() -> None:
    assert load(chat("repeat: weekly\n", start="2026-01-06 18:00")).problems == []


def test_repeating_chat_that_has_ended_is_a_warning() -> None:
    result = load(chat("repeat: weekly\nuntil: 2026-06-30\n", start="2026-01-06 18:00"))

    problem = only(result)
    assert (problem.line, problem.column, problem.field, problem.severity) == (
        11,
        8,
        "until",
        "warning",
    )


@pytest.mark.parametrize(
    ("start", "message"),
    [
        ("2027-03-14 02:30", "02:30 does not exist on 2027-03-14 in America/New_York"),
        ("2027-11-07 01:30", "01:30 happens twice on 2027-11-07 in America/New_York"),
    ],
)
def test_local_times_made_odd_by_dst_are_warnings(start: str, message: str) -> None:
    result = load(chat(timezone="America/New_York", start=start))

    problem = only(result)
    assert (problem.line, problem.column, problem.field, problem.severity) == (
        6,
        8,
        "start",
        "warning",
    )
    assert message in problem.message


@pytest.mark.parametrize(
    "repeat",
    ["daily", "Weekly", "biweekly", "monthly", "FREQ=MONTHLY;BYDAY=1TU", "RRULE:FREQ=WEEKLY"],
)
def test_repeat_shorthands_and_rrules(repeat: str) -> None:
    result = load(chat(f"repeat: {repeat}\ncount: 10\n"))

    assert result.problems == []
    assert result.spec is not None
    assert (result.spec.repeat, result.spec.count) == (repeat, 10)


def test_run_that_does_not_fit_before_the_next_date() -> None:
    # Two starts an hour apart; two questions: intro to closing is 24m.
    rule = "repeat: FREQ=DAILY;BYHOUR=18,19;BYMINUTE=0\n"

    fits = load(chat(rule + "late_answers: 35m\n"))
    too_long = load(chat(rule + "late_answers: 36m\n"))

    assert fits.problems == []
    problem = only(too_long)
    assert (problem.line, problem.column, problem.field) == (10, 9, "repeat")
    assert problem.message.startswith(
        "a run lasts 1h (intro to closing 24m + late_answers 36m) but two dates of this "
        "schedule are only 1h apart"
    )


def test_until_and_count_need_repeat() -> None:
    result = load(chat("until: 2027-06-30\ncount: 3\n"))

    assert where(result) == [
        (10, 8, "until", "error"),
        (11, 8, "count", "error"),
        (11, 8, "count", "error"),
    ]
    assert "only applies to a repeating chat" in result.problems[0].message
    assert "cannot be used together with until" in result.problems[2].message


def test_until_before_start() -> None:
    problem = only(load(chat("repeat: weekly\nuntil: 2026-11-30\n")))

    assert (problem.line, problem.column, problem.field) == (11, 8, "until")
    assert problem.message.startswith("2026-11-30 is before the start (2026-12-01)")


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ("last_call: 8m\n", "8m must be shorter than every gap between posts; the shortest is 8m"),
        (
            "last_call: 5m\nquestion_interval: 5m\n",
            "5m must be shorter than every gap between posts; the shortest is 5m (before Q1)",
        ),
    ],
)
def test_last_call_must_fit_in_every_gap(extra: str, message: str) -> None:
    problem = only(load(chat(extra)))

    assert (problem.line, problem.column, problem.field) == (10, 12, "last_call")
    assert message in problem.message


@pytest.mark.parametrize("extra", ["last_call: 7m\n", "last_call: 4m\nquestion_interval: 5m\n"])
def test_last_call_shorter_than_every_gap(extra: str) -> None:
    assert load(chat(extra)).problems == []


def test_last_call_checks_per_question_gaps() -> None:
    text = chat("last_call: 2m\n", questions="\n  - First?\n  - text: Second?\n    after: 2m")

    problem = only(load(text))

    assert (problem.line, problem.column, problem.field) == (11, 12, "last_call")
    assert "the shortest is 2m (before Q2)" in problem.message


def test_empty_question_lists() -> None:
    empty = only(load(chat(questions="[]")))
    null = only(load(chat(questions="")))

    assert (empty.line, empty.column, empty.field) == (7, 12, "questions")
    assert (null.line, null.column, null.field) == (7, 11, "questions")
    assert empty.message == null.message == "is empty; a chat needs at least one question"


def test_questions_must_be_a_list() -> None:
    problem = only(load(chat(questions="What is your PLN?")))

    assert (problem.line, problem.column, problem.field) == (7, 12, "questions")
    assert "expected a list of questions" in problem.message


def test_question_length_counts_prefix_and_hashtag() -> None:
    # Posted as "Q2: <text> #careerchat": 4 + len(text) + 12 characters.
    longest = "x" * (2000 - len("Q2: ") - len(" #careerchat"))
    fits = load(chat(questions=f"\n  - First?\n  - {longest}"))
    too_long = load(chat(questions=f"\n  - First?\n  - {longest}y"))

    assert fits.problems == []
    problem = only(too_long)
    assert (problem.line, problem.column, problem.field) == (9, 5, "questions[2]")
    assert problem.message == (
        "is too long for one Discord message: 2,001 characters with the 'Q2: ' prefix and "
        "' #careerchat' suffix, over the limit of 2,000; shorten it by 1"
    )


@pytest.mark.parametrize("field", ["intro", "closing"])
def test_intro_and_closing_leave_room(field: str) -> None:
    assert load(chat(f"{field}: {'x' * 1900}\n")).problems == []

    problem = only(load(chat(f"{field}: {'x' * 1901}\n")))

    assert (problem.line, problem.column, problem.field) == (10, len(field) + 3, field)
    assert problem.message.startswith("is 1,901 characters; keep it to 1,900")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("- a\n- b\n", "the file is a list; expected a mapping of fields"),
        ("hello\n", "the file is the text 'hello'; expected a mapping of fields"),
        ("", "the file is empty"),
        ("# nothing here yet\n\n", "the file is empty"),
    ],
)
def test_file_that_is_not_a_chat(text: str, message: str) -> None:
    problem = only(load(text))

    assert (problem.line, problem.column, problem.field) == (1, 1, "")
    assert problem.message.startswith(message)


@pytest.mark.parametrize(
    ("text", "position", "message"),
    [
        (chat(title="Career Chat: week 3"), (2, 19), "mapping values are not allowed here"),
        (BASE.replace("  - What", "\t- What"), (9, 1), "indent with spaces"),
        (chat("intro: 'unclosed\n"), (11, 1), "while scanning a quoted scalar"),
        (chat("---\nid: two\n"), (10, 1), "write one chat per file"),
        (chat("questions: [a, b\n"), (11, 1), "YAML syntax error"),
    ],
)
def test_yaml_syntax_errors(text: str, position: tuple[int, int], message: str) -> None:
    problem = only(load(text))

    assert ((problem.line, problem.column), problem.field) == (position, "")
    assert problem.message.startswith("YAML syntax error: ")
    assert message in problem.message


def test_characters_yaml_refuses() -> None:
    problem = only(load(chat("intro: a\x00b\n")))

    assert (problem.line, problem.column, problem.field) == (10, 9, "")
    assert problem.message == "contains a character YAML does not allow ('\\x00'); remove it"


def test_non_utf8_file(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes(chat("intro: caf\xe9\n").encode("latin-1"))

    problem = only(load_chat_file(path, NOW))

    assert (problem.file, problem.line, problem.column, problem.field) == (str(path), 10, 11, "")
    assert "is not UTF-8 text" in problem.message


def test_utf8_bom_is_fine(tmp_path: Path) -> None:
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + BASE.encode())

    assert load_chat_file(path, NOW).problems == []


def test_unreadable_path(tmp_path: Path) -> None:
    problem = only(load_chat_file(tmp_path / "missing.yaml", NOW))

    assert (problem.line, problem.column, problem.field) == (1, 1, "")
    assert problem.message.startswith("cannot read the file")


def test_every_problem_in_a_file_is_reported() -> None:
    text = """\
id: Career Chat
title: Career Chat
hashtag: careerchat
channel: 1187423950213476372
timezone: America/Phenix
start: 2026-12-01
questions:
  - text: First?
    after: 7 minutes
  - Second?
late_answers: 30
colour: blue
"""

    result = load(text)

    assert where(result) == [
        (1, 5, "id", "error"),
        (3, 10, "hashtag", "error"),
        (5, 11, "timezone", "error"),
        (6, 8, "start", "error"),
        (9, 12, "questions[1].after", "error"),
        (11, 15, "late_answers", "error"),
        (12, 1, "colour", "error"),
    ]
    assert result.spec is None


def test_anchors_and_aliases() -> None:
    result = load(chat("hosts: &team [1, 2]\nguests: *team\n"))

    assert result.spec is not None
    assert result.spec.guests == result.spec.hosts == (1, 2)


def test_alias_bomb_does_not_blow_up() -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + n)}: &{chr(98 + n)} [{', '.join([f'*{chr(97 + n)}'] * 9)}]\n" for n in range(8)
    )
    text = chat() + bomb + "hosts: *i\n"

    result = load(text)

    assert result.spec is None
    assert ("hosts[1]", "error") in [(p.field, p.severity) for p in result.problems]


def test_deep_nesting_is_a_problem_not_a_crash() -> None:
    result = load("intro: " + "[" * 5000 + "]" * 5000 + "\n")

    assert result.spec is None
    assert result.problems


# --- several files ------------------------------------------------------------------


def test_duplicate_ids_across_files(tmp_path: Path) -> None:
    first = write(tmp_path, "a.yaml", BASE)
    second = write(tmp_path, "b.yaml", BASE)
    third = write(tmp_path, "c.yaml", BASE)

    chats = load_chats([tmp_path], NOW)

    assert [r.path for r in chats.results] == [str(first), str(second), str(third)]
    assert chats.results[0].problems == []
    for result in chats.results[1:]:
        problem = only(result)
        assert (problem.line, problem.column, problem.field) == (1, 5, "id")
        assert problem.message.startswith(f"'careerchat' is already the id of {first}")
        assert result.spec is None
    assert list(chats.specs) == ["careerchat"]
    assert chats.specs["careerchat"].source == str(first)


def test_duplicate_id_is_found_even_when_the_file_has_other_errors(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", BASE)
    write(tmp_path, "b.yaml", chat(channel="x"))

    chats = load_chats([tmp_path], NOW)

    assert [(p.line, p.field) for p in chats.results[1].problems] == [(1, "id"), (4, "channel")]


def test_broken_file_does_not_stop_a_good_one(tmp_path: Path) -> None:
    write(tmp_path, "a-broken.yaml", "id: [unclosed\n")
    (tmp_path / "b-binary.yml").write_bytes(bytes(range(256)))
    write(tmp_path, "c-good.yaml", BASE)

    chats = load_chats([tmp_path], NOW)

    assert [Path(r.path).name for r in chats.results] == [
        "a-broken.yaml",
        "b-binary.yml",
        "c-good.yaml",
    ]
    assert [r.spec for r in chats.results[:2]] == [None, None]
    assert list(chats.specs) == ["careerchat"]
    assert chats.has_errors


def test_directories_are_searched_recursively_for_yaml(tmp_path: Path) -> None:
    write(tmp_path, "z.yaml", BASE)
    write(tmp_path, "sub/a.yml", BASE.replace("careerchat", "subchat"))
    write(tmp_path, "sub/deeper/b.YAML", BASE.replace("careerchat", "deepchat"))
    write(tmp_path, "notes.txt", "not a chat")
    write(tmp_path, ".hidden.yaml", "broken: [")
    write(tmp_path, ".git/config.yaml", "broken: [")

    chats = load_chats([tmp_path], NOW)

    names = [Path(r.path).relative_to(tmp_path).as_posix() for r in chats.results]
    assert names == ["sub/a.yml", "sub/deeper/b.YAML", "z.yaml"]
    assert set(chats.specs) == {"careerchat", "subchat", "deepchat"}
    assert not chats.has_errors


def test_files_and_directories_together_load_each_file_once(tmp_path: Path) -> None:
    path = write(tmp_path, "a.yaml", BASE)

    chats = load_chats([path, tmp_path, tmp_path / "missing"], NOW)

    assert [r.path for r in chats.results] == [str(path), str(tmp_path / "missing")]
    assert chats.results[1].problems[0].message == "no such file or directory"


def test_chat_set_properties() -> None:
    good = load(BASE)
    warned = load(chat(start="2026-01-01 10:00", id="oldchat"))
    broken = load("- a\n")

    chats = ChatSet([good, warned, broken])

    assert list(chats.specs) == ["careerchat", "oldchat"]
    assert chats.problems == warned.problems + broken.problems
    assert chats.has_errors
    assert not ChatSet([good, warned]).has_errors


# --- validate -----------------------------------------------------------------------


def test_validate_prints_dates_and_returns_0(tmp_path: Path) -> None:
    write(tmp_path, "career.yaml", chat("repeat: weekly\n"))
    out = io.StringIO()

    code = validate_command([tmp_path], NOW, out)

    assert code == 0
    path = tmp_path / "career.yaml"
    assert out.getvalue() == (
        f"\ncareerchat: Career Chat #careerchat (weekly) from {path}\n"
        "  Tue 2026-12-01 18:00 MST  (2026-12-02 01:00 UTC)\n"
        "  Tue 2026-12-08 18:00 MST  (2026-12-09 01:00 UTC)\n"
        "  Tue 2026-12-15 18:00 MST  (2026-12-16 01:00 UTC)\n"
        "\n1 file(s), 1 valid chat(s), 0 error(s), 0 warning(s)\n"
    )


def test_validate_with_only_warnings_returns_0(tmp_path: Path) -> None:
    path = write(tmp_path, "old.yaml", chat(start="2026-11-01 18:00"))
    out = io.StringIO()

    code = validate_command([path], NOW, out)

    assert code == 0
    lines = out.getvalue().splitlines()
    assert lines[0].startswith(f"{path}:6:8: warning: start: 2026-11-01 18:00 America/Phoenix")
    assert "  no upcoming dates" in lines
    assert lines[-1] == "1 file(s), 1 valid chat(s), 0 error(s), 1 warning(s)"


def test_validate_with_errors_returns_1(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", BASE)
    bad = write(tmp_path, "b.yaml", chat(id="other", timezone="Mars/Base"))
    out = io.StringIO()

    code = validate_command([tmp_path], NOW, out)

    assert code == 1
    lines = out.getvalue().splitlines()
    assert lines[0] == (
        f"{bad}:5:11: timezone: unknown time zone 'Mars/Base'; use a name like America/Phoenix"
    )
    assert any(line.startswith("careerchat: Career Chat") for line in lines)
    assert lines[-1] == "2 file(s), 1 valid chat(s), 1 error(s), 0 warning(s)"


def test_shipped_chats_validate() -> None:
    out = io.StringIO()

    code = validate_command([REPO / "chats"], NOW, out)

    assert code == 0, out.getvalue()
    assert "warning:" not in out.getvalue()
    chats = load_chats([REPO / "chats"], NOW)
    assert set(chats.specs) == {"careerchat", "leadchat", "plnchat"}
    pln = chats.specs["plnchat"]
    assert (len(pln.questions), pln.question_interval, pln.late_answers) == (
        5,
        timedelta(minutes=8),
        timedelta(minutes=10),
    )


def test_documented_example_is_valid() -> None:
    doc = (REPO / "README.md").read_text(encoding="utf-8")
    example = doc.split("```yaml\n", 1)[1].split("```", 1)[0]

    result = load(example)

    assert result.problems == []
    assert result.spec is not None
    assert result.spec.run_length == timedelta(minutes=42)  # as the timeline section says


def test_sample_answers_file_follows_the_format() -> None:
    pattern = re.compile(r"\+(\d+):([0-5]\d) ([a-z][a-z0-9_]*): (.+)")
    lines = (REPO / "chats/samples/plnchat.answers.txt").read_text(encoding="utf-8").splitlines()
    messages = [line for line in lines if line.strip() and not line.startswith("#")]

    parsed = [pattern.fullmatch(line) for line in messages]

    assert [m for m, p in zip(messages, parsed, strict=True) if p is None] == []
    assert len(messages) >= 150
    assert len({p.group(3) for p in parsed if p}) >= 20
    assert sum(p.group(4).startswith("!react ") for p in parsed if p) >= 30
    assert sum(p.group(4).startswith("!edit ") for p in parsed if p) >= 8


# --- never raises -------------------------------------------------------------------


def _no_crash(result: FileResult) -> None:
    assert all("internal error" not in p.message for p in result.problems)
    assert all(p.line >= 1 and p.column >= 1 for p in result.problems)
    assert (result.spec is None) == any(p.severity == "error" for p in result.problems)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text())
def test_random_text_never_raises(text: str) -> None:
    _no_crash(load(text))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    line=st.integers(min_value=0, max_value=len(BASE.splitlines()) + 1),
    junk=st.text(alphabet=st.sampled_from(list(":-[]{}#&*!|>'\"%@`,?\t 0123456789axQ\n")))
    | st.text(),
)
def test_damaged_chat_file_never_raises(line: int, junk: str) -> None:
    lines = [*BASE.splitlines(), "repeat: weekly"]
    lines.insert(line, junk)

    _no_crash(load("\n".join(lines)))


_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=30)
    | st.dates()
    | st.datetimes()
    | st.sampled_from(
        ["8m", "0s", "weekly", "FREQ=MONTHLY;BYDAY=1TU", "UTC", "#x", "https://x.org"]
    )
)
_KEYS = st.sampled_from([*FIELDS, "text", "after", "image", "prompts", "colour"])
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_KEYS, inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(fields=st.dictionaries(_KEYS, _VALUES, max_size=8))
def test_well_formed_yaml_with_odd_values_never_raises(fields: dict[str, object]) -> None:
    base = yaml.safe_load(BASE)
    text = yaml.safe_dump({**base, **fields}, allow_unicode=True)

    _no_crash(load(text))
