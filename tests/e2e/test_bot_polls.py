"""Poll questions through the real bot against the stand-in: posted as native polls with their
thread, votes counted (one taken back), votes cast while the bot is down reconciled after a
restart, results in the recap, which follows the poll to its final results; and without Send
Polls, the question as text with numbered reactions, counted from those."""

from __future__ import annotations

from typing import Any

from tests.e2e.botproc import (
    BotProcess,
    World,
    chat_yaml,
    command,
    host,
    wait_post,
    wait_thread,
)
from tests.e2e.standin import Perm

POLL_QUESTION = """\
  - text: Which fern would you start with?
    poll: {options: [Boston, Maidenhair, Staghorn], duration: 1h}
"""


def poll_chat(world: World, poll: str = POLL_QUESTION) -> str:
    """The e2e chat with Q1 a poll (by default open an hour: well past the recap)."""
    chat = chat_yaml(world.channel, questions=2, interval="6s", last_call="1s", late="4s")
    return chat.replace("questions:\n", "questions:\n" + poll, 1)


def votes(bot: BotProcess, message_id: int) -> dict[int, set[int]]:
    rows = bot.query(
        "SELECT answer_id, user_id FROM poll_votes WHERE message_id = ?", (message_id,)
    )
    out: dict[int, set[int]] = {}
    for answer_id, user_id in rows:
        out.setdefault(answer_id, set()).add(user_id)
    return out


def discord_votes(world: World, message_id: int) -> dict[int, set[int]]:
    return {a: set(u) for a, u in world.standin.poll_votes(message_id).items() if u}


def recap_text(world: World, recap_id: int) -> str:
    message = world.standin.world.messages[recap_id]
    embeds = [f"{e.get('title', '')}\n{e.get('description', '')}" for e in message.embeds]
    return "\n".join([message.content, *embeds])


def transcript(world: World, recap_id: int) -> str:
    message = world.standin.world.messages[recap_id]
    return next(a.data for a in message.attachments if a.filename.endswith(".md")).decode()


async def start(world: World, bot: BotProcess, poll: str = POLL_QUESTION) -> dict[str, Any]:
    (bot.chats / "e2echat.yaml").write_text(poll_chat(world, poll))
    await bot.start()
    assert "starting now" in (await host(world, world.mod, "start", chat="e2echat")).content
    return await wait_post(world, "**Q1:**")


async def test_a_poll_question_is_voted_on_reconciled_after_a_restart_and_recapped(
    world: World, bot: BotProcess
) -> None:
    standin, (ana, ben, cy) = world.standin, world.people
    question = await start(world, bot)
    q1 = int(question["id"])
    poll = question["poll"]
    assert poll["question"]["text"] == "Q1: Which fern would you start with? #E2EChat"
    assert [a["poll_media"]["text"] for a in poll["answers"]] == [
        "Boston",
        "Maidenhair",
        "Staghorn",
    ]
    assert poll["allow_multiselect"] is False
    await wait_thread(world, question)  # the why behind the votes goes in its thread

    await standin.vote(q1, ana, 1)
    await standin.vote(q1, ben, 2)
    await standin.vote(q1, cy, 2)
    await standin.unvote(q1, ben, 2)  # taken back
    expected = {1: {ana.id}, 2: {cy.id}}
    await standin.wait_for(lambda: votes(bot, q1) == expected, timeout=20)

    await bot.kill()
    await standin.vote(q1, ben, 3)  # while the bot is down: no event reaches it
    await standin.vote(q1, cy, 1)  # single choice: cy's vote moves from 2 to 1
    assert discord_votes(world, q1) == {1: {ana.id, cy.id}, 3: {ben.id}}
    await bot.start()
    await standin.wait_for(lambda: votes(bot, q1) == discord_votes(world, q1), timeout=20)

    recap = await wait_post(world, "📋", within=60)
    recap_id = int(recap["id"])
    text = recap_text(world, recap_id)
    assert "📊 Q1 poll: Which fern would you start with? #E2EChat" in text
    assert "**Boston** — 2 votes (67%)" in text
    assert "**Maidenhair** — 0 votes (0%)" in text
    assert "**Staghorn** — 1 vote (33%)" in text
    assert "3 voters · still open: votes so far" in text
    assert "- Boston — 2 votes (67%)" in transcript(world, recap_id)
    for person in (ana, ben, cy):  # voters are never named
        assert person.name not in text.split("📊", 1)[1].split("\n\n", 1)[0]

    # Discord ends the poll (its hour is up): final results, and the recap follows.
    await standin.end_poll(q1)
    await standin.wait_for(lambda: "final results" in recap_text(world, recap_id), timeout=30)
    assert bot.query("SELECT finalized FROM polls WHERE message_id = ?", (q1,)) == [(1,)]
    assert "3 voters · final results" in recap_text(world, recap_id)
    assert await bot.stop() == 0


