"""``/chat check`` and the start-up check: every permission the bot needs, and the fix."""

from __future__ import annotations

import discord

from bot.discord_app.services import Services

#: (permission attribute, what it is called in Discord, why the bot needs it)
NEEDED: tuple[tuple[str, str, str], ...] = (
    ("view_channel", "View Channel", "to see the chat channel"),
    ("send_messages", "Send Messages", "to post questions"),
    ("embed_links", "Embed Links", "for the recap's embeds and link previews"),
    ("attach_files", "Attach Files", "to attach the transcript and chart to the recap"),
    ("add_reactions", "Add Reactions", "to react to answers"),
    ("read_message_history", "Read Message History", "to collect answers sent while offline"),
    ("create_public_threads", "Create Public Threads", "to open a thread per question"),
    ("send_messages_in_threads", "Send Messages in Threads", "to post in question threads"),
    ("manage_events", "Manage Events", "to list each chat as a server event"),
)


def channel_report(channel: discord.abc.GuildChannel, me: discord.Member) -> list[str]:
    """One line per missing permission in ``channel`` (empty when all is well)."""
    permissions = channel.permissions_for(me)
    return [
        f"missing **{label}** ({why}): Server Settings > Roles > {me.top_role.name}, or the "
        f"channel's Permissions tab, allow {label}"
        for attribute, label, why in NEEDED
        if not getattr(permissions, attribute)
    ]


async def check_chat_channels(client: discord.Client, services: Services) -> list[str]:
    """A report for every scheduled chat's channel, plus the message-content intent."""
    lines: list[str] = []
    if not client.intents.message_content:
        lines.append(
            "⚠️ the MESSAGE CONTENT intent is off: answers arrive empty. Developer Portal > "
            "your app > Bot > Privileged Gateway Intents > Message Content Intent."
        )
    for spec in await services.store.chat_specs():
        channel = client.get_channel(spec.channel)
        if not isinstance(channel, discord.abc.GuildChannel):
            lines.append(
                f"⚠️ {spec.id}: channel {spec.channel} not found; invite the bot to its server "
                "or fix `channel` in the chat file"
            )
            continue
        me = channel.guild.me
        missing = channel_report(channel, me)
        if missing:
            lines.append(f"⚠️ {spec.id} in #{channel.name}:")
            lines.extend(f"    {line}" for line in missing)
        else:
            lines.append(f"✅ {spec.id} in #{channel.name}: all permissions in place")
    return lines or ["No chats are scheduled."]
