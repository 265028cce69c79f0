"""Two chats in one real SQLite store, for the archive and its browser test.

* ``plnchat``: the sample chat played through the real engine and collector
  (:func:`tests.unit.recap.sample.play`): 25 participants, derek opted out, three deleted
  messages, links with tracking parameters; its next weekly occurrence stays scheduled.
* ``edchat``: a small chat in Tokyo time, written with :class:`tests.unit.recap.talk.Talk`,
  whose participants write hostile text (a script, ``@everyone``, markup in a name, RTL and
  emoji), share a link the sample shared too, answer late, and where one participant
  (zebadiah) opted out and one answer was deleted. An earlier edchat occurrence has no
  answers, so it is not archived.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path

from bot.archive import ArchiveReport, build_archive
from bot.core.spec import ChatSpec
from bot.runtime.recaps import StoredRecaps
from bot.storage import SqliteStore, open_store
from tests.support.hostile import EMOJI, RTL
from tests.unit.recap.generate import START, finished_run
from tests.unit.recap.sample import play
from tests.unit.recap.talk import Talk, small_spec

SCRIPT = "</script><script>alert(1)</script>"
PINGS = "@everyone look at this"
MARKUP_NAME = "<b>mallory</b>"
EDCHAT_TITLE = "Ed Chat <i>after dark</i>"
#: The answer the browser test looks for, and one only the sample has.
AXOLOTL = "Our class axolotl taught me more about patience than any workshop did."
WAKELET = "I keep a Wakelet of the people and resources I learn from"
CAFE = "We run a café-style book tasting every Friday."
#: Shared in both chats (with different tracking parameters): one resource in the archive.
SHARED_IN_BOTH = "https://www.edutopia.org/article/building-your-professional-learning-network"
#: Only the participant who opted out wrote these, and only the deleted answer had these.
ZEBADIAH_SAID = ["zebadiah", "marmalade conspiracy", "my secret marmalade"]
DELETED_SAID = ["this line was deleted quietly"]
#: Words only derek (opted out in the sample) wrote, and words only its deleted messages had.
DEREK_SAID = [
    "derek",
    "AP Gov teachers I met at an AP reading",
    "Structured academic controversy",
    "giant PLN",
    "3 podcasts and 1 chat",
]
SAMPLE_DELETED = ["is this normal", "don't, honestly", "teh state"]

PLNCHAT_PAGE = "plnchat-2027-01-12.html"
EDCHAT_PAGE = "edchat-2027-03-02.html"


@dataclass(frozen=True)
class TwoChats:
    """What was stored: the edchat message ids of interest."""

    axolotl_id: int
    script_id: int
    late_id: int


def edchat_spec() -> ChatSpec:
    """The second chat: 10:00 in Tokyo on Tuesday 2 March 2027 (01:00 UTC)."""
    return small_spec(
        id="edchat",
        title=EDCHAT_TITLE,
        timezone="Asia/Tokyo",
        start=datetime(2027, 3, 2, 10, 0),
    )


async def store_two_chats(store: SqliteStore) -> TwoChats:
    """Play the sample chat and store the hostile one, in ``store``."""
    await play(store)
    spec = edchat_spec()
    await store.save_chat(spec)
    await store.create_occurrence(
        spec, replace(finished_run(spec, START - timedelta(days=7)), occurrence_id=0)
    )
    run = await store.create_occurrence(spec, replace(finished_run(spec, START), occurrence_id=0))
    talk = Talk(spec=spec)
    axolotl = talk.say("ana", AXOLOTL, minute=9, reactions=3)
    script = talk.say(MARKUP_NAME, SCRIPT, minute=10, reactions=2)
    talk.say("ana", PINGS, minute=11)
    talk.say("rana", f"{RTL} {EMOJI}", minute=12, reactions=1)
    talk.say(
        "rana",
        f"This started my network: {SHARED_IN_BOTH}?utm_source=edchat&fbclid=abc",
        minute=13,
    )
    talk.say("zebadiah", "my secret marmalade conspiracy, do not quote me", minute=14)
    talk.say("ana", "I agree with zebadiah about the jam", minute=15)
    deleted = talk.say("rana", "this line was deleted quietly", minute=16)
    talk.say("ana", CAFE, question=2, minute=18)
    talk.say("rana", "Does anyone have a good reading list?", question=3, minute=26)
    late = talk.say(
        "ana", "Late, but: audiobooks on the commute.", question=3, minute=33, late=True
    )
    answers = [replace(a, occurrence_id=run.occurrence_id) for a in talk.answers]
    await store.upsert_answers(answers)
    await store.set_opt_out(talk.user("zebadiah"), "zebadiah", True, START)
    await store.mark_deleted([deleted])
    return TwoChats(axolotl_id=axolotl, script_id=script, late_id=late)


async def build_sample_archive(
    database: Path, out: Path, *, charts: bool = True
) -> tuple[TwoChats, ArchiveReport]:
    """Store both chats in a new database at ``database`` and write their archive to ``out``."""
    store = await open_store(database)
    try:
        chats = await store_two_chats(store)
        report = await build_archive(StoredRecaps(store), out, charts=charts)
    finally:
        await store.close()
    return chats, report
