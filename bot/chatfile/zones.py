"""Finding a time zone by what a moderator types: a city or a region, not an IANA name.

"phoenix" finds America/Phoenix, "kolkata" Asia/Kolkata, "new york" America/New_York,
"europe" every zone in Europe, and an abbreviation its usual zone ("PST" finds
America/Los_Angeles). The zones a server already uses come first. Only zones a chat file
accepts without a warning are offered: places (``Region/City``) and UTC.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from functools import cache
from zoneinfo import ZoneInfo

from bot.chatfile._time import _ABBREVIATIONS, _zones

__all__ = ["COMMON_ZONES", "zone_choices", "zone_label"]

_REGIONS = {
    "Africa",
    "America",
    "Antarctica",
    "Arctic",
    "Asia",
    "Atlantic",
    "Australia",
    "Europe",
    "Indian",
    "Pacific",
}
#: Offered before anything is typed, after the server's own zones.
COMMON_ZONES = (
    "UTC",
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Phoenix",
    "America/Los_Angeles",
    "America/Sao_Paulo",
    "Europe/London",
    "Europe/Paris",
    "Europe/Berlin",
    "Africa/Lagos",
    "Africa/Johannesburg",
    "Asia/Dubai",
    "Asia/Kolkata",
    "Asia/Singapore",
    "Asia/Tokyo",
    "Australia/Sydney",
    "Pacific/Auckland",
)


@cache
def _places() -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Every offered zone with its searchable parts: ``("america", "new york")``."""
    names = sorted(z for z in _zones() if z == "UTC" or z.split("/", 1)[0] in _REGIONS)
    return tuple((z, tuple(p.replace("_", " ").lower() for p in z.split("/"))) for z in names)


def _score(typed: str, zone: str, parts: tuple[str, ...]) -> int | None:
    """How well ``zone`` matches ``typed`` (lower is better), or None."""
    city, whole = parts[-1], " ".join(parts)
    if typed in (city, whole, zone.lower()):
        return 0
    if city.startswith(typed):
        return 1
    if any(part.startswith(typed) for part in parts) or any(
        word.startswith(typed) for word in city.split()
    ):
        return 2
    if typed in whole or typed in zone.lower():
        return 3
    return None


def zone_choices(typed: str, used: Mapping[str, int], limit: int = 25) -> list[str]:
    """The zones that match ``typed`` (a city, a region, part of a name or an
    abbreviation), the server's most ``used`` first, then the best matches; before
    anything is typed, the server's zones and then :data:`COMMON_ZONES`."""
    wanted = " ".join(typed.replace("_", " ").replace("/", " / ").split()).lower()
    wanted = wanted.replace(" / ", "/")
    if not wanted:
        mine = sorted(used, key=lambda z: (-used[z], z))
        return list(dict.fromkeys([*mine, *COMMON_ZONES]))[:limit]
    scored: dict[str, int] = {}
    abbreviation = _ABBREVIATIONS.get(typed.strip().upper())
    if abbreviation is not None:
        scored[abbreviation] = 0
    for zone, parts in _places():
        score = _score(wanted, zone, parts)
        if score is not None:
            scored.setdefault(zone, score)
    ranked = sorted(scored, key=lambda z: (-used.get(z, 0), scored[z], z))
    return ranked[:limit]


def zone_label(zone: str, now: datetime) -> str:
    """How a zone is offered: its name and its offset from UTC now, ``America/Phoenix
    (UTC-07:00)``."""
    offset = now.astimezone(ZoneInfo(zone)).utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset is not None else 0
    sign = "-" if minutes < 0 else "+"
    hours, rest = divmod(abs(minutes), 60)
    return f"{zone} (UTC{sign}{hours:02d}:{rest:02d})"
