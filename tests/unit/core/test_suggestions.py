"""The pure rules of suggested questions: text limits, the order by votes, and where approved
ones go in the next occurrence's questions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.core.spec import ChatSpec
from bot.core.suggestions import (
    Suggestion,
    SuggestionRefused,
    by_votes,
    check_open,
    check_text,
    max_length,
    merge_suggestions,
    suggestion_ids,
)
from tests.support.specs import make_spec

T = datetime(2027, 1, 1, tzinfo=UTC)


def suggestion(number: int, *, position: int | None = None, votes: int = 0) -> Suggestion:
    return Suggestion(
        suggestion_id=number,
        chat_id="careerchat",
        author_id=500 + number,
        author_name=f"person {number}",
        text=f"Suggested {number}?",
        created_at=T + timedelta(minutes=number),
        votes=votes,
        position=position,
        decided_at=T + timedelta(hours=number),
    )


def texts(spec: ChatSpec) -> list[str]:
    return [q.text for q in spec.questions]


def test_text_is_trimmed_and_must_fit_the_chats_question() -> None:
    spec = make_spec()
    assert check_text("  Why   now? ", spec) == "Why now?"
    assert check_text("line one\nline two", spec) == "line one\nline two"
    with pytest.raises(SuggestionRefused, match="empty"):
        check_text(" \n ", spec)
    with pytest.raises(SuggestionRefused, match="shorten it by 2"):
        check_text("z" * (max_length(spec) + 2), spec)


def test_five_open_is_the_most() -> None:
    check_open(4)
    with pytest.raises(SuggestionRefused, match="wait until moderators"):
        check_open(5)


def test_most_upvoted_first_then_oldest() -> None:
    ordered = by_votes([suggestion(1, votes=1), suggestion(2, votes=3), suggestion(3, votes=1)])
    assert [s.suggestion_id for s in ordered] == [2, 1, 3]


def test_approved_go_where_picked_or_after_the_files_questions() -> None:
    spec = make_spec()
    merged = merge_suggestions(
        spec,
        [
            suggestion(1),
            suggestion(2, position=1),
            suggestion(3, position=3),
            suggestion(4, position=99),
        ],
        credits={501: "person 1", 503: "person 3"},
    )
    assert texts(merged) == [
        "Suggested 2?",
        "Question number 1?",
        "Question number 2?",
        "Suggested 3?",
        "Question number 3?",
        "Question number 4?",
        "Question number 5?",
        "Suggested 1?",
        "Suggested 4?",
    ]
    credits = {q.suggestion: q.credit for q in merged.questions if q.suggestion}
    assert credits == {1: "person 1", 2: "", 3: "person 3", 4: ""}
    assert sorted(suggestion_ids(merged)) == [1, 2, 3, 4]
    # Stored and read back the same; merging again adds nothing twice.
    assert ChatSpec.from_json(merged.to_json()) == merged
    assert merge_suggestions(merged, [suggestion(1)], credits={}) == merged


def test_a_spec_without_suggestions_keeps_its_stored_form() -> None:
    spec = make_spec()
    assert "suggest" not in spec.to_json()
    assert merge_suggestions(spec, [], credits={}) is spec
