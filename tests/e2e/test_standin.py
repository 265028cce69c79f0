"""Proof that the real, unpatched discord.py client works against the stand-in (in-process)."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import io
import os
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import discord
import pytest
import yarl
from discord import app_commands

from tests.e2e.standin import Channel, Guild, Perm, StandIn, User

READY_TIMEOUT = 10.0
WAIT = 5.0


@dataclass
class Scene:
    standin: StandIn
    guild: Guild
    channel: Channel
    alice: User
    bob: User


@pytest.fixture
def scene(discord_at_standin: StandIn) -> Scene:
    standin = discord_at_standin
    guild = standin.add_guild("Plant Chat")
    channel = standin.add_text_channel(guild, "general")
    standin.add_text_channel(guild, "recaps")
    alice, bob = standin.add_user("alice"), standin.add_user("bob")
    standin.add_member(guild, alice)
    standin.add_member(guild, bob)
    return Scene(standin, guild, channel, alice, bob)


def make_client(
    *, message_content: bool = True, cls: type[discord.Client] = discord.Client
) -> discord.Client:
    intents = discord.Intents.default()
    intents.message_content = message_content
    # guild_ready_timeout: discord.py waits this long after the last GUILD_CREATE before
    # on_ready (2 s by default), whatever the number of guilds.
    return cls(intents=intents, guild_ready_timeout=0.05)


@contextlib.asynccontextmanager
async def running(client: discord.Client, standin: StandIn) -> AsyncIterator[discord.Client]:
    await client.login(standin.token)
    task = asyncio.create_task(client.connect())
    try:
        await asyncio.wait_for(client.wait_until_ready(), READY_TIMEOUT)
        yield client
    finally:
        await client.close()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await asyncio.wait_for(task, 5)


def text_channel(client: discord.Client, channel: Channel) -> discord.TextChannel:
    found = client.get_channel(channel.id)
    assert isinstance(found, discord.TextChannel)
    return found


async def test_login_ready_caches_guild_and_channels(scene: Scene) -> None:
    standin = scene.standin
    async with running(make_client(), standin) as client:
        assert client.user is not None
        assert client.user.id == standin.bot.id
        assert client.application_id == standin.application_id
        guild = client.get_guild(scene.guild.id)
        assert guild is not None
        assert guild.name == "Plant Chat"
        assert sorted(c.name for c in guild.text_channels) == ["general", "recaps"]
        assert guild.me is not None
        assert guild.me.id == standin.bot.id
        # Without the GUILD_MEMBERS intent only the bot's own member comes with GUILD_CREATE.
        assert [m.id for m in guild.members] == [standin.bot.id]
        assert guild.member_count == 4
        perms = text_channel(client, scene.channel).permissions_for(guild.me)
        assert perms.send_messages
        assert perms.create_public_threads
    # zlib-stream in this venv; discord.py asks zstd-stream when `zstandard` is importable.
    compression = discord.utils._ActiveDecompressionContext.COMPRESSION_TYPE
    assert standin.hub.queries[0]["compress"] == compression
    assert standin.hub.identifies == 1
    assert standin.hub.heartbeats >= 1
    assert [r.path for r in standin.requests][:2] == ["/users/@me", "/oauth2/applications/@me"]
    assert standin.unexpected == []


async def test_on_message_for_a_user_message(scene: Scene) -> None:
    async with running(make_client(), scene.standin) as client:
        waiter = client.wait_for(
            "message", check=lambda m: m.author.id == scene.alice.id, timeout=WAIT
        )
        sent = await scene.standin.say(scene.channel, scene.alice, "hello plants")
        message: discord.Message = await waiter
        assert message.id == int(sent["id"])
        assert message.content == "hello plants"
        assert message.channel is text_channel(client, scene.channel)
        assert isinstance(message.author, discord.Member)
        age = discord.utils.utcnow() - message.created_at
        assert dt.timedelta(0) <= age < dt.timedelta(seconds=5)


async def test_send_with_no_mentions_and_reply(scene: Scene) -> None:
    standin = scene.standin
    async with running(make_client(), standin) as client:
        channel = text_channel(client, scene.channel)
        waiter = client.wait_for(
            "message", check=lambda m: m.author.id == scene.alice.id, timeout=WAIT
        )
        await standin.say(scene.channel, scene.alice, "Q1: what are you growing?")
        question: discord.Message = await waiter

        quiet = await channel.send(
            f"welcome <@{scene.alice.id}>", allowed_mentions=discord.AllowedMentions.none()
        )
        assert quiet.mentions == []
        body = standin.calls("POST", r"/messages$")[-1].json
        assert body["allowed_mentions"] == {"parse": []}

        reply = await question.reply("A1 noted", mention_author=False)
        assert reply.reference is not None
        assert reply.reference.message_id == question.id
        assert reply.type is discord.MessageType.reply
        assert reply.mentions == []
        pinged = await question.reply("A1 noted, pinging")
        assert [u.id for u in pinged.mentions] == [scene.alice.id]

    stored = standin.messages(scene.channel)
    assert [m["content"] for m in stored][-3:] == [
        f"welcome <@{scene.alice.id}>",
        "A1 noted",
        "A1 noted, pinging",
    ]
    assert stored[-2]["message_reference"]["message_id"] == str(question.id)


async def test_thread_from_message_and_send_in_it(scene: Scene) -> None:
    standin = scene.standin
    async with running(make_client(), standin) as client:
        waiter = client.wait_for(
            "message", check=lambda m: m.author.id == scene.alice.id, timeout=WAIT
        )
        await standin.say(scene.channel, scene.alice, "Q1: favourite fern?")
        question: discord.Message = await waiter

        edit = client.wait_for(
            "raw_message_edit", check=lambda e: e.message_id == question.id, timeout=WAIT
        )
        created = client.wait_for("thread_create", timeout=WAIT)
        thread = await question.create_thread(name="Q1 answers")
        assert thread.id == question.id
        assert thread.parent_id == scene.channel.id
        raw_edit: discord.RawMessageUpdateEvent = await edit
        assert raw_edit.data["edited_timestamp"] is None
        assert raw_edit.data["flags"] & 32
        assert raw_edit.data["thread"]["id"] == str(thread.id)
        assert (await created).id == thread.id

        own = client.wait_for("message", check=lambda m: m.channel.id == thread.id, timeout=WAIT)
        answer = await thread.send("A1: maidenhair")
        seen: discord.Message = await own
        assert seen.id == answer.id
        assert isinstance(seen.channel, discord.Thread)

    assert standin.channel(thread.id).message_count == 1
    assert [m["content"] for m in standin.messages(thread.id)] == ["A1: maidenhair"]
    assert standin.message(question.id)["thread"]["name"] == "Q1 answers"


async def test_history_after_pages_past_100_oldest_first(scene: Scene) -> None:
    standin = scene.standin
    marker = await standin.say(scene.channel, scene.alice, "start")
    for i in range(130):
        await standin.say(scene.channel, scene.bob, f"m{i}")
    async with running(make_client(), standin) as client:
        channel = text_channel(client, scene.channel)
        history = [
            m async for m in channel.history(limit=None, after=discord.Object(int(marker["id"])))
        ]
    assert [m.content for m in history] == [f"m{i}" for i in range(130)]
    pages = standin.calls("GET", r"/channels/\d+/messages$")
    assert [len(p.response) for p in pages] == [100, 30]
    assert pages[1].query["after"] == str(history[99].id)


async def test_reaction_add_and_remove_events(scene: Scene) -> None:
    standin = scene.standin
    async with running(make_client(), standin) as client:
        waiter = client.wait_for(
            "message", check=lambda m: m.author.id == scene.alice.id, timeout=WAIT
        )
        sent = await standin.say(scene.channel, scene.alice, "Q2: water or mist?")
        message: discord.Message = await waiter
        await message.add_reaction("👍")
        assert standin.message(sent["id"])["reactions"][0]["me"] is True

        added = client.wait_for(
            "raw_reaction_add", check=lambda e: e.user_id == scene.bob.id, timeout=WAIT
        )
        await standin.react(sent["id"], scene.bob, "🌱")
        add_event: discord.RawReactionActionEvent = await added
        assert str(add_event.emoji) == "🌱"
        assert add_event.message_id == message.id
        assert add_event.member is not None
        assert add_event.member.id == scene.bob.id

        removed = client.wait_for(
            "raw_reaction_remove", check=lambda e: e.user_id == scene.bob.id, timeout=WAIT
        )
        await standin.unreact(sent["id"], scene.bob, "🌱")
        remove_event: discord.RawReactionActionEvent = await removed
        assert str(remove_event.emoji) == "🌱"
        assert [str(r.emoji) for r in message.reactions] == ["👍"]


def chat_tree(client: discord.Client, guild: Guild) -> app_commands.CommandTree[discord.Client]:
    tree: app_commands.CommandTree[discord.Client] = app_commands.CommandTree(client)
    chat = app_commands.Group(name="chat", description="Run a Q/A chat")

    @chat.command(name="start", description="Start a chat")
    @app_commands.describe(topic="What the chat is about")
    async def start(interaction: discord.Interaction, topic: str) -> None:
        await interaction.response.send_message(f"started {topic}", ephemeral=True)

    @chat.command(name="recap", description="Post the recap")
    async def recap(interaction: discord.Interaction, private: bool = False) -> None:
        await interaction.response.defer(ephemeral=private, thinking=True)
        await interaction.followup.send(f"recap ready (private={private})")

    @chat.command(name="load", description="Load answers from a file")
    async def load(interaction: discord.Interaction, answers: discord.Attachment) -> None:
        data = await answers.read()
        await interaction.response.send_message(
            f"{answers.filename}: {len(data.splitlines())} lines"
        )

    tree.add_command(chat, guild=discord.Object(guild.id))
    return tree


async def test_slash_commands_sync_and_answers(scene: Scene) -> None:
    standin = scene.standin
    client = make_client()
    tree = chat_tree(client, scene.guild)
    async with running(client, standin):
        synced = await tree.sync(guild=discord.Object(scene.guild.id))
        assert [c.name for c in synced] == ["chat"]
        put = standin.calls("PUT", r"^/applications/\d+/guilds/\d+/commands$")
        assert len(put) == 1
        assert put[0].status == 200
        assert [c["name"] for c in standin.commands(scene.guild)] == ["chat"]

        ix = await standin.invoke(
            scene.alice, scene.guild, scene.channel, "chat", "start", {"topic": "ferns"}
        )
        answer = await ix.wait_response(WAIT)
        assert (answer.content, answer.ephemeral, answer.deferred) == ("started ferns", True, False)
        assert answer.message is not None
        assert answer.message["flags"] & 64

        public = await standin.invoke(scene.alice, scene.guild, scene.channel, "chat", "recap")
        answer = await public.wait_response(WAIT)
        assert (answer.content, answer.ephemeral, answer.deferred) == (
            "recap ready (private=False)",
            False,
            True,
        )

        private = await standin.invoke(
            scene.bob, scene.guild, scene.channel, "chat", "recap", {"private": True}
        )
        answer = await private.wait_response(WAIT)
        assert (answer.content, answer.ephemeral, answer.deferred) == (
            "recap ready (private=True)",
            True,
            True,
        )

        loading = await standin.invoke(
            scene.alice,
            scene.guild,
            scene.channel,
            "chat",
            "load",
            attachments={"answers": ("answers.txt", b"A1 ferns\nA2 figs\n")},
        )
        assert (await loading.wait_response(WAIT)).content == "answers.txt: 2 lines"

    visible = [m["content"] for m in standin.messages(scene.channel)]
    assert visible == ["recap ready (private=False)", "answers.txt: 2 lines"]
    assert [kind for kind, _ in public.log] == ["callback", "followup"]
    assert [a.content for a in public.responses] == ["recap ready (private=False)"]


def chat_and_host_tree(client: discord.Client) -> app_commands.CommandTree[discord.Client]:
    """Two top-level commands: /chat for everyone, /host for members with Manage Events."""
    tree: app_commands.CommandTree[discord.Client] = app_commands.CommandTree(client)
    chat = app_commands.Group(name="chat", description="For everyone")
    host = app_commands.Group(
        name="host",
        description="For moderators",
        default_permissions=discord.Permissions(manage_events=True),
    )

    @chat.command(name="list", description="Upcoming chats")
    async def list_chats(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("nothing planned", ephemeral=True)

    @host.command(name="start", description="Start a chat")
    async def start(interaction: discord.Interaction) -> None:
        await interaction.response.send_message(f"started by {interaction.user.name}")

    tree.add_command(chat)
    tree.add_command(host)
    return tree


async def test_two_commands_and_default_member_permissions_as_discord_shows_them(
    scene: Scene,
) -> None:
    """/host (default_member_permissions: Manage Events) is not shown to a member without
    it, is to a member with it and to an admin, and to anyone an admin's overwrite allows."""
    standin = scene.standin
    moderators = standin.add_role(scene.guild, "Moderators", int(Perm.MANAGE_EVENTS))
    admins = standin.add_role(scene.guild, "Admins", int(Perm.ADMINISTRATOR))
    mod, admin = standin.add_user("mod"), standin.add_user("admin")
    standin.add_member(scene.guild, mod, roles=[moderators])
    standin.add_member(scene.guild, admin, roles=[admins])
    client = make_client()
    tree = chat_and_host_tree(client)
    guild = discord.Object(scene.guild.id)
    async with running(client, standin):
        tree.copy_global_to(guild=guild)
        await tree.sync(guild=guild)
        [put] = standin.calls("PUT", r"^/applications/\d+/guilds/\d+/commands$")
        sent = {c["name"]: c.get("default_member_permissions") for c in put.json}
        assert sent == {"chat": None, "host": int(Perm.MANAGE_EVENTS)}
        shown = {c["name"]: c["default_member_permissions"] for c in standin.commands(guild)}
        assert shown == {"chat": None, "host": str(int(Perm.MANAGE_EVENTS))}  # as Discord

        listing = await standin.invoke(scene.alice, guild, scene.channel, "chat", "list")
        assert (await listing.wait_response(WAIT)).content == "nothing planned"
        with pytest.raises(PermissionError, match="does not show /host to alice"):
            await standin.invoke(scene.alice, guild, scene.channel, "host", "start")
        for user in (mod, admin):
            started = await standin.invoke(user, guild, scene.channel, "host", "start")
            assert (await started.wait_response(WAIT)).content == f"started by {user.name}"

        update = client.wait_for("raw_app_command_permissions_update", timeout=WAIT)
        standin.set_command_permissions(guild, "host", allow=[scene.alice], deny=[moderators])
        permissions: discord.RawAppCommandPermissionsUpdateEvent = await update
        assert {(p.id, p.permission) for p in permissions.permissions} == {
            (scene.alice.id, True),
            (moderators.id, False),
        }
        allowed = await standin.invoke(scene.alice, guild, scene.channel, "host", "start")
        assert (await allowed.wait_response(WAIT)).content == "started by alice"
        with pytest.raises(PermissionError):
            await standin.invoke(mod, guild, scene.channel, "host", "start")
        with pytest.raises(PermissionError):
            await standin.invoke(scene.bob, guild, scene.channel, "host", "start")
    assert len(standin.calls("PUT", r"/commands$")) == 1


