"""Forget-me that sticks, through the real bot: the words a participant posted before asking
are gone from the database, from a recap already published (edited in place), from the next
recap and from a freshly built archive, and they stay gone across an edit, a reaction, a
kill -9 and the backfill after the restart; what they post after asking counts, and their
opt-out holds. ``/chat my-data`` returns their words and nobody else's."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from tests.e2e.botproc import (
    BotProcess,
    World,
    chat_yaml,
    command,
    host,
    start_chat,
    wait_post,
)

#: ana's words before her request (in an earlier chat and in this one), and after it.
EARLIER = "earlier chat axolotl"
THREADED = "threaded quokka answer"
PREFIXED = "prefixed narwhal answer"
AFTER = "pangolin after asking"
BENS = "ben's own answer"
WITHDRAWN = "1 participant's messages removed at their request"


def attached(world: World, message_id: int, suffix: str) -> str:
    """An attachment of a message (a recap's transcript, a my-data.json) as text."""
    message = world.standin.world.messages[message_id]
    return next(a.data for a in message.attachments if a.filename.endswith(suffix)).decode()


async def thread_of(world: World, question: dict[str, object]) -> int:
    thread = int(str(question["id"]))
    await world.standin.wait_for(lambda: thread in world.standin.world.channels, timeout=30)
    return thread


async def test_forget_me_sticks_across_edits_reactions_a_kill_and_backfill(
    world: World, bot: BotProcess, tmp_path: Path
) -> None:
    standin, (ana, ben, _) = world.standin, world.people
    second = standin.add_text_channel(world.guild, "second-chat")
    first_chat = chat_yaml(world.channel, questions=1, interval="3s", last_call="1s", late="1s")
    (bot.chats / "e2echat.yaml").write_text(first_chat)
    second_chat = chat_yaml(
        second, chat_id="later", questions=2, interval="6s", last_call="1s", late="2s"
    ).replace("#E2EChat", "#Later")
    (bot.chats / "later.yaml").write_text(second_chat)
    await bot.start()

    # An earlier chat: ana's answer is in its published recap.
    assert "starting now" in (await host(world, world.mod, "start", chat="e2echat")).content
    q1 = await thread_of(world, await wait_post(world, "**Q1:**"))
    await standin.say(q1, ana, EARLIER)
    await standin.say(q1, ben, "ben in the earlier chat")
    earlier_recap = await wait_post(world, "📋", within=60)
    earlier_id = int(earlier_recap["id"])
    assert EARLIER in attached(world, earlier_id, ".md")

    # The later chat: ana opts out, answers in a thread and with a prefix, reacts.
    assert "starting now" in (await host(world, world.mod, "start", chat="later")).content
    assert "will not name" in (await command(world, ana, "optout")).content
    q1 = await thread_of(world, await wait_post(world, "**Q1:**", channel=second))
    threaded = await standin.say(q1, ana, THREADED)
    prefixed = await standin.say(second, ana, f"A1: {PREFIXED}")
    bens = await standin.say(second, ben, f"A1: {BENS}")
    await standin.react(int(bens["id"]), ana, "👍")
    await standin.wait_for(
        lambda: (
            bot.query("SELECT COUNT(*) FROM reactions WHERE user_id = ?", (ana.id,))[0][0] == 1
            and bot.query("SELECT COUNT(*) FROM answers WHERE author_id = ?", (ana.id,))[0][0] == 3
        ),
        timeout=30,
    )

    # my-data: her words, nobody else's.
    mine = await command(world, ana, "my-data")
    assert mine.ephemeral
    assert mine.message is not None
    data = json.loads(attached(world, int(mine.message["id"]), "my-data.json"))
    words = {m["content"] for m in data["messages"]}
    assert {EARLIER, THREADED, PREFIXED} <= words
    assert data["consent"]["opted_out"] is True
    assert BENS not in json.dumps(data)
    assert "ben in the earlier chat" not in json.dumps(data)

    # Forget me, mid-chat.
    answer = await command(world, ana, "forget-me")
    assert "Deleted 3 stored message(s)" in answer.content, answer.content
    assert "1 published recap(s)" in answer.content
    assert "counts again" in answer.content

    # Old words come back by every road: an edit, a reaction again, kill -9 and backfill.
    await standin.edit(int(prefixed["id"]), ana, f"A1: {PREFIXED}, edited")
    await standin.unreact(int(bens["id"]), ana, "👍")
    await standin.react(int(bens["id"]), ana, "👍")
    await asyncio.sleep(0.5)
    await bot.kill()
    await standin.say(q1, ana, AFTER)  # after the request: it counts
    await standin.edit(int(threaded["id"]), ana, f"{THREADED}, edited while down")
    await bot.start()

    # The recap published before is edited in place; the later recap never had them.
    def withdrawn() -> bool:
        return WITHDRAWN in standin.world.messages[earlier_id].content

    await standin.wait_for(withdrawn, timeout=60)
    assert EARLIER not in attached(world, earlier_id, ".md")
    later_recap = await wait_post(world, "📋", within=60, channel=second)
    transcript = attached(world, int(later_recap["id"]), ".md")
    for old in (THREADED, PREFIXED, EARLIER):
        assert old not in transcript
    assert BENS in transcript

    # The database: none of the old words, the new one, the opt-out, no old reaction.
    stored = [
        row[0] for row in bot.query("SELECT content FROM answers WHERE author_id = ?", (ana.id,))
    ]
    assert stored == [AFTER]
    assert bot.query("SELECT opted_out FROM participants WHERE user_id = ?", (ana.id,)) == [(1,)]
    assert bot.query("SELECT COUNT(*) FROM reactions WHERE user_id = ?", (ana.id,)) == [(0,)]
    assert await bot.stop() == 0

    # A freshly built archive has none of them (and, opted out, not her new words either).
    out = tmp_path / "site"
    await bot.build_archive(out)
    # Every file, the search index's shards and chunks (in search/) too.
    site = "\n".join(p.read_text(encoding="utf-8") for p in out.rglob("*") if p.is_file())
    for old in (EARLIER, THREADED, PREFIXED, AFTER):
        assert old not in site
    assert BENS in site


async def test_a_moderator_erases_by_user_id_and_members_cannot(
    world: World, bot: BotProcess
) -> None:
    standin, (ana, ben, cy) = world.standin, world.people
    await start_chat(world, bot, questions=1, interval="20s")
    q1 = await thread_of(world, await wait_post(world, "**Q1:**"))
    await standin.say(q1, cy, "cy asked by email to be erased")
    await standin.say(q1, ben, BENS)
    await standin.wait_for(lambda: bot.query("SELECT COUNT(*) FROM answers")[0][0] == 2, timeout=30)

    # A member cannot make the bot forget someone else: Discord hides /host, and when an
    # admin shows it to them anyway the bot refuses; nothing changes.
    with pytest.raises(PermissionError):
        await host(world, ana, "forget-user", member=str(cy.id))
    standin.set_command_permissions(world.guild, "host", allow=[ana])
    refused = await host(world, ana, "forget-user", member=str(cy.id))
    assert refused.ephemeral
    assert "only moderators" in refused.content
    bad = await host(world, world.mod, "forget-user", member="cy")
    assert "user id" in bad.content
    assert bot.query("SELECT COUNT(*) FROM answers")[0][0] == 2

    # By user id: nothing is looked up in the server, so it works for someone who left.
    # The moderation timeline records it without cy's name.
    erased = await host(world, world.mod, "forget-user", member=str(cy.id))
    assert "Deleted 1 stored message(s) of theirs" in erased.content, erased.content
    assert "moderation timeline" in erased.content
    assert [row[0] for row in bot.query("SELECT content FROM answers")] == [BENS]
    timeline = bot.query(
        "SELECT action, actor, detail FROM controls WHERE action = ?", ("erased on request",)
    )
    assert timeline == [
        ("erased on request", str(world.mod.id), "a participant's messages, at their request")
    ]
    again = await host(world, world.mod, "forget-user", member=f"<@{cy.id}>")
    assert "Deleted 0 stored message(s)" in again.content
    assert await bot.stop() == 0
