"""When a chat happens: its occurrences in UTC, computed in the chat's own time zone.

Recurrence is evaluated in *local wall time* with python-dateutil's ``rrule``
(RFC 5545), and each local start is then resolved to UTC with ``zoneinfo``. So
a weekly 20:00 America/New_York chat is at 20:00 local before and after a DST
change (00:00 UTC in summer, 01:00 UTC in winter).

Local times that a DST change makes awkward are resolved like this:

* **a time that does not exist** (spring forward; 02:30 on the night clocks jump
  from 02:00 to 03:00) is moved forward by the size of the gap, to 03:30 local;
* **a time that happens twice** (fall back; 01:30 on the night clocks return
  from 02:00 to 01:00) is the *first* one, in daylight time.

Both follow from ``fold=0`` in PEP 495, and both are what people expect from a
calendar: the chat still happens that day, as close as possible to its time.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dateutil.rrule import rrule, rrulestr

from bot.core.spec import ChatSpec

#: How far ahead an open-ended recurrence is evaluated.
HORIZON_YEARS = 50


class ScheduleError(ValueError):
    """A recurrence rule that cannot be evaluated."""


def to_utc(local: datetime, zone: str) -> datetime:
    """Resolve a naive local wall time in ``zone`` to an aware UTC datetime (see module doc)."""
    return local.replace(tzinfo=ZoneInfo(zone), fold=0).astimezone(UTC)


def to_local(moment: datetime, zone: str) -> datetime:
    """Show an aware datetime in ``zone``."""
    return moment.astimezone(ZoneInfo(zone))


def build_rule(spec: ChatSpec) -> rrule | None:
    """The spec's recurrence as a dateutil rule over naive local times, or None for a one-off.

    Raises :class:`ScheduleError` when the rule does not parse.
    """
    body = spec.rrule
    if body is None:
        return None
    until = None
    if spec.until is not None:
        until = datetime.combine(spec.until, time(23, 59, 59))
    try:
        parsed = rrulestr(body, dtstart=spec.start, ignoretz=True)
    except (ValueError, TypeError) as error:
        raise ScheduleError(f"{spec.repeat!r} is not a recurrence rule: {error}") from error
    if not isinstance(parsed, rrule):
        raise ScheduleError(f"{spec.repeat!r} must be a single RRULE")
    if until is None and spec.count is None:
        # A horizon keeps a rule that can never match (Feb 30) from scanning to year 9999.
        until = datetime(min(spec.start.year + HORIZON_YEARS, 9999), 12, 31)  # noqa: DTZ001 (local)
    try:
        parsed = parsed.replace(until=until, count=spec.count if until is None else None)
    except ValueError as error:
        raise ScheduleError(str(error)) from error
    return parsed


def iter_local_starts(spec: ChatSpec) -> Iterator[datetime]:
    """Every local start of the chat, in order (naive, local to ``spec.timezone``)."""
    rule = build_rule(spec)
    if rule is None:
        yield spec.start
        return
    yield from rule


def occurrences(spec: ChatSpec, after: datetime, limit: int = 3) -> list[datetime]:
    """The next ``limit`` starts (aware, UTC) strictly after ``after`` (aware)."""
    found: list[datetime] = []
    for local in iter_local_starts(spec):
        start = to_utc(local, spec.timezone)
        if start > after:
            found.append(start)
            if len(found) >= limit:
                break
    return found


def next_occurrence(spec: ChatSpec, after: datetime) -> datetime | None:
    """The first start strictly after ``after``, or None when the schedule has ended."""
    found = occurrences(spec, after, limit=1)
    return found[0] if found else None


def shortest_gap(spec: ChatSpec, sample: int = 60) -> timedelta | None:
    """The shortest time between two consecutive starts among the first ``sample``.

    None for a one-off chat or a rule with a single occurrence.
    """
    previous: datetime | None = None
    gap: timedelta | None = None
    for index, local in enumerate(iter_local_starts(spec)):
        if index >= sample:
            break
        start = to_utc(local, spec.timezone)
        if previous is not None:
            step = start - previous
            gap = step if gap is None or step < gap else gap
        previous = start
    return gap
