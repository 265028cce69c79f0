"""The adapter's poll shapes: a PollRequest as discord.py's Poll, the text of a poll posted
without Send Polls, and Discord's final counts read from a message payload."""

from __future__ import annotations

from datetime import timedelta

from bot.core.ports import PollRequest
from bot.discord_app.polls import final_counts
from bot.discord_app.venue import discord_poll, reaction_poll_text

REQUEST = PollRequest("Q1: Which fern? #plantchat", ("Boston", "Maidenhair"), False, 2)


def test_a_poll_request_becomes_a_discord_poll() -> None:
    poll = discord_poll(REQUEST)
    assert poll.question == "Q1: Which fern? #plantchat"
    assert [a.text for a in poll.answers] == ["Boston", "Maidenhair"]
    assert poll.duration == timedelta(hours=2)
    assert not poll.multiple
    assert poll._to_dict()["duration"] == 2  # discord.py sends hours


def test_without_send_polls_the_options_are_numbered_for_reactions() -> None:
    text = reaction_poll_text("**Q1:** Which fern? #plantchat", REQUEST)
    assert text.splitlines() == [
        "**Q1:** Which fern? #plantchat",
        "📊 **Poll:** react with your pick.",
        "1️⃣ Boston",
        "2️⃣ Maidenhair",
    ]
    several = PollRequest("Q?", ("a", "b"), True)
    assert "react with every number you pick" in reaction_poll_text("Q?", several)


def test_final_counts_only_once_discord_finalised_the_poll() -> None:
    open_poll = {"poll": {"results": {"is_finalized": False, "answer_counts": []}}}
    assert final_counts(open_poll) is None
    assert final_counts({"content": "no poll"}) is None
    done = {
        "poll": {
            "results": {
                "is_finalized": True,
                "answer_counts": [{"id": 1, "count": 3, "me_voted": False}, {"id": 2, "count": 0}],
            }
        }
    }
    assert final_counts(done) == {1: 3, 2: 0}
