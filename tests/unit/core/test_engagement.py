"""The ranking rules of the people to learn from, on the core: who counts, who is named, in
which order (the recap's voices to follow and /chat people share them)."""

from __future__ import annotations

import random
from datetime import timedelta

from bot.core.consent import Consent
from bot.core.engagement import (
    AnswerEngagement,
    fold,
    mentions_all,
    rank_people,
    topic_clauses,
    topic_words,
)
from bot.core.recap import Recap
from tests.unit.recap.generate import START
from tests.unit.recap.talk import Talk, small_spec


def voices(recap: Recap) -> list[tuple[str, int, int]]:
    return [(v.name, v.reacted, v.replied) for v in recap.voices]


def test_self_reactions_and_self_replies_never_count() -> None:
    talk = Talk()
    ana = talk.say("ana", "A1: my colleagues down the hall")
    talk.say("ana", "and I agree with myself", answer=False, reply_to=ana, minute=11)
    mine = talk.say("ana", "still me", answer=False, reply_to=ana, minute=12)
    talk.say("ana", "me again, deeper in my own chain", answer=False, reply_to=mine, minute=13)
    recap = talk.recap(reactors={ana: {talk.user("ana")}})
    assert recap.voices == ()
    assert recap.engagement == ()


def test_distinct_people_react_and_reply_anywhere_in_the_chain() -> None:
    talk = Talk()
    ana = talk.say("ana", "A1: my colleagues down the hall")
    ben_reply = talk.say("ben", "same here", answer=False, reply_to=ana, minute=11)
    talk.say("ben", "and a second thought", answer=False, reply_to=ana, minute=12)
    cy_reply = talk.say(
        "cy", "A1: answering in the chain counts too", reply_to=ben_reply, minute=13
    )
    talk.say("dee", "deeper still", answer=False, reply_to=cy_reply, minute=14)
    talk.say("ana", "thanks all", answer=False, reply_to=cy_reply, minute=15)  # her own: no
    ben, cy = talk.user("ben"), talk.user("cy")
    # ben reacted with two emoji (one person), cy once.
    recap = talk.recap(reactors={ana: {ben, cy}})
    assert voices(recap)[0] == ("ana", 2, 3)  # ben and cy reacted; ben, cy and dee replied
    assert recap.voices[0].reason == "2 people reacted, 3 replied"
    assert recap.voices[0].answer.message_id == ana


def test_ties_go_to_the_earliest_answer_whatever_the_order_of_the_rows() -> None:
    talk = Talk()
    late = talk.say("ana", "A1: later answer", minute=14)
    early = talk.say("ben", "A1: earlier answer", minute=10)
    middle = talk.say("cy", "A1: in between", minute=12)
    fan = talk.user("fan")
    reactors = {late: {fan}, early: {fan}, middle: {fan}}
    expected = [("ben", 1, 0), ("cy", 1, 0), ("ana", 1, 0)]
    for seed in range(5):
        random.Random(seed).shuffle(talk.answers)
        assert voices(talk.recap(reactors=reactors)) == expected


def test_a_persons_most_engaging_answer_ties_to_their_earliest() -> None:
    talk = Talk()
    first = talk.say("ana", "A1: first", minute=10)
    best = talk.say("ana", "A2: the one people loved", question=2, minute=18)
    tie = talk.say("ana", "A3: as loved, but later", question=3, minute=26)
    ben, cy = talk.user("ben"), talk.user("cy")
    recap = talk.recap(reactors={first: {ben}, best: {ben, cy}, tie: {ben, cy}})
    [voice] = recap.voices
    assert (voice.reacted, voice.replied) == (2, 0)  # distinct people across her answers
    assert voice.answer.message_id == best


def test_people_who_opted_out_are_never_named_but_their_engagement_counts() -> None:
    talk = Talk()
    ana = talk.say("ana", "A1: my colleagues")
    derek = talk.say("derek", "A1: the forums")
    talk.say("derek", "so true", answer=False, reply_to=ana, minute=11)
    talk.say("ana", "tell me more", answer=False, reply_to=derek, minute=12)
    hidden = talk.user("derek")
    recap = talk.recap(
        reactors={ana: {hidden}, derek: {talk.user("ana"), talk.user("ben")}},
        consent=Consent(opted_out=frozenset({hidden})),
    )
    assert voices(recap) == [("ana", 1, 1)]
    assert all(e.user_id != hidden for e in recap.engagement)


