"""A weekly chat of five occurrences whose community figures were computed by hand.

People: ana, ben, cy, dee, eve (opted out), fay (forgotten: her request covers every
occurrence), gus (new in the fifth). ``*`` marks a message that is not an answer.

===  ==========================================  ======  ===  ====  =======  =========
occ  who posted                                  people  new  back  answers  resources
===  ==========================================  ======  ===  ====  =======  =========
1    ana, ben, eve, cy*                          4       4    0     3        1 (ana's)
2    ana, dee, fay (forgotten: not counted)      2       1    1     2        1 (the same
                                                                             link again)
3    ana, ben, eve, cy                           4       0    4     4        0
4    dee, dee (one link twice, spelled apart)    1       0    1     2        1
5    ana, ben, gus, eve                          4       1    3     4        0
===  ==========================================  ======  ===  ====  =======  =========

Six people in all (fay never counted). Returning voices, in at least 3 of 5 (half, rounded
up): ana (4), ben (3), and eve (3, opted out: counted, not named). Recurring themes (two or
more answers of an occurrence, in two or more occurrences): "book club" (occurrences 2 and 5,
2 answers each) and "podcast" (1 and 3, 2 answers each); "book" and "club" come back as often
as "book club", so only the phrase is shown; eve's "podcast" answers never count.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta

from bot.core.spec import ChatSpec
from bot.storage import SqliteStore
from tests.unit.recap.generate import START, finished_run
from tests.unit.recap.talk import Talk, small_spec

WEEK = timedelta(days=7)
ROWS = [  # (participants, newcomers, returning, answers, resources), by hand
    (4, 4, 0, 3, 1),
    (2, 1, 1, 2, 1),
    (4, 0, 4, 4, 0),
    (1, 0, 1, 2, 1),
    (4, 1, 3, 4, 0),
]
REGULARS = [("ana", 4), ("ben", 3)]
UNNAMED_REGULARS = 1
THRESHOLD = 3
PEOPLE = 6
THEMES = [("book club", 2, 4), ("podcast", 2, 4)]


def series_spec() -> ChatSpec:
    """edchat, weekly."""
    return small_spec(repeat="weekly")


#: What each occurrence's people say: (name, text, question, is an answer).
SCRIPT: list[list[tuple[str, str, int, bool]]] = [
    [
        ("ana", "A1: a podcast about mentors https://ex.org/a", 1, True),
        ("ben", "A1: one podcast every morning", 1, True),
        ("eve", "A1: podcast secret", 1, True),
        ("cy", "hello all", 1, False),
    ],
    [
        ("ana", "A1: our book club https://ex.org/a?utm_source=x", 1, True),
        ("dee", "A1: a book club at school", 1, True),
        ("fay", "A1: a book club too", 1, True),
    ],
    [
        ("ana", "A1: podcast again", 1, True),
        ("ben", "A1: my podcast list", 1, True),
        ("eve", "A1: podcast", 1, True),
        ("cy", "A2: nothing new", 2, True),
    ],
    [
        ("dee", "A1: https://ex.org/b", 1, True),
        ("dee", "A2: also https://EX.org/b/", 2, True),
    ],
    [
        ("ana", "A1: book club forever", 1, True),
        ("ben", "A1: the book club", 1, True),
        ("gus", "A1: podcast", 1, True),
        ("eve", "A1: book club", 1, True),
    ],
]


@dataclass(frozen=True)
class StoredSeries:
    """The occurrences as stored, and who is who."""

    occurrence_ids: list[int]
    people: dict[str, int]


async def store_series(store: SqliteStore) -> StoredSeries:
    """The five occurrences, their messages, eve's opt-out and fay's request to be forgotten."""
    spec = series_spec()
    await store.save_chat(spec)
    people: dict[str, int] = {}
    ids = []
    for week, lines in enumerate(SCRIPT):
        start = START + week * WEEK
        run = await store.create_occurrence(
            spec, replace(finished_run(spec, start), occurrence_id=0)
        )
        ids.append(run.occurrence_id)
        talk = Talk(spec=spec, start=start, people=people, next_id=5000 + 100 * week)
        for minute, (name, text, question, answer) in enumerate(lines):
            talk.say(name, text, question=question, answer=answer, minute=10 + minute)
        await store.upsert_answers(
            [replace(a, occurrence_id=run.occurrence_id) for a in talk.answers]
        )
    await store.set_opt_out(people["eve"], "eve", True, START)
    await store.forget_user(people["fay"], START + 10 * WEEK)
    return StoredSeries(ids, people)
