"""The stand-in's direct messages and member permissions, through the real discord.py client:
a DM channel opens as Discord's (type 1), sends are recorded for the driver, closed DMs
refuse with 403 50007 (``discord.Forbidden``), and a member's view of a channel and of a
thread in it follows the overwrites (the thread takes its parent's)."""

from __future__ import annotations

import discord
import pytest

from tests.e2e.standin import Perm, StandIn
from tests.e2e.test_standin import Scene, make_client, running
from tests.e2e.test_standin import scene as scene


async def test_dm_opens_a_type_1_channel_and_arrives(scene: Scene) -> None:
    standin = scene.standin
    async with running(make_client(), standin) as client:
        dm = await client.create_dm(discord.Object(scene.alice.id))
        assert isinstance(dm, discord.DMChannel)
        assert dm.recipient is not None
        assert dm.recipient.id == scene.alice.id
        sent = await dm.send("A new lead", allowed_mentions=discord.AllowedMentions.none())
        again = await client.create_dm(discord.Object(scene.alice.id))
        assert again.id == dm.id
        history = [m async for m in dm.history(limit=10)]
    received = standin.dms.received(scene.alice)
    assert [m["content"] for m in received] == ["A new lead"]
    assert received[0]["id"] == str(sent.id)
    assert received[0]["allowed_mentions"] == {"parse": []}
    assert [m.id for m in history] == [sent.id]
    assert standin.dms.received(scene.bob) == []
    opened = standin.calls("POST", r"^/users/@me/channels$")
    assert opened[0].json == {"recipient_id": scene.alice.id}
    assert standin.unexpected == []


async def test_closed_dms_refuse_with_50007_then_reopen(scene: Scene) -> None:
    standin = scene.standin
    standin.dms.close(scene.alice)
    async with running(make_client(), standin) as client:
        dm = await client.create_dm(discord.Object(scene.alice.id))  # opening still works
        with pytest.raises(discord.Forbidden) as refused:
            await dm.send("A new lead")
        assert refused.value.code == 50007
        assert refused.value.status == 403
        assert refused.value.text == "Cannot send messages to this user"
        standin.dms.reopen(scene.alice)
        await dm.send("A new lead, again")
    assert [m["content"] for m in standin.dms.received(scene.alice)] == ["A new lead, again"]


async def test_no_dm_to_a_bot_or_a_stranger(scene: Scene) -> None:
    standin = scene.standin
    stranger = standin.add_user("stranger")  # shares no server with the bot
    other_bot = standin.add_user("otherbot", bot=True)
    async with running(make_client(), standin) as client:
        for user in (stranger, other_bot):
            dm = await client.create_dm(discord.Object(user.id))
            with pytest.raises(discord.Forbidden) as refused:
                await dm.send("hello")
            assert refused.value.code == 50007
        with pytest.raises(discord.NotFound):
            await client.create_dm(discord.Object(12345))


async def test_member_permissions_follow_overwrites_and_thread_parent(scene: Scene) -> None:
    standin = scene.standin
    hidden = standin.add_text_channel(scene.guild, "hiring-mods")
    everyone = standin.world.guilds[scene.guild.id].roles[scene.guild.id]
    mods = standin.add_role(scene.guild, "mods", 0)
    carol = standin.add_user("carol")
    standin.add_member(scene.guild, carol, [mods])
    standin.set_overwrite(hidden, everyone, deny=Perm.VIEW_CHANNEL)
    standin.allow(hidden, Perm.VIEW_CHANNEL, mods)
    standin.allow(hidden, Perm.VIEW_CHANNEL)  # the bot's role
    standin.deny(scene.channel, Perm.VIEW_CHANNEL, scene.bob)  # a member overwrite
    starter = await standin.say(hidden, carol, "thread starter")
    thread = await standin.start_thread(int(starter["id"]), carol, "roles")
    async with running(make_client(), standin) as client:
        guild = client.get_guild(scene.guild.id)
        assert guild is not None
        alice = await guild.fetch_member(scene.alice.id)
        bob = await guild.fetch_member(scene.bob.id)
        carol_member = await guild.fetch_member(carol.id)
        text = guild.get_channel(hidden.id)
        general = guild.get_channel(scene.channel.id)
        assert isinstance(text, discord.TextChannel)
        assert isinstance(general, discord.TextChannel)
        assert not text.permissions_for(alice).view_channel
        assert text.permissions_for(carol_member).view_channel
        assert general.permissions_for(alice).view_channel
        assert not general.permissions_for(bob).view_channel
        fetched = await client.fetch_channel(thread.id)
        assert isinstance(fetched, discord.Thread)
        assert not fetched.permissions_for(alice).view_channel
        assert fetched.permissions_for(carol_member).view_channel
    # The stand-in's own check agrees (threads take their parent's overwrites).
    assert not standin.world.perms(scene.alice.id, thread) & Perm.VIEW_CHANNEL
    assert standin.world.perms(carol.id, thread) & Perm.VIEW_CHANNEL


def test_standin_has_dms(standin: StandIn) -> None:
    assert standin.dms.received(standin.bot) == []
