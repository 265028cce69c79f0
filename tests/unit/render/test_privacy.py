"""Participants who opted out, and deleted messages, are absent from every format.

The sample chat has one participant who opted out (derek) and three deleted
messages; the recap is checked in Markdown, HTML, JSON and the Discord messages.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.unit.render.conftest import Sample

#: Words only derek wrote, and words only the deleted messages had.
DEREK_SAID = [
    "derek",
    "AP Gov teachers I met at an AP reading",
    "Structured academic controversy",
    "giant PLN",
    "3 podcasts and 1 chat",
]
DELETED = ["is this normal", "don't, honestly", "teh state"]


@pytest.mark.parametrize("fmt", ["markdown", "html", "json", "discord"])
def test_opted_out_participant_is_never_named_or_quoted(sample: Sample, fmt: str) -> None:
    text = sample.rendered.every_format()[fmt].lower()
    for words in DEREK_SAID:
        assert words.lower() not in text, f"{words!r} appears in the {fmt} recap"


@pytest.mark.parametrize("fmt", ["markdown", "html", "json", "discord"])
def test_deleted_messages_are_gone(sample: Sample, fmt: str) -> None:
    text = sample.rendered.every_format()[fmt]
    for words in DELETED:
        assert words not in text, f"deleted {words!r} appears in the {fmt} recap"


def test_the_opted_out_participant_is_still_counted(sample: Sample) -> None:
    """25 people took part, one of them asked not to be quoted; their answers count."""
    header = sample.rendered.recap.header
    assert (header.participants, header.opted_out) == (25, 1)
    assert "1 participant asked not to be quoted" in sample.rendered.markdown
    assert sum(q.withheld for q in sample.rendered.recap.questions) == 5


def _ids(value: Any, found: set[int]) -> set[int]:
    if isinstance(value, dict):
        for key, item in value.items():
            if key.endswith("_id") and isinstance(item, int):
                found.add(item)
            _ids(item, found)
    elif isinstance(value, list):
        for item in value:
            _ids(item, found)
    return found


def test_the_json_holds_no_id_of_the_opted_out_participant(sample: Sample) -> None:
    derek = sample.played.user_ids["derek"]
    ids = _ids(json.loads(sample.rendered.json), set())
    assert sample.played.user_ids["maria"] in ids
    assert derek not in ids
