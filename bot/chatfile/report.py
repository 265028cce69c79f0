"""The report of ``python -m bot validate``: every problem, each valid chat's next dates,
and a one-line summary.

The command line only chooses the paths and passes the time in; loading is
:func:`bot.chatfile.load_chats`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import TextIO

from bot.chatfile._load import ChatSet, load_chats
from bot.core.schedule import occurrences, to_local
from bot.core.spec import ChatSpec

__all__ = ["validate_command"]

#: How many upcoming dates ``validate`` shows per chat.
SHOWN_OCCURRENCES = 3


def validate_command(paths: Sequence[Path], now: datetime, out: TextIO) -> int:
    """Print every problem, then each valid chat's next dates; 0 when there are no errors."""
    chats = load_chats(paths, now)
    for problem in chats.problems:
        print(problem, file=out)
    for result in chats.results:
        if result.spec is not None:
            _print_schedule(result.spec, now, out)
    print(_summary(chats), file=out)
    return 1 if chats.has_errors else 0


def _print_schedule(spec: ChatSpec, now: datetime, out: TextIO) -> None:
    how_often = spec.repeat or "once"
    print(f"\n{spec.id}: {spec.title} {spec.hashtag} ({how_often}) from {spec.source}", file=out)
    upcoming = occurrences(spec, now, limit=SHOWN_OCCURRENCES)
    if not upcoming:
        print("  no upcoming dates", file=out)
    for start in upcoming:
        local = to_local(start, spec.timezone)
        print(f"  {local:%a %Y-%m-%d %H:%M %Z}  ({start:%Y-%m-%d %H:%M} UTC)", file=out)


def _summary(chats: ChatSet) -> str:
    errors = sum(p.severity == "error" for p in chats.problems)
    warnings = len(chats.problems) - errors
    valid = len(chats.specs)
    return (
        f"\n{len(chats.results)} file(s), {valid} valid chat(s), "
        f"{errors} error(s), {warnings} warning(s)"
    )
