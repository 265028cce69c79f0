"""``/board`` and the message menu **Save to board**: resource boards in Discord.

* ``/board show name:<board>`` (everyone): a board's newest cards, ephemeral. A link that was
  only saved (never shared in a chat) is shown only to people who can read a channel it was
  saved from; links shared in chats only to people who can read one of those chats' channels.
* ``/board mine [page]`` (everyone): your own saves, every board, ephemeral and paged.
* ``/board create name:<text> [keywords:<text>]``: a topic board; moderators only, checked
  here (the other /board commands are for everyone, so Discord cannot hide this one).
* **Save to board** (message context menu): a select of your own **My saves** and the
  server's boards (those whose keywords the message matches first, then the rest from A to
  Z: a select shows at most 25 options, and with more boards the reply says how many are
  left out and to find them with ``/board show``'s autocomplete); the message's links are
  saved there. A message without a link gets a clear ephemeral reply.

Each command is one call to :class:`bot.runtime.boards.BoardService`; errors it raises on
purpose (a taken name, too many boards, keywords that match everything) become the reply in
:class:`bot.discord_app.tree.ChatTree` (or in the select's callback).
"""

from __future__ import annotations

import logging

import discord
from discord import app_commands
from discord.ext import commands

from bot.archive.links import board_page_url
from bot.core.boards import MY_SAVES, MY_SAVES_ID, Board, BoardItem, save_choices
from bot.core.errors import ChatError
from bot.discord_app.replies import NO_MENTIONS, reply
from bot.discord_app.services import Services
from bot.render.boards import render_board_embed
from bot.render.common import discord_inline
from bot.runtime.boards import MinePage, links_in

log = logging.getLogger(__name__)

#: A select menu has at most 25 options: My saves and 24 boards.
SELECT_BOARDS = 24


def _readable(member: discord.abc.User, channel: object) -> bool:
    if not isinstance(member, discord.Member) or not isinstance(
        channel, discord.abc.GuildChannel | discord.Thread
    ):
        return False
    return channel.permissions_for(member).read_message_history


class SaveSelect(discord.ui.Select["SaveView"]):
    """The boards to save to: My saves first, then the server's boards."""

    def __init__(self, boards: list[Board]) -> None:
        options = [
            discord.SelectOption(
                label=MY_SAVES, value=str(MY_SAVES_ID), description="Only you see these"
            )
        ]
        for board in boards[:SELECT_BOARDS]:
            options.append(
                discord.SelectOption(
                    label=board.name[:100],
                    value=str(board.board_id),
                    description=(board.description or "A topic board")[:100],
                )
            )
        super().__init__(placeholder="Save to…", options=options, custom_id="board-save")

    async def callback(self, interaction: discord.Interaction) -> None:
        """Save the message's links to the chosen board and say where."""
        view = self.view
        assert view is not None
        try:
            name, new = await view.services.runtime.boards.save(
                interaction.user.id,
                int(self.values[0]),
                view.links,
                message_id=view.message.id,
                channel_id=view.message.channel.id,
                guild_id=interaction.guild_id or 0,
                user_name=interaction.user.display_name,
            )
        except ChatError as refused:
            await reply(interaction, str(refused))
            return
        shown = discord_inline(name)
        text = (
            f"Saved {len(view.links)} link{'s' if len(view.links) > 1 else ''} to **{shown}**."
            if new
            else f"Already saved to **{shown}**."
        )
        view.stop()
        await interaction.response.edit_message(
            content=text + " See yours with `/board mine`.", view=None
        )


class SaveView(discord.ui.View):
    """The ephemeral select that Save to board answers with (for ten minutes)."""

    def __init__(
        self, services: Services, message: discord.Message, links: list[str], boards: list[Board]
    ) -> None:
        super().__init__(timeout=600)
        self.services = services
        self.message = message
        self.links = links
        self.add_item(SaveSelect(boards))


