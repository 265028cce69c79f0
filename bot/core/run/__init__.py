"""The run of one occurrence: a state machine of pure transitions.

``transition(run, spec, event, now) -> (new run, effects)`` never touches the
clock, the network or the disk. The runtime persists the new run (its steps
are the durable timers), executes the effects through the Venue, and feeds the
outcome back (:class:`Posted` or :class:`PostFailed`). A step is DONE only
after its post succeeded, so a crash anywhere leaves it pending and the
runtime's idempotent posting (intent before, message id after) finishes it.

Phases::

    scheduled -> announced -> running(n) <-> paused -> closing -> late_answers -> recapped
         \\____________\\____ cancelled (not started)      missed (bot back too late)

**Lateness policy.** A step that fires more than :data:`LATE_GRACE` after its
due time (the bot was down or the event loop was blocked) is posted at once,
marked late, and every later step of the run moves by the same amount, so the
spacing between questions is kept. A post that failed for a passing reason (a rate
limit that outlasted the client's own retries, a server error) is retried after
:data:`RETRY_DELAY`; if it is the intro, a question or the closing, the later steps
move with it, so questions never come out of order. Reminders never move the run; a reminder
overtaken by a later reminder or by the start is skipped. But a chat never runs
at the wrong hour: if the bot comes back more than the chat's ``max_late``
after the start and the chat has not started, the occurrence is **missed**
(moderators are told once, the next occurrence is planned); if it had started,
it is **cut short**: the overdue questions are skipped, the chat closes now and
the recap follows the late-answer window.
"""

from __future__ import annotations

from bot.core.run.messages import (
    Cancel,
    Control,
    Due,
    Effect,
    Event,
    Extend,
    Finished,
    Next,
    Pause,
    Post,
    Posted,
    PostFailed,
    Record,
    Resume,
    Skip,
    Start,
    Stop,
)
from bot.core.run.state import LATE_GRACE, MAX_EXTENSION, RETRY_DELAY, Phase, Run
from bot.core.run.transition import new_run, transition

__all__ = [
    "LATE_GRACE",
    "MAX_EXTENSION",
    "RETRY_DELAY",
    "Cancel",
    "Control",
    "Due",
    "Effect",
    "Event",
    "Extend",
    "Finished",
    "Next",
    "Pause",
    "Phase",
    "Post",
    "PostFailed",
    "Posted",
    "Record",
    "Resume",
    "Run",
    "Skip",
    "Start",
    "Stop",
    "new_run",
    "transition",
]
