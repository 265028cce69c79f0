"""Attribution: which question(s) a message answers; never a crash, whatever the text."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.answers import AnswerSource, attribute, attribute_takeaway


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("A1: yes", [(1, "yes")]),
        ("a2) lower case", [(2, "lower case")]),
        ("A3 - dashed", [(3, "dashed")]),
        ("A3 — em dash", [(3, "em dash")]),
        ("A4. dotted", [(4, "dotted")]),
        ("A 2: spaced", [(2, "spaced")]),
        ("A1: first A2: second", [(1, "first"), (2, "second")]),
        ("A1: line one\nA3: line two", [(1, "line one"), (3, "line two")]),
        ("Great q! A2: my answer", [(2, "Great q! my answer")]),
        ("a1: lower A2: upper a3) lower", [(1, "lower"), (2, "upper"), (3, "lower")]),
        ("A3: upper a1: lower A2: upper", [(3, "upper"), (1, "lower"), (2, "upper")]),
        ("HA1: no a2: yes", [(2, "HA1: no yes")]),
    ],
)
def test_prefix_styles(text: str, expected: list[tuple[int, str]]) -> None:
    parts = attribute(text, question_count=5)
    assert [(p.question, p.text) for p in parts] == expected
    assert all(p.source is AnswerSource.PREFIX for p in parts)


@pytest.mark.parametrize(
    "text",
    [
        "A9: beyond the questions",
        "grade A1-5 students",
        "email@A1: x",
        "HA1: no",
        "A1 without mark",
        "Tip: answer with A1, A2... so people can follow along.",
        "version A2.5 of the rubric",
    ],
)
def test_not_prefixes_are_conversation(text: str) -> None:
    parts = attribute(text, question_count=5, current_question=2)
    assert [(p.question, p.source) for p in parts] == [(2, AnswerSource.CONVERSATION)]


def test_thread_then_reply_then_conversation() -> None:
    assert attribute("in thread", question_count=5, thread_question=3)[0].question == 3
    reply = attribute("a reply", question_count=5, reply_question=4)[0]
    assert (reply.question, reply.source) == (4, AnswerSource.REPLY)
    chatter = attribute("hello", question_count=5, current_question=0)[0]
    assert (chatter.question, chatter.is_answer) == (None, False)


def test_a_prefix_in_a_thread_wins_over_the_thread() -> None:
    parts = attribute("A4: I meant Q4", question_count=5, thread_question=3)
    assert [(p.question, p.source) for p in parts] == [(4, AnswerSource.PREFIX)]


@settings(max_examples=2000, deadline=None)
@given(
    text=st.text(),
    count=st.integers(min_value=0, max_value=60),
    thread=st.none() | st.integers(min_value=1, max_value=60),
    current=st.integers(min_value=0, max_value=60),
)
def test_any_text_is_attributed_without_error(
    text: str, count: int, thread: int | None, current: int
) -> None:
    parts = attribute(text, question_count=count, thread_question=thread, current_question=current)
    assert parts
    for part in parts:
        assert part.question is None or part.question >= 0
        if part.source is AnswerSource.PREFIX:
            assert part.question is not None
            assert 1 <= part.question <= count


@settings(max_examples=500, deadline=None)
@given(
    answers=st.lists(
        st.tuples(
            st.integers(min_value=1, max_value=9),
            st.text(alphabet=st.characters(blacklist_characters="aA"), min_size=1).map(str.strip),
        ),
        min_size=1,
        max_size=4,
    ),
    style=st.sampled_from(["A{n}: ", "a{n}) ", "A{n} - ", "A{n}. "]),
)
def test_split_messages_keep_every_answer_in_order(
    answers: list[tuple[int, str]], style: str
) -> None:
    text = " ".join(style.format(n=n) + body for n, body in answers)
    parts = attribute(text, question_count=9)
    assert [p.question for p in parts] == [n for n, _ in answers]


# --- takeaways (the recap's reflection thread) --------------------------------------------


@pytest.mark.parametrize(
    ("content", "prompt", "text"),
    [
        ("R2: I'll message ana this week", 2, "I'll message ana this week"),
        ("2) follow three new people", 2, "follow three new people"),
        ("#1 - start a blog", 1, "start a blog"),
        ("  r1:   spaced out", 1, "spaced out"),
        ("3: a prompt that does not exist", None, "3: a prompt that does not exist"),
        ("2.5 hours well spent", None, "2.5 hours well spent"),
        ("No number at all", None, "No number at all"),
    ],
)
def test_a_takeaway_names_its_prompt_by_number(content: str, prompt: int | None, text: str) -> None:
    part = attribute_takeaway(content, prompt_count=2)
    assert (part.question, part.text, part.source) == (prompt, text, AnswerSource.TAKEAWAY)
    assert not part.is_answer


def test_with_one_prompt_every_takeaway_answers_it() -> None:
    assert attribute_takeaway("so much to try", prompt_count=1).question == 1
    assert attribute_takeaway("anything", prompt_count=0).question is None


@given(st.text(max_size=300), st.integers(min_value=0, max_value=20))
def test_takeaway_attribution_never_raises(content: str, prompts: int) -> None:
    part = attribute_takeaway(content, prompt_count=prompts)
    assert part.question is None or 1 <= part.question <= prompts
