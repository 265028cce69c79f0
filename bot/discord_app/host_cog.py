"""``/host``: what moderators do: schedule chats and run them.

Discord shows ``/host`` only to members with Manage Events (its
``default_member_permissions``), but a server's admins can change who sees it; so the bot
checks too, once for every command here, in :meth:`HostCommands.interaction_check`:
Manage Events, Manage Server, Administrator or ``MODERATOR_ROLE``
(:meth:`bot.discord_app.services.Services.is_moderator`). Each command is thin: call the
engine, reply. The commands that write chats (new, edit, set, export, delete) are in
:mod:`bot.discord_app.authoring`, ``/host poll`` in :mod:`bot.discord_app.poll_commands`. Errors the core raises on purpose become a reply in
:class:`bot.discord_app.tree.ChatTree`.
"""

from __future__ import annotations

import dataclasses
import re
from datetime import timedelta

import discord
from discord import app_commands
from discord.ext import commands

from bot.chatfile import load_chat_text
from bot.core.errors import ChatNotFound, NotAModerator
from bot.core.run import Cancel, Control, Extend, Next, Pause, Resume, Skip, Start, Stop
from bot.core.spec import ChatSpec
from bot.discord_app import people_commands
from bot.discord_app.authoring import AuthoringCommands
from bot.discord_app.diagnostics import check_chat_channels
from bot.discord_app.poll_commands import PollCommands
from bot.discord_app.replies import (
    control_reply,
    forget_and_tell,
    reply,
    when,
)
from bot.discord_app.services import Services
from bot.discord_app.suggestion_review import ReviewCommand
from bot.runtime.queries import chat_spec

#: The largest chat file ``/host schedule`` takes as an attachment.
MAX_CHAT_FILE = 256_000


