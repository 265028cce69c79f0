"""State changes shared by the REST routes and the test driver; each dispatches its events."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from . import polls, render
from .model import (
    JSON,
    ApiError,
    Attachment,
    Channel,
    ChannelType,
    Guild,
    Intent,
    Message,
    MessageFlag,
    ScheduledEvent,
    User,
    invalid_form,
    now_iso,
    parse_iso,
)
from .world import World

USER_MENTION = re.compile(r"<@!?(\d+)>")
ROLE_MENTION = re.compile(r"<@&(\d+)>")


@dataclass
class Upload:
    """A file part of a multipart request (``files[n]``)."""

    field: str
    filename: str
    data: bytes
    content_type: str | None = None


def _attachments(
    world: World, body: JSON, uploads: list[Upload], keep: list[Attachment]
) -> list[Attachment]:
    by_field = {u.field: u for u in uploads}
    out: list[Attachment] = []
    listed = body.get("attachments")
    if listed is None:
        return keep + [world.new_attachment(u.filename, u.data, u.content_type) for u in uploads]
    old = {a.id: a for a in keep}
    for item in listed:
        item_id = int(item["id"])
        upload = by_field.get(f"files[{item_id}]")
        if upload is not None:
            name = item.get("filename") or upload.filename
            desc = item.get("description")
            out.append(world.new_attachment(name, upload.data, upload.content_type, desc))
        elif item_id in old:
            out.append(old[item_id])
        else:
            raise invalid_form("attachments", f"Unknown attachment {item_id}")
    return out


def _mentions(world: World, msg: Message, guild: Guild | None, allowed: JSON | None) -> None:
    parse = ["users", "roles", "everyone"] if allowed is None else allowed.get("parse", [])
    users = [int(u) for u in (allowed or {}).get("users", [])]
    roles = [int(r) for r in (allowed or {}).get("roles", [])]
    found = [int(m) for m in USER_MENTION.findall(msg.content)]
    msg.mentions = [
        u for u in dict.fromkeys(found) if u in world.users and ("users" in parse or u in users)
    ]
    role_ids = [int(m) for m in ROLE_MENTION.findall(msg.content)]
    msg.mention_roles = [
        r
        for r in dict.fromkeys(role_ids)
        if guild is not None and r in guild.roles and ("roles" in parse or r in roles)
    ]
    msg.mention_everyone = "everyone" in parse and (
        "@everyone" in msg.content or "@here" in msg.content
    )
    if msg.reference is not None and msg.type == 19:
        replied = world.messages.get(int(msg.reference["message_id"]))
        ping = allowed is None or bool(allowed.get("replied_user"))
        if replied is not None and ping and replied.author_id not in msg.mentions:
            msg.mentions.append(replied.author_id)


def _validate(body: JSON, msg: Message) -> None:
    if len(msg.content) > 2000:
        raise invalid_form("content", "Must be 2000 or fewer in length.", "BASE_TYPE_MAX_LENGTH")
    if len(msg.embeds) > 10:
        raise invalid_form("embeds", "Must be 10 or fewer in length.", "BASE_TYPE_MAX_LENGTH")
    if not (msg.content or msg.embeds or msg.attachments or msg.components or body.get("poll")):
        raise ApiError(400, 50006, "Cannot send an empty message")


def post_message(
    world: World,
    channel: Channel,
    author: User,
    body: JSON,
    uploads: list[Upload] | None = None,
    **extra: object,
) -> Message:
    """Create a message in ``channel`` from a Discord-style JSON body and dispatch MESSAGE_CREATE."""
    guild = world.guilds.get(channel.guild_id)
    msg = Message(
        id=world.ids.next(),
        channel_id=channel.id,
        guild_id=channel.guild_id,
        author_id=author.id,
        content=str(body.get("content") or ""),
        embeds=list(body.get("embeds") or []),
        components=list(body.get("components") or []),
        tts=bool(body.get("tts", False)),
        flags=int(body.get("flags") or 0),
        nonce=None if body.get("nonce") is None else str(body["nonce"]),
        allowed_mentions=body.get("allowed_mentions"),
    )
    for key, value in extra.items():
        setattr(msg, key, value)
    msg.attachments = _attachments(world, body, uploads or [], [])
    ref = body.get("message_reference")
    if ref and msg.type == 0:
        target = world.messages.get(int(ref["message_id"]))
        ok = target is not None and not target.deleted and target.channel_id == channel.id
        if ok:
            msg.type = 19
            msg.reference = {
                "type": 0,
                "message_id": str(ref["message_id"]),
                "channel_id": str(channel.id),
                "guild_id": str(channel.guild_id),
            }
        elif ref.get("fail_if_not_exists", True):
            raise invalid_form("message_reference", "Unknown message", "MESSAGE_REFERENCE_UNKNOWN")
    _validate(body, msg)
    if body.get("poll") is not None:
        polls.attach(world, msg, body["poll"])
    _mentions(world, msg, guild, msg.allowed_mentions)
    if channel.is_thread:
        if channel.archived:
            if channel.locked:
                raise ApiError(400, 50083, "Thread is archived")
            channel.archived = False
            channel.archive_timestamp = now_iso()
            world.dispatch_channel("CHANNEL_UPDATE", channel)
        msg.position = channel.total_message_sent
        channel.message_count += 1
        channel.total_message_sent += 1
    if not msg.ephemeral:
        channel.last_message_id = msg.id
    world.messages[msg.id] = msg
    world.channel_messages.setdefault(channel.id, []).append(msg.id)
    world.dispatch_message("MESSAGE_CREATE", msg)
    for created in world.message_created:
        created(msg)
    return msg


def edit_message(
    world: World, msg: Message, body: JSON, uploads: list[Upload] | None = None
) -> Message:
    if body.get("poll") is not None:
        raise ApiError(400, 520003, "Cannot edit a poll message")
    if "content" in body:
        msg.content = str(body["content"] or "")
    if "embeds" in body:
        msg.embeds = list(body["embeds"] or [])
    if "components" in body:
        msg.components = list(body["components"] or [])
    if "flags" in body and body["flags"] is not None:
        keep = msg.flags & (MessageFlag.EPHEMERAL | MessageFlag.HAS_THREAD)
        msg.flags = keep | (int(body["flags"]) & ~int(MessageFlag.EPHEMERAL))
    if "allowed_mentions" in body:
        msg.allowed_mentions = body["allowed_mentions"]
    if "attachments" in body or uploads:
        msg.attachments = _attachments(world, body, uploads or [], msg.attachments)
    _validate(body, msg)
    _mentions(world, msg, world.guilds.get(msg.guild_id or 0), msg.allowed_mentions)
    msg.edited_timestamp = now_iso()
    world.dispatch_message("MESSAGE_UPDATE", msg)
    return msg


def delete_message(world: World, msg: Message) -> None:
    msg.deleted = True
    channel = world.channels.get(msg.channel_id)
    if channel is not None and channel.is_thread:
        channel.message_count = max(0, channel.message_count - 1)
    payload: JSON = {"id": str(msg.id), "channel_id": str(msg.channel_id)}
    if msg.guild_id is not None:
        payload["guild_id"] = str(msg.guild_id)
    if msg.ephemeral:
        world.notify()
        return
    world.dispatch("MESSAGE_DELETE", payload, Intent.GUILD_MESSAGES, msg.channel_id)


def _reaction_payload(world: World, msg: Message, user_id: int, key: str) -> JSON:
    payload: JSON = {
        "user_id": str(user_id),
        "channel_id": str(msg.channel_id),
        "message_id": str(msg.id),
        "emoji": render.emoji_payload(key),
        "burst": False,
        "burst_colors": [],
        "type": 0,
    }
    if msg.guild_id is not None:
        payload["guild_id"] = str(msg.guild_id)
    return payload


def add_reaction(world: World, msg: Message, user_id: int, key: str) -> None:
    users = msg.reactions.setdefault(key, [])
    if user_id in users:
        return
    users.append(user_id)
    payload = _reaction_payload(world, msg, user_id, key)
    payload["message_author_id"] = str(msg.author_id)
    guild = world.guilds.get(msg.guild_id or 0)
    if guild is not None and user_id in guild.members:
        payload["member"] = render.member_payload(world, guild.members[user_id])
    world.dispatch("MESSAGE_REACTION_ADD", payload, Intent.GUILD_MESSAGE_REACTIONS, msg.channel_id)


def remove_reaction(world: World, msg: Message, user_id: int, key: str) -> None:
    users = msg.reactions.get(key, [])
    if user_id not in users:
        return
    users.remove(user_id)
    if not users:
        del msg.reactions[key]
    payload = _reaction_payload(world, msg, user_id, key)
    world.dispatch(
        "MESSAGE_REACTION_REMOVE", payload, Intent.GUILD_MESSAGE_REACTIONS, msg.channel_id
    )


def _thread_create(world: World, thread: Channel) -> None:
    def build(_session: object) -> JSON:
        return render.thread_payload(world, thread) | {"newly_created": True}

    world.dispatch("THREAD_CREATE", build, Intent.GUILDS, thread.id)


def thread_from_message(
    world: World, channel: Channel, msg: Message, body: JSON, owner: User
) -> Channel:
    if channel.is_thread:
        raise ApiError(400, 50024, "Cannot execute action on this channel type")
    if msg.thread_id is not None:
        raise ApiError(400, 160004, "A thread has already been created for this message")
    name = str(body.get("name") or "")
    if not 1 <= len(name) <= 100:
        raise invalid_form("name", "Must be between 1 and 100 in length.", "BASE_TYPE_BAD_LENGTH")
    thread = world.add_thread(channel, name, owner, thread_id=msg.id)
    thread.auto_archive_duration = int(body.get("auto_archive_duration") or 1440)
    thread.rate_limit_per_user = int(body.get("rate_limit_per_user") or 0)
    msg.thread_id = thread.id
    msg.flags |= MessageFlag.HAS_THREAD
    _thread_create(world, thread)
    world.dispatch_message("MESSAGE_UPDATE", msg)
    return thread


def thread_without_message(world: World, channel: Channel, body: JSON, owner: User) -> Channel:
    kind = int(body.get("type") or ChannelType.PRIVATE_THREAD)
    name = str(body.get("name") or "")
    if not 1 <= len(name) <= 100:
        raise invalid_form("name", "Must be between 1 and 100 in length.", "BASE_TYPE_BAD_LENGTH")
    private = kind == ChannelType.PRIVATE_THREAD
    thread = world.add_thread(channel, name, owner, private=private)
    thread.auto_archive_duration = int(body.get("auto_archive_duration") or 1440)
    thread.invitable = bool(body.get("invitable", True))
    _thread_create(world, thread)
    if not private:
        starter = {"content": name, "message_reference": None}
        ref = {"type": 0, "channel_id": str(thread.id), "guild_id": str(channel.guild_id)}
        post_message(world, channel, owner, starter, type=18, reference=ref)
    return thread


def update_channel(world: World, channel: Channel, body: JSON) -> Channel:
    if "name" in body:
        name = str(body["name"] or "")
        if not 1 <= len(name) <= 100:
            raise invalid_form("name", "Must be between 1 and 100 in length.")
        channel.name = name
    if "rate_limit_per_user" in body:
        channel.rate_limit_per_user = int(body["rate_limit_per_user"] or 0)
    if channel.is_thread:
        if "archived" in body and bool(body["archived"]) != channel.archived:
            channel.archived = bool(body["archived"])
            channel.archive_timestamp = now_iso()
        if "locked" in body:
            channel.locked = bool(body["locked"])
        if "auto_archive_duration" in body:
            channel.auto_archive_duration = int(body["auto_archive_duration"])
        if "invitable" in body:
            channel.invitable = bool(body["invitable"])
    elif "topic" in body:
        channel.topic = body["topic"]
    world.dispatch_channel("CHANNEL_UPDATE", channel)
    return channel


EVENT_FIELDS = ("name", "description", "scheduled_start_time", "scheduled_end_time", "image")
EVENT_TRANSITIONS = {1: {1, 2, 4}, 2: {2, 3}, 3: {3}, 4: {4}}


def _check_event(ev: ScheduledEvent, *, creating: bool) -> None:
    if not 1 <= len(ev.name) <= 100:
        raise invalid_form("name", "Must be between 1 and 100 in length.")
    start = parse_iso(ev.scheduled_start_time)
    if creating and start < datetime.now(UTC):
        raise invalid_form("scheduled_start_time", "Cannot schedule event in the past.")
    if ev.scheduled_end_time is not None and parse_iso(ev.scheduled_end_time) <= start:
        raise invalid_form("scheduled_end_time", "Must be after the start time.")
    if ev.entity_type == 3:
        if not ev.location:
            raise invalid_form("entity_metadata", "location is required for external events")
        if ev.scheduled_end_time is None:
            raise invalid_form("scheduled_end_time", "required for external events")
        if ev.channel_id is not None:
            raise invalid_form("channel_id", "must be null for external events")
    elif ev.channel_id is None:
        raise invalid_form("channel_id", "required for stage and voice events")


def _apply_event(ev: ScheduledEvent, body: JSON) -> None:
    for key in EVENT_FIELDS:
        if key in body:
            setattr(ev, key, body[key])
    if "entity_type" in body:
        ev.entity_type = int(body["entity_type"])
    if "privacy_level" in body:
        ev.privacy_level = int(body["privacy_level"])
    if "channel_id" in body:
        ev.channel_id = None if body["channel_id"] is None else int(body["channel_id"])
    if "entity_metadata" in body:
        ev.location = (body["entity_metadata"] or {}).get("location")
    if "recurrence_rule" in body:
        ev.recurrence_rule = body["recurrence_rule"]


def create_event(world: World, guild: Guild, body: JSON, creator: User) -> ScheduledEvent:
    for key in ("name", "scheduled_start_time", "entity_type", "privacy_level"):
        if body.get(key) is None:
            raise invalid_form(key, "This field is required", "BASE_TYPE_REQUIRED")
    ev = ScheduledEvent(
        id=world.ids.next(),
        guild_id=guild.id,
        creator_id=creator.id,
        name=str(body["name"]),
        scheduled_start_time=str(body["scheduled_start_time"]),
        entity_type=int(body["entity_type"]),
    )
    _apply_event(ev, body)
    _check_event(ev, creating=True)
    world.events[ev.id] = ev
    guild.event_ids.append(ev.id)
    payload = render.event_payload(world, ev)
    world.dispatch("GUILD_SCHEDULED_EVENT_CREATE", payload, Intent.GUILD_SCHEDULED_EVENTS)
    return ev


def update_event(world: World, ev: ScheduledEvent, body: JSON) -> ScheduledEvent:
    if "status" in body and body["status"] is not None:
        status = int(body["status"])
        if status not in EVENT_TRANSITIONS[ev.status]:
            raise invalid_form("status", f"Cannot change status {ev.status} to {status}")
        ev.status = status
    _apply_event(ev, body)
    _check_event(ev, creating=False)
    payload = render.event_payload(world, ev)
    world.dispatch("GUILD_SCHEDULED_EVENT_UPDATE", payload, Intent.GUILD_SCHEDULED_EVENTS)
    return ev


def delete_event(world: World, ev: ScheduledEvent) -> None:
    ev.deleted = True
    payload = render.event_payload(world, ev)
    world.dispatch("GUILD_SCHEDULED_EVENT_DELETE", payload, Intent.GUILD_SCHEDULED_EVENTS)