async def test_an_edit_arrives_as_the_whole_message(scene: Scene) -> None:
    """MESSAGE_UPDATE carries the full message, as Discord sends it: an author's edit with
    its attachments and ``edited_timestamp``; a thread opened from it with that null."""
    standin = scene.standin
    async with running(make_client(), standin) as client:
        sent = await standin.say(
            scene.channel, scene.alice, "A1: ferns", attachments=[("fern.png", b"png")]
        )
        mid = int(sent["id"])
        edited = client.wait_for(
            "raw_message_edit", check=lambda e: e.message_id == mid, timeout=WAIT
        )
        await standin.edit(mid, scene.alice, "A1: maidenhair ferns")
        raw: discord.RawMessageUpdateEvent = await edited
        assert raw.message.content == "A1: maidenhair ferns"
        assert [a.filename for a in raw.message.attachments] == ["fern.png"]
        assert raw.message.attachments[0].url == sent["attachments"][0]["url"]
        assert raw.message.edited_at is not None
        assert raw.message.author.id == scene.alice.id

        threaded = client.wait_for(
            "raw_message_edit", check=lambda e: e.message_id == mid, timeout=WAIT
        )
        await standin.start_thread(mid, scene.bob, "About ferns")
        raw = await threaded
        assert raw.data["edited_timestamp"] is not None  # the author's earlier edit stays
        assert [a.filename for a in raw.message.attachments] == ["fern.png"]


