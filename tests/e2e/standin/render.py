"""Payloads in the shapes Discord (API v10) sends, built from the stand-in's entities."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .model import (
    JSON,
    Attachment,
    Channel,
    Command,
    Guild,
    Intent,
    Member,
    Message,
    Role,
    ScheduledEvent,
    User,
    iso,
    snowflake_time,
)

if TYPE_CHECKING:
    from .world import World


def user_payload(user: User) -> JSON:
    return {
        "id": str(user.id),
        "username": user.name,
        "global_name": user.global_name,
        "discriminator": "0",
        "avatar": None,
        "bot": user.bot,
        "public_flags": 0,
        "flags": 0,
        "banner": None,
        "accent_color": None,
        "avatar_decoration_data": None,
        "primary_guild": None,
    }


def member_payload(world: World, member: Member, *, with_user: bool = True) -> JSON:
    out: JSON = {
        "roles": [str(r) for r in member.roles],
        "nick": member.nick,
        "avatar": None,
        "banner": None,
        "joined_at": member.joined_at,
        "premium_since": None,
        "deaf": False,
        "mute": False,
        "flags": 0,
        "pending": False,
        "communication_disabled_until": None,
    }
    if with_user:
        out["user"] = user_payload(world.users[member.user_id])
    return out


def role_payload(role: Role) -> JSON:
    out: JSON = {
        "id": str(role.id),
        "name": role.name,
        "permissions": str(role.permissions),
        "position": role.position,
        "color": 0,
        "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
        "hoist": False,
        "managed": role.managed,
        "mentionable": False,
        "icon": None,
        "unicode_emoji": None,
        "flags": 0,
    }
    if role.bot_id is not None:
        out["tags"] = {"bot_id": str(role.bot_id)}
    return out


def _overwrites(channel: Channel) -> list[JSON]:
    return [
        {"id": str(o.id), "type": o.type, "allow": str(o.allow), "deny": str(o.deny)}
        for o in channel.overwrites.values()
    ]


def channel_payload(world: World, channel: Channel) -> JSON:
    if channel.is_thread:
        return thread_payload(world, channel)
    return {
        "id": str(channel.id),
        "type": int(channel.type),
        "guild_id": str(channel.guild_id),
        "name": channel.name,
        "position": channel.position,
        "permission_overwrites": _overwrites(channel),
        "topic": channel.topic,
        "nsfw": False,
        "parent_id": None,
        "last_message_id": _opt_str(channel.last_message_id),
        "rate_limit_per_user": channel.rate_limit_per_user,
        "default_auto_archive_duration": 1440,
        "default_thread_rate_limit_per_user": 0,
        "flags": 0,
    }


def thread_payload(world: World, thread: Channel) -> JSON:
    out: JSON = {
        "id": str(thread.id),
        "type": int(thread.type),
        "guild_id": str(thread.guild_id),
        "parent_id": str(thread.parent_id),
        "owner_id": str(thread.owner_id),
        "name": thread.name,
        "last_message_id": _opt_str(thread.last_message_id),
        "rate_limit_per_user": thread.rate_limit_per_user,
        "message_count": thread.message_count,
        "member_count": len(thread.member_ids),
        "total_message_sent": thread.total_message_sent,
        "flags": 0,
        "thread_metadata": {
            "archived": thread.archived,
            "auto_archive_duration": thread.auto_archive_duration,
            "archive_timestamp": thread.archive_timestamp,
            "locked": thread.locked,
            "invitable": thread.invitable,
            "create_timestamp": thread.create_timestamp,
        },
    }
    if world.bot.id in thread.member_ids:
        out["member"] = {
            "id": str(thread.id),
            "user_id": str(world.bot.id),
            "join_timestamp": thread.create_timestamp,
            "flags": 1,
        }
    return out


def attachment_payload(world: World, att: Attachment) -> JSON:
    url = f"{world.base_url}/attachments/{att.id}/{att.filename}"
    out: JSON = {
        "id": str(att.id),
        "filename": att.filename,
        "size": len(att.data),
        "url": url,
        "proxy_url": url,
        "content_type": att.content_type,
    }
    if att.description is not None:
        out["description"] = att.description
    return out


def emoji_payload(key: str) -> JSON:
    name, _, emoji_id = key.rpartition(":")
    if name and emoji_id.isdigit():
        return {"id": emoji_id, "name": name}
    return {"id": None, "name": key}


def message_payload(
    world: World, msg: Message, *, visible: bool = True, gateway: bool = False, nested: bool = False
) -> JSON:
    """A message object; ``visible=False`` empties what the MESSAGE_CONTENT intent guards."""
    author = world.users[msg.author_id]
    out: JSON = {
        "id": str(msg.id),
        "type": msg.type,
        "channel_id": str(msg.channel_id),
        "author": user_payload(author),
        "content": msg.content if visible else "",
        "timestamp": iso(snowflake_time(msg.id)),
        "edited_timestamp": msg.edited_timestamp,
        "tts": msg.tts,
        "mention_everyone": msg.mention_everyone,
        "mentions": [],
        "mention_roles": [str(r) for r in msg.mention_roles],
        "attachments": [attachment_payload(world, a) for a in msg.attachments] if visible else [],
        "embeds": list(msg.embeds) if visible else [],
        "components": list(msg.components) if visible else [],
        "pinned": False,
        "flags": msg.flags,
        "reactions": [],
    }
    guild = world.guilds.get(msg.guild_id) if msg.guild_id is not None else None
    for uid in msg.mentions:
        mention = user_payload(world.users[uid])
        if gateway and guild is not None and uid in guild.members:
            mention["member"] = member_payload(world, guild.members[uid], with_user=False)
        out["mentions"].append(mention)
    if gateway and guild is not None:
        out["guild_id"] = str(guild.id)
        if msg.webhook_id is None and msg.author_id in guild.members:
            out["member"] = member_payload(world, guild.members[msg.author_id], with_user=False)
    if msg.nonce is not None and gateway:
        out["nonce"] = msg.nonce
    if msg.webhook_id is not None:
        out["webhook_id"] = str(msg.webhook_id)
    if msg.application_id is not None:
        out["application_id"] = str(msg.application_id)
    if msg.interaction_metadata is not None:
        out["interaction_metadata"] = msg.interaction_metadata
    if msg.position is not None:
        out["position"] = msg.position
    for key, users in msg.reactions.items():
        if users:
            out["reactions"].append(
                {
                    "emoji": emoji_payload(key),
                    "count": len(users),
                    "count_details": {"burst": 0, "normal": len(users)},
                    "me": world.bot.id in users,
                    "me_burst": False,
                    "burst_colors": [],
                }
            )
    if msg.id in world.polls:
        from . import polls  # polls renders users with this module

        out["poll"] = polls.payload(world, msg)
    if msg.thread_id is not None and msg.thread_id in world.channels:
        out["thread"] = thread_payload(world, world.channels[msg.thread_id])
    if msg.reference is not None:
        out["message_reference"] = msg.reference
        if not nested and msg.type == 19:
            ref = world.messages.get(int(msg.reference["message_id"]))
            out["referenced_message"] = (
                None
                if ref is None or ref.deleted
                else message_payload(world, ref, visible=visible, gateway=False, nested=True)
            )
    return out


def guild_payload(world: World, guild: Guild) -> JSON:
    return {
        "id": str(guild.id),
        "name": guild.name,
        "icon": None,
        "splash": None,
        "discovery_splash": None,
        "owner_id": str(guild.owner_id),
        "afk_channel_id": None,
        "afk_timeout": 300,
        "verification_level": 0,
        "default_message_notifications": 1,
        "explicit_content_filter": 0,
        "roles": [role_payload(r) for r in guild.roles.values()],
        "emojis": [],
        "stickers": [],
        "features": [],
        "mfa_level": 0,
        "system_channel_id": None,
        "system_channel_flags": 0,
        "rules_channel_id": None,
        "vanity_url_code": None,
        "description": None,
        "banner": None,
        "premium_tier": 0,
        "premium_subscription_count": 0,
        "preferred_locale": "en-US",
        "public_updates_channel_id": None,
        "safety_alerts_channel_id": None,
        "nsfw_level": 0,
        "premium_progress_bar_enabled": False,
        "approximate_member_count": len(guild.members),
        "approximate_presence_count": 0,
    }


def guild_create_payload(world: World, guild: Guild, intents: int) -> JSON:
    """GUILD_CREATE as a session with ``intents`` gets it: without GUILD_MEMBERS only the bot's
    own member is listed (``member_count`` stays the real count)."""
    out = guild_payload(world, guild)
    members = [
        m
        for m in guild.members.values()
        if intents & Intent.GUILD_MEMBERS or m.user_id == world.bot.id
    ]
    channels = [world.channels[c] for c in guild.channel_ids]
    me = guild.members.get(world.bot.id)
    out.update(
        {
            "unavailable": False,
            "large": len(guild.members) >= 250,
            "member_count": len(guild.members),
            "joined_at": me.joined_at if me else None,
            "members": [member_payload(world, m) for m in members],
            "channels": [channel_payload(world, c) for c in channels if not c.is_thread],
            "threads": [
                thread_payload(world, c) for c in channels if c.is_thread and not c.archived
            ],
            "presences": [],
            "voice_states": [],
            "stage_instances": [],
            "guild_scheduled_events": [
                event_payload(world, world.events[e])
                for e in guild.event_ids
                if not world.events[e].deleted and world.events[e].status in (1, 2)
            ],
            "soundboard_sounds": [],
        }
    )
    return out


def event_payload(world: World, ev: ScheduledEvent) -> JSON:
    return {
        "id": str(ev.id),
        "guild_id": str(ev.guild_id),
        "channel_id": _opt_str(ev.channel_id),
        "creator_id": str(ev.creator_id),
        "creator": user_payload(world.users[ev.creator_id]),
        "name": ev.name,
        "description": ev.description,
        "scheduled_start_time": ev.scheduled_start_time,
        "scheduled_end_time": ev.scheduled_end_time,
        "privacy_level": ev.privacy_level,
        "status": ev.status,
        "entity_type": ev.entity_type,
        "entity_id": None,
        "entity_metadata": {"location": ev.location} if ev.location is not None else None,
        "user_count": 0,
        "image": ev.image,
        "recurrence_rule": ev.recurrence_rule,
    }


def command_payload(cmd: Command) -> JSON:
    out: JSON = {
        "type": 1,
        "description": "",
        "options": [],
        "default_member_permissions": None,
        "dm_permission": True,
        "nsfw": False,
        "contexts": None,
        "integration_types": [0],
    }
    out.update(cmd.payload)
    if out["default_member_permissions"] is not None:  # sent as a number or a string; a string back
        out["default_member_permissions"] = str(out["default_member_permissions"])
    out.update(
        {
            "id": str(cmd.id),
            "application_id": str(cmd.application_id),
            "version": str(cmd.version),
        }
    )
    if cmd.guild_id is not None:
        out["guild_id"] = str(cmd.guild_id)
    return out


def application_payload(world: World) -> JSON:
    return {
        "id": str(world.application_id),
        "name": world.bot.name,
        "icon": None,
        "description": "stand-in application",
        "summary": "",
        "type": None,
        "bot_public": True,
        "bot_require_code_grant": False,
        "verify_key": "0" * 64,
        "flags": world.application_flags(),
        "owner": user_payload(world.owner),
        "team": None,
        "bot": user_payload(world.bot),
        "redirect_uris": [],
        "interactions_endpoint_url": None,
        "tags": [],
        "approximate_guild_count": len(world.guilds),
    }


def _opt_str(value: int | None) -> str | None:
    return None if value is None else str(value)
