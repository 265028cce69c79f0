"""``/host poll``: a live poll during a running chat. A mixin of
:class:`bot.discord_app.host_cog.HostCommands` (it shares its moderator check).

The poll goes in the chat's channel as a native Discord poll (as text with numbered reactions
where the bot lacks Send Polls), its votes are counted like a poll question's, and it appears
in the recap (its results) and in the moderation timeline. Without ``duration`` it stays open
until the recap, when the bot ends it; with one, Discord ends it then and the published recap
follows. Every limit is answered ephemerally with the fix.
"""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.core.errors import NotRunning
from bot.core.polls import live_poll
from bot.core.ports import Occurrence
from bot.discord_app.replies import reply
from bot.discord_app.services import Services
from bot.runtime.polls import LIVE_PHASES


class PollCommands(commands.Cog):
    """``/host poll`` (see the module docstring); a base of HostCommands, never a cog alone."""

    services: Services

    @app_commands.command(name="poll", description="Post a live poll in a running chat")
    @app_commands.describe(
        question="the poll's question (the chat's hashtag is added)",
        options="2 to 10 options separated by | (like: yes | no | not sure), 55 characters each",
        multiple="may members pick several options? (no by default)",
        duration="how long it stays open, whole hours like 1h or 2d (default: until the recap)",
        chat="the running chat (default: the one in this channel)",
    )
    async def poll(
        self,
        interaction: discord.Interaction,
        question: str,
        options: str,
        multiple: bool = False,
        duration: str | None = None,
        chat: str | None = None,
    ) -> None:
        """Post a poll in a running chat; its results go in the recap and its timeline."""
        occurrence = await self._running(interaction, chat)
        poll = live_poll(
            question, options, occurrence.spec.hashtag, multiple=multiple, duration=duration
        )
        await interaction.response.defer(ephemeral=True, thinking=True)
        record = await self.services.runtime.polls.post_live(
            occurrence.spec.id, poll, str(interaction.user.id)
        )
        until = (
            "until the recap, when I end it"
            if poll.end_with_recap
            else f"for {int(poll.duration.total_seconds() // 3600)} h"
        )
        how = " as text with numbered reactions (no Send Polls)" if record.reactions else ""
        await reply(
            interaction,
            f"✅ Poll posted in <#{record.channel_id}>{how}, open {until}; its results go in "
            "the recap.",
        )

    async def _running(self, interaction: discord.Interaction, chat: str | None) -> Occurrence:
        """The running occurrence the poll goes in: ``chat``'s, else the one in this channel
        (or its thread's parent), else the only one running in this server."""
        running = [
            o
            for o in await self.services.store.occurrences(unfinished=True)
            if o.run.phase in LIVE_PHASES and Services.of_guild(o.spec, interaction.guild)
        ]
        if chat is not None:
            running = [o for o in running if o.spec.id == chat]
            if not running:
                raise NotRunning(f"{chat} is not running; /host poll goes in a running chat")
            return running[0]
        here = interaction.channel
        channel_id = interaction.channel_id
        if isinstance(here, discord.Thread) and here.parent_id is not None:
            channel_id = here.parent_id
        in_channel = [o for o in running if o.spec.channel == channel_id]
        if in_channel:
            return in_channel[0]
        if len(running) == 1:
            return running[0]
        if not running:
            raise NotRunning("no chat is running; /host poll goes in a running chat")
        names = ", ".join(sorted({o.spec.id for o in running}))
        raise NotRunning(f"several chats are running ({names}); say which with chat:")