async def test_rate_limited_send_is_retried_once(scene: Scene) -> None:
    standin = scene.standin
    fault = standin.faults.add("POST", r"^/channels/\d+/messages$", 429, retry_after=0.05)
    async with running(make_client(), standin) as client:
        sent = await text_channel(client, scene.channel).send("after the limit")
    assert fault.hits == 1
    assert [r.status for r in standin.calls("POST", r"/messages$")] == [429, 200]
    assert [m["id"] for m in standin.messages(scene.channel)] == [str(sent.id)]


async def test_server_error_on_send_is_retried(scene: Scene) -> None:
    standin = scene.standin
    standin.faults.add("POST", r"^/channels/\d+/messages$", 500)
    async with running(make_client(), standin) as client:
        sent = await text_channel(client, scene.channel).send("through a 500")
    assert [r.status for r in standin.calls("POST", r"/messages$")] == [500, 200]
    assert [m["content"] for m in standin.messages(scene.channel)] == ["through a 500"]
    assert sent.content == "through a 500"


async def test_lost_answer_with_nonce_does_not_duplicate(scene: Scene) -> None:
    standin = scene.standin
    standin.faults.add("POST", r"^/channels/\d+/messages$", 500, after_apply=True)
    async with running(make_client(), standin) as client:
        sent = await text_channel(client, scene.channel).send("exactly once")
    posts = standin.calls("POST", r"/messages$")
    assert [r.status for r in posts] == [500, 200]
    assert posts[0].json["nonce"] == posts[1].json["nonce"]
    assert posts[0].json["enforce_nonce"]
    stored = standin.messages(scene.channel)
    assert [m["id"] for m in stored] == [str(sent.id)]


