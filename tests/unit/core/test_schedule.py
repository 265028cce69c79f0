"""Occurrences in the chat's own time zone, across DST changes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from bot.core.schedule import (
    ScheduleError,
    build_rule,
    next_occurrence,
    occurrences,
    shortest_gap,
    to_local,
    to_utc,
)
from tests.support.specs import make_spec


def local_times(starts: list[datetime], zone: str) -> list[str]:
    return [to_local(s, zone).strftime("%Y-%m-%d %H:%M %Z") for s in starts]


def test_weekly_new_york_chat_stays_at_20_local_across_both_dst_changes() -> None:
    spec = make_spec(
        timezone="America/New_York", start=datetime(2026, 3, 1, 20, 0), repeat="weekly"
    )
    march = occurrences(spec, datetime(2026, 3, 1, tzinfo=UTC), 3)
    assert local_times(march, spec.timezone) == [
        "2026-03-01 20:00 EST",
        "2026-03-08 20:00 EDT",  # clocks went forward that morning
        "2026-03-15 20:00 EDT",
    ]
    assert [s.hour for s in march] == [1, 0, 0]  # UTC moves, local does not
    november = occurrences(spec, datetime(2026, 10, 25, tzinfo=UTC), 3)
    assert local_times(november, spec.timezone) == [
        "2026-10-25 20:00 EDT",
        "2026-11-01 20:00 EST",  # clocks went back that morning
        "2026-11-08 20:00 EST",
    ]


def test_nonexistent_local_time_moves_forward_by_the_gap() -> None:
    # 02:30 on 2026-03-08 does not exist in New York (02:00 -> 03:00).
    moment = to_utc(datetime(2026, 3, 8, 2, 30), "America/New_York")
    assert to_local(moment, "America/New_York").strftime("%H:%M %Z") == "03:30 EDT"


def test_repeated_local_time_is_the_first_one() -> None:
    # 01:30 on 2026-11-01 happens twice in New York; the chat is at the first (EDT).
    moment = to_utc(datetime(2026, 11, 1, 1, 30), "America/New_York")
    assert moment == datetime(2026, 11, 1, 5, 30, tzinfo=UTC)


def test_weekly_chat_at_a_nonexistent_hour_keeps_its_weekday() -> None:
    spec = make_spec(
        timezone="America/New_York", start=datetime(2026, 3, 1, 2, 30), repeat="weekly"
    )
    starts = occurrences(spec, datetime(2026, 3, 1, tzinfo=UTC), 3)
    assert local_times(starts, spec.timezone) == [
        "2026-03-01 02:30 EST",
        "2026-03-08 03:30 EDT",
        "2026-03-15 02:30 EDT",
    ]


@pytest.mark.parametrize(
    ("repeat", "expected_days"),
    [
        ("weekly", [0, 7, 14]),
        ("biweekly", [0, 14, 28]),
        ("daily", [0, 1, 2]),
        ("FREQ=WEEKLY;BYDAY=TU,TH", [0, 2, 7]),
        ("RRULE:FREQ=WEEKLY;INTERVAL=3", [0, 21, 42]),
    ],
)
def test_recurrence_shorthands_and_rrules(repeat: str, expected_days: list[int]) -> None:
    spec = make_spec(timezone="UTC", start=datetime(2027, 1, 5, 19, 0), repeat=repeat)  # a Tuesday
    starts = occurrences(spec, datetime(2027, 1, 1, tzinfo=UTC), 3)
    assert [(s - starts[0]).days for s in starts] == expected_days


def test_monthly_first_tuesday() -> None:
    spec = make_spec(
        timezone="Europe/London", start=datetime(2027, 1, 5, 18, 0), repeat="FREQ=MONTHLY;BYDAY=1TU"
    )
    starts = occurrences(spec, datetime(2027, 1, 1, tzinfo=UTC), 4)
    assert local_times(starts, spec.timezone) == [
        "2027-01-05 18:00 GMT",
        "2027-02-02 18:00 GMT",
        "2027-03-02 18:00 GMT",
        "2027-04-06 18:00 BST",
    ]


def test_until_and_count_end_the_series() -> None:
    base = {"timezone": "UTC", "start": datetime(2027, 1, 5, 19, 0), "repeat": "weekly"}
    assert len(occurrences(make_spec(**base, count=2), datetime(2027, 1, 1, tzinfo=UTC), 5)) == 2
    until = make_spec(**base, until=date(2027, 1, 19))
    assert len(occurrences(until, datetime(2027, 1, 1, tzinfo=UTC), 5)) == 3
    assert next_occurrence(until, datetime(2027, 1, 20, tzinfo=UTC)) is None


def test_one_off_has_one_occurrence_and_no_gap() -> None:
    spec = make_spec()
    assert len(occurrences(spec, datetime(2020, 1, 1, tzinfo=UTC), 5)) == 1
    assert shortest_gap(spec) is None
    assert next_occurrence(spec, datetime(2030, 1, 1, tzinfo=UTC)) is None


def test_shortest_gap_of_a_daily_chat() -> None:
    spec = make_spec(timezone="UTC", repeat="daily")
    assert shortest_gap(spec) == timedelta(days=1)


def test_a_rule_that_does_not_parse_is_a_schedule_error() -> None:
    with pytest.raises(ScheduleError):
        build_rule(make_spec(repeat="FREQ=SOMETIMES"))
