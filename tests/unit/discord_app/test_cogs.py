"""The adapter loads without Discord: every cog is added to a bot built without a token,
and the command tree is what Discord will be sent (two top-level commands by audience)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import discord
import pytest
from discord import app_commands

from bot.config import Settings
from bot.discord_app.client import ChatBot
from bot.discord_app.tree import commands_digest
from bot.runtime.clock import VirtualClock
from bot.storage import SqliteStore

EVERYONE = {
    "list",
    "status",
    "optout",
    "optin",
    "forget-me",
    "my-data",
    "people",
    "profile",
    "suggest",
    "check",  # for moderators, checked in the command (/host check's report)
}
MODERATORS = {
    "schedule",
    "start",
    "next",
    "pause",
    "resume",
    "extend",
    "skip",
    "stop",
    "cancel",
    "recap",
    "reload",
    "check",
    "forget-user",
    "new",
    "edit",
    "set",
    "export",
    "delete",
    "stats",
    "poll",
    "suggestions",
}
#: /board: for everyone (create checks for moderators in code), and the message menu.
BOARD = {"create", "show", "mine"}
MESSAGE_MENUS = {"Save to board"}
#: /alerts: everyone's, but for ``channels`` (moderators, checked in the command).
ALERTS = {
    "follow",
    "list",
    "unfollow",
    "pause",
    "resume",
    "digest",
    "test",
    "block",
    "unblock",
    "channels",
}


@pytest.fixture
async def bot(store: SqliteStore, clock: VirtualClock, tmp_path: Path) -> AsyncIterator[ChatBot]:
    """The bot with its cogs added, never logged in."""
    client = ChatBot(Settings(chats_dir=tmp_path), store, clock)
    await client.add_cogs()
    yield client
    await client.close()


def groups(bot: ChatBot) -> dict[str, app_commands.Group]:
    slash = bot.tree.get_commands(type=discord.AppCommandType.chat_input)
    found = {c.name: c for c in slash if isinstance(c, app_commands.Group)}
    assert len(found) == len(slash)
    return found


async def test_every_cog_loads_without_a_token(bot: ChatBot) -> None:
    assert sorted(bot.cogs) == [
        "AlertCommands",
        "BoardCommands",
        "ChatCommands",
        "HostCommands",
        "Listeners",
        "PollListeners",
        "SuggestionVotes",
    ]
    tree = groups(bot)
    assert sorted(tree) == ["alerts", "board", "chat", "host"]
    assert {c.name for c in tree["chat"].commands} == EVERYONE
    assert {c.name for c in tree["host"].commands} == MODERATORS
    assert {c.name for c in tree["board"].commands} == BOARD
    assert {c.name for c in tree["alerts"].commands} == ALERTS
    menus = bot.tree.get_commands(type=discord.AppCommandType.message)
    assert {c.name for c in menus} == MESSAGE_MENUS
    # The listeners' raw events are registered; new messages come through dispatch.
    for event in (
        "on_raw_message_edit",
        "on_raw_message_delete",
        "on_raw_bulk_message_delete",
    ):
        owners = [type(e.__self__).__name__ for e in bot.extra_events[event]]  # type: ignore[attr-defined]
        assert owners[0] == "Listeners"
        assert set(owners[1:]) <= {"PollListeners", "SuggestionVotes"}
    # Reactions count on answers, a 👍 on a suggestion's message is its upvote, and a number
    # on a poll posted as text is a vote.
    for event in ("on_raw_reaction_add", "on_raw_reaction_remove"):
        owners = [type(e.__self__).__name__ for e in bot.extra_events[event]]  # type: ignore[attr-defined]
        assert sorted(owners) == ["Listeners", "PollListeners", "SuggestionVotes"]
    # Poll votes (and final results) go to the poll listeners.
    for event in ("on_raw_poll_vote_add", "on_raw_poll_vote_remove"):
        assert [type(e.__self__).__name__ for e in bot.extra_events[event]] == ["PollListeners"]  # type: ignore[attr-defined]


async def test_only_host_asks_discord_to_hide_it_from_members(bot: ChatBot) -> None:
    tree = groups(bot)
    assert tree["chat"].default_permissions is None
    assert tree["alerts"].default_permissions is None
    assert tree["host"].default_permissions == discord.Permissions(manage_events=True)
    payload = {c["name"]: c for c in (g.to_dict(bot.tree) for g in tree.values())}
    assert payload["host"]["default_member_permissions"] == 1 << 33
    assert payload["chat"]["default_member_permissions"] is None


async def test_every_command_has_help_text_within_discords_limits(bot: ChatBot) -> None:
    for group in groups(bot).values():
        data: dict[str, Any] = group.to_dict(bot.tree)
        assert 1 <= len(data["description"]) <= 100
        for sub in data["options"]:
            assert 1 <= len(sub["description"]) <= 100, sub["name"]
            for option in sub["options"]:
                assert 1 <= len(option["description"]) <= 100, (sub["name"], option["name"])
        for command in group.commands:
            assert isinstance(command, app_commands.Command)
            assert command.callback.__doc__, command.qualified_name


async def test_the_digest_follows_the_commands_not_their_order(bot: ChatBot) -> None:
    guild = discord.Object(1)
    bot.tree.copy_global_to(guild=guild)
    digest = commands_digest(bot.tree, guild)
    assert commands_digest(bot.tree, guild) == digest
    assert commands_digest(bot.tree, discord.Object(2)) != digest  # nothing copied there

    reordered = app_commands.CommandTree(discord.Client(intents=discord.Intents.none()))
    for group in reversed(bot.tree.get_commands()):
        reordered.add_command(group, guild=guild)
    assert commands_digest(reordered, guild) == digest

    host = bot.tree.get_command("host", guild=guild)
    assert isinstance(host, app_commands.Group)
    host.description = "Run chats"
    assert commands_digest(bot.tree, guild) != digest