async def test_missing_permission_on_thread_creation_is_forbidden(scene: Scene) -> None:
    standin = scene.standin
    standin.deny(scene.channel, Perm.CREATE_PUBLIC_THREADS)
    async with running(make_client(), standin) as client:
        waiter = client.wait_for(
            "message", check=lambda m: m.author.id == scene.alice.id, timeout=WAIT
        )
        await standin.say(scene.channel, scene.alice, "Q3: soil?")
        question: discord.Message = await waiter
        channel = text_channel(client, scene.channel)
        assert not channel.permissions_for(channel.guild.me).create_public_threads
        with pytest.raises(discord.Forbidden) as raised:
            await question.create_thread(name="Q3 answers")
        assert raised.value.code == 50013
        assert raised.value.status == 403
    assert standin.message(question.id).get("thread") is None


async def test_gateway_drop_resumes_and_replays_missed_events(scene: Scene) -> None:
    standin = scene.standin
    async with running(make_client(), standin) as client:
        resumed = client.wait_for("resumed", timeout=WAIT)
        missed = client.wait_for(
            "message", check=lambda m: m.content == "while you were away", timeout=WAIT
        )
        async with standin.faults.gateway_down():
            await standin.wait_for(lambda: not standin.hub.connected())
            await standin.say(scene.channel, scene.alice, "while you were away")
        message: discord.Message = await missed
        await resumed
        assert message.author.id == scene.alice.id
    assert (standin.hub.identifies, standin.hub.resumes) == (1, 1)


