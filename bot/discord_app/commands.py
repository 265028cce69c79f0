"""The ``/chat`` slash commands. Each is thin: check, call the engine, reply.

Control commands are for moderators only, checked here in code (Discord's
default permissions can be changed by any server admin). Errors the core raises
on purpose (``ChatError``) become an ephemeral reply with their reason.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import TYPE_CHECKING

import discord
from discord import app_commands

from bot.chatfile import load_chat_text
from bot.core.errors import ChatError, ChatNotFound
from bot.core.plan import StepKind
from bot.core.run import Cancel, Control, Extend, Next, Pause, Resume, Run, Skip, Start, Stop
from bot.discord_app.diagnostics import check_chat_channels
from bot.runtime.queries import chat_spec, chat_status, upcoming

if TYPE_CHECKING:
    from bot.discord_app.services import Services

log = logging.getLogger(__name__)
NO_MENTIONS = discord.AllowedMentions.none()
MAX_REPLY = 1900


def services_of(interaction: discord.Interaction) -> Services:
    """The bot's services, from the client that received the interaction."""
    from bot.discord_app.client import ChatBot  # the client module imports this one

    client = interaction.client
    assert isinstance(client, ChatBot)
    return client.services


async def reply(interaction: discord.Interaction, text: str, *, ephemeral: bool = True) -> None:
    """Answer once (or follow up after a defer), within Discord's length limit, pinging nobody."""
    if len(text) > MAX_REPLY:
        text = text[: MAX_REPLY - 20] + "\n… (truncated)"
    if interaction.response.is_done():
        await interaction.followup.send(text, ephemeral=ephemeral, allowed_mentions=NO_MENTIONS)
    else:
        await interaction.response.send_message(
            text, ephemeral=ephemeral, allowed_mentions=NO_MENTIONS
        )


async def chat_autocomplete(
    interaction: discord.Interaction, current: str
) -> list[app_commands.Choice[str]]:
    """Chat ids that start with (or contain) what the user typed."""
    specs = await services_of(interaction).store.chat_specs()
    current = current.lower()
    matches = [s for s in specs if current in s.id or current in s.title.lower()]
    return [app_commands.Choice(name=f"{s.id} — {s.title}"[:100], value=s.id) for s in matches][:25]


def when(moment: object) -> str:
    """Discord's full timestamp for an aware datetime."""
    from datetime import datetime

    assert isinstance(moment, datetime)
    return f"<t:{int(moment.timestamp())}:F>"


def _next_post(run: Run) -> str:
    waiting = sorted((s for s in run.steps if run.waiting(s)), key=lambda s: s.due)
    upcoming = next((s for s in waiting if s.kind in (StepKind.QUESTION, StepKind.CLOSING)), None)
    if upcoming is None:
        return ""
    label = f"Q{upcoming.question}" if upcoming.question else "the closing"
    return f" Next: {label} <t:{int(upcoming.due.timestamp())}:R>."


def control_reply(chat: str, control: Control, run: Run) -> str:
    """What a moderator is told after a control succeeded."""
    if isinstance(control, Start):
        return f"▶️ {chat} is starting now (running)."
    if isinstance(control, Next):
        return f"⏭️ {chat}: the next question is being posted now.{_next_post(run)}"
    if isinstance(control, Pause):
        return f"⏸️ {chat} is paused; nothing is posted until /chat resume."
    if isinstance(control, Resume):
        return f"▶️ {chat} resumed.{_next_post(run)}"
    if isinstance(control, Extend):
        return f"⏱️ {chat}: {int(control.by.total_seconds() // 60)} more minute(s).{_next_post(run)}"
    if isinstance(control, Skip):
        return f"⏭️ {chat}: Q{control.question} skipped.{_next_post(run)}"
    if isinstance(control, Stop):
        recap = next((s for s in run.steps if s.kind is StepKind.RECAP), None)
        when_recap = f" <t:{int(recap.due.timestamp())}:R>" if recap else ""
        return f"🏁 {chat} is closing now; the recap follows{when_recap}."
    return f"🚫 {chat}: the next occurrence is cancelled; a recurring chat goes on next time."


