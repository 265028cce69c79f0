"""What forget-me and forget-user say, and the user ids /host forget-user takes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.core.ports import ForgetRequest
from bot.discord_app.host_cog import user_id_of
from bot.discord_app.replies import forgotten_reply

REQUEST = ForgetRequest(501, datetime(2027, 1, 6, tzinfo=UTC), False, messages=4, recaps=2)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("123456789012345678", 123456789012345678),
        ("<@123456789012345678>", 123456789012345678),
        ("<@!123456789012345678> ", 123456789012345678),
        ("@ana", None),
        ("12345", None),  # not a snowflake
        ("<@&123456789012345678>", None),  # a role, not a user
        ("", None),
    ],
)
def test_user_ids_from_mentions_and_digits(text: str, expected: int | None) -> None:
    assert user_id_of(text) == expected


def test_the_requester_is_told_what_went_and_what_counts_again() -> None:
    text = forgotten_reply(REQUEST, timedelta(seconds=60))
    assert text.startswith("✅ Deleted 4 stored message(s) of yours.")
    assert "2 published recap(s) will be edited within 60 seconds" in text
    assert "what you post from now on counts again; /chat optout keeps you unnamed" in text


def test_a_moderator_is_told_without_the_person_being_addressed() -> None:
    text = forgotten_reply(REQUEST, timedelta(minutes=5), you=False)
    assert "of theirs" in text
    assert "within 5 minutes" in text
    assert "you post" not in text
