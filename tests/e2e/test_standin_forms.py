"""The stand-in delivers modals and autocomplete as Discord does, to the real discord.py client
(in-process): modal shapes Discord accepts and refuses, submits with component ids and the
prefilled values a user left alone, the client's own checks, modals from buttons on
ephemeral messages, and autocomplete results within Discord's limits."""

from __future__ import annotations

from typing import Any

import discord
import pytest
from discord import app_commands

from tests.e2e.standin import StandIn
from tests.e2e.test_standin import WAIT, Scene, make_client, running

CALLBACK = r"^/interactions/\d+/[^/]+/callback$"


@pytest.fixture
def scene(discord_at_standin: StandIn) -> Scene:
    standin = discord_at_standin
    guild = standin.add_guild("Plant Chat")
    channel = standin.add_text_channel(guild, "general")
    alice, bob = standin.add_user("alice"), standin.add_user("bob")
    standin.add_member(guild, alice)
    standin.add_member(guild, bob)
    return Scene(standin, guild, channel, alice, bob)


class PlanModal(discord.ui.Modal, title="Plan a chat"):
    """A label around a prefilled text input, and an older action-row text input."""

    topic: discord.ui.Label[PlanModal] = discord.ui.Label(
        text="Topic",
        description="What the chat is about",
        component=discord.ui.TextInput(custom_id="topic", default="ferns", max_length=20),
    )
    notes: discord.ui.TextInput[PlanModal] = discord.ui.TextInput(
        label="Notes", custom_id="notes", style=discord.TextStyle.paragraph, required=False
    )
    seen: list[tuple[str, str, Any]]

    async def on_submit(self, interaction: discord.Interaction) -> None:
        assert isinstance(self.topic.component, discord.ui.TextInput)
        self.seen.append((self.topic.component.value, self.notes.value, interaction.data))
        await interaction.response.send_message("planned", ephemeral=True)


async def test_a_modal_comes_back_with_its_ids_and_the_values_left_as_they_were(
    scene: Scene,
) -> None:
    standin = scene.standin
    seen: list[tuple[str, str, Any]] = []
    client = make_client()
    tree: app_commands.CommandTree[discord.Client] = app_commands.CommandTree(client)

    @tree.command(name="plan", description="Plan a chat")
    async def plan(interaction: discord.Interaction) -> None:
        modal = PlanModal()
        modal.seen = seen
        await interaction.response.send_modal(modal)

    async with running(client, standin):
        await tree.sync()
        asked = await standin.invoke(scene.alice, scene.guild, scene.channel, "plan")
        shown = (await asked.wait_response(WAIT)).modal
        assert shown is not None
        assert [c["type"] for c in shown["components"]] == [18, 1]
        assert shown["components"][0]["component"]["value"] == "ferns"

        with pytest.raises(ValueError, match="the modal was shown to user"):
            await standin.submit_modal(asked, scene.bob, {"notes": "mine"})
        submitted = await standin.submit_modal(asked, scene.alice, {"notes": "water weekly"})
        assert (await submitted.wait_response(WAIT)).content == "planned"

    [(topic, notes, data)] = seen
    assert (topic, notes) == ("ferns", "water weekly")  # "ferns" was left as prefilled
    assert data["components"] == [
        {
            "type": 18,
            "id": 1,
            "component": {"type": 4, "id": 2, "custom_id": "topic", "value": "ferns"},
        },
        {
            "type": 1,
            "id": 3,
            "components": [{"type": 4, "id": 4, "custom_id": "notes", "value": "water weekly"}],
        },
    ]


async def test_the_client_checks_required_inputs_and_lengths(scene: Scene) -> None:
    standin = scene.standin
    client = make_client()
    tree: app_commands.CommandTree[discord.Client] = app_commands.CommandTree(client)

    @tree.command(name="plan", description="Plan a chat")
    async def plan(interaction: discord.Interaction) -> None:
        modal = PlanModal()
        modal.seen = []
        await interaction.response.send_modal(modal)

    async with running(client, standin):
        await tree.sync()
        asked = await standin.invoke(scene.alice, scene.guild, scene.channel, "plan")
        await asked.wait_response(WAIT)
        with pytest.raises(ValueError, match="'topic' \\(required\\) empty"):
            await standin.submit_modal(asked, scene.alice, {"topic": ""})
        with pytest.raises(ValueError, match="max_length 20"):
            await standin.submit_modal(asked, scene.alice, {"topic": "x" * 21})


