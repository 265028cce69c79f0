"""A recap that was updated after it was published and has hostile takeaways, for the render,
archive and browser tests.

Its takeaways answer the chat's two reflection prompts (one of which is itself full of markup
and a mention), no particular prompt, and a prompt number the chat no longer has; they hold a
script, ``@everyone``, Markdown that would break out of its line, a 4,000-character text,
right-to-left text and emoji. They arrive out of prompt order, so grouping is visible.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from bot.core.recap import Recap, Revision, Takeaway
from bot.core.spec import RecapSpec
from tests.support.hostile import BREAKERS, EMOJI, PINGS, RTL, SCRIPT
from tests.unit.recap.generate import START
from tests.unit.recap.talk import Talk, small_spec

LONG = " ".join(["takeaway"] * 444) + " done"  # 4,000 characters
MARKUP_NAME = "<b>bold name</b> @everyone"
#: The chat's reflection prompts: the first is as hostile as a moderator could make it.
PROMPTS = ("What <i>stuck</i> with you? **really** ||spoiler|| @everyone", "Who will you follow?")
#: The second update of the published recap, 65 minutes after the chat started
#: (19:05 in Phoenix on Monday 1 March 2027; 02:05 UTC on the 2nd).
REVISION = Revision(
    number=2,
    at=START + timedelta(minutes=65),
    late_answers=7,
    edited=2,
    removed=1,
    takeaways=6,
)
REVISION_LOCAL = "2027-03-01 19:05 (America/Phoenix)"


def takeaways() -> list[Takeaway]:
    """The takeaways as storage gives them, in the order they were written."""
    at = START + timedelta(minutes=50)
    return [
        Takeaway(2, 201, "mallory", SCRIPT, at),
        Takeaway(0, 202, MARKUP_NAME, PINGS, at + timedelta(minutes=1)),
        Takeaway(1, 203, "breaker", BREAKERS, at + timedelta(minutes=2)),
        Takeaway(1, 204, "rana", f"{RTL} {EMOJI}", at + timedelta(minutes=3)),
        Takeaway(2, 205, "longwinded", LONG, at + timedelta(minutes=4)),
        Takeaway(9, 206, "ghost", "An answer to a prompt since removed", at + timedelta(minutes=5)),
    ]


def revised_recap(revision: Revision | None = REVISION) -> Recap:
    """The recap of a small chat with the takeaways above, updated as ``revision`` says."""
    talk = Talk(spec=small_spec(recap=RecapSpec(prompts=PROMPTS)))
    talk.say("ana", "My colleagues down the hall, and a podcast.", minute=9, reactions=2)
    talk.say("rana", f"{RTL} {EMOJI}", minute=10, reactions=1)
    talk.say("ana", "Exit tickets, every day.", question=2, minute=18)
    return replace(talk.recap(takeaways=takeaways()), revision=revision)
