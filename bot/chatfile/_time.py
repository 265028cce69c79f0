"""Readers for the time values of a chat file: time zone, start and until.

A chat's times are local wall times in its ``timezone`` (see
:mod:`bot.core.schedule`), so ``start`` must not carry a UTC offset.
"""

from __future__ import annotations

import difflib
import re
from datetime import date, datetime
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo, available_timezones

from yaml.nodes import Node, ScalarNode

from bot.chatfile._fields import read_text
from bot.chatfile._yaml import STR, TIMESTAMP, Report, construct, describe, is_null, show, wrong

_LOCAL_TIME = r"(\d{4})-(\d{1,2})-(\d{1,2})[Tt ]+(\d{1,2}):(\d{2})(?::(\d{2}))?"
_LOCAL = re.compile(_LOCAL_TIME)
_WITH_OFFSET = re.compile(_LOCAL_TIME + r"(?:\.\d+)?\s*(?:Z|z|[+-]\d{1,2}(?::?\d{2})?)")
_DATE = re.compile(r"\d{4}-\d{1,2}-\d{1,2}")
#: Years a chat may start in: far-off years are typos, and near datetime's
#: limits converting between zones overflows.
FIRST_YEAR, LAST_YEAR = 1970, 2999

#: Zone names that load but are no place's clock.
_NOT_A_PLACE = {"localtime", "Factory", "posixrules"}
#: Fixed-offset legacy zones people pick by mistake: they never observe DST.
_FIXED_LEGACY = {
    "EST": "America/New_York",
    "MST": "America/Denver (or America/Phoenix, which has no DST)",
    "HST": "Pacific/Honolulu",
}
#: Abbreviations that are not zone names at all, with the usual meaning.
_ABBREVIATIONS = {
    "PST": "America/Los_Angeles",
    "PDT": "America/Los_Angeles",
    "MDT": "America/Denver",
    "CST": "America/Chicago",
    "CDT": "America/Chicago",
    "EDT": "America/New_York",
    "BST": "Europe/London",
    "CEST": "Europe/Paris",
    "IST": "Asia/Kolkata",
    "AEST": "Australia/Sydney",
    "AEDT": "Australia/Sydney",
}


def read_timezone(report: Report, node: Node, name: str) -> str | None:
    """An IANA zone name such as America/Phoenix, with a did-you-mean when unknown."""
    text = read_text(report, node, name, "a time zone like America/Phoenix")
    if text is None:
        return None
    if text not in _zones() or not _loads(text):
        guess = suggest_zone(text)
        hint = f"did you mean {guess}?" if guess else "use a name like America/Phoenix"
        report.error(node, name, f"unknown time zone {show(text)}; {hint}")
        return None
    if text in _FIXED_LEGACY or text.startswith("Etc/GMT"):
        place = _FIXED_LEGACY.get(text, "a city's zone such as Europe/London")
        report.warning(
            node,
            name,
            f"{text} is a fixed UTC offset with no daylight saving time "
            f"(and Etc/GMT+N means UTC-N); prefer {place}",
        )
    return text


def suggest_zone(text: str) -> str | None:
    """The likeliest zone a misspelt or abbreviated zone name meant, quoted, or None."""
    if text.upper() in _ABBREVIATIONS:
        return repr(_ABBREVIATIONS[text.upper()])
    by_lower = {z.lower(): z for z in _zones()}
    wanted = text.lower().replace(" ", "_")
    if wanted in by_lower:
        return repr(by_lower[wanted])
    cities = {z.rsplit("/", 1)[-1].lower(): z for z in _zones() if "/" in z}
    if wanted in cities:
        return repr(cities[wanted])
    close = difflib.get_close_matches(wanted, by_lower, n=1, cutoff=0.6)
    close = close or [
        cities[c].lower() for c in difflib.get_close_matches(wanted, cities, n=1, cutoff=0.7)
    ]
    return repr(by_lower[close[0]]) if close else None


@cache
def _zones() -> frozenset[str]:
    return frozenset(available_timezones() - _NOT_A_PLACE)


def _loads(zone: str) -> bool:
    try:
        ZoneInfo(zone)
    except Exception:  # bad keys raise ValueError, OSError or KeyError subclasses
        return False
    return True


def read_start(report: Report, node: Node, name: str) -> datetime | None:
    """A naive local date and time: ``2026-12-01 19:00``, ``2026-12-01T19:00:00``."""
    start = _read_local_time(report, node, name)
    if start is not None and not FIRST_YEAR <= start.year <= LAST_YEAR:
        report.error(
            node, name, f"year {start.year} is out of range; expected {FIRST_YEAR}-{LAST_YEAR}"
        )
        return None
    return start


def _read_local_time(report: Report, node: Node, name: str) -> datetime | None:
    expected = "write the local date and time, like 2026-12-01 19:00, and set timezone"
    if isinstance(node, ScalarNode) and node.tag == TIMESTAMP:
        return _start_from_timestamp(report, node, name, expected)
    text = str(node.value).strip() if isinstance(node, ScalarNode) and node.tag == STR else ""
    match = _LOCAL.fullmatch(text)
    if match:
        try:
            return _local_datetime(match)
        except ValueError as error:
            report.error(node, name, f"{show(text)} is not a real date and time ({error})")
            return None
    if _WITH_OFFSET.fullmatch(text):
        report.error(node, name, f"{show(text)} has a UTC offset; {expected}")
    elif _DATE.fullmatch(text):
        report.error(node, name, f"{show(text)} is a date without a time; {expected}")
    elif is_null(node):
        report.error(node, name, f"is empty; {expected}")
    else:
        report.error(node, name, f"is {describe(node)}; {expected}")
    return None


def _local_datetime(match: re.Match[str]) -> datetime:
    year, month, day, hour, minute, second = (int(g or 0) for g in match.groups())
    return datetime(year, month, day, hour, minute, second)  # noqa: DTZ001 (local wall time)


def _start_from_timestamp(
    report: Report, node: ScalarNode, name: str, expected: str
) -> datetime | None:
    try:
        value = construct(node)
    except ValueError as error:
        report.error(node, name, f"{show(node.value)} is not a real date and time ({error})")
        return None
    if not isinstance(value, datetime):
        report.error(node, name, f"{show(node.value)} is a date without a time; {expected}")
        return None
    if value.tzinfo is not None:
        report.error(node, name, f"{show(node.value)} has a UTC offset; {expected}")
        return None
    return value


def read_until(report: Report, node: Node, name: str) -> date | None:
    """The last date a repeating chat may happen: ``2027-06-30``."""
    value: Any = None
    if isinstance(node, ScalarNode) and node.tag == TIMESTAMP:
        try:
            value = construct(node)
        except ValueError:
            value = None
    elif isinstance(node, ScalarNode) and node.tag == STR and _DATE.fullmatch(node.value.strip()):
        try:
            value = date.fromisoformat(_zero_pad(node.value.strip()))
        except ValueError:
            value = None
    if not isinstance(value, date) or isinstance(value, datetime):
        report.error(node, name, wrong(node, "a date like 2027-06-30 (no time)"))
        return None
    return value


def _zero_pad(text: str) -> str:
    year, month, day = text.split("-")
    return f"{year}-{int(month):02d}-{int(day):02d}"