class ChatCommands(app_commands.Group):
    """/chat …: schedule and run Twitter-style Q1/A1 chats."""

    def __init__(self) -> None:
        super().__init__(name="chat", description="Schedule and run Twitter-style Q1/A1 chats")

    async def on_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        """Turn the core's named errors into a reply; log anything unexpected."""
        original = getattr(error, "original", error)
        if isinstance(original, ChatError):
            await reply(interaction, f"⚠️ {original}")
            return
        log.error("/chat command failed", exc_info=original)
        await reply(interaction, "⚠️ Something went wrong; the error is in the bot's log.")

    async def _control(self, interaction: discord.Interaction, chat: str, control: Control) -> None:
        services = services_of(interaction)
        services.require_moderator(interaction.user)
        run = await services.engine.control(chat, control)
        await reply(interaction, control_reply(chat, control, run))

    @app_commands.command(name="start", description="Start a scheduled chat now")
    @app_commands.describe(chat="the chat's id")
    @app_commands.autocomplete(chat=chat_autocomplete)
    async def start(self, interaction: discord.Interaction, chat: str) -> None:
        """Start the chat's next occurrence now (reminders not yet posted are skipped)."""
        await self._control(interaction, chat, Start(str(interaction.user.id)))

    @app_commands.command(name="next", description="Post the next question now")
    @app_commands.autocomplete(chat=chat_autocomplete)
    async def next_question(self, interaction: discord.Interaction, chat: str) -> None:
        """Post the next question at once; later questions keep their spacing."""
        await self._control(interaction, chat, Next(str(interaction.user.id)))

    @app_commands.command(
        name="pause", description="Hold the chat: no question is posted until resumed"
    )
    @app_commands.autocomplete(chat=chat_autocomplete)
    async def pause(self, interaction: discord.Interaction, chat: str) -> None:
        """Pause the live chat."""
        await self._control(interaction, chat, Pause(str(interaction.user.id)))

    @app_commands.command(name="resume", description="Continue a paused chat")
    @app_commands.autocomplete(chat=chat_autocomplete)
    async def resume(self, interaction: discord.Interaction, chat: str) -> None:
        """Resume; the remaining questions keep their spacing."""
        await self._control(interaction, chat, Resume(str(interaction.user.id)))

    @app_commands.command(name="extend", description="Give the current question more time")
    @app_commands.describe(minutes="how many minutes to add (1-180)")
    @app_commands.autocomplete(chat=chat_autocomplete)
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
    @app_commands.autocomplete(chat=chat_autocomplete)
    async def skip(
        self, interaction: discord.Interaction, chat: str, question: app_commands.Range[int, 1, 99]
    ) -> None:
        """Skip a future question; later questions move up into its slot."""
        await self._control(interaction, chat, Skip(str(interaction.user.id), question))

    @app_commands.command(
        name="stop", description="Close the chat now (closing, late answers, recap)"
    )
    @app_commands.autocomplete(chat=chat_autocomplete)
    async def stop(self, interaction: discord.Interaction, chat: str) -> None:
        """Close now; the recap follows the late-answer window."""
        await self._control(interaction, chat, Stop(str(interaction.user.id)))

    @app_commands.command(name="cancel", description="Call off the next occurrence")
    @app_commands.autocomplete(chat=chat_autocomplete)
    async def cancel(self, interaction: discord.Interaction, chat: str) -> None:
        """Cancel an occurrence that has not started; a recurring chat goes on next time."""
        await self._control(interaction, chat, Cancel(str(interaction.user.id)))

    @app_commands.command(
        name="schedule", description="Schedule a chat from CHATS_DIR or an uploaded YAML file"
    )
    @app_commands.describe(chat="a chat id from the chat files", file="a chat file (.yaml)")
    @app_commands.autocomplete(chat=chat_autocomplete)
    async def schedule(
        self,
        interaction: discord.Interaction,
        chat: str | None = None,
        file: discord.Attachment | None = None,
    ) -> None:
        """Schedule a chat; validation problems come back as file:line:column lines."""
        services = services_of(interaction)
        services.require_moderator(interaction.user)
        await interaction.response.defer(ephemeral=True, thinking=True)
        if file is not None:
            if file.size > 256_000:
                await reply(interaction, "⚠️ That file is too large for a chat file (256 KB max).")
                return
            text = (await file.read()).decode("utf-8", errors="replace")
            loaded = load_chat_text(text, file.filename, services.now())
            if loaded.spec is None or any(p.severity == "error" for p in loaded.problems):
                problems = "\n".join(str(p) for p in loaded.problems)
                await reply(interaction, f"⚠️ {file.filename} has problems:\n```\n{problems}\n```")
                return
            spec = loaded.spec.__class__(**{**loaded.spec.__dict__, "source": None})
        elif chat is not None:
            chats = services.load_chat_files()
            if chat not in chats.specs:
                problems = "\n".join(str(p) for p in chats.problems)
                raise ChatNotFound(f"no valid chat {chat!r} in the chat files\n{problems}".strip())
            spec = chats.specs[chat]
        else:
            await reply(interaction, "⚠️ Give a chat id or attach a chat file.")
            return
        occurrence = await services.engine.schedule_chat(spec)
        await services.collector.refresh()
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

    @app_commands.command(name="list", description="Upcoming chats")
    async def list_chats(self, interaction: discord.Interaction) -> None:
        """Every upcoming occurrence, in each reader's own time zone."""
        services = services_of(interaction)
        found = await upcoming(services.store, services.now())
        if not found:
            await reply(interaction, "No chats are scheduled. Moderators: /chat schedule.")
            return
        lines = [
            f"• **{u.title}** (`{u.chat_id}`) {when(u.start)}" + ("" if u.planned else " (repeats)")
            for u in found[:30]
        ]
        await reply(interaction, "\n".join(lines))

    @app_commands.command(name="status", description="State, current question, answers so far")
    @app_commands.autocomplete(chat=chat_autocomplete)
    async def status(self, interaction: discord.Interaction, chat: str) -> None:
        """Where the chat stands."""
        status = await chat_status(services_of(interaction).store, chat)
        if status.phase is None:
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

    @app_commands.command(name="recap", description="Post the latest recap of a chat again")
    @app_commands.autocomplete(chat=chat_autocomplete)
    async def recap(self, interaction: discord.Interaction, chat: str) -> None:
        """Post the chat's latest recap again in its channel."""
        services = services_of(interaction)
        services.require_moderator(interaction.user)
        await interaction.response.defer(ephemeral=True, thinking=True)
        await chat_spec(services.store, chat)
        posted = await services.engine.repost_recap(chat)
        await reply(interaction, f"✅ Recap posted again (message {posted}).")

    @app_commands.command(name="reload", description="Re-read the chat files")
    async def reload(self, interaction: discord.Interaction) -> None:
        """Re-read CHATS_DIR and report each file; live chats are never disturbed."""
        services = services_of(interaction)
        services.require_moderator(interaction.user)
        await interaction.response.defer(ephemeral=True, thinking=True)
        chats = await services.reload()
        lines = []
        for result in chats.results:
            errors = [p for p in result.problems if p.severity == "error"]
            mark = "⚠️" if errors else "✅"
            lines.append(
                f"{mark} {result.path}" + (f": {len(errors)} problem(s)" if errors else "")
            )
            lines.extend(f"    {p}" for p in result.problems)
        # Paths relative to CHATS_DIR read better in Discord than absolute ones.
        prefix = f"{services.settings.chats_dir}/"
        text = "\n".join(lines).replace(prefix, "")
        await reply(interaction, text or "No chat files found.")

    @app_commands.command(
        name="check", description="Diagnose the bot's permissions in each chat's channel"
    )
    async def check(self, interaction: discord.Interaction) -> None:
        """Every permission the bot needs per chat channel, and the fix for each one missing."""
        services = services_of(interaction)
        services.require_moderator(interaction.user)
        report = await check_chat_channels(interaction.client, services)
        await reply(interaction, "\n".join(report))

    @app_commands.command(name="optout", description="Don't name or quote me in recaps")
    async def optout(self, interaction: discord.Interaction) -> None:
        """Your answers still count, but recaps never name or quote you."""
        services = services_of(interaction)
        user = interaction.user
        await services.store.set_opt_out(user.id, user.display_name, True, services.now())
        await reply(interaction, "✅ Recaps will not name or quote you. /chat optin undoes this.")

    @app_commands.command(name="optin", description="Recaps may name and quote me again")
    async def optin(self, interaction: discord.Interaction) -> None:
        """Undo /chat optout."""
        services = services_of(interaction)
        user = interaction.user
        await services.store.set_opt_out(user.id, user.display_name, False, services.now())
        await reply(interaction, "✅ Recaps may name and quote you again.")

    @app_commands.command(
        name="forget-me", description="Delete every answer the bot stored from me"
    )
    async def forget_me(self, interaction: discord.Interaction) -> None:
        """Delete your stored answers; says how many."""
        services = services_of(interaction)
        request = await services.store.forget_user(interaction.user.id, services.now())
        removed = request.messages
        await reply(interaction, f"✅ Deleted {removed} stored message(s) of yours.")
