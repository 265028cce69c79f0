"""Poll questions in chat files: what loads, and every Discord limit reported at its line."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.chatfile.dump import dump_chat
from bot.core.spec import ChatSpec, PollSpec
from tests.unit.test_chatfile import chat, load, only

# chat(questions=...) puts ``questions:`` on line 7; its items start on line 8.


def polled(poll: str, text: str = "Which fern would you start with?") -> str:
    return chat(questions=f"\n  - text: {text}\n    poll: {poll}\n  - And why?")


def test_a_poll_question_loads_with_its_options_and_defaults() -> None:
    result = load(polled("{options: [Boston, Maidenhair, Staghorn]}", text="Which fern?"))
    assert result.problems == []  # no duration: the bot ends it with the recap, no warning
    assert result.spec is not None
    poll = result.spec.questions[0].poll
    assert poll == PollSpec(("Boston", "Maidenhair", "Staghorn"), False, None)
    assert poll is not None
    assert poll.until_recap
    assert poll.hours == 24  # what Discord is asked for; the bot ends it sooner
    assert result.spec.questions[1].poll is None
    assert ChatSpec.from_json(result.spec.to_json()) == result.spec


def test_multiple_and_duration_are_read_and_survive_storage() -> None:
    text = chat(
        "late_answers: 2h\n",
        questions="\n  - text: Which?\n    poll: {options: [a, b], multiple: true, duration: 1h}",
    )
    result = load(text)
    assert result.problems == []
    assert result.spec is not None
    poll = result.spec.questions[0].poll
    assert poll == PollSpec(("a", "b"), True, timedelta(hours=1))
    assert poll is not None
    assert poll.hours == 1
    assert ChatSpec.from_json(result.spec.to_json()) == result.spec


def test_a_chat_without_polls_keeps_its_stored_shape() -> None:
    result = load(chat())
    assert result.spec is not None
    assert '"poll"' not in result.spec.to_json()


def test_a_poll_in_block_style_loads() -> None:
    text = chat(
        questions="\n  - text: Which?\n    poll:\n      options:\n        - yes\n        - 'no'"
        "\n      duration: 2h",
    )
    text += "late_answers: 3h\n"
    result = load(text)
    assert result.problems == []
    assert result.spec is not None
    assert result.spec.questions[0].poll == PollSpec(("yes", "no"), False, timedelta(hours=2))


@pytest.mark.parametrize(
    ("poll", "column", "field", "message"),
    [
        ("{options: []}", 21, "questions[1].poll.options", "is an empty list"),
        ("{duration: 2h}", 11, "questions[1].poll.options", "required field is missing"),
        ("{options: yes}", 21, "questions[1].poll.options", "expected a list of 1 to 10"),
        (
            "{options: [a, b, c, d, e, f, g, h, i, j, k]}",
            21,
            "questions[1].poll.options",
            "has 11 options; a Discord poll takes at most 10",
        ),
        ("{options: [a, " + "x" * 56 + "]}", 25, "questions[1].poll.options[2]", "is 56 char"),
        ("{options: [Boston, boston]}", 30, "questions[1].poll.options[2]", "repeats option 1"),
        ("{options: [a, '']}", 25, "questions[1].poll.options[2]", "is empty"),
        ("{options: [a], duration: 30m}", 36, "questions[1].poll.duration", "outside"),
        ("{options: [a], duration: 33d}", 36, "questions[1].poll.duration", "outside"),
        ("{options: [a], duration: 90m}", 36, "questions[1].poll.duration", "not whole hours"),
        ("{options: [a], duration: 2}", 36, "questions[1].poll.duration", "use 2h"),
        ("{options: [a], duration: soon}", 36, "questions[1].poll.duration", "not a duration"),
        ("{options: [a], multiple: maybe}", 36, "questions[1].poll.multiple", "true"),
        ("{options: [a], colour: red}", 26, "questions[1].poll.colour", "unknown field"),
        ("[a, b]", 11, "questions[1].poll", "expected a mapping"),
    ],
)
def test_every_poll_limit_is_reported_at_its_line(
    poll: str, column: int, field: str, message: str
) -> None:
    problem = only(load(polled(poll)))
    assert (problem.line, problem.field, problem.severity) == (9, field, "error"), str(problem)
    assert problem.column == column, str(problem)
    assert message in problem.message, str(problem)
    assert str(problem).startswith(f"c.yaml:9:{column}: {field}: ")


def test_the_question_as_posted_must_fit_a_poll() -> None:
    # "Q1: " + text + " #careerchat" is 4 + 285 + 12 = 301 characters.
    problem = only(load(polled("{options: [a, b]}", text="y" * 285)))
    assert (problem.line, problem.column, problem.field) == (9, 11, "questions[1].poll")
    assert "301 characters as posted" in problem.message
    assert "shorten the question by 1" in problem.message
    assert load(polled("{options: [a, b]}", text="y" * 284)).spec is not None


def test_a_poll_open_after_the_recap_is_a_warning_at_its_duration() -> None:
    # Q1 comes 8 min after the intro, the chat lasts 24 min, late answers 30 min: the recap is
    # posted 54 min after the intro, so a 2 h poll is still open (by 1h14m).
    result = load(polled("{options: [a, b], duration: 2h}"))
    assert result.spec is not None
    problem = only(result)
    assert (problem.line, problem.column, problem.severity) == (9, 39, "warning")
    assert problem.field == "questions[1].poll.duration"
    assert "closes 1h14m after the recap is posted" in problem.message
    assert "updated when Discord closes it" in problem.message


def test_a_poll_closing_before_the_recap_has_no_warning() -> None:
    text = chat(
        "late_answers: 2h\n", questions="\n  - text: Which?\n    poll: {options: [a], duration: 1h}"
    )
    assert load(text).problems == []


def test_a_poll_question_is_exported_and_reads_back_the_same() -> None:
    text = chat(
        "late_answers: 2h\n",
        questions='\n  - text: Which?\n    poll: {options: [Boston, "a, b: c"], multiple: true,'
        " duration: 1h}\n  - And why?",
    )
    text = text.replace("  - And why?", "  - text: And why?\n    poll: {options: [because]}")
    spec = load(text).spec
    assert spec is not None
    assert spec.questions[1].poll is not None
    assert spec.questions[1].poll.duration is None
    again = load(dump_chat(spec))
    assert again.problems == []
    assert again.spec is not None
    assert again.spec.questions == spec.questions
