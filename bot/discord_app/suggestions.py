"""Questions from the community in Discord: ``/chat suggest``, ``/host suggestions`` and its
persistent buttons, and the 👍 votes.

* :class:`SuggestCommand` is a base of :class:`bot.discord_app.chat_cog.ChatCommands` (so
  ``/chat suggest`` is a ``/chat`` subcommand): it records the suggestion through
  :class:`bot.runtime.suggestions.Suggestions` and posts it, mentions off, where the chat
  file's ``suggestions.post_in`` says, with a 👍 for members to upvote.
* :class:`ReviewCommand` is a base of :class:`bot.discord_app.host_cog.HostCommands` (so it
  shares the ``/host`` moderator check): ``/host suggestions`` answers with a page of the
  open suggestions, most upvoted first, each with Approve, Approve at… and Reject buttons,
  and Previous/Next for the other pages.
* The buttons are :class:`discord.ui.DynamicItem` s registered with the bot
  (:data:`BUTTONS`): their ``custom_id`` names the suggestion (and the page), so a list sent
  before a restart still works. Buttons are not slash commands: the moderator check is made
  again (:func:`bot.discord_app.forms.as_moderator`).
* :class:`SuggestionVotes` (a cog) counts 👍 added and removed on suggestions' messages, and
  at every connection reads the 👍 of the open ones again (votes cast while the bot was down).
"""

from __future__ import annotations

import logging
import re
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.core.errors import ChatNotFound
from bot.core.recap.text import defuse_mentions
from bot.core.run import Phase
from bot.core.spec import ChatSpec
from bot.core.suggestions import UPVOTE, Suggestion
from bot.discord_app.forms import as_moderator, services_of
from bot.discord_app.replies import NO_MENTIONS, reply, when
from bot.discord_app.services import Services

log = logging.getLogger(__name__)

#: Suggestions per page of ``/host suggestions``: a row of buttons each, and one row to page.
PAGE_SIZE = 4
#: How much of a suggestion's text the list shows.
SHOWN = 300
#: The positions offered by "Approve at…" (Discord: 25 buttons a message).
MAX_PLACES = 24


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


# --- /host suggestions -----------------------------------------------------------------------


