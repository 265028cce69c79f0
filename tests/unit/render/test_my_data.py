"""``my-data.json``: the caller's data as JSON, split into numbered files past the limit."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from bot.core.personal import GivenReaction, PersonalData, StoredMessage
from bot.render.my_data import render_my_data

START = datetime(2027, 1, 6, 2, 0, tzinfo=UTC)


def _data(messages: int) -> PersonalData:
    return PersonalData(
        user_id=501,
        name="alice",
        first_seen=START,
        opted_out=True,
        forget_requested_at=None,
        forget_by_moderator=False,
        messages=tuple(
            StoredMessage(
                9000 + n,
                0,
                "plnchat",
                START,
                77,
                None,
                1,
                "prefix",
                f"A1: answer number {n} </script> 👋",
                START + timedelta(minutes=n),
                None,
                "live",
                False,
            )
            for n in range(messages)
        ),
        reactions=(GivenReaction(8000, "plnchat", START, "👍"),),
    )


def test_one_file_with_everything_stored() -> None:
    ((name, body),) = render_my_data(_data(3))
    document = json.loads(body)
    assert name == "my-data.json"
    assert document["consent"] == {
        "opted_out": True,
        "forget_requested_at": None,
        "forget_by_moderator": False,
    }
    assert [m["content"] for m in document["messages"]] == [
        f"A1: answer number {n} </script> 👋" for n in range(3)
    ]
    assert document["messages"][0]["created_at"] == "2027-01-06T02:00:00+00:00"
    assert document["reactions"] == [
        {
            "emoji": "👍",
            "message_id": 8000,
            "chat_id": "plnchat",
            "occurrence_start": "2027-01-06T02:00:00+00:00",
        }
    ]


def test_over_the_limit_it_splits_into_numbered_whole_documents() -> None:
    files = render_my_data(_data(200), limit=8_000)
    assert len(files) > 2
    assert [name for name, _ in files] == [f"my-data-{n}.json" for n in range(1, len(files) + 1)]
    documents = [json.loads(body) for _, body in files]
    assert all(len(body) <= 8_000 for _, body in files)
    assert all(d["parts"] == len(files) and d["consent"]["opted_out"] for d in documents)
    ids = [m["message_id"] for d in documents for m in d["messages"]]
    assert ids == [9000 + n for n in range(200)]  # every message once, in order
    assert sum(len(d["reactions"]) for d in documents) == 1
