"""The stand-in delivers message context menus and select menus as Discord does, to the real
discord.py client (in-process): a message command gets its target message resolved (content
included), only on messages the user can see; a select submission must fit the menu's
options and value counts."""

from __future__ import annotations

import discord
import pytest
from discord import app_commands

from tests.e2e.standin import Perm
from tests.e2e.test_standin import WAIT, Scene, make_client, running, scene

__all__ = ["scene"]


class Pick(discord.ui.View):
    def __init__(self, picked: list[str]) -> None:
        super().__init__(timeout=60)
        self.picked = picked

    @discord.ui.select(
        custom_id="pick",
        options=[discord.SelectOption(label="Ferns", value="1"), discord.SelectOption(label="Moss", value="2")],
    )  # fmt: skip
    async def pick(self, interaction: discord.Interaction, select: discord.ui.Select[Pick]) -> None:
        self.picked += select.values
        await interaction.response.edit_message(content=f"picked {select.values[0]}", view=None)


async def test_a_message_menu_resolves_its_message_and_a_select_comes_back(scene: Scene) -> None:
    standin = scene.standin
    client = make_client(message_content=False)  # resolved messages keep their content
    tree: app_commands.CommandTree[discord.Client] = app_commands.CommandTree(client)
    seen: list[discord.Message] = []
    picked: list[str] = []

    @tree.context_menu(name="Save to board")
    async def save(interaction: discord.Interaction, message: discord.Message) -> None:
        seen.append(message)
        await interaction.response.send_message("where?", view=Pick(picked), ephemeral=True)

    async with running(client, standin):
        await tree.sync()
        [menu] = [c for c in standin.commands() if c["type"] == 3]
        assert menu["name"] == "Save to board"
        sent = await standin.say(scene.channel, scene.bob, "see https://ferns.example")
        ix = await standin.message_menu(sent["id"], scene.alice, "Save to board")
        assert ix.payload["data"]["target_id"] == sent["id"]
        answer = await ix.wait_response(WAIT)
        assert answer.ephemeral
        assert [(m.id, m.content) for m in seen] == [(int(sent["id"]), "see https://ferns.example")]
        assert answer.message is not None
        shown = int(answer.message["id"])
        with pytest.raises(ValueError, match="no options"):
            await standin.click(shown, scene.alice, "pick", ["3"])
        with pytest.raises(ValueError, match="1 to 1 values"):
            await standin.click(shown, scene.alice, "pick", ["1", "2"])
        with pytest.raises(ValueError, match="needs values"):
            await standin.click(shown, scene.alice, "pick")
        chosen = await standin.click(shown, scene.alice, "pick", ["2"])
        assert (await chosen.wait_response(WAIT)).kind == "update"
        assert picked == ["2"]
        assert standin.message(shown)["content"] == "picked 2"


async def test_no_menu_on_messages_the_user_cannot_see(scene: Scene) -> None:
    standin = scene.standin
    client = make_client()
    tree: app_commands.CommandTree[discord.Client] = app_commands.CommandTree(client)

    @tree.context_menu(name="Save to board")
    async def save(interaction: discord.Interaction, message: discord.Message) -> None:
        await interaction.response.send_message("ok", ephemeral=True)

    async with running(client, standin):
        await tree.sync()
        sent = await standin.say(scene.channel, scene.bob, "private https://ferns.example")
        standin.deny(scene.channel, int(Perm.VIEW_CHANNEL), scene.alice)
        with pytest.raises(PermissionError, match="cannot see"):
            await standin.message_menu(sent["id"], scene.alice, "Save to board")
        await standin.delete(int(sent["id"]))
        with pytest.raises(ValueError, match="deleted"):
            await standin.message_menu(sent["id"], scene.bob, "Save to board")
