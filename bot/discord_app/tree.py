"""The command tree: one error handler for every slash command, and syncs that happen only
when the commands changed.

**Errors.** The core raises named errors on purpose (``ChatError``: no such chat, a
control that does not apply, not a moderator); whichever command or check raised one,
:meth:`ChatTree.on_error` turns it into an ephemeral reply with its reason. Anything
else is logged and the user is told it is in the log.

**Syncs.** Commands are synced per guild (copied from the global tree, so they show at
once), but Discord rate-limits syncs, and a bot restarted often would spend them for
nothing. So each guild's sync is skipped when the payload discord.py would send (plus the
application's id) has the digest stored at that guild's last successful sync
(:class:`bot.core.ports.CommandSyncStore`).
"""

from __future__ import annotations

import hashlib
import json
import logging
from datetime import datetime
from typing import Any

import discord
from discord import app_commands

from bot.core.errors import ChatError, StorageError
from bot.core.ports import CommandSyncStore
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


def commands_digest(tree: app_commands.CommandTree[Any], guild: discord.abc.Snowflake) -> str:
    """A digest of what syncing ``guild`` would send: each command's payload as discord.py
    builds it, in a canonical order, and the application it belongs to."""
    payload = sorted(
        (command.to_dict(tree) for command in tree.get_commands(guild=guild)),
        key=lambda command: (command.get("type", 1), command["name"]),
    )
    text = json.dumps(
        {"application_id": tree.client.application_id, "commands": payload},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(text.encode()).hexdigest()


async def sync_commands(
    tree: app_commands.CommandTree[Any],
    guild: discord.abc.Snowflake,
    store: CommandSyncStore,
    now: datetime,
) -> bool:
    """Copy the global commands to ``guild`` and sync them, unless what was last synced
    there is the same; True when they were synced. A refused sync is logged (the bot runs
    on, without the commands there) and tried again at the next start; so is one that the
    database could not record (it runs on with them)."""
    tree.copy_global_to(guild=guild)
    digest = commands_digest(tree, guild)
    try:
        last = await store.synced_commands(guild.id)
    except StorageError as error:
        log.warning("guild %s: the last command sync is unknown (%s); syncing", guild.id, error)
        last = None
    if last == digest:
        return False
    try:
        await tree.sync(guild=guild)
    except discord.HTTPException as error:
        log.error("commands not synced to guild %s: %s", guild.id, error)
        return False
    log.info("commands synced to guild %s", guild.id)
    try:
        await store.save_synced_commands(guild.id, digest, now)
    except StorageError as error:
        log.warning("guild %s: the command sync is not recorded (%s)", guild.id, error)
    return True