@pytest.mark.parametrize(
    ("modal", "field"),
    [
        (discord.ui.Modal(title="x" * 46), "data.title"),
        (discord.ui.Modal(title="Empty"), "data.components"),
        (
            discord.ui.Modal(title="No label").add_item(discord.ui.TextInput(custom_id="a")),
            "data.components[0].components[0].label",
        ),
        (
            discord.ui.Modal(title="Too long").add_item(
                discord.ui.TextInput(label="A", custom_id="a", default="x" * 4001)
            ),
            "data.components[0].components[0].value",
        ),
        (
            discord.ui.Modal(title="Twice")
            .add_item(discord.ui.TextInput(label="A", custom_id="a"))
            .add_item(discord.ui.TextInput(label="B", custom_id="a")),
            "data.components[1].components[0].custom_id",
        ),
    ],
)
async def test_a_modal_discord_would_refuse_is_refused(
    scene: Scene, modal: discord.ui.Modal, field: str
) -> None:
    standin = scene.standin
    client = make_client()
    tree: app_commands.CommandTree[discord.Client] = app_commands.CommandTree(client)
    errors: list[Exception] = []

    @tree.command(name="plan", description="Plan a chat")
    async def plan(interaction: discord.Interaction) -> None:
        try:
            await interaction.response.send_modal(modal)
        except discord.HTTPException as error:
            errors.append(error)

    async with running(client, standin):
        await tree.sync()
        await standin.invoke(scene.alice, scene.guild, scene.channel, "plan")
        await standin.wait_for(lambda: errors, WAIT)
    [error] = errors
    assert isinstance(error, discord.HTTPException)
    assert (error.status, error.code) == (400, 50035)
    [call] = standin.calls("POST", CALLBACK)
    assert field in call.response["errors"]


class AskView(discord.ui.View):
    def __init__(self) -> None:
        super().__init__(timeout=None)

    @discord.ui.button(label="Plan", custom_id="ask")
    async def ask(
        self, interaction: discord.Interaction, _button: discord.ui.Button[AskView]
    ) -> None:
        modal = PlanModal()
        modal.seen = []
        await interaction.response.send_modal(modal)


async def test_a_button_on_an_ephemeral_message_is_only_its_users(scene: Scene) -> None:
    standin = scene.standin
    client = make_client()
    tree: app_commands.CommandTree[discord.Client] = app_commands.CommandTree(client)

    @tree.command(name="menu", description="Show a menu")
    async def menu(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("Plan?", view=AskView(), ephemeral=True)

    async with running(client, standin):
        await tree.sync()
        asked = await standin.invoke(scene.alice, scene.guild, scene.channel, "menu")
        message = (await asked.wait_response(WAIT)).message
        assert message is not None
        with pytest.raises(PermissionError, match="only to its user"):
            await standin.click(int(message["id"]), scene.bob, "ask")
        click = await standin.click(int(message["id"]), scene.alice, "ask")
        assert (await click.wait_response(WAIT)).kind == "modal"
        submitted = await standin.submit_modal(click, scene.alice, {})
        assert submitted.payload["message"]["id"] == message["id"]
        assert (await submitted.wait_response(WAIT)).content == "planned"


async def test_autocomplete_choices_are_held_to_discords_limits(scene: Scene) -> None:
    standin = scene.standin
    client = make_client()
    tree: app_commands.CommandTree[discord.Client] = app_commands.CommandTree(client)

    async def names(
        _interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=current * 101 or "none", value="v")]

    @tree.command(name="pick", description="Pick")
    @app_commands.autocomplete(name=names)
    async def pick(interaction: discord.Interaction, name: str, count: int = 1) -> None:
        await interaction.response.send_message(f"{name} {count}")

    async with running(client, standin):
        await tree.sync()
        ok = await standin.autocomplete(
            scene.alice, scene.guild, scene.channel, "pick", focused="name"
        )
        assert (await ok.wait_response(WAIT)).choices == [{"name": "none", "value": "v"}]
        await standin.autocomplete(
            scene.alice, scene.guild, scene.channel, "pick", options={"name": "x"}, focused="name"
        )
        refused = await standin.wait_for(
            lambda: [c for c in standin.calls("POST", CALLBACK) if c.status == 400], WAIT
        )
        assert "data.choices[0].name" in refused[0].response["errors"]
        with pytest.raises(ValueError, match="has no autocomplete"):
            await standin.autocomplete(
                scene.alice, scene.guild, scene.channel, "pick", focused="count"
            )
