"""Questions from the community, through the real bot process and the stand-in: members
suggest with /chat suggest (posted with a 👍 to upvote, limits refused ephemerally), upvotes
order /host suggestions, its persistent buttons approve after a restart (votes cast while the
bot was down are read again), and the approved questions are asked in the next occurrence,
where the moderator placed them, credited to their authors; a forgotten member's suggestions
leave Discord and the plan, my-data lists them, and an opted-out author is not named."""

from __future__ import annotations

import json
from typing import Any

from tests.e2e.botproc import BotProcess, World, bot_posts, chat_yaml, command, host, wait_post
from tests.e2e.standin import Answer

WAIT = 40.0


def buttons(answer: Answer) -> dict[str, str]:
    """The buttons of a message the bot answered with: label -> custom_id."""
    assert answer.message is not None
    return {
        button["label"]: button["custom_id"]
        for row in answer.message["components"]
        for button in row["components"]
    }


def suggestion_lines(answer: Answer) -> list[str]:
    """The numbered suggestions of a /host suggestions list."""
    return [line for line in answer.content.splitlines() if line.startswith("**")]


async def suggest(world: World, user: Any, text: str) -> Answer:
    answer = await command(world, user, "suggest", chat="e2echat", question=text)
    assert answer.ephemeral
    return answer


async def test_upvoted_suggestions_approved_after_a_restart_are_asked_next_time_with_credit(
    world: World, bot: BotProcess
) -> None:
    standin, (ana, ben, cy), mod = world.standin, world.people, world.mod
    (bot.chats / "e2echat.yaml").write_text(
        chat_yaml(world.channel, questions=2, interval="3s", last_call="1s", late="2s")
    )
    await bot.start()

    thanks = await suggest(world, ana, "What book changed your mind about @everyone?")
    assert thanks.content.startswith("✅ Thanks!"), thanks.content
    await suggest(world, ben, "Who inspires you at work?")
    await suggest(world, cy, "What will you try this week?")
    posted = [m for m in bot_posts(world) if m["content"].startswith("💡")]
    assert len(posted) == 3
    # Posted quoted, pinging nobody, with the bot's own 👍 to click.
    assert "@\u200beveryone" in posted[0]["content"]
    ana_post, ben_post, cy_post = (int(m["id"]) for m in posted)

    # Refused with the reason, ephemerally: too long; the sixth open one.
    long = await suggest(world, ana, "x" * 1800)
    assert long.content.startswith("⚠️ question: 1,800 characters is too long"), long.content
    for number in range(4):
        await suggest(world, cy, f"Another idea number {number}?")
    sixth = await suggest(world, cy, "One too many?")
    assert "5 open suggestions" in sixth.content

    # Upvotes: ana's gets two, ben's one; a member's own 👍 never counts.
    await standin.react(ana_post, ben, "👍")
    await standin.react(ana_post, cy, "👍")
    await standin.react(ben_post, ana, "👍")
    await standin.react(cy_post, cy, "👍")
    await standin.wait_for(
        lambda: len(bot.query("SELECT 1 FROM suggestion_votes")) == 3, timeout=20
    )
    listed = await host(world, mod, "suggestions", chat="e2echat")
    assert listed.ephemeral
    lines = suggestion_lines(listed)
    assert lines[0].startswith("**1.** 👍 2 · What book changed your mind"), lines
    assert lines[1].startswith("**2.** 👍 1 · Who inspires you at work?"), lines
    assert "page 1 of 2" in listed.content
    ids = buttons(listed)
    assert set(ids) >= {"Approve 1", "Reject 1", "Approve 1 at…", "Next ▶"}

    assert listed.message is not None
    # Paged: the next page has the rest, and back.
    page_two = await standin.click(int(listed.message["id"]), mod, ids["Next ▶"])
    shown = await page_two.wait_response(WAIT)
    assert "page 2 of 2" in shown.content
    assert [line[:7] for line in suggestion_lines(shown)] == ["**5.** ", "**6.** ", "**7.** "]
    back = await standin.click(int(listed.message["id"]), mod, buttons(shown)["◀ Previous"])
    assert "page 1 of 2" in (await back.wait_response(WAIT)).content

    # Restart; a vote cast meanwhile is read again.
    assert await bot.stop() == 0
    await standin.react(ben_post, mod, "👍")
    await bot.start()
    await standin.wait_for(
        lambda: len(bot.query("SELECT 1 FROM suggestion_votes")) == 4, timeout=20
    )
    approved = await standin.click(int(listed.message["id"]), mod, ids["Approve 1"])
    answer = await approved.wait_response(WAIT)
    assert answer.content.startswith("✅ Approved: it is Q3 of the chat on"), answer.content
    # Ben's is now first of the open ones; place it before the chat's first question.
    place = buttons(answer)
    assert suggestion_lines(answer)[0].startswith("**1.** 👍 2 · Who inspires you at work?")
    where = await standin.click(int(listed.message["id"]), mod, place["Approve 1 at…"])
    offered = await where.wait_response(WAIT)
    before_q1 = buttons(offered)["Before Q1"]
    assert offered.message is not None
    placed = await standin.click(int(offered.message["id"]), mod, before_q1)
    assert (await placed.wait_response(WAIT)).content.startswith("✅ Approved: it is Q1")
    # A button of the list shown before that is decided already: said so, nothing twice.
    again = await standin.click(int(listed.message["id"]), mod, place["Approve 1"])
    assert "approved already" in (await again.wait_response(WAIT)).content

    started = await host(world, mod, "start", chat="e2echat")
    assert "starting now" in started.content, started.content
    first = await wait_post(world, "**Q1:**")
    assert first["content"].startswith("**Q1:** Who inspires you at work? #E2EChat")
    assert "Suggested by ben" in first["content"]
    third = await wait_post(world, "**Q3:**")
    assert third["content"].startswith("**Q3:** Question number 2")
    fourth = await wait_post(world, "**Q4:**")
    assert "What book changed your mind" in fourth["content"]
    assert "Suggested by ana" in fourth["content"]
    await wait_post(world, "🏁")
    assert bot.query("SELECT status, COUNT(*) FROM suggestions GROUP BY status ORDER BY 1") == [
        ("asked", 2),
        ("open", 5),
    ]