async def review_page(
    services: Services, chat_id: str, page: int, guild_id: int | None, note: str = ""
) -> tuple[str, discord.ui.View]:
    """A page of the chat's open suggestions (most upvoted first) and its buttons."""
    suggestions = services.runtime.suggestions
    spec = await suggestions.chat(chat_id)
    listed = await suggestions.review(chat_id)
    pages = max(1, -(-len(listed) // PAGE_SIZE))
    page = min(max(page, 1), pages)
    shown = listed[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    hidden = await services.store.opted_out()
    lines = [note] if note else []
    if not listed:
        lines.append(f"💡 {spec.title} {spec.hashtag} has no open suggestions.")
    else:
        lines.append(
            f"💡 **{spec.title}** {spec.hashtag}: {len(listed)} open suggestion(s), most "
            f"upvoted first (page {page} of {pages}). Approved ones join the next chat, after "
            "its own questions unless you pick a place."
        )
    view = discord.ui.View(timeout=None)
    for number, suggestion in enumerate(shown, start=(page - 1) * PAGE_SIZE + 1):
        text = suggestion.text if len(suggestion.text) <= SHOWN else suggestion.text[:SHOWN] + "…"
        who = "a member" if suggestion.author_id in hidden else suggestion.author_name
        link = message_link(guild_id, suggestion)
        lines.append(
            f"**{number}.** {UPVOTE} {suggestion.votes} · {defuse_mentions(text)} "
            f"— {discord.utils.escape_markdown(defuse_mentions(who or 'a member'))}"
            + (f" · [message]({link})" if link else "")
        )
        row = number - (page - 1) * PAGE_SIZE - 1
        view.add_item(ApproveButton(suggestion.suggestion_id, page, number, row))
        view.add_item(PlaceButton(suggestion.suggestion_id, page, number, row))
        view.add_item(RejectButton(suggestion.suggestion_id, page, number, row))
    if pages > 1:
        view.add_item(PageButton(chat_id, page - 1, "◀ Previous", disabled=page == 1))
        view.add_item(PageButton(chat_id, page + 1, "Next ▶", disabled=page == pages))
    return "\n".join(lines), view


class ReviewCommand(commands.Cog):
    """``/host suggestions`` (see the module docstring); a base of
    :class:`bot.discord_app.host_cog.HostCommands`, never a cog of its own."""

    services: Services

    async def review_chats(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        """This server's chats that contain what the moderator typed."""
        if not self.services.is_moderator(interaction.user):
            return []
        return await self.services.chat_choices(current, interaction.guild)

    @app_commands.command(
        name="suggestions", description="Review questions members suggested, most upvoted first"
    )
    @app_commands.describe(chat="the chat's id")
    @app_commands.autocomplete(chat=review_chats)
    async def suggestions(self, interaction: discord.Interaction, chat: str) -> None:
        """The chat's open suggestions, most upvoted first, with Approve (after the chat's
        own questions), Approve at… (pick the place) and Reject buttons, paged."""
        await chat_of_this_server(self.services, chat, interaction.guild)
        content, view = await review_page(self.services, chat, 1, interaction.guild_id)
        await interaction.response.send_message(
            content, view=view, ephemeral=True, allowed_mentions=NO_MENTIONS
        )


async def approved_note(services: Services, suggestion: Suggestion) -> str:
    """Where an approved suggestion is planned: its number and date in the next chat."""
    for occurrence in await services.store.occurrences(chat_id=suggestion.chat_id, unfinished=True):
        if occurrence.run.phase not in (Phase.SCHEDULED, Phase.ANNOUNCED):
            continue
        for number, question in enumerate(occurrence.spec.questions, start=1):
            if question.suggestion == suggestion.suggestion_id:
                return f"✅ Approved: it is Q{number} of the chat on {when(occurrence.run.start)}."
    return "✅ Approved: it joins the chat's next date once that is planned."


async def _update_list(
    interaction: discord.Interaction, services: Services, chat_id: str, page: int, note: str
) -> None:
    content, view = await review_page(services, chat_id, page, interaction.guild_id, note)
    await interaction.response.edit_message(
        content=content, view=view, allowed_mentions=NO_MENTIONS
    )


class ApproveButton(
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]],
    template=r"qachat:sugg-ok:(?P<id>[0-9]{1,18}):(?P<page>[0-9]{1,4})",
):
    """Approves a suggestion for the next chat, after its own questions."""

    def __init__(self, suggestion_id: int, page: int, number: int = 0, row: int = 0) -> None:
        super().__init__(
            discord.ui.Button(
                label=f"Approve {number}" if number else "Approve",
                style=discord.ButtonStyle.success,
                custom_id=f"qachat:sugg-ok:{suggestion_id}:{page}",
                row=row,
            )
        )
        self.suggestion_id, self.page = suggestion_id, page

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> ApproveButton:
        """The button of a list sent before (a restart too)."""
        return cls(int(match["id"]), int(match["page"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        """Approve, and show the list again with where it goes."""

        async def approve(services: Services) -> None:
            approved = await services.runtime.suggestions.approve(
                self.suggestion_id, interaction.user.id
            )
            note = await approved_note(services, approved)
            await _update_list(interaction, services, approved.chat_id, self.page, note)

        await as_moderator(interaction, approve)


class RejectButton(
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]],
    template=r"qachat:sugg-no:(?P<id>[0-9]{1,18}):(?P<page>[0-9]{1,4})",
):
    """Closes a suggestion without asking it."""

    def __init__(self, suggestion_id: int, page: int, number: int = 0, row: int = 0) -> None:
        super().__init__(
            discord.ui.Button(
                label=f"Reject {number}" if number else "Reject",
                style=discord.ButtonStyle.danger,
                custom_id=f"qachat:sugg-no:{suggestion_id}:{page}",
                row=row,
            )
        )
        self.suggestion_id, self.page = suggestion_id, page

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> RejectButton:
        """The button of a list sent before (a restart too)."""
        return cls(int(match["id"]), int(match["page"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        """Reject, and show the list again."""

        async def reject(services: Services) -> None:
            rejected = await services.runtime.suggestions.reject(
                self.suggestion_id, interaction.user.id
            )
            note = f"❌ Rejected suggestion {rejected.suggestion_id}."
            await _update_list(interaction, services, rejected.chat_id, self.page, note)

        await as_moderator(interaction, reject)


class PlaceButton(
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]],
    template=r"qachat:sugg-at:(?P<id>[0-9]{1,18}):(?P<page>[0-9]{1,4})",
):
    """Asks where in the next chat an approved suggestion goes."""

    def __init__(self, suggestion_id: int, page: int, number: int = 0, row: int = 0) -> None:
        super().__init__(
            discord.ui.Button(
                label=f"Approve {number} at…" if number else "Approve at…",
                style=discord.ButtonStyle.secondary,
                custom_id=f"qachat:sugg-at:{suggestion_id}:{page}",
                row=row,
            )
        )
        self.suggestion_id, self.page = suggestion_id, page

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> PlaceButton:
        """The button of a list sent before (a restart too)."""
        return cls(int(match["id"]), int(match["page"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        """Offer a place before each of the chat's own questions, or after them."""

        async def places(services: Services) -> None:
            suggestion = await services.runtime.suggestions.get(self.suggestion_id)
            spec = await services.runtime.suggestions.chat(suggestion.chat_id)
            own = len(spec.questions)
            view = discord.ui.View(timeout=None)
            for position in range(1, min(own, MAX_PLACES) + 1):
                view.add_item(PlacedButton(self.suggestion_id, position))
            view.add_item(PlacedButton(self.suggestion_id, 0))
            await reply_with_view(
                interaction,
                f"Where should suggestion {self.suggestion_id} go in the next "
                f"{spec.title} chat? (Before one of its {own} own question(s), or after them.)",
                view,
            )

        await as_moderator(interaction, places)


class PlacedButton(
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]],
    template=r"qachat:sugg-place:(?P<id>[0-9]{1,18}):(?P<position>[0-9]{1,3})",
):
    """Approves a suggestion before the chat's own question ``position`` (0: after them)."""

    def __init__(self, suggestion_id: int, position: int) -> None:
        super().__init__(
            discord.ui.Button(
                label=f"Before Q{position}" if position else "After its questions",
                style=discord.ButtonStyle.primary if position else discord.ButtonStyle.success,
                custom_id=f"qachat:sugg-place:{suggestion_id}:{position}",
            )
        )
        self.suggestion_id, self.position = suggestion_id, position

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> PlacedButton:
        """The button of a message sent before (a restart too)."""
        return cls(int(match["id"]), int(match["position"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        """Approve at that place; the message says where it is planned."""

        async def approve(services: Services) -> None:
            approved = await services.runtime.suggestions.approve(
                self.suggestion_id, interaction.user.id, self.position or None
            )
            await interaction.response.edit_message(
                content=await approved_note(services, approved),
                view=None,
                allowed_mentions=NO_MENTIONS,
            )

        await as_moderator(interaction, approve)


class PageButton(
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]],
    template=r"qachat:sugg-page:(?P<chat>[a-z0-9-]{2,63}):(?P<page>[0-9]{1,4})",
):
    """Shows another page of the list."""

    def __init__(
        self, chat_id: str, page: int, label: str = "Page", disabled: bool = False
    ) -> None:
        super().__init__(
            discord.ui.Button(
                label=label,
                style=discord.ButtonStyle.secondary,
                custom_id=f"qachat:sugg-page:{chat_id}:{max(page, 1)}",
                disabled=disabled,
                row=PAGE_SIZE,
            )
        )
        self.chat_id, self.page = chat_id, max(page, 1)

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> PageButton:
        """The button of a list sent before (a restart too)."""
        return cls(match["chat"], int(match["page"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        """Show the page."""

        async def show(services: Services) -> None:
            await _update_list(interaction, services, self.chat_id, self.page, "")

        await as_moderator(interaction, show)


async def reply_with_view(
    interaction: discord.Interaction, text: str, view: discord.ui.View
) -> None:
    """An ephemeral answer with buttons, pinging nobody."""
    await interaction.response.send_message(
        text, view=view, ephemeral=True, allowed_mentions=NO_MENTIONS
    )


#: Registered with the bot so the buttons work on lists sent before a restart.
BUTTONS = (ApproveButton, RejectButton, PlaceButton, PlacedButton, PageButton)


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
