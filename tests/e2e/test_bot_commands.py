"""The bot's slash commands on Discord: two top-level commands by audience, synced to each
guild only when they changed (Discord rate-limits syncs)."""

from __future__ import annotations

import pytest

from tests.e2e.botproc import BotProcess, World, command, host
from tests.e2e.standin import Perm

SYNC = r"^/applications/\d+/guilds/\d+/commands$"


async def test_commands_are_synced_once_and_again_only_when_they_changed(
    world: World, bot: BotProcess
) -> None:
    standin = world.standin
    await bot.start()
    assert len(standin.calls("PUT", SYNC)) == 1
    shown = {c["name"]: c["default_member_permissions"] for c in standin.commands(world.guild)}
    assert shown == {
        "chat": None,
        "host": str(int(Perm.MANAGE_EVENTS)),
        "board": None,  # for everyone; /board create checks for moderators in code
        "Save to board": None,  # the message menu
    }
    [(digest,)] = bot.query(
        "SELECT digest FROM command_syncs WHERE guild_id = ?", (world.guild.id,)
    )

    assert await bot.stop() == 0
    await bot.start()  # the same commands: nothing to sync
    assert len(standin.calls("PUT", SYNC)) == 1
    assert "No chats are scheduled" in (await command(world, world.people[0], "list")).content
    assert await bot.stop() == 0

    # The guild last got other commands (an older version of the bot): they are synced.
    bot.write("UPDATE command_syncs SET digest = 'an older tree'")
    await bot.start()
    assert len(standin.calls("PUT", SYNC)) == 2
    assert bot.query("SELECT digest FROM command_syncs") == [(digest,)]
    assert bot.log_count("commands synced to guild") == 2


async def test_members_see_chat_and_moderators_see_host(world: World, bot: BotProcess) -> None:
    ana = world.people[0]
    await bot.start()
    assert "No chats are scheduled" in (await command(world, ana, "list")).content
    with pytest.raises(PermissionError):
        await host(world, ana, "reload")
    assert "no *.yaml or *.yml files" in (await host(world, world.mod, "reload")).content