async def test_forgotten_suggestions_leave_discord_and_the_plan_and_opted_out_are_not_named(
    world: World, bot: BotProcess
) -> None:
    standin, (ana, ben, _cy), mod = world.standin, world.people, world.mod
    (bot.chats / "e2echat.yaml").write_text(
        chat_yaml(world.channel, questions=1, interval="3s", last_call="1s", late="2s")
    )
    await bot.start()
    await suggest(world, ana, "Forget my question?")
    await suggest(world, ben, "Ask me without my name?")
    listed = await host(world, mod, "suggestions", chat="e2echat")
    assert listed.message is not None
    ids = buttons(listed)
    first = await standin.click(int(listed.message["id"]), mod, ids["Approve 1"])
    approved = await first.wait_response(WAIT)
    assert approved.content.startswith("✅ Approved: it is Q2"), approved.content
    second = await standin.click(int(listed.message["id"]), mod, buttons(approved)["Approve 1"])
    assert (await second.wait_response(WAIT)).content.startswith("✅ Approved: it is Q3")
    planned = "SELECT spec_json FROM occurrences WHERE phase IN ('scheduled', 'announced')"
    assert "Forget my question?" in bot.query(planned)[0][0]

    forgotten = await command(world, ana, "forget-me")
    assert forgotten.ephemeral
    await standin.wait_for(
        lambda: not any("Forget my question?" in m["content"] for m in bot_posts(world)),
        timeout=20,
    )
    assert "Forget my question?" not in bot.query(planned)[0][0]
    assert bot.query("SELECT COUNT(*) FROM suggestions WHERE author_id = ?", (ana.id,)) == [(0,)]
    my_data = await command(world, ben, "my-data")
    assert my_data.message is not None
    [attachment] = my_data.message["attachments"]
    data = json.loads(standin.world.attachments[int(attachment["id"])].data)
    assert [(q["text"], q["status"]) for q in data["suggestions"]] == [
        ("Ask me without my name?", "approved")
    ]

    await command(world, ben, "optout")
    started = await host(world, mod, "start", chat="e2echat")
    assert "starting now" in started.content, started.content
    asked = await wait_post(world, "**Q2:**")
    assert asked["content"].startswith("**Q2:** Ask me without my name?")
    assert "Suggested by a member" in asked["content"]
    assert "ben" not in asked["content"]
