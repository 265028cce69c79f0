"""Questions from the community in Discord: ``/chat suggest`` and the 👍 votes.

* :class:`SuggestCommand` is a base of :class:`bot.discord_app.chat_cog.ChatCommands` (so
  ``/chat suggest`` is a ``/chat`` subcommand): it records the suggestion through
  :class:`bot.runtime.suggestions.Suggestions` and posts it, mentions off, where the chat
  file's ``suggestions.post_in`` says, with a 👍 for members to upvote.
* ``/host suggestions`` and its persistent buttons are in
  :mod:`bot.discord_app.suggestion_review`.
* :class:`SuggestionVotes` (a cog) counts 👍 added and removed on suggestions' messages, and
  at every connection reads the 👍 of the open ones again (votes cast while the bot was down).
"""

from __future__ import annotations

import logging

import discord
from discord import app_commands
from discord.ext import commands

from bot.core.errors import ChatNotFound
from bot.core.recap.text import defuse_mentions
from bot.core.spec import ChatSpec
from bot.core.suggestions import UPVOTE, Suggestion
from bot.discord_app.forms import services_of
from bot.discord_app.replies import NO_MENTIONS, reply
from bot.discord_app.services import Services

log = logging.getLogger(__name__)


def _quote(text: str) -> str:
    return "\n".join(f"> {line}" for line in defuse_mentions(text).splitlines() or [""])


def suggestion_post(spec: ChatSpec, suggestion: Suggestion) -> str:
    """The message members upvote: the question, quoted, and how to vote."""
    return (
        f"💡 **A question suggested for {spec.title}** {spec.hashtag} "
        f"(suggestion {suggestion.suggestion_id})\n{_quote(suggestion.text)}\n"
        f"-# React with {UPVOTE} to upvote it: moderators pick from the most upvoted for the "
        "next chat. Suggest one with /chat suggest."
    )


def message_link(guild_id: int | None, suggestion: Suggestion) -> str:
    """A jump link to the suggestion's message ('' when it was not posted)."""
    if guild_id is None or suggestion.message_id is None or suggestion.channel_id is None:
        return ""
    return (
        f"https://discord.com/channels/{guild_id}/{suggestion.channel_id}/{suggestion.message_id}"
    )


async def chat_of_this_server(
    services: Services, chat_id: str, guild: discord.Guild | None
) -> ChatSpec:
    """The chat, if it is one of this server's (a chat of another server is not found: its
    channels are not for this server's members)."""
    spec = await services.runtime.suggestions.chat(chat_id)
    if not services.of_guild(spec, guild):
        raise ChatNotFound(f"no chat {chat_id!r} in this server; /chat list shows the chats")
    return spec


# --- /chat suggest ----------------------------------------------------------------------------


class SuggestCommand(commands.Cog):
    """``/chat suggest`` (see the module docstring); a base of
    :class:`bot.discord_app.chat_cog.ChatCommands`, never a cog of its own."""

    services: Services

    async def suggest_chats(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        """This server's chats that contain what the member typed, next to happen first."""
        return await self.services.chat_choices(current, interaction.guild)

    @app_commands.command(name="suggest", description="Suggest a question for a chat's next time")
    @app_commands.describe(chat="the chat's id", question="the question you suggest")
    @app_commands.autocomplete(chat=suggest_chats)
    async def suggest(
        self,
        interaction: discord.Interaction,
        chat: str,
        question: app_commands.Range[str, 1, 2000],
    ) -> None:
        """Suggest a question for the chat; members upvote it with 👍 and moderators may
        add it to the next chat, credited to you (unless you opted out). At most 5 open
        suggestions per chat."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        user = interaction.user
        suggestions = self.services.runtime.suggestions
        await chat_of_this_server(self.services, chat, interaction.guild)
        suggestion, spec = await suggestions.suggest(chat, user.id, user.display_name, question)
        channel = interaction.client.get_channel(spec.suggestions_channel)
        where = ""
        if isinstance(channel, discord.TextChannel | discord.Thread):
            try:
                message = await channel.send(
                    suggestion_post(spec, suggestion), allowed_mentions=NO_MENTIONS
                )
                await suggestions.posted(suggestion, channel.id, message.id)
                where = (
                    f" It is posted in <#{channel.id}> for members to upvote with {UPVOTE}."
                    if spec.suggestions.post_in == "chat"
                    else " Moderators see it with the others and upvotes."
                )
                try:
                    await message.add_reaction(UPVOTE)
                except discord.HTTPException as error:
                    log.info("suggestion %s: no 👍 added: %s", suggestion.suggestion_id, error)
            except discord.HTTPException as error:
                log.warning("suggestion %s: not posted: %s", suggestion.suggestion_id, error)
        await reply(
            interaction,
            f"✅ Thanks! Your question is suggested for **{spec.title}** {spec.hashtag}."
            + where
            + " If moderators approve it, it is asked at the next chat with your name "
            "(none if you opted out with /chat optout).",
        )


# --- votes ------------------------------------------------------------------------------------


class SuggestionVotes(commands.Cog):
    """Counts 👍 on suggestions' messages (see the module docstring)."""

    def __init__(self, client: discord.Client) -> None:
        self.client = client

    def _services(self) -> Services:
        return services_of(self.client)

    async def cog_load(self) -> None:
        """Let the runtime delete the messages of forgotten people's suggestions."""
        self._services().runtime.suggestions.delete_message = self.delete_message

    async def delete_message(self, channel_id: int, message_id: int) -> bool:
        """Delete one of the bot's messages; True when it is gone (deleted, or was)."""
        channel = self.client.get_channel(channel_id)
        if not isinstance(channel, discord.TextChannel | discord.Thread):
            return True  # the channel is gone, and the message with it
        try:
            await channel.get_partial_message(message_id).delete()
        except discord.NotFound:
            return True
        except discord.HTTPException as error:
            log.warning("suggestion message %s: not deleted yet: %s", message_id, error)
            return False
        return True

    def _is_me(self, user_id: int) -> bool:
        return self.client.user is not None and user_id == self.client.user.id

    @commands.Cog.listener()
    async def on_raw_reaction_add(self, payload: discord.RawReactionActionEvent) -> None:
        """A 👍 upvotes the suggestion of its message."""
        if self._is_me(payload.user_id) or str(payload.emoji) != UPVOTE:
            return
        await self._services().runtime.suggestions.vote(
            payload.message_id, payload.user_id, str(payload.emoji), True
        )

    @commands.Cog.listener()
    async def on_raw_reaction_remove(self, payload: discord.RawReactionActionEvent) -> None:
        """A 👍 taken back."""
        if str(payload.emoji) != UPVOTE:
            return
        await self._services().runtime.suggestions.vote(
            payload.message_id, payload.user_id, str(payload.emoji), False
        )

    @commands.Cog.listener()
    async def on_ready(self) -> None:
        """Read the 👍 of every open suggestion again (votes while the bot was down), and
        delete the messages of forgotten people's suggestions still left."""
        services = self._services()
        await services.runtime.suggestions.sweep()
        for message_id, channel_id in (await services.store.suggestion_messages()).items():
            channel = self.client.get_channel(channel_id)
            if not isinstance(channel, discord.TextChannel | discord.Thread):
                continue
            try:
                message = await channel.fetch_message(message_id)
                voters: set[int] = set()
                for reaction in message.reactions:
                    if str(reaction.emoji) == UPVOTE:
                        voters = {u.id async for u in reaction.users() if not u.bot}
                await services.runtime.suggestions.reconcile(message_id, voters)
            except discord.HTTPException as error:
                log.info("suggestion message %s: votes not read again: %s", message_id, error)
