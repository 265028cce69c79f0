"""The command tree: one error handler for every slash command.

**Errors.** The core raises named errors on purpose (``ChatError``: no such chat, a
control that does not apply, not a moderator); whichever command or check raised one,
:meth:`ChatTree.on_error` turns it into an ephemeral reply with its reason. Anything
else is logged and the user is told it is in the log.
"""

from __future__ import annotations

import logging
from typing import Any

import discord
from discord import app_commands

from bot.core.errors import ChatError
from bot.discord_app.replies import reply

log = logging.getLogger(__name__)


def reason_of(error: app_commands.AppCommandError) -> ChatError | None:
    """The core's named error behind ``error``: raised in a command (the wrapped original)
    or by a check (its cause)."""
    for candidate in (getattr(error, "original", None), error.__cause__):
        if isinstance(candidate, ChatError):
            return candidate
    return None


class ChatTree(app_commands.CommandTree[Any]):
    """The bot's command tree, with the one error handler of every command."""

    async def on_error(
        self, interaction: discord.Interaction[Any], error: app_commands.AppCommandError, /
    ) -> None:
        """A named error of the core becomes an ephemeral reply with its reason; anything
        unexpected is logged."""
        reason = reason_of(error)
        if reason is not None:
            await reply(interaction, f"⚠️ {reason}")
            return
        command = interaction.command.qualified_name if interaction.command else "?"
        log.error("/%s failed", command, exc_info=getattr(error, "original", error))
        await reply(interaction, "⚠️ Something went wrong; the error is in the bot's log.")
