"""Stored times: one fixed-width UTC text whatever zone a time came in, naive ones refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from bot.storage._convert import dt, ts

MOMENT = datetime(2027, 1, 6, 2, 0, 5, 120000, tzinfo=UTC)
STORED = "2027-01-06T02:00:05.120000+00:00"


@pytest.mark.parametrize(
    "moment",
    [
        MOMENT,
        MOMENT.astimezone(ZoneInfo("America/Phoenix")),
        MOMENT.astimezone(ZoneInfo("UTC")),
        MOMENT.astimezone(timezone(timedelta(hours=5, minutes=30))),
    ],
    ids=["UTC", "Phoenix", "zoneinfo UTC", "+05:30"],
)
def test_every_zone_is_stored_as_the_same_utc_text(moment: datetime) -> None:
    assert ts(moment) == STORED
    assert dt(ts(moment)) == MOMENT


def test_a_whole_second_keeps_its_microseconds_so_texts_sort_like_times() -> None:
    assert ts(MOMENT.replace(microsecond=0)) == "2027-01-06T02:00:05.000000+00:00"


def test_a_naive_time_is_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        ts(datetime(2027, 1, 6, 2, 0))