class NoIdentifyDelayClient(discord.Client):
    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        """discord.py sleeps 5 s before every IDENTIFY but the first one; skip that here."""


async def test_gateway_drop_without_resume_identifies_again(scene: Scene) -> None:
    standin = scene.standin
    client = make_client(cls=NoIdentifyDelayClient)
    async with running(client, standin):
        await standin.drop_gateway(resumable=False)
        await standin.wait_for(lambda: standin.hub.identifies == 2 and standin.hub.connected())
        waiter = client.wait_for("message", check=lambda m: m.content == "back", timeout=WAIT)
        await standin.say(scene.channel, scene.alice, "back")
        assert (await waiter).author.id == scene.alice.id
    assert standin.hub.invalid_sessions == 1


async def test_without_message_content_intent_content_is_empty(scene: Scene) -> None:
    standin = scene.standin
    async with running(make_client(message_content=False), standin) as client:
        waiter = client.wait_for(
            "message", check=lambda m: m.author.id == scene.alice.id, timeout=WAIT
        )
        await standin.say(scene.channel, scene.alice, "secret answer")
        hidden: discord.Message = await waiter
        assert hidden.content == ""
        assert hidden.embeds == []
        assert hidden.attachments == []

        waiter = client.wait_for(
            "message", check=lambda m: m.author.id == scene.alice.id, timeout=WAIT
        )
        await standin.say(scene.channel, scene.alice, f"<@{standin.bot.id}> ping")
        mentioned: discord.Message = await waiter
        assert mentioned.content == f"<@{standin.bot.id}> ping"

        history = [m.content async for m in text_channel(client, scene.channel).history(limit=10)]
        assert history == [f"<@{standin.bot.id}> ping", ""]


