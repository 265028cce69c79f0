"""REST routes for channels, messages, threads and reactions (the bot is the caller)."""

from __future__ import annotations

import time
from typing import Any

from aiohttp import web

from . import ops, render
from .model import JSON, ApiError, ChannelType, Message, Perm, invalid_form, missing_permissions
from .rest import Ctx, Reply, Router
from .world import World

NONCE_WINDOW = 300.0


def register(router: Router, world: World) -> None:
    def channel(ctx: Ctx) -> Any:
        ch = world.channel(ctx.id("channel_id"))
        world.require(ch)
        return ch

    def rest_message(msg: Message) -> JSON:
        visible = world.content_visible(msg, world.rest_intents())
        return render.message_payload(world, msg, visible=visible)

    async def get_channel(ctx: Ctx) -> Reply:
        return 200, render.channel_payload(world, channel(ctx))

    async def patch_channel(ctx: Ctx) -> Reply:
        ch = channel(ctx)
        body = ctx.json
        perms = world.bot_perms(ch)
        if ch.is_thread:
            owner_ok = ch.owner_id == world.bot.id and "locked" not in body
            if not (owner_ok or perms & Perm.MANAGE_THREADS):
                raise missing_permissions()
        elif not perms & Perm.MANAGE_CHANNELS:
            raise missing_permissions()
        return 200, render.channel_payload(world, ops.update_channel(world, ch, body))

    async def post_message(ctx: Ctx) -> Reply:
        ch = channel(ctx)
        body = ctx.json
        needed = [Perm.SEND_MESSAGES_IN_THREADS if ch.is_thread else Perm.SEND_MESSAGES]
        if ctx.uploads:
            needed.append(Perm.ATTACH_FILES)
        if body.get("message_reference"):
            needed.append(Perm.READ_MESSAGE_HISTORY)
        if body.get("poll") is not None:
            needed.append(Perm.SEND_POLLS)
        world.require(ch, *needed)
        nonce = body.get("nonce")
        now = time.monotonic()
        if nonce is not None and body.get("enforce_nonce"):
            seen = world.nonces.get((world.bot.id, str(nonce)))
            if seen is not None and now - seen[1] < NONCE_WINDOW:
                original = world.messages[seen[0]]
                return 200, rest_message(original) | {"nonce": original.nonce}
        msg = ops.post_message(world, ch, world.bot, body, ctx.uploads)
        if nonce is not None:
            world.nonces[(world.bot.id, str(nonce))] = (msg.id, now)
        return 200, rest_message(msg) | {"nonce": msg.nonce}

    async def list_messages(ctx: Ctx) -> Reply:
        ch = channel(ctx)
        if not world.bot_perms(ch) & Perm.READ_MESSAGE_HISTORY:
            return 200, []  # Discord answers an empty list, not 403
        try:
            limit = int(ctx.query.get("limit", "50"))
        except ValueError:
            raise invalid_form("limit", "Value is not int.") from None
        if not 1 <= limit <= 100:
            raise invalid_form("limit", "int value should be between 1 and 100.")
        msgs = [m for m in world.history(ch.id) if not m.ephemeral]
        if (before := ctx.query.get("before")) is not None:
            picked = [m for m in msgs if m.id < int(before)][-limit:]
        elif (after := ctx.query.get("after")) is not None:
            picked = [m for m in msgs if m.id > int(after)][:limit]
        elif (around := ctx.query.get("around")) is not None:
            older = [m for m in msgs if m.id < int(around)]
            newer = [m for m in msgs if m.id >= int(around)]
            half = limit // 2
            picked = (older[-half:] if half else []) + newer[: limit - min(half, len(older))]
        else:
            picked = msgs[-limit:]
        return 200, [rest_message(m) for m in reversed(picked)]

    def message(ctx: Ctx) -> tuple[Any, Message]:
        ch = channel(ctx)
        return ch, world.message(ch.id, ctx.id("message_id"))

    async def get_message(ctx: Ctx) -> Reply:
        ch, msg = message(ctx)
        world.require(ch, Perm.READ_MESSAGE_HISTORY)
        return 200, rest_message(msg)

    async def patch_message(ctx: Ctx) -> Reply:
        _ch, msg = message(ctx)
        body = ctx.json
        if msg.author_id != world.bot.id and set(body) - {"flags"}:
            raise ApiError(403, 50005, "Cannot edit a message authored by another user")
        return 200, rest_message(ops.edit_message(world, msg, body, ctx.uploads))

    async def delete_message(ctx: Ctx) -> Reply:
        ch, msg = message(ctx)
        if msg.author_id != world.bot.id:
            world.require(ch, Perm.MANAGE_MESSAGES)
        ops.delete_message(world, msg)
        return 204, None

    async def thread_from_message(ctx: Ctx) -> Reply:
        ch, msg = message(ctx)
        world.require(ch, Perm.CREATE_PUBLIC_THREADS, Perm.READ_MESSAGE_HISTORY)
        thread = ops.thread_from_message(world, ch, msg, ctx.json, world.bot)
        return 201, render.thread_payload(world, thread)

    async def thread_without_message(ctx: Ctx) -> Reply:
        ch = channel(ctx)
        body = ctx.json
        private = int(body.get("type") or ChannelType.PRIVATE_THREAD) == ChannelType.PRIVATE_THREAD
        world.require(ch, Perm.CREATE_PRIVATE_THREADS if private else Perm.CREATE_PUBLIC_THREADS)
        thread = ops.thread_without_message(world, ch, body, world.bot)
        return 201, render.thread_payload(world, thread)

    def emoji_key(ctx: Ctx) -> str:
        key = ctx.params["emoji"]
        name, _, emoji_id = key.rpartition(":")
        if name and emoji_id.isdigit():
            raise ApiError(400, 10014, "Unknown Emoji")  # the stand-in's guilds have no emojis
        if not key or key.isascii():
            raise ApiError(400, 10014, "Unknown Emoji")
        return key

    async def add_reaction(ctx: Ctx) -> Reply:
        ch, msg = message(ctx)
        key = emoji_key(ctx)
        world.require(ch, Perm.READ_MESSAGE_HISTORY)
        if not msg.reactions.get(key):
            world.require(ch, Perm.ADD_REACTIONS)
        ops.add_reaction(world, msg, world.bot.id, key)
        return 204, None

    async def remove_own_reaction(ctx: Ctx) -> Reply:
        _ch, msg = message(ctx)
        ops.remove_reaction(world, msg, world.bot.id, emoji_key(ctx))
        return 204, None

    async def remove_user_reaction(ctx: Ctx) -> Reply:
        ch, msg = message(ctx)
        world.require(ch, Perm.MANAGE_MESSAGES)
        ops.remove_reaction(world, msg, ctx.id("user_id"), emoji_key(ctx))
        return 204, None

    async def reaction_users(ctx: Ctx) -> Reply:
        """Like Discord: users in id order, ``after`` a user id, ``limit`` 1-100 (default 25);
        ``type=1`` (super reactions) lists nobody, as the stand-in has none."""
        _ch, msg = message(ctx)
        try:
            limit = int(ctx.query.get("limit", "25"))
        except ValueError:
            raise invalid_form("limit", "Value is not int.") from None
        if not 1 <= limit <= 100:
            raise invalid_form("limit", "int value should be between 1 and 100.")
        users = sorted(msg.reactions.get(emoji_key(ctx), []))
        if ctx.query.get("type", "0") == "1":
            users = []
        if (after := ctx.query.get("after")) is not None:
            users = [u for u in users if u > int(after)]
        return 200, [render.user_payload(world.users[u]) for u in users[:limit]]

    async def typing(ctx: Ctx) -> Reply:
        channel(ctx)
        return 204, None

    async def join_thread(ctx: Ctx) -> Reply:
        ch = channel(ctx)
        if not ch.is_thread:
            raise ApiError(400, 50024, "Cannot execute action on this channel type")
        ch.member_ids.add(world.bot.id)
        return 204, None

    base = "/channels/{channel_id}"
    msg_path = base + "/messages/{message_id}"
    router.add("GET", base, get_channel)
    router.add("PATCH", base, patch_channel)
    router.add("POST", base + "/messages", post_message)
    router.add("GET", base + "/messages", list_messages)
    router.add("GET", msg_path, get_message)
    router.add("PATCH", msg_path, patch_message)
    router.add("DELETE", msg_path, delete_message)
    router.add("POST", msg_path + "/threads", thread_from_message)
    router.add("POST", base + "/threads", thread_without_message)
    router.add("PUT", msg_path + "/reactions/{emoji}/@me", add_reaction)
    router.add("DELETE", msg_path + "/reactions/{emoji}/@me", remove_own_reaction)
    router.add("DELETE", msg_path + "/reactions/{emoji}/{user_id}", remove_user_reaction)
    router.add("GET", msg_path + "/reactions/{emoji}", reaction_users)
    router.add("POST", base + "/typing", typing)
    router.add("PUT", base + "/thread-members/@me", join_thread)


async def serve_attachment(world: World, request: web.Request) -> web.Response:
    att = world.attachments.get(int(request.match_info["att_id"]))
    if att is None or att.filename != request.match_info["filename"]:
        return web.Response(status=404, text="Not Found")
    return web.Response(body=att.data, content_type=att.content_type or "application/octet-stream")