@app_commands.default_permissions(manage_events=True)
class HostCommands(
    AuthoringCommands,
    PollCommands,
    ReviewCommand,
    commands.GroupCog,
    group_name="host",
    group_description="Schedule and run Q1/A1 chats (moderators)",
):
    """/host …: for moderators."""

    def __init__(self, services: Services) -> None:
        self.services = services

    async def interaction_check(self, interaction: discord.Interaction, /) -> bool:
        """Moderators only, for every /host command (the reason is the reply)."""
        try:
            self.services.require_moderator(interaction.user)
        except NotAModerator as refused:
            raise app_commands.CheckFailure(str(refused)) from refused
        return True

    async def chat_ids(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        """This server's chats that contain what the moderator typed, next to happen first."""
        return await self.services.chat_choices(current, interaction.guild)

    async def _control(self, interaction: discord.Interaction, chat: str, control: Control) -> None:
        run = await self.services.engine.control(chat, control)
        await reply(interaction, control_reply(chat, control, run))

    @app_commands.command(
        name="schedule", description="Schedule a chat from CHATS_DIR or an uploaded YAML file"
    )
    @app_commands.describe(chat="a chat id from the chat files", file="a chat file (.yaml)")
    @app_commands.autocomplete(chat=chat_ids)
    async def schedule(
        self,
        interaction: discord.Interaction,
        chat: str | None = None,
        file: discord.Attachment | None = None,
    ) -> None:
        """Schedule a chat; validation problems come back as file:line:column lines."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        if file is not None:
            spec = await self._uploaded(interaction, file)
        elif chat is not None:
            chats = self.services.load_chat_files()
            if chat not in chats.specs:
                problems = "\n".join(str(p) for p in chats.problems)
                raise ChatNotFound(f"no valid chat {chat!r} in the chat files\n{problems}".strip())
            spec = chats.specs[chat]
        else:
            await reply(interaction, "⚠️ Give a chat id or attach a chat file.")
            return
        if spec is None:
            return
        occurrence = await self.services.engine.schedule_chat(spec)
        await self.services.collector.refresh()
        if occurrence is None:
            await reply(
                interaction, f"⚠️ {spec.id} has no future occurrence (its start has passed)."
            )
            return
        await reply(
            interaction,
            f"✅ {spec.title} {spec.hashtag} is scheduled for {when(occurrence.run.start)} "
            f"in <#{spec.channel}>.",
        )

    async def _uploaded(
        self, interaction: discord.Interaction, file: discord.Attachment
    ) -> ChatSpec | None:
        """The chat an uploaded file describes; None (the problems told) when it has none."""
        if file.size > MAX_CHAT_FILE:
            await reply(interaction, "⚠️ That file is too large for a chat file (256 KB max).")
            return None
        text = (await file.read()).decode("utf-8", errors="replace")
        loaded = load_chat_text(text, file.filename, self.services.now())
        if loaded.spec is None or any(p.severity == "error" for p in loaded.problems):
            problems = "\n".join(str(p) for p in loaded.problems)
            await reply(interaction, f"⚠️ {file.filename} has problems:\n```\n{problems}\n```")
            return None
        return dataclasses.replace(loaded.spec, source=None)

    @app_commands.command(name="start", description="Start a scheduled chat now")
    @app_commands.describe(chat="the chat's id")
    @app_commands.autocomplete(chat=chat_ids)
    async def start(self, interaction: discord.Interaction, chat: str) -> None:
        """Start the chat's next occurrence now (reminders not yet posted are skipped)."""
        await self._control(interaction, chat, Start(str(interaction.user.id)))

    @app_commands.command(name="next", description="Post the next question now")
    @app_commands.autocomplete(chat=chat_ids)
    async def next_question(self, interaction: discord.Interaction, chat: str) -> None:
        """Post the next question at once; later questions keep their spacing."""
        await self._control(interaction, chat, Next(str(interaction.user.id)))

    @app_commands.command(
        name="pause", description="Hold the chat: no question is posted until resumed"
    )
    @app_commands.autocomplete(chat=chat_ids)
    async def pause(self, interaction: discord.Interaction, chat: str) -> None:
        """Pause the live chat."""
        await self._control(interaction, chat, Pause(str(interaction.user.id)))

    @app_commands.command(name="resume", description="Continue a paused chat")
    @app_commands.autocomplete(chat=chat_ids)
    async def resume(self, interaction: discord.Interaction, chat: str) -> None:
        """Resume; the remaining questions keep their spacing."""
        await self._control(interaction, chat, Resume(str(interaction.user.id)))

    @app_commands.command(name="extend", description="Give the current question more time")
    @app_commands.describe(minutes="how many minutes to add (1-180)")
    @app_commands.autocomplete(chat=chat_ids)
    async def extend(
        self,
        interaction: discord.Interaction,
        chat: str,
        minutes: app_commands.Range[int, 1, 180] = 2,
    ) -> None:
        """Add minutes to the current question; everything after moves with it."""
        control = Extend(str(interaction.user.id), timedelta(minutes=minutes))
        await self._control(interaction, chat, control)

    @app_commands.command(name="skip", description="Drop a question that has not been posted")
    @app_commands.describe(question="the question's number")
    @app_commands.autocomplete(chat=chat_ids)
    async def skip(
        self, interaction: discord.Interaction, chat: str, question: app_commands.Range[int, 1, 99]
    ) -> None:
        """Skip a future question; later questions move up into its slot."""
        await self._control(interaction, chat, Skip(str(interaction.user.id), question))

    @app_commands.command(
        name="stop", description="Close the chat now (closing, late answers, recap)"
    )
    @app_commands.autocomplete(chat=chat_ids)
    async def stop(self, interaction: discord.Interaction, chat: str) -> None:
        """Close now; the recap follows the late-answer window."""
        await self._control(interaction, chat, Stop(str(interaction.user.id)))

    @app_commands.command(name="cancel", description="Call off the next occurrence")
    @app_commands.autocomplete(chat=chat_ids)
    async def cancel(self, interaction: discord.Interaction, chat: str) -> None:
        """Cancel an occurrence that has not started; a recurring chat goes on next time."""
        await self._control(interaction, chat, Cancel(str(interaction.user.id)))

    @app_commands.command(name="recap", description="Post the latest recap of a chat again")
    @app_commands.autocomplete(chat=chat_ids)
    async def recap(self, interaction: discord.Interaction, chat: str) -> None:
        """Post the chat's latest recap again in its channel."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        await chat_spec(self.services.store, chat)
        posted = await self.services.engine.repost_recap(chat)
        await reply(interaction, f"✅ Recap posted again (message {posted}).")

    @app_commands.command(name="reload", description="Re-read the chat files")
    async def reload(self, interaction: discord.Interaction) -> None:
        """Re-read CHATS_DIR and report each file; live chats are never disturbed."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        chats = await self.services.reload()
        lines = []
        for result in chats.results:
            errors = [p for p in result.problems if p.severity == "error"]
            mark = "⚠️" if errors else "✅"
            lines.append(
                f"{mark} {result.path}" + (f": {len(errors)} problem(s)" if errors else "")
            )
            lines.extend(f"    {p}" for p in result.problems)
        # Paths relative to CHATS_DIR read better in Discord than absolute ones.
        prefix = f"{self.services.settings.chats_dir}/"
        text = "\n".join(lines).replace(prefix, "")
        await reply(interaction, text or "No chat files found.")

    @app_commands.command(
        name="check", description="Diagnose the bot's permissions in each chat's channel"
    )
    async def check(self, interaction: discord.Interaction) -> None:
        """Every permission the bot needs per chat channel, and the fix for each one missing."""
        report = await check_chat_channels(interaction.client, self.services)
        await reply(interaction, "\n".join(report))

    @app_commands.command(
        name="forget-user", description="Erase a person's stored messages at their request"
    )
    @app_commands.describe(member="the member, their @mention, or their user id (if they left)")
    async def forget_user(self, interaction: discord.Interaction, member: str) -> None:
        """Do what /chat forget-me does, for someone who asked another way (works with the
        id of someone who left the server). The moderation timeline records it without
        their name."""
        user_id = user_id_of(member)
        if user_id is None:
            await reply(
                interaction,
                "⚠️ member: give a member's @mention or their user id (digits only, e.g. "
                "123456789012345678; Developer Mode > right-click > Copy User ID).",
            )
            return
        await forget_and_tell(
            interaction,
            self.services.runtime.consent,
            user_id,
            moderator=True,
            applied_note=" Recorded in the moderation timeline without their name.",
        )

    @app_commands.command(name="stats", description="A chat's community over time, with a chart")
    @app_commands.describe(chat="the chat's id")
    @app_commands.autocomplete(chat=chat_ids)
    async def stats(self, interaction: discord.Interaction, chat: str) -> None:
        """Participants, newcomers and returning people per occurrence, the returning voices
        and the recurring themes; the chart attached."""
        await people_commands.stats(self.services, interaction, chat)


def user_id_of(text: str) -> int | None:
    """A user id from ``<@123>``, ``<@!123>`` or ``123`` (a Discord snowflake), else None."""
    match = re.fullmatch(r"\s*(?:<@!?(\d{15,21})>|(\d{15,21}))\s*", text)
    if match is None:
        return None
    return int(match.group(1) or match.group(2))