async def test_scheduled_event_create_and_update(scene: Scene) -> None:
    standin = scene.standin
    intents = discord.Intents.default()
    client = discord.Client(intents=intents, guild_ready_timeout=0.05)
    async with running(client, standin):
        guild = client.get_guild(scene.guild.id)
        assert guild is not None
        start = discord.utils.utcnow() + dt.timedelta(hours=1)
        created = client.wait_for("scheduled_event_create", timeout=WAIT)
        event = await guild.create_scheduled_event(
            name="Plant chat",
            start_time=start,
            end_time=start + dt.timedelta(hours=1),
            entity_type=discord.EntityType.external,
            location="#general",
            privacy_level=discord.PrivacyLevel.guild_only,
        )
        assert (await created).id == event.id
        updated = client.wait_for("scheduled_event_update", timeout=WAIT)
        event = await event.edit(name="Plant chat #2", description="Q1-Q5")
        _before, after = await updated
        assert after.name == "Plant chat #2"
        assert event.description == "Q1-Q5"
        assert guild.get_scheduled_event(event.id) is not None

        with pytest.raises(discord.HTTPException) as raised:
            await guild.create_scheduled_event(
                name="In the past",
                start_time=discord.utils.utcnow() - dt.timedelta(hours=1),
                end_time=discord.utils.utcnow() + dt.timedelta(hours=1),
                entity_type=discord.EntityType.external,
                location="#general",
                privacy_level=discord.PrivacyLevel.guild_only,
            )
        assert raised.value.code == 50035
    [stored] = standin.scheduled_events(scene.guild)
    assert (stored.name, stored.location, stored.status) == ("Plant chat #2", "#general", 1)


async def test_unknown_route_is_404_and_recorded(scene: Scene) -> None:
    standin = scene.standin
    async with running(make_client(), standin) as client:
        with pytest.raises(discord.NotFound):
            await client.http.request(
                discord.http.Route("GET", "/stickers/{sticker_id}", sticker_id=1)
            )
    assert [(r.method, r.path) for r in standin.unexpected] == [("GET", "/stickers/1")]


async def test_attachment_upload_is_stored_and_readable(scene: Scene) -> None:
    standin = scene.standin
    async with running(make_client(), standin) as client:
        file = discord.File(fp=io.BytesIO(b"Q1,A1\n"), filename="answers.csv")
        sent = await text_channel(client, scene.channel).send("the answers", file=file)
        [attachment] = sent.attachments
        assert attachment.filename == "answers.csv"
        assert attachment.size == 6
        assert await attachment.read() == b"Q1,A1\n"
    assert standin.calls("POST", r"/messages$")[0].uploads[0].data == b"Q1,A1\n"


async def test_bot_finds_the_gateway_through_gateway_bot(scene: Scene) -> None:
    """What our bot does: only Route.BASE is known; setup_hook asks GET /gateway/bot."""
    standin = scene.standin

    class GatewayFromRest(discord.Client):
        async def setup_hook(self) -> None:
            _shards, url, _limits = await self.http.get_bot_gateway()
            discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(url)

    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL("ws://127.0.0.1:9/unreachable")
    async with running(make_client(cls=GatewayFromRest), standin):
        assert standin.hub.identifies == 1
    assert standin.calls("GET", r"^/gateway/bot$")[0].response["url"] == standin.gateway_url