async def test_without_send_polls_the_question_is_counted_from_reactions(
    world: World, bot: BotProcess
) -> None:
    standin, (ana, ben, cy) = world.standin, world.people
    standin.deny(world.channel, Perm.SEND_POLLS)
    # No duration: the bot ends it with the recap (a text poll stops counting then).
    question = await start(world, bot, POLL_QUESTION.replace(", duration: 1h", ""))
    q1 = int(question["id"])
    assert "poll" not in question
    content = question["content"]
    assert "1️⃣ Boston" in content
    assert "2️⃣ Maidenhair" in content
    assert "3️⃣ Staghorn" in content

    def bot_reactions() -> list[str]:
        message = standin.world.messages[q1]
        return [key for key, users in message.reactions.items() if standin.bot.id in users]

    await standin.wait_for(lambda: bot_reactions() == ["1️⃣", "2️⃣", "3️⃣"], timeout=20)
    told = await wait_post(world, "🛠️ Moderators: I may not send polls")
    assert "Send Polls" in told["content"]
    check = (await host(world, world.mod, "check")).content
    assert "missing **Send Polls** (to post poll questions as Discord polls" in check
    # /chat check is the same report for moderators (the name), refused to others.
    assert (await command(world, world.mod, "check")).content == check
    assert "only moderators" in (await command(world, ana, "check")).content
    await wait_thread(world, question)

    await standin.react(q1, ana, "2️⃣")
    await standin.react(q1, ben, "2️⃣")
    await standin.react(q1, cy, "3️⃣")
    await standin.react(q1, cy, "👍")  # not a number: no vote
    await standin.unreact(q1, cy, "3️⃣")
    await standin.react(q1, cy, "1️⃣")
    expected = {1: {cy.id}, 2: {ana.id, ben.id}}
    await standin.wait_for(lambda: votes(bot, q1) == expected, timeout=20)

    recap = await wait_post(world, "📋", within=60)
    text = recap_text(world, int(recap["id"]))
    assert "**Maidenhair** — 2 votes (67%)" in text
    assert "3 voters · final results · counted from reactions" in text
    # Told once, whatever the number of polls.
    told_count = sum(
        1 for m in standin.messages(world.channel) if "may not send polls" in m["content"]
    )
    assert told_count == 1
    assert await bot.stop() == 0


async def test_a_live_poll_from_host_poll_is_ended_with_the_recap(
    world: World, bot: BotProcess
) -> None:
    standin, (ana, ben, _cy) = world.standin, world.people
    chat = chat_yaml(world.channel, questions=2, interval="8s", last_call="1s", late="4s")
    (bot.chats / "e2echat.yaml").write_text(chat)
    await bot.start()
    refused = await host(world, world.mod, "poll", question="Ferns?", options="yes | no")
    assert "no chat is running" in refused.content
    assert "starting now" in (await host(world, world.mod, "start", chat="e2echat")).content
    await wait_post(world, "**Q1:**")

    eleven = " | ".join(str(n) for n in range(11))
    too_many = await host(world, world.mod, "poll", question="Which?", options=eleven)
    assert "options: 11 options" in too_many.content
    long = await host(world, world.mod, "poll", question="Which?", options="yes | " + "n" * 56)
    assert "option 2 is 56 characters" in long.content
    posted = await host(
        world, world.mod, "poll", question="More ferns next week?", options="yes | no | maybe"
    )
    assert "✅ Poll posted" in posted.content
    assert "until the recap" in posted.content
    live = await wait_post(world, "📊 **Poll:**")
    live_id = int(live["id"])
    assert live["poll"]["question"]["text"] == "More ferns next week? #E2EChat"
    await standin.vote(live_id, ana, 1)
    await standin.vote(live_id, ben, 1)
    await standin.wait_for(lambda: len(votes(bot, live_id).get(1, ())) == 2, timeout=20)

    recap = await wait_post(world, "📋", within=60)
    assert standin.world.polls[live_id].finalized  # ended by the bot before the recap
    text = recap_text(world, int(recap["id"]))
    assert "📊 Live poll: More ferns next week? #E2EChat" in text
    assert "**yes** — 2 votes (100%)" in text
    assert "2 voters · final results" in text
    timeline = transcript(world, int(recap["id"])).split("Moderation timeline", 1)[1]
    assert "poll" in timeline
    assert "More ferns next week?" in timeline
    assert standin.calls("POST", rf"/polls/{live_id}/expire$")
    assert await bot.stop() == 0
