"""``/host new``, ``edit``, ``set``, ``export`` and ``delete``: moderators write chats in Discord.

A mixin of :class:`bot.discord_app.host_cog.HostCommands`, so these commands are
``/host`` subcommands and share its moderator check (``interaction_check``). Each is thin:
:class:`bot.runtime.authoring.Authoring` checks by the rules of chat files, stores and
plans; this module shows the form (:mod:`bot.discord_app.forms`) and replies, ephemerally.

* ``/host new`` takes the short fields as options (the time zone autocompletes by city, the
  server's zones first) and opens the form for the questions, intro, closing and prompts;
  short fields with problems are told at once, before the form opens.
* A submitted form is checked; problems come back by field and line with a button that
  reopens the form as typed. A valid chat is stored and planned like an uploaded one.
* ``/host edit`` opens the form filled in; ``/host set`` changes the short fields.
* ``/host export`` answers with the chat file; ``/host delete`` asks first.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.chatfile.form import REPEATS, ChatForm
from bot.chatfile.zones import zone_choices, zone_label
from bot.core.run import Phase
from bot.core.spec import SUGGESTIONS_POST_IN
from bot.discord_app.forms import (
    FORM_ID,
    ChatFormModal,
    as_moderator,
    delete_view,
    saved_text,
    send_refused,
    submitted_values,
)
from bot.discord_app.replies import NO_MENTIONS, reply, when
from bot.discord_app.services import Services
from bot.runtime.authoring import Refused, Saved

REPEAT_CHOICES = [app_commands.Choice(name=r, value=r) for r in REPEATS]
SUGGESTIONS_CHOICES = [app_commands.Choice(name=p, value=p) for p in SUGGESTIONS_POST_IN]


def _chat_channel(interaction: discord.Interaction, channel: discord.TextChannel | None) -> int:
    """The channel option, else where the command was run (a thread's parent channel)."""
    if channel is not None:
        return channel.id
    here = interaction.channel
    if isinstance(here, discord.Thread) and here.parent_id is not None:
        return here.parent_id
    return interaction.channel_id or 0


class AuthoringCommands(commands.Cog):
    """The ``/host`` subcommands that write chats (see the module docstring); a base of
    :class:`bot.discord_app.host_cog.HostCommands`, never a cog of its own."""

    services: Services

    async def chat_options(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        """This server's chats that contain what the moderator typed, next to happen first."""
        if not self.services.is_moderator(interaction.user):
            return []
        return await self.services.chat_choices(current, interaction.guild)

    async def zone_options(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        """Time zones by city or region, this server's most used first."""
        used = await self.services.zones_used(interaction.guild)
        now = self.services.now()
        return [
            app_commands.Choice(name=zone_label(zone, now), value=zone)
            for zone in zone_choices(current, used)
        ]

    @app_commands.command(name="new", description="Create a chat: these fields, then a form")
    @app_commands.describe(
        title="the chat's name as people see it",
        hashtag="one word after #, like #careerchat",
        start="the local date and time of the (first) chat, like 2027-01-12 19:00",
        timezone="the time zone of start: type a city, like Phoenix",
        repeat="once (the default), weekly, biweekly or monthly",
        interval="the time between questions, like 8m (the default)",
        channel="where the chat happens (default: this channel)",
    )
    @app_commands.choices(repeat=REPEAT_CHOICES)
    @app_commands.autocomplete(timezone=zone_options)
    async def new_chat(
        self,
        interaction: discord.Interaction,
        title: app_commands.Range[str, 1, 256],
        hashtag: app_commands.Range[str, 1, 100],
        start: app_commands.Range[str, 1, 40],
        timezone: app_commands.Range[str, 1, 64],
        repeat: app_commands.Choice[str] | None = None,
        interval: app_commands.Range[str, 1, 20] = "8m",
        channel: discord.TextChannel | None = None,
    ) -> None:
        """Create a chat: the short fields here, then a form for the questions, intro, closing
        and reflection prompts, checked like a chat file."""
        form = ChatForm(
            title=title,
            hashtag=hashtag,
            start=start,
            timezone=timezone,
            repeat=repeat.value if repeat is not None else "once",
            interval=interval,
            channel=_chat_channel(interaction, channel),
        )
        opened = await self.services.authoring.open_new(
            form, interaction.guild_id or 0, interaction.user.id
        )
        if isinstance(opened, Refused):
            await send_refused(interaction, opened)
            return
        await interaction.response.send_modal(ChatFormModal(opened))

    @app_commands.command(name="edit", description="Change a chat's questions, intro and closing")
    @app_commands.describe(chat="a chat created in Discord or uploaded")
    @app_commands.autocomplete(chat=chat_options)
    async def edit_chat(self, interaction: discord.Interaction, chat: str) -> None:
        """Open the chat's form filled in; a change re-plans a date that has not started (a
        run in progress keeps what it started with)."""
        draft = await self.services.authoring.open_edit(
            chat, interaction.guild_id or 0, interaction.user.id
        )
        await interaction.response.send_modal(ChatFormModal(draft))

    @app_commands.command(
        name="set", description="Change a chat's title, time, repeat, channel or suggestions"
    )
    @app_commands.describe(
        chat="a chat created in Discord or uploaded",
        title="the chat's name as people see it",
        start="the local date and time of the (first) chat, like 2027-01-12 19:00",
        timezone="the time zone of start: type a city, like Phoenix",
        repeat="once, weekly, biweekly or monthly",
        interval="the time between questions, like 8m",
        channel="where the chat happens",
        suggestions="where /chat suggest posts suggestions to upvote: chat or moderators",
    )
    @app_commands.choices(repeat=REPEAT_CHOICES, suggestions=SUGGESTIONS_CHOICES)
    @app_commands.autocomplete(chat=chat_options, timezone=zone_options)
    async def set_chat(
        self,
        interaction: discord.Interaction,
        chat: str,
        title: app_commands.Range[str, 1, 256] | None = None,
        start: app_commands.Range[str, 1, 40] | None = None,
        timezone: app_commands.Range[str, 1, 64] | None = None,
        repeat: app_commands.Choice[str] | None = None,
        interval: app_commands.Range[str, 1, 20] | None = None,
        channel: discord.TextChannel | None = None,
        suggestions: app_commands.Choice[str] | None = None,
    ) -> None:
        """Change the fields given; a date that has not started is re-planned as when its
        file changes (a run in progress keeps what it started with)."""
        given = (title, start, timezone, repeat, interval, channel, suggestions)
        if all(v is None for v in given):
            await reply(interaction, "⚠️ Give at least one field to change.")
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        outcome = await self.services.authoring.change(
            chat,
            title=title,
            start=start,
            timezone=timezone,
            repeat=None if repeat is None else repeat.value,
            interval=interval,
            channel=None if channel is None else channel.id,
            suggestions=None if suggestions is None else suggestions.value,
        )
        await self._answer(interaction, outcome, edited=True)

    @app_commands.command(name="export", description="Get a chat as a chat file (YAML)")
    @app_commands.describe(chat="the chat to export")
    @app_commands.autocomplete(chat=chat_options)
    async def export_chat(self, interaction: discord.Interaction, chat: str) -> None:
        """The chat as a file that `python -m bot validate` accepts and /host schedule uploads
        back to the same chat."""
        name, text = await self.services.authoring.export(chat)
        await interaction.response.send_message(
            f"📄 `{name}`: edit it, then upload it with /host schedule to change the chat.",
            file=discord.File(io.BytesIO(text.encode()), filename=name),
            ephemeral=True,
            allowed_mentions=NO_MENTIONS,
        )

    @app_commands.command(name="delete", description="Delete a chat created in Discord")
    @app_commands.describe(chat="a chat created in Discord or uploaded")
    @app_commands.autocomplete(chat=chat_options)
    async def delete_chat(self, interaction: discord.Interaction, chat: str) -> None:
        """Ask, then stop planning the chat: its next date and server event are cancelled, a
        run in progress finishes, past recaps stay."""
        spec = await self.services.authoring.database_chat(chat)
        unfinished = await self.services.store.occurrences(chat_id=chat, unfinished=True)
        lines = [f"Delete **{spec.title}** {spec.hashtag} (`{spec.id}`)?"]
        for occurrence in unfinished:
            if occurrence.run.phase in (Phase.SCHEDULED, Phase.ANNOUNCED):
                lines.append(
                    f"Its date {when(occurrence.run.start)} and its server event are cancelled."
                )
            else:
                lines.append("The run in progress finishes first; nothing is planned after it.")
        lines.append("Past recaps stay in the archive.")
        await interaction.response.send_message(
            "\n".join(lines),
            view=delete_view(chat),
            ephemeral=True,
            allowed_mentions=NO_MENTIONS,
        )

    @commands.Cog.listener("on_interaction")
    async def on_form_submitted(self, interaction: discord.Interaction) -> None:
        """A chat's form came back (before or after a restart): check it, save it or say
        what to fix."""
        if interaction.type is not discord.InteractionType.modal_submit:
            return
        data: Mapping[str, Any] = interaction.data or {}
        match = FORM_ID.fullmatch(str(data.get("custom_id", "")))
        if match is None:
            return
        values = submitted_values(data)

        async def submit(services: Services) -> None:
            await interaction.response.defer(ephemeral=True, thinking=True)
            draft_id = int(match["draft"])
            editing = (await services.authoring.draft(draft_id, interaction.user.id)).chat_id
            outcome = await services.authoring.submit(
                draft_id,
                interaction.user.id,
                questions=values.get("questions", ""),
                intro=values.get("intro", ""),
                closing=values.get("closing", ""),
                prompts=values.get("prompts", ""),
            )
            await self._answer(interaction, outcome, edited=editing is not None)

        await as_moderator(interaction, submit)

    async def _answer(
        self, interaction: discord.Interaction, outcome: Saved | Refused, *, edited: bool
    ) -> None:
        if isinstance(outcome, Refused):
            await send_refused(interaction, outcome, edited=edited)
            return
        await self.services.collector.refresh()
        await reply(interaction, saved_text(outcome, edited=edited))
