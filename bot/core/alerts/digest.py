"""When a member's alerts are delivered: instant (batched, at most once a minute), or a
daily or weekly digest at their local time.

Local times are wall-clock times in the member's IANA time zone, computed with zoneinfo
day by day (a day is not 24 hours across a DST change: 08:00 stays 08:00). A weekly
digest comes on Mondays.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from bot.core.alerts.terms import AlertRefused

#: An instant member gets at most one DM in this time (matches meanwhile are batched).
INSTANT_BATCH = timedelta(minutes=1)
#: After Discord refused a DM (closed DMs, 50007), an instant member is tried again after
#: this long (a digest member at their next digest).
REFUSED_RETRY = timedelta(hours=1)
WEEKLY_DAY = 0  # Monday
_HHMM = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


class DigestMode(enum.StrEnum):
    """How a member's alerts come."""

    INSTANT = "instant"
    DAILY = "daily"
    WEEKLY = "weekly"


@dataclass(frozen=True)
class DigestSettings:
    """A member's delivery settings."""

    mode: DigestMode = DigestMode.INSTANT
    at: time = time(8, 0)
    zone: str = "UTC"

    @property
    def shown(self) -> str:
        """The settings in words."""
        if self.mode is DigestMode.INSTANT:
            return "instant (at most one message a minute)"
        day = "every Monday" if self.mode is DigestMode.WEEKLY else "every day"
        return f"{self.mode.value}: {day} at {self.at:%H:%M} ({self.zone})"


def zone_names() -> list[str]:
    """Every IANA time zone name, sorted (for autocomplete)."""
    return sorted(available_timezones())


def parse_digest(
    mode: str, at: str | None, zone: str | None, current: DigestSettings
) -> DigestSettings:
    """New settings from ``/alerts digest`` (what is not given keeps its current value).

    Raises :class:`AlertRefused` for an unknown mode, a time that is not HH:MM, or a time
    zone that is not an IANA name."""
    try:
        chosen = DigestMode(mode.strip().lower())
    except ValueError:
        raise AlertRefused(
            f"`{mode}` is not a digest mode: choose instant, daily or weekly."
        ) from None
    when = current.at
    if at is not None:
        found = _HHMM.match(at.strip())
        if found is None:
            raise AlertRefused(
                f"`{at}` is not a time of day: write it as HH:MM on a 24-hour clock, "
                "such as 08:00 or 17:30."
            )
        when = time(int(found.group(1)), int(found.group(2)))
    name = current.zone
    if zone is not None:
        name = zone.strip()
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise AlertRefused(
                f"`{zone}` is not a time zone: pick an IANA name from the list, such as "
                "America/Phoenix or Europe/Paris."
            ) from None
    return DigestSettings(chosen, when, name)


def slot_at_or_after(moment: datetime, settings: DigestSettings) -> datetime:
    """The first digest time (UTC) at or after ``moment`` for a daily or weekly member."""
    zone = ZoneInfo(settings.zone)
    day = moment.astimezone(zone).date()
    while True:
        candidate = datetime.combine(day, settings.at, tzinfo=zone)
        weekly_ok = settings.mode is not DigestMode.WEEKLY or day.weekday() == WEEKLY_DAY
        if weekly_ok and candidate.astimezone(UTC) >= moment:
            return candidate.astimezone(UTC)
        day += timedelta(days=1)


def next_delivery(
    settings: DigestSettings,
    first_pending: datetime,
    last_attempt: datetime | None,
    *,
    refused: bool = False,
    batch: timedelta = INSTANT_BATCH,
) -> datetime:
    """When a member's pending matches (the oldest found at ``first_pending``) are due.

    Instant: at once, but no sooner than ``batch`` (:data:`INSTANT_BATCH`) after the last delivery
    (:data:`REFUSED_RETRY` after a refused one). Daily/weekly: the first digest time at or
    after the oldest pending match and after the last digest."""
    if settings.mode is DigestMode.INSTANT:
        if last_attempt is None:
            return first_pending
        gap = REFUSED_RETRY if refused else batch
        return max(first_pending, last_attempt + gap)
    start = first_pending
    if last_attempt is not None:
        start = max(start, last_attempt + timedelta(seconds=1))
    return slot_at_or_after(start, settings)
