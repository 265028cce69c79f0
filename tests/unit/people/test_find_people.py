"""``/chat people`` over a real SQLite store: who to follow on a topic across chats, in one
chat, or lately; the server's chats only; consent."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import timedelta

import pytest

from bot.core.consent import Consent
from bot.core.engagement import answer_engagement, mentions_all, rank_people
from bot.core.errors import ChatNotFound
from bot.core.writes import ChangeReaction, DeleteMessages
from bot.render.people import render_people
from bot.runtime.people import people_to_follow
from bot.storage import SqliteStore
from tests.unit.recap.generate import START, finished_run
from tests.unit.recap.talk import Talk, small_spec

NOW = START + timedelta(days=30)


async def _chat(
    store: SqliteStore, talk: Talk, reactions: dict[int, list[str]], *, start_days: int = 0
) -> None:
    spec = talk.spec
    await store.save_chat(spec)
    start = START + timedelta(days=start_days)
    run = await store.create_occurrence(spec, replace(finished_run(spec, start), occurrence_id=0))
    await store.upsert_answers([replace(a, occurrence_id=run.occurrence_id) for a in talk.answers])
    await store.write_answers(
        [
            ChangeReaction(message, talk.user(name), "👍", True)
            for message, names in reactions.items()
            for name in names
        ]
    )


@pytest.fixture
async def people(store: SqliteStore) -> dict[str, int]:
    """edchat (server 1): podcasts and mentors; bookchat (server 2): podcasts too; an old
    edchat occurrence, 100 days before now, where cy was the voice."""
    who: dict[str, int] = {}
    edchat = Talk(spec=small_spec(guild=1), people=who)
    ana = edchat.say("ana", "A1: my favourite Podcast is about café culture")
    ben = edchat.say("ben", "A1: a podcast and a mentor", minute=11)
    eve = edchat.say("eve", "A1: podcasts all day", minute=12)
    fay = edchat.say("fay", "A1: my podcast confession", minute=13)
    dee = edchat.say("dee", "A2: I tried one thing", question=2, minute=20)
    edchat.say("ben", "love it", answer=False, reply_to=ana, minute=14)
    edchat.say("cy", "me too", answer=False, reply_to=ana, minute=15)
    await _chat(
        store,
        edchat,
        {ana: ["eve"], ben: ["ana", "ben"], eve: ["ana", "ben", "cy"], fay: ["ana", "ben"]},
    )
    bookchat = Talk(
        spec=small_spec(id="bookchat", title="Book Chat", guild=2), people=who, next_id=7000
    )
    gus = bookchat.say("gus", "A1: a podcast about books")
    await _chat(store, bookchat, {gus: ["ana", "ben", "cy", "dee"]}, start_days=1)
    old = Talk(spec=small_spec(guild=1), people=who, next_id=9000)
    cy = old.say("cy", "A1: long ago")
    await _chat(store, old, {cy: ["ana"]}, start_days=-100)
    del dee
    await store.set_opt_out(who["eve"], "eve", True, START)
    await store.forget_user(who["fay"], START + timedelta(days=2))
    return who


async def test_who_to_follow_on_a_topic_in_the_servers_chats(
    store: SqliteStore, people: dict[str, int]
) -> None:
    found = await people_to_follow(store, NOW, topic="Podcast", chat_ids={"edchat"})
    # ana: eve reacted, ben and cy replied; ben: ana reacted (his own reaction is no count);
    # eve opted out (never named, though most reacted to); fay is forgotten; gus is elsewhere.
    assert [(p.name, p.reacted, p.replied) for p in found.people] == [("ana", 1, 2), ("ben", 1, 0)]
    assert found.words == ("podcast",)
    assert found.occurrences == 2  # edchat's two occurrences, old and new
    everywhere = await people_to_follow(store, NOW, topic="podcast")
    assert [p.name for p in everywhere.people] == ["gus", "ana", "ben"]


async def test_a_topic_matches_the_question_too(store: SqliteStore, people: dict[str, int]) -> None:
    # "tried" is in nobody's answer but Q2 asks "What did you try in class this week?": no;
    # "class" is in the question: dee's answer to Q2 is on the topic, but drew nothing.
    assert (await people_to_follow(store, NOW, topic="class")).people == ()
    found = await people_to_follow(store, NOW, topic="learning podcast")  # Q1 has "learning"
    assert [p.name for p in found.people] == ["gus", "ana", "ben"]
    assert (await people_to_follow(store, NOW, topic="cafe culture")).people[0].name == "ana"


async def test_without_a_topic_the_last_90_days_and_one_chat(
    store: SqliteStore, people: dict[str, int]
) -> None:
    found = await people_to_follow(store, NOW, chat_id="edchat", chat_ids={"edchat", "bookchat"})
    assert [p.name for p in found.people] == ["ana", "ben"]  # cy's old answer is too old
    assert found.since == NOW - timedelta(days=90)
    old = await people_to_follow(store, NOW, topic="long ago")
    assert [p.name for p in old.people] == ["cy"]  # a topic looks at every stored chat
    text = render_people(found, 1)
    assert text.startswith("**The most engaging voices of the last 90 days** in `edchat`")
    assert "1. **ana** — 1 person reacted, 2 replied · best answer: [Ed Chat, 1 Mar 2027, Q1]" in (
        text
    )
    assert "https://discord.com/channels/1/77/" in text


async def test_a_chat_of_another_server_is_not_found(
    store: SqliteStore, people: dict[str, int]
) -> None:
    with pytest.raises(ChatNotFound):
        await people_to_follow(store, NOW, chat_id="bookchat", chat_ids={"edchat"})
    with pytest.raises(ChatNotFound):
        await people_to_follow(store, NOW, chat_id="nochat")
    nothing = await people_to_follow(store, NOW, topic="zeppelin", chat_ids={"edchat"})
    assert nothing.people == ()
    assert "Nobody's answers on that topic drew reactions or replies yet" in render_people(nothing)


async def test_the_stores_shortlist_ranks_as_the_core_does(store: SqliteStore) -> None:
    """Hundreds of answers with reactions (self-reactions too), reply chains, deletes, people
    who opted out and one forgotten halfway: /chat people (the store counts in SQL and reads
    back only the shortlist) names the same people, counts and answers as the core's rules
    applied to every stored message."""
    chance = random.Random(7)
    words = ["podcast", "mentor", "café", "rubric", "journal", "coaching"]
    who: dict[str, int] = {}
    hidden = {f"p{n}" for n in (3, 11)}
    occurrences = []
    for week in range(3):
        talk = Talk(spec=small_spec(guild=1), people=who, next_id=10_000 * (week + 1))
        messages: list[int] = []
        deleted: list[int] = []
        for index in range(150):
            name = f"p{chance.randrange(40)}"
            text = " ".join(chance.choice(words) for _ in range(3))
            minute = 10 + index * 0.1
            if messages and chance.random() < 0.3:
                reply_to = chance.choice(messages)
                messages.append(
                    talk.say(name, f"re: {text}", answer=False, reply_to=reply_to, minute=minute)
                )
            else:
                messages.append(talk.say(name, f"A1: {text}", minute=minute))
            if chance.random() < 0.05:
                deleted.append(messages[-1])
        reactions = {
            message: [f"p{chance.randrange(40)}" for _ in range(chance.choice((0, 0, 1, 3)))]
            for message in messages
        }
        await _chat(store, talk, reactions, start_days=week * 7)
        await store.write_answers([DeleteMessages(tuple(deleted))])
        occurrences.append(talk)
    for name in hidden:
        await store.set_opt_out(who[name], name, True, START)
    forgotten_at = START + timedelta(days=7, minutes=20)
    await store.forget_user(who["p5"], forgotten_at)

    consent = Consent(frozenset(who[n] for n in hidden), {who["p5"]: forgotten_at})
    stored = []
    reactors: dict[int, set[int]] = {}
    for info in await store.occurrence_infos():
        stored += await store.answers(info.occurrence_id)
        for message, given in (await store.reactions_of(info.occurrence_id)).items():
            reactors[message] = {user for user, _ in given}
    kept = consent.words(stored, "author_id", "created_at")
    names = await store.participant_names({a.author_id for a in kept})

    for topic in ("", "podcast", "cafe mentor", "journ"):
        on_topic = {
            a.message_id for a in kept if a.is_answer and mentions_all(topic.split(), a.content)
        }
        engaged = [e for e in answer_engagement(kept, reactors) if e.message_id in on_topic]
        expected = [
            (p.user_id, p.reacted, p.replied, p.best.message_id)
            for p in rank_people(engaged, skip=consent.hidden)
            if names.get(p.user_id)
        ][:5]
        found = await people_to_follow(store, NOW, topic=topic)
        assert [
            (p.user_id, p.reacted, p.replied, p.answer.message_id) for p in found.people
        ] == expected, topic
        assert len(expected) == 5
