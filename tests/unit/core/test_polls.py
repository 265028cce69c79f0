"""/host poll's fields read by the core: every Discord limit refused with the field and fix."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.core.errors import ChatError
from bot.core.polls import PollInvalid, live_poll


def test_a_live_poll_reads_options_and_adds_the_hashtag() -> None:
    poll = live_poll("  More   ferns? ", "yes |  no | not sure", "#plantchat")
    assert poll.question == "More ferns? #plantchat"
    assert poll.options == ("yes", "no", "not sure")
    assert not poll.multiple
    assert poll.duration == timedelta(hours=24)
    assert poll.end_with_recap


def test_a_duration_is_whole_hours_and_discord_ends_it() -> None:
    poll = live_poll("Q?", "a | b", "#c", multiple=True, duration="2d")
    assert poll.duration == timedelta(days=2)
    assert poll.multiple
    assert not poll.end_with_recap


@pytest.mark.parametrize(
    ("question", "options", "duration", "message"),
    [
        ("   ", "a | b", None, "question: write the poll's question"),
        ("x" * 290, "a | b", None, "question: 301 characters with the hashtag"),
        ("Q?", "a | | b", None, "options: an option is empty"),
        ("Q?", " | ".join("abcdefghijk"), None, "options: 11 options"),
        ("Q?", "a | " + "b" * 56, None, "options: option 2 is 56 characters"),
        ("Q?", "Yes | yes", None, "options: option 2 repeats another"),
        ("Q?", "a | b", "soon", "duration: 'soon' is not a duration"),
        ("Q?", "a | b", "30m", "duration: a Discord poll lasts 1h to 32d"),
        ("Q?", "a | b", "33d", "duration: a Discord poll lasts 1h to 32d"),
        ("Q?", "a | b", "90m", "duration: Discord polls last whole hours"),
    ],
)
def test_every_limit_is_refused_with_its_field(
    question: str, options: str, duration: str | None, message: str
) -> None:
    with pytest.raises(PollInvalid) as refused:
        live_poll(question, options, "#plantchat", duration=duration)
    assert str(refused.value).startswith(message), str(refused.value)
    assert isinstance(refused.value, ChatError)  # answered ephemerally by the tree
