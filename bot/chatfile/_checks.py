"""Checks that involve several fields of a chat: schedule, last call, until and count.

Run after every field has been read; each check is skipped when a field it
needs is missing or invalid (that problem is already reported).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from yaml.nodes import Node

from bot.chatfile._yaml import Report, is_null, show
from bot.core.schedule import build_rule, occurrences, shortest_gap, to_local, to_utc
from bot.core.spec import ChatSpec, format_duration

REPEAT_HELP = "use daily, weekly, biweekly, monthly or an RRULE like FREQ=MONTHLY;BYDAY=1TU"
DEFAULT_INTERVAL = ChatSpec.__dataclass_fields__["question_interval"].default

_TOO_OFTEN = re.compile(r"FREQ\s*=\s*(HOURLY|MINUTELY|SECONDLY)", re.IGNORECASE)
#: Values for fields a schedule check does not look at.
_PLACEHOLDER: dict[str, Any] = {"id": "check", "title": "check", "hashtag": "#c", "channel": 1}
#: Any start will do to check that a rule parses when the real start is invalid.
_PROBE_START = datetime(2000, 1, 1)  # noqa: DTZ001 (a local wall time, like ChatSpec.start)
#: Fields that change a chat's dates or length; when one is invalid, skip the schedule checks.
_SCHEDULE_FIELDS = {"repeat", "until", "count", "question_interval", "late_answers"}


def check_repeat_options(
    report: Report, nodes: dict[str, Node], values: dict[str, Any]
) -> set[str]:
    """``until`` and ``count`` need ``repeat``, exclude each other, and until follows start.

    Returns the fields found wrong, so later checks can skip them.
    """
    wrong: set[str] = set()
    repeats = "repeat" in nodes and not is_null(nodes["repeat"])
    for name in ("until", "count"):
        if name in values and not repeats:
            report.error(
                nodes[name], name, f"only applies to a repeating chat; add repeat or remove {name}"
            )
            wrong.add(name)
    if "until" in values and "count" in values:
        report.error(nodes["count"], "count", "cannot be used together with until; keep one")
        wrong.add("count")
    start = values.get("start")
    if "until" in values and start is not None and values["until"] < start.date():
        report.error(
            nodes["until"],
            "until",
            f"{values['until']} is before the start ({start:%Y-%m-%d}); "
            "expected the last date a chat may happen",
        )
        wrong.add("until")
    return wrong


def check_last_call(
    report: Report, nodes: dict[str, Node], values: dict[str, Any], bad: set[str]
) -> None:
    """The last call is posted ``last_call`` before each next post, so it must fit in every gap."""
    if "last_call" not in values or "questions" not in values or "question_interval" in bad:
        return
    interval = values.get("question_interval", DEFAULT_INTERVAL)
    gaps = [
        (q.after if q.after is not None else interval, f"before Q{n}")
        for n, q in enumerate(values["questions"], 1)
    ]
    gaps.append((interval, "before the closing, one question_interval after the last question"))
    shortest, where = min(gaps, key=lambda gap: gap[0])
    if values["last_call"] >= shortest:
        report.error(
            nodes["last_call"],
            "last_call",
            f"{format_duration(values['last_call'])} must be shorter than every gap between "
            f"posts; the shortest is {format_duration(shortest)} ({where})",
        )


def check_schedule(
    report: Report, nodes: dict[str, Node], values: dict[str, Any], bad: set[str], now: datetime
) -> None:
    """The repeat rule parses; a run fits between dates; the chat still has dates to come."""
    if "repeat" in values and not _rule_is_valid(report, nodes["repeat"], values):
        return
    if not {"timezone", "start", "questions"} <= values.keys() or bad & _SCHEDULE_FIELDS:
        return
    spec = ChatSpec(**{**_PLACEHOLDER, **values})
    _check_local_time(report, nodes["start"], spec.start, spec.timezone)
    if spec.repeat is None:
        if to_utc(spec.start, spec.timezone) <= now:
            local_now = to_local(now, spec.timezone)
            report.warning(
                nodes["start"],
                "start",
                f"{spec.start:%Y-%m-%d %H:%M} {spec.timezone} is in the past (it is now "
                f"{local_now:%Y-%m-%d %H:%M} there), so this one-off chat will never run; "
                "expected a future start, or add repeat",
            )
        return
    _check_fit(report, nodes, spec, now)


def _rule_is_valid(report: Report, node: Node, values: dict[str, Any]) -> bool:
    repeat = values["repeat"]
    if _TOO_OFTEN.search(repeat):
        report.error(node, "repeat", f"{show(repeat)} repeats more often than daily; {REPEAT_HELP}")
        return False
    start = values.get("start", _PROBE_START)
    probe = ChatSpec(
        **{**_PLACEHOLDER, "timezone": "UTC", "questions": (), "start": start, "repeat": repeat}
    )
    try:
        build_rule(probe)
    except Exception as error:  # ScheduleError, and anything dateutil raises on odd input
        if "FREQ" in repeat.upper():
            report.error(node, "repeat", f"{error}; {REPEAT_HELP}")
        else:
            report.error(node, "repeat", f"{show(repeat)} is not a known repeat; {REPEAT_HELP}")
        return False
    return True


def _check_fit(report: Report, nodes: dict[str, Node], spec: ChatSpec, now: datetime) -> None:
    """One run (intro to closing, then late answers) must end before the next one starts."""
    try:
        gap = shortest_gap(spec)
        upcoming = occurrences(spec, now, limit=1)
    except Exception as error:  # dateutil can fail late, while iterating an odd rule
        report.error(
            nodes["repeat"], "repeat", f"cannot compute its dates ({error}); {REPEAT_HELP}"
        )
        return
    run = spec.run_length + spec.late_answers
    if gap is not None and run >= gap:
        report.error(
            nodes["repeat"],
            "repeat",
            f"a run lasts {format_duration(run)} (intro to closing "
            f"{format_duration(spec.run_length)} + late_answers "
            f"{format_duration(spec.late_answers)}) but two dates of this schedule are only "
            f"{format_duration(gap)} apart; expected a run that ends before the next date",
        )
    elif not upcoming:
        name = "until" if "until" in nodes else "count" if "count" in nodes else "repeat"
        report.warning(
            nodes[name],
            name,
            "the schedule has no dates after now, so this chat will not run again; "
            "expected a later until, a larger count or a later start",
        )


def _check_local_time(report: Report, node: Node, start: datetime, zone: str) -> None:
    """Warn when a DST change makes the local start time skipped or doubled that day."""
    earlier, later = (start.replace(tzinfo=ZoneInfo(zone), fold=f) for f in (0, 1))
    if earlier.utcoffset() == later.utcoffset():
        return
    resolved = to_local(to_utc(start, zone), zone)
    if resolved.replace(tzinfo=None) != start:
        message = (
            f"{start:%H:%M} does not exist on {start:%Y-%m-%d} in {zone} (clocks spring "
            f"forward); the chat will start at {resolved:%H:%M %Z}"
        )
    else:
        message = (
            f"{start:%H:%M} happens twice on {start:%Y-%m-%d} in {zone} (clocks fall back); "
            f"the chat will start at the first one, {resolved:%H:%M %Z}"
        )
    report.warning(node, "start", message)