async def test_user_edit_and_delete_reach_the_bot(scene: Scene) -> None:
    standin = scene.standin
    async with running(make_client(), standin) as client:
        waiter = client.wait_for(
            "message", check=lambda m: m.author.id == scene.alice.id, timeout=WAIT
        )
        sent = await standin.say(scene.channel, scene.alice, "A1: tomatoes")
        await waiter
        edited = client.wait_for("message_edit", timeout=WAIT)
        await standin.edit(sent["id"], scene.alice, "A1: cherry tomatoes")
        before, after = await edited
        assert (before.content, after.content) == ("A1: tomatoes", "A1: cherry tomatoes")
        assert after.edited_at is not None
        deleted = client.wait_for("raw_message_delete", timeout=WAIT)
        await standin.delete(sent["id"])
        raw: discord.RawMessageDeleteEvent = await deleted
        assert raw.message_id == int(sent["id"])
        assert raw.cached_message is not None
    [stored] = standin.messages(scene.channel)
    assert stored["deleted"] is True
    assert standin.messages(scene.channel, include_deleted=False) == []


async def test_thread_without_message_archive_and_unarchive(scene: Scene) -> None:
    standin = scene.standin
    async with running(make_client(), standin) as client:
        channel = text_channel(client, scene.channel)
        thread = await channel.create_thread(
            name="Reflections", type=discord.ChannelType.public_thread
        )
        assert thread.type is discord.ChannelType.public_thread
        updated = client.wait_for("thread_update", timeout=WAIT)
        thread = await thread.edit(archived=True)
        _before, after = await updated
        assert after.archived
        assert thread.archived
        # Sending in an archived (unlocked) thread unarchives it, as on Discord.
        await thread.send("one more reflection")
        assert not standin.channel(thread.id).archived
    system = standin.messages(scene.channel)
    assert [(m["type"], m["content"]) for m in system] == [(18, "Reflections")]


async def test_history_without_read_history_is_empty(scene: Scene) -> None:
    standin = scene.standin
    await standin.say(scene.channel, scene.alice, "hidden from the bot's history")
    standin.deny(scene.channel, Perm.READ_MESSAGE_HISTORY)
    async with running(make_client(), standin) as client:
        channel = text_channel(client, scene.channel)
        assert [m async for m in channel.history(limit=10)] == []
        with pytest.raises(discord.Forbidden):
            await channel.fetch_message(int(standin.messages(scene.channel)[0]["id"]))


class TopicModal(discord.ui.Modal, title="New chat"):
    topic: discord.ui.TextInput[TopicModal] = discord.ui.TextInput(label="Topic", custom_id="topic")

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message(f"planned {self.topic.value}")


async def test_autocomplete_modal_and_deferred_edit(scene: Scene) -> None:
    standin = scene.standin
    client = make_client()
    tree: app_commands.CommandTree[discord.Client] = app_commands.CommandTree(client)
    plants = ["fern", "fig", "ficus", "palm"]

    async def plant_names(
        _interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=p, value=p) for p in plants if p.startswith(current)]

    @tree.command(name="plant", description="Pick a plant")
    @app_commands.autocomplete(name=plant_names)
    async def plant(interaction: discord.Interaction, name: str) -> None:
        await interaction.response.defer()
        await interaction.edit_original_response(content=f"picked {name}")

    @tree.command(name="plan", description="Plan a chat")
    async def plan(interaction: discord.Interaction) -> None:
        await interaction.response.send_modal(TopicModal())

    async with running(client, standin):
        await tree.sync()
        assert standin.calls("PUT", r"^/applications/\d+/commands$")[0].status == 200

        typing = await standin.autocomplete(
            scene.alice, scene.guild, scene.channel, "plant", options={"name": "fi"}, focused="name"
        )
        choices = (await typing.wait_response(WAIT)).choices
        assert choices is not None
        assert [c["value"] for c in choices] == ["fig", "ficus"]

        picked = await standin.invoke(
            scene.alice, scene.guild, scene.channel, "plant", options={"name": "fig"}
        )
        answer = await picked.wait_response(WAIT)
        assert (answer.content, answer.deferred) == ("picked fig", True)
        assert [kind for kind, _ in picked.log] == ["callback", "edit_original"]

        planning = await standin.invoke(scene.bob, scene.guild, scene.channel, "plan")
        modal = (await planning.wait_response(WAIT)).modal
        assert modal is not None
        assert modal["title"] == "New chat"
        submitted = await standin.submit_modal(planning, scene.bob, {"topic": "succulents"})
        assert (await submitted.wait_response(WAIT)).content == "planned succulents"


