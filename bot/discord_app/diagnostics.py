"""``/host check`` and the start-up check: every permission the bot needs, and the fix."""

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
    (
        "send_polls",
        "Send Polls",
        "to post poll questions as Discord polls (without it: as text with numbered reactions)",
    ),
)
#: What the bot needs in a chat's own moderator channel (``moderator_channel``).
NEEDED_FOR_MODERATORS: tuple[tuple[str, str, str], ...] = (
    ("view_channel", "View Channel", "to see the moderator channel"),
    ("send_messages", "Send Messages", "to tell moderators about missed chats and problems"),
)


def channel_report(
    channel: discord.abc.GuildChannel,
    me: discord.Member,
    needed: tuple[tuple[str, str, str], ...] = NEEDED,
) -> list[str]:
    """One line per permission of ``needed`` missing in ``channel`` (empty when all is well)."""
    permissions = channel.permissions_for(me)
    return [
        f"missing **{label}** ({why}): Server Settings > Roles > {me.top_role.name}, or the "
        f"channel's Permissions tab, allow {label}"
        for attribute, label, why in needed
        if not getattr(permissions, attribute)
    ]


def _check_channel(
    client: discord.Client,
    label: str,
    channel_id: int,
    field: str,
    needed: tuple[tuple[str, str, str], ...],
) -> list[str]:
    """The report for one channel a chat uses, as ``field`` in its chat file names it."""
    channel = client.get_channel(channel_id)
    if not isinstance(channel, discord.abc.GuildChannel):
        return [
            f"⚠️ {label}: {field.replace('_', ' ')} {channel_id} not found; invite the bot to "
            f"its server or fix `{field}` in the chat file"
        ]
    missing = channel_report(channel, channel.guild.me, needed)
    if missing:
        return [f"⚠️ {label} in #{channel.name}:", *(f"    {line}" for line in missing)]
    return [f"✅ {label} in #{channel.name}: all permissions in place"]


async def check_chat_channels(client: discord.Client, services: Services) -> list[str]:
    """A report for every scheduled chat's channel (and its moderator channel, when it has
    its own), plus the message-content intent."""
    lines: list[str] = []
    if not client.intents.message_content:
        lines.append(
            "⚠️ the MESSAGE CONTENT intent is off: answers arrive empty. Developer Portal > "
            "your app > Bot > Privileged Gateway Intents > Message Content Intent."
        )
    for spec in await services.store.chat_specs():
        lines.extend(_check_channel(client, spec.id, spec.channel, "channel", NEEDED))
        if spec.notice_channel != spec.channel:
            lines.extend(
                _check_channel(
                    client,
                    f"{spec.id} (moderator notices)",
                    spec.notice_channel,
                    "moderator_channel",
                    NEEDED_FOR_MODERATORS,
                )
            )
    return lines or ["No chats are scheduled."]
