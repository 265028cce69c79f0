"""``/chat``: what every member may do: see what is on, and decide their part in recaps.

Each command is thin: a query or a store call, then one ephemeral reply. Errors the core
raises on purpose become a reply in :class:`bot.discord_app.tree.ChatTree`.
"""

from __future__ import annotations

import io
from typing import Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord_app import people_commands
from bot.discord_app.diagnostics import check_chat_channels
from bot.discord_app.replies import (
    NO_MENTIONS,
    forget_and_tell,
    reply,
    when,
)
from bot.discord_app.services import Services
from bot.discord_app.suggestions import SuggestCommand
from bot.render.my_data import render_my_data
from bot.runtime.queries import chat_status, upcoming


class ChatCommands(
    SuggestCommand,
    commands.GroupCog,
    group_name="chat",
    group_description="Twitter-style Q1/A1 chats: what is on, and your part in the recaps",
):
    """/chat …: for everyone."""

    def __init__(self, services: Services) -> None:
        self.services = services

    async def chat_ids(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        """This server's chats that contain what the user typed, next to happen first."""
        return await self.services.chat_choices(current, interaction.guild)

    @app_commands.command(name="list", description="Upcoming chats")
    async def list_chats(self, interaction: discord.Interaction) -> None:
        """Every upcoming occurrence, in each reader's own time zone."""
        found = await upcoming(self.services.store, self.services.now())
        if not found:
            await reply(interaction, "No chats are scheduled. Moderators: /host schedule.")
            return
        lines = [
            f"• **{u.title}** (`{u.chat_id}`) {when(u.start)}" + ("" if u.planned else " (repeats)")
            for u in found[:30]
        ]
        await reply(interaction, "\n".join(lines))

    @app_commands.command(name="status", description="State, current question, answers so far")
    @app_commands.describe(chat="the chat's id")
    @app_commands.autocomplete(chat=chat_ids)
    async def status(self, interaction: discord.Interaction, chat: str) -> None:
        """Where the chat stands."""
        status = await chat_status(self.services.store, chat)
        if status.phase is None or status.start is None:
            await reply(interaction, f"{status.spec.title}: nothing planned.")
            return
        lines = [
            f"**{status.spec.title}** {status.spec.hashtag}: {status.phase.value.replace('_', ' ')}",
            f"Start: {when(status.start)}",
            f"Current question: Q{status.current_question} of {len(status.spec.questions)}",
            f"Answers so far: {status.answers} from {status.participants} participants",
        ]
        if status.next_step and status.next_due:
            lines.append(f"Next: {status.next_step} <t:{int(status.next_due.timestamp())}:R>")
        await reply(interaction, "\n".join(lines))

    @app_commands.command(
        name="check", description="Moderators: the bot's permissions in each chat's channel"
    )
    async def check(self, interaction: discord.Interaction) -> None:
        """``/host check`` under the name the polls issue gives it (Send Polls among the
        permissions listed): for moderators only, checked here, since ``/chat`` is shown to
        everyone. The report names channels and permissions, so members never see it."""
        self.services.require_moderator(interaction.user)
        report = await check_chat_channels(interaction.client, self.services)
        await reply(interaction, "\n".join(report))

    @app_commands.command(name="optout", description="Don't name or quote me in recaps")
    async def optout(self, interaction: discord.Interaction) -> None:
        """Your answers still count, but recaps never name or quote you."""
        user = interaction.user
        await self.services.store.set_opt_out(user.id, user.display_name, True, self.services.now())
        await self.services.runtime.suggestions.person_changed(user.id)
        self.services.runtime.publisher.everything_changed()
        await reply(interaction, "✅ Recaps will not name or quote you. /chat optin undoes this.")

    @app_commands.command(name="optin", description="Recaps may name and quote me again")
    async def optin(self, interaction: discord.Interaction) -> None:
        """Undo /chat optout."""
        user = interaction.user
        await self.services.store.set_opt_out(
            user.id, user.display_name, False, self.services.now()
        )
        await self.services.runtime.suggestions.person_changed(user.id)
        self.services.runtime.publisher.everything_changed()
        await reply(interaction, "✅ Recaps may name and quote you again.")

    @app_commands.command(
        name="forget-me", description="Delete everything the bot stored of mine, for good"
    )
    async def forget_me(self, interaction: discord.Interaction) -> None:
        """Delete your stored answers, reactions, takeaways and name, and withdraw them from
        published recaps; your old messages are never stored again. Says how many."""
        await forget_and_tell(interaction, self.services.runtime.consent, interaction.user.id)

    @app_commands.command(name="my-data", description="Everything the bot stores about me")
    async def my_data(self, interaction: discord.Interaction) -> None:
        """Get my-data.json: every answer, edit, reaction, takeaway and consent record the
        bot stores about you, with the chats and dates; nothing about anyone else."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        data = await self.services.runtime.consent.my_data(interaction.user.id)
        if data.empty:
            await reply(interaction, "The bot stores nothing about you.")
            return
        files = render_my_data(data)
        summary = (
            f"📦 Everything the bot stores about you: {len(data.messages)} message part(s), "
            f"{len(data.reactions)} reaction(s) and your consent records"
            + (f", in {len(files)} files" if len(files) > 1 else "")
            + ". Nothing about anyone else."
        )
        for number, (name, body) in enumerate(files):
            await interaction.followup.send(
                summary if number == 0 else f"Part {number + 1} of {len(files)}",
                file=discord.File(io.BytesIO(body), filename=name),
                ephemeral=True,
                allowed_mentions=NO_MENTIONS,
            )

    @app_commands.command(name="people", description="Who to follow on a topic, across our chats")
    @app_commands.describe(
        topic="words to look for in answers and their questions (none: the last 90 days)",
        chat="only this chat's id",
    )
    @app_commands.autocomplete(chat=chat_ids)
    async def people(
        self, interaction: discord.Interaction, topic: str | None = None, chat: str | None = None
    ) -> None:
        """The 5 people whose answers on a topic drew the most engagement, with their best
        answers."""
        await people_commands.people(self.services, interaction, topic, chat)

    @app_commands.command(name="profile", description="Your public profile page in the archive")
    @app_commands.describe(
        visibility="public: a page in the archive; off: no page (the default)",
        bio="a short bio, up to 200 characters",
        link="one link (https://...)",
    )
    async def profile(
        self,
        interaction: discord.Interaction,
        visibility: Literal["public", "off"],
        bio: str | None = None,
        link: str | None = None,
    ) -> None:
        """Choose whether the archive has a page about you: your answers, links and bio."""
        await people_commands.profile(self.services, interaction, visibility, bio, link)