SUBPROCESS_BOT = """
import os, discord, yarl
base = os.environ["DISCORD_API_BASE"]
discord.http.Route.BASE = base + "/api/v10"

class Bot(discord.Client):
    async def setup_hook(self):
        _shards, url, _limits = await self.http.get_bot_gateway()
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(url)

    async def on_message(self, message):
        if message.content == "ping":
            await message.reply("pong", mention_author=False)

intents = discord.Intents.default()
intents.message_content = True
Bot(intents=intents, guild_ready_timeout=0.05).run(os.environ["DISCORD_TOKEN"], log_handler=None)
"""


async def test_a_bot_subprocess_shares_the_standin(standin: StandIn) -> None:
    guild = standin.add_guild()
    channel = standin.add_text_channel(guild, "general")
    alice = standin.add_user("alice")
    standin.add_member(guild, alice)
    env = os.environ | standin.env()
    proc = await asyncio.create_subprocess_exec(sys.executable, "-c", SUBPROCESS_BOT, env=env)
    try:
        await standin.wait_for(lambda: standin.hub.connected(), timeout=20)
        ping = await standin.say(channel, alice, "ping")

        def pong() -> list[dict[str, Any]]:
            return [m for m in standin.messages(channel) if m["content"] == "pong"]

        [reply] = await standin.wait_for(pong, timeout=WAIT)
        assert reply["message_reference"]["message_id"] == ping["id"]
        assert reply["author"]["id"] == str(standin.bot.id)
    finally:
        proc.terminate()
        await asyncio.wait_for(proc.wait(), 10)


async def test_rest_reads_and_bot_edits_parse_in_discord_py(scene: Scene) -> None:
    standin = scene.standin
    async with running(make_client(), standin) as client:
        fetched = await client.fetch_channel(scene.channel.id)
        assert isinstance(fetched, discord.TextChannel)
        assert fetched.name == "general"
        guild = await client.fetch_guild(scene.guild.id)
        assert guild.name == "Plant Chat"
        assert {c.name for c in await guild.fetch_channels()} == {"general", "recaps"}
        assert (await guild.fetch_member(scene.alice.id)).name == "alice"
        assert {r.name for r in await guild.fetch_roles()} == {"@everyone", standin.bot.name}

        channel = text_channel(client, scene.channel)
        sent = await channel.send("draft", embed=discord.Embed(title="Q1"))
        edited = await sent.edit(content="final")
        assert edited.content == "final"
        assert edited.edited_at is not None
        assert (await channel.fetch_message(sent.id)).embeds[0].title == "Q1"
        await sent.delete()
        with pytest.raises(discord.NotFound):
            await channel.fetch_message(sent.id)

        standin.faults.add("GET", r"^/channels/\d+$", 503)
        with pytest.raises(discord.DiscordServerError):
            await client.fetch_channel(scene.channel.id)  # discord.py retries only 500/502/504/524
    assert [m["deleted"] for m in standin.messages(scene.channel)] == [True]


class JoinView(discord.ui.View):
    @discord.ui.button(label="Join", custom_id="join")
    async def join(
        self, interaction: discord.Interaction, _button: discord.ui.Button[JoinView]
    ) -> None:
        await interaction.response.edit_message(
            content=f"{interaction.user.name} joined", view=None
        )


async def test_button_click_updates_message_and_abrupt_drop_resumes(scene: Scene) -> None:
    standin = scene.standin
    async with running(make_client(), standin) as client:
        sent = await text_channel(client, scene.channel).send("Join the chat?", view=JoinView())
        click = await standin.click(sent.id, scene.alice, "join")
        answer = await click.wait_response(WAIT)
        assert (answer.kind, answer.content) == ("update", "alice joined")
        assert standin.message(sent.id)["components"] == []

        resumed = client.wait_for("resumed", timeout=WAIT)
        await standin.drop_gateway(abrupt=True)
        await resumed
    assert (standin.hub.identifies, standin.hub.resumes) == (1, 1)