def test_forgotten_people_neither_appear_nor_count_until_after_their_request() -> None:
    talk = Talk()
    ana = talk.say("ana", "A1: my colleagues")
    fay = talk.say("fay", "A1: my secret garden", minute=10.5)
    talk.say("fay", "before the request", answer=False, reply_to=ana, minute=11)
    talk.say("ben", "replying to fay", answer=False, reply_to=fay, minute=12)
    talk.say("fay", "after the request", answer=False, reply_to=ana, minute=40)
    forgotten = talk.user("fay")
    recap = talk.recap(
        reactors={fay: {talk.user("ben")}},
        consent=Consent(forgotten={forgotten: START + timedelta(minutes=30)}),
    )
    assert voices(recap) == [("ana", 0, 1)]  # only fay's reply after her request counts
    assert "fay" not in repr(recap.voices)


def test_hosts_are_listed_apart_and_guests_and_participants_get_the_room() -> None:
    talk = Talk(spec=small_spec(hosts=(100,), guests=(101,)))
    host = talk.say("helen", "A1: the host's answer", minute=10)  # user 100
    guest = talk.say("gus", "A1: the guest's answer", minute=11)  # user 101
    others = [talk.say(f"p{n}", f"A1: answer {n}", minute=12 + n) for n in range(6)]
    fans = {talk.user(f"fan{n}") for n in range(9)}
    reactors = {host: fans, guest: set(list(fans)[:3])}
    reactors |= {message: {talk.user("fan0")} for message in others}
    recap = talk.recap(reactors=reactors)
    assert [v.name for v in recap.host_voices] == ["helen"]
    assert [v.name for v in recap.voices] == ["gus", "p0", "p1", "p2", "p3"]  # five, no host
    assert recap.host_voices[0].host
    assert not any(v.host for v in recap.voices)
    assert len(recap.engagement) == 8  # everyone named with engagement, the host included


def test_deleted_answers_and_conversation_are_not_answers_to_rank() -> None:
    talk = Talk()
    gone = talk.say("ana", "A1: deleted later", deleted=True)
    chat = talk.say("ben", "just chatting", answer=False, minute=11)
    recap = talk.recap(reactors={gone: {talk.user("cy")}, chat: {talk.user("cy")}})
    assert recap.voices == ()


def test_rank_people_is_deterministic_and_skips_whom_it_is_told() -> None:
    at = START
    answers = [
        AnswerEngagement(2, 20, at, frozenset({1, 20}), frozenset()),
        AnswerEngagement(1, 10, at, frozenset({1}), frozenset()),
        AnswerEngagement(3, 30, at, frozenset({1, 2, 3}), frozenset({4})),
    ]
    ranked = rank_people(answers)
    assert [(p.user_id, p.reacted, p.replied) for p in ranked] == [
        (30, 3, 1),
        (10, 1, 0),
        (20, 1, 0),
    ]
    assert [p.user_id for p in rank_people(answers, skip={30})] == [10, 20]


def test_topic_words_follow_the_archive_search() -> None:
    assert topic_words("Café, PODCASTS & café!") == ("cafe", "podcasts")
    assert fold("Ünïcödé Straße") == "unicode straße"
    assert mentions_all(["pod", "cafe"], "We run a café-style podcast")
    assert not mentions_all(["cast"], "We run a podcast")  # only at the start of a word
    assert mentions_all(["学習"], "私の学習ネットワーク")  # anywhere, in a script without spaces
    clauses = topic_clauses(
        ["podcast", "mentor"], {(1, 1): "Who is your mentor?", (1, 2): "What do you read?"}
    )
    assert [(c.words, sorted(c.pairs)) for c in clauses] == [
        (("podcast",), [(1, 1)]),
        (("podcast", "mentor"), [(1, 2)]),
    ]