class BoardCommands(
    commands.GroupCog,
    group_name="board",
    group_description="Resource boards: links from the chats, by topic and by chat",
):
    """/board …: for everyone (create: moderators, checked here)."""

    def __init__(self, client: commands.Bot, services: Services) -> None:
        self.client = client
        self.services = services
        self.save_menu = app_commands.ContextMenu(name="Save to board", callback=self.save_to_board)
        self.save_menu.guild_only = True

    async def cog_load(self) -> None:
        """Add the message menu beside the /board commands."""
        self.client.tree.add_command(self.save_menu)

    async def cog_unload(self) -> None:
        """Remove the message menu with the cog."""
        self.client.tree.remove_command(self.save_menu.name, type=self.save_menu.type)

    async def board_names(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        """Boards whose name contains what the member typed."""
        found = await self.services.runtime.boards.choices(current)
        return [app_commands.Choice(name=b.name[:100], value=b.name[:100]) for b in found]

    async def save_to_board(
        self, interaction: discord.Interaction, message: discord.Message
    ) -> None:
        """Save the message's links to a board, or to your own My saves."""
        text = "\n".join([message.content, *(a.url for a in message.attachments)])
        links = links_in(text)
        if not links:
            await reply(
                interaction,
                "That message has no link to save. Save to board keeps links (http or https) "
                "that members share; pick a message with one.",
            )
            return
        # A select shows 25 options: My saves, then the boards this message matches first and
        # the rest alphabetically; the member is told when some boards are left out.
        boards, left_out = save_choices(
            await self.services.runtime.boards.boards(), text, SELECT_BOARDS
        )
        view = SaveView(self.services, message, links, boards)
        count = f"{len(links)} link{'s' if len(links) > 1 else ''}"
        more = (
            f"\nThe list shows {len(boards)} of the server's {len(boards) + len(left_out)} "
            "boards: those this message matches first, then the rest from A to Z. To find "
            "another board, type its name in `/board show` (names autocomplete)."
            if left_out
            else ""
        )
        await interaction.response.send_message(
            f"Save {count} from this message to which board?{more}",
            view=view,
            ephemeral=True,
            allowed_mentions=NO_MENTIONS,
        )

    @app_commands.command(name="create", description="Create a topic board (moderators)")
    @app_commands.describe(
        name="the board's name, e.g. Career tips",
        keywords="comma-separated words that put a link on it, e.g. interview, resume",
    )
    async def create(self, interaction: discord.Interaction, name: str, keywords: str = "") -> None:
        """Create a topic board: links whose card or message matches its keywords join it."""
        self.services.require_moderator(interaction.user)
        board = await self.services.runtime.boards.create(name, keywords, interaction.user.id)
        words = ", ".join(board.keywords) or "none: members add links with Save to board"
        await reply(
            interaction,
            f"Board **{discord_inline(board.name)}** created. Keywords: {discord_inline(words)}.",
        )

    @app_commands.command(name="show", description="A board's newest cards")
    @app_commands.describe(name="the board")
    @app_commands.autocomplete(name=board_names)
    async def show(self, interaction: discord.Interaction, name: str) -> None:
        """Show a board's newest cards (only those from channels you can read)."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        view = await self.services.runtime.boards.show(name)
        specs = {s.id: s for s in await self.services.store.chat_specs(active_only=False)}

        def visible(item: BoardItem) -> bool:
            for chat_id in item.chats:
                spec = specs.get(chat_id)
                if spec is not None and _readable(
                    interaction.user, self.client.get_channel(spec.channel)
                ):
                    return True
            return any(
                _readable(interaction.user, self.client.get_channel(channel_id))
                for channel_id in item.save_channels
            )

        shown = type(view)(board=view.board, items=tuple(i for i in view.items if visible(i)))
        base = self.services.settings.archive_url  # the published archive has a page per board
        page = (
            board_page_url(base, view.board.name)
            if base and view.board.board_id != MY_SAVES_ID
            else None
        )
        embed = discord.Embed.from_dict(render_board_embed(shown, page))
        await interaction.followup.send(embed=embed, ephemeral=True, allowed_mentions=NO_MENTIONS)

    @app_commands.command(name="mine", description="Your saved links (only you see them)")
    @app_commands.describe(page="which page of your saves (10 a page, newest first)")
    async def mine(
        self, interaction: discord.Interaction, page: app_commands.Range[int, 1, 1000] = 1
    ) -> None:
        """Your saves on every board, My saves included, newest first."""
        found = await self.services.runtime.boards.mine(interaction.user.id, page)
        await reply(interaction, mine_text(found))


def mine_text(found: MinePage) -> str:
    """A page of saves as an ephemeral reply."""
    if not found.total:
        return (
            "You have no saves yet. Right-click (or long-press) a message with a link, then "
            "Apps > Save to board."
        )
    lines = [f"**Your saves** (page {found.page} of {found.pages}, {found.total} in all)"]
    start = (found.page - 1) * 10
    for number, mine in enumerate(found.saves, start=start + 1):
        card = mine.card
        label = discord_inline(card.label if card is not None else mine.save.url)[:80]
        url = mine.save.url.replace("(", "%28").replace(")", "%29")
        lines.append(
            f"{number}. [{label}]({url}) · {discord_inline(mine.board)[:40]} "
            f"<t:{int(mine.save.saved_at.timestamp())}:d>"
        )
    if found.page < found.pages:
        lines.append(f"More: `/board mine page:{found.page + 1}`")
    return "\n".join(lines)
