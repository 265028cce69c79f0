"""``/host suggestions``: moderators review the questions members suggested, with buttons
that outlive a restart.

* :class:`ReviewCommand` is a base of :class:`bot.discord_app.host_cog.HostCommands` (so it
  shares the ``/host`` moderator check): ``/host suggestions`` answers with a page of the
  open suggestions, most upvoted first, each with Approve, Approve n at… and Reject buttons,
  and Previous/Next for the other pages.
* The buttons are :class:`discord.ui.DynamicItem` s registered with the bot
  (:data:`BUTTONS`): their ``custom_id`` names the suggestion (and the page), so a list sent
  before a restart still works. Buttons are not slash commands: the moderator check is made
  again (:func:`bot.discord_app.forms.as_moderator`).
"""

from __future__ import annotations

import re
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.core.recap.text import defuse_mentions
from bot.core.run import Phase
from bot.core.suggestions import UPVOTE, Suggestion
from bot.discord_app.forms import as_moderator
from bot.discord_app.replies import NO_MENTIONS, when
from bot.discord_app.services import Services
from bot.discord_app.suggestions import chat_of_this_server, message_link

#: Suggestions per page of ``/host suggestions``: a row of buttons each, and one row to page.
PAGE_SIZE = 4
#: How much of a suggestion's text the list shows.
SHOWN = 300
#: The positions offered by "Approve n at…" (Discord: 25 buttons a message).
MAX_PLACES = 24


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
