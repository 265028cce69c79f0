"""What goes into a transition (events: a timer fired, a post's outcome, a moderator's
control) and what comes out (effects for the runtime to carry out)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.core.plan import StepKind
from bot.core.run.state import Phase

# --- events -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Due:
    """A step's timer fired."""

    key: str


@dataclass(frozen=True)
class Posted:
    """A step's post went out (its message id is stored)."""

    key: str


@dataclass(frozen=True)
class PostFailed:
    """A step's post failed; ``permanent`` when retrying cannot help (e.g. missing permission)."""

    key: str
    reason: str
    permanent: bool


@dataclass(frozen=True)
class Control:
    """A moderator's command; ``actor`` is who asked (a Discord user id or a name)."""

    actor: str


@dataclass(frozen=True)
class Start(Control):
    """Start a scheduled occurrence now."""


@dataclass(frozen=True)
class Next(Control):
    """Post the next question now."""


@dataclass(frozen=True)
class Pause(Control):
    """Hold the plan; nothing of the run is posted until resumed."""


@dataclass(frozen=True)
class Resume(Control):
    """Continue a paused run; the remaining plan keeps its spacing."""


@dataclass(frozen=True)
class Extend(Control):
    """Give the current question more time."""

    by: timedelta = timedelta(minutes=2)


@dataclass(frozen=True)
class Skip(Control):
    """Drop a question that has not been posted; later questions move up into its slot."""

    question: int = 0


@dataclass(frozen=True)
class Stop(Control):
    """Close now: closing post, late-answer window, recap."""


@dataclass(frozen=True)
class Cancel(Control):
    """Call off an occurrence that has not started; a recurring chat goes on."""


Event = Due | Posted | PostFailed | Control

# --- effects ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Post:
    """Post ``text`` for step ``key``; the runtime records intent before and message id after."""

    key: str
    kind: StepKind
    text: str
    question: int | None = None
    late: bool = False


@dataclass(frozen=True)
class Record:
    """Keep a line of the moderation timeline (shown in the recap)."""

    action: str
    actor: str
    at: datetime
    detail: str = ""


@dataclass(frozen=True)
class Finished:
    """The occurrence is over; the runtime plans the chat's next occurrence."""

    phase: Phase


Effect = Post | Record | Finished
