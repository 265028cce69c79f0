"""Direct messages, as Discord does them (the bot is the only sender).

* ``POST /users/@me/channels {"recipient_id"}`` opens (or returns the existing) DM channel
  with a user: a type-1 channel object ``{"id", "type": 1, "last_message_id", "flags",
  "recipients": [user]}``. Opening always succeeds for a known user, even one whose DMs
  are closed (Discord refuses at the send, not at the open); an unknown user is
  404 10013.
* ``POST /channels/{dm}/messages`` stores the message for the driver to read. Discord
  refuses with HTTP 403 ``{"code": 50007, "message": "Cannot send messages to this user"}``
  when the user closed their DMs (or blocked the bot), when they share no server with the
  bot, and when the recipient is a bot; discord.py raises ``discord.Forbidden`` with
  ``.code == 50007``. Content over 2,000 characters is 50035 and an empty message 50006,
  as in a server channel.
* ``GET /channels/{dm}/messages`` (history, newest first, ``before``/``after``/``limit``)
  and ``GET /channels/{dm}`` work as for a server channel.

No MESSAGE_CREATE is dispatched for DMs: the bot does not ask for the DIRECT_MESSAGES
intent. The hook into the shared REST router is :meth:`DirectMessages.install`: it wraps
the channel routes so a DM channel's id is answered here and every other id as before.
"""

from __future__ import annotations

import time
from typing import Any

from . import render
from .model import JSON, ApiError, Message, invalid_form
from .rest import Ctx, Handler, Reply, Router
from .world import World

DM_CHANNEL = 1
CANNOT_DM = (403, 50007, "Cannot send messages to this user")


class DirectMessages:
    """DM channels between the bot and users, what was sent in them, and who closed theirs."""

    def __init__(self, world: World) -> None:
        self.world = world
        #: DM channel id -> recipient user id, and back.
        self.recipients: dict[int, int] = {}
        self.channel_of: dict[int, int] = {}
        #: Users whose DMs are closed (Privacy settings: "Allow direct messages" off).
        self.closed: set[int] = set()

    # ------------------------------------------------------------------- driver
    def close(self, user: Any) -> None:
        """``user`` turns off direct messages: every send to them fails with 50007."""
        self.closed.add(int(getattr(user, "id", user)))
        self.world.notify()

    def reopen(self, user: Any) -> None:
        """``user`` allows direct messages again."""
        self.closed.discard(int(getattr(user, "id", user)))
        self.world.notify()

    def received(self, user: Any) -> list[JSON]:
        """The messages the bot sent ``user`` by DM, oldest first (payloads plus
        ``allowed_mentions`` as sent)."""
        channel_id = self.channel_of.get(int(getattr(user, "id", user)))
        if channel_id is None:
            return []
        return [
            render.message_payload(self.world, m) | {"allowed_mentions": m.allowed_mentions}
            for m in self.world.history(channel_id)
        ]

    # ---------------------------------------------------------------------- REST
    def install(self, router: Router) -> None:
        """Add the DM routes and answer DM channel ids on the channel routes (call after the
        channel routes are registered)."""
        router.add("POST", "/users/@me/channels", self._open)
        self._wrap(router, "POST", "/channels/{channel_id}/messages", self._send)
        self._wrap(router, "GET", "/channels/{channel_id}/messages", self._history)
        self._wrap(router, "GET", "/channels/{channel_id}", self._get)

    def _wrap(self, router: Router, method: str, template: str, dm_handler: Handler) -> None:
        for route in router.routes:
            if route.method == method and route.template == template:
                inner = route.handler

                async def handler(ctx: Ctx, inner: Handler = inner) -> Reply:
                    if ctx.params.get("channel_id", "").isdigit() and (
                        int(ctx.params["channel_id"]) in self.recipients
                    ):
                        return await dm_handler(ctx)
                    return await inner(ctx)

                route.handler = handler
                return
        raise LookupError(f"no route {method} {template} to answer DMs on")

    def payload(self, channel_id: int) -> JSON:
        """The DM channel object."""
        recipient = self.world.users[self.recipients[channel_id]]
        history = self.world.channel_messages.get(channel_id, [])
        return {
            "id": str(channel_id),
            "type": DM_CHANNEL,
            "last_message_id": str(history[-1]) if history else None,
            "flags": 0,
            "recipients": [render.user_payload(recipient)],
        }

    async def _open(self, ctx: Ctx) -> Reply:
        raw = ctx.json.get("recipient_id")
        if raw is None or not str(raw).isdigit():
            raise invalid_form("recipient_id", "This field is required", "BASE_TYPE_REQUIRED")
        user = self.world.user(int(raw))
        channel_id = self.channel_of.get(user.id)
        if channel_id is None:
            channel_id = self.world.ids.next()
            self.channel_of[user.id] = channel_id
            self.recipients[channel_id] = user.id
        return 200, self.payload(channel_id)

    def _reachable(self, user_id: int) -> bool:
        user = self.world.users[user_id]
        shares_a_server = any(
            user_id in g.members and self.world.bot.id in g.members
            for g in self.world.guilds.values()
        ) or any(g.owner_id == user_id for g in self.world.guilds.values())
        return not user.bot and user_id not in self.closed and shares_a_server

    async def _send(self, ctx: Ctx) -> Reply:
        channel_id = ctx.id("channel_id")
        body = ctx.json
        if not self._reachable(self.recipients[channel_id]):
            raise ApiError(*CANNOT_DM)
        msg = Message(
            id=self.world.ids.next(),
            channel_id=channel_id,
            guild_id=None,
            author_id=self.world.bot.id,
            content=str(body.get("content") or ""),
            embeds=list(body.get("embeds") or []),
            components=list(body.get("components") or []),
            flags=int(body.get("flags") or 0),
            nonce=None if body.get("nonce") is None else str(body["nonce"]),
            allowed_mentions=body.get("allowed_mentions"),
        )
        if len(msg.content) > 2000:
            raise invalid_form(
                "content", "Must be 2000 or fewer in length.", "BASE_TYPE_MAX_LENGTH"
            )
        if not (msg.content or msg.embeds or msg.components):
            raise ApiError(400, 50006, "Cannot send an empty message")
        key = (self.world.bot.id, str(msg.nonce))
        now = time.monotonic()
        if msg.nonce is not None and body.get("enforce_nonce"):
            seen = self.world.nonces.get(key)
            if seen is not None and now - seen[1] < 300.0:
                original = self.world.messages[seen[0]]
                return 200, render.message_payload(self.world, original) | {"nonce": msg.nonce}
        self.world.messages[msg.id] = msg
        self.world.channel_messages.setdefault(channel_id, []).append(msg.id)
        if msg.nonce is not None:
            self.world.nonces[key] = (msg.id, now)
        self.world.notify()
        return 200, render.message_payload(self.world, msg) | {"nonce": msg.nonce}

    async def _history(self, ctx: Ctx) -> Reply:
        channel_id = ctx.id("channel_id")
        try:
            limit = int(ctx.query.get("limit", "50"))
        except ValueError:
            raise invalid_form("limit", "Value is not int.") from None
        if not 1 <= limit <= 100:
            raise invalid_form("limit", "int value should be between 1 and 100.")
        msgs = self.world.history(channel_id)
        if (before := ctx.query.get("before")) is not None:
            picked = [m for m in msgs if m.id < int(before)][-limit:]
        elif (after := ctx.query.get("after")) is not None:
            picked = [m for m in msgs if m.id > int(after)][:limit]
        else:
            picked = msgs[-limit:]
        return 200, [render.message_payload(self.world, m) for m in reversed(picked)]

    async def _get(self, ctx: Ctx) -> Reply:
        return 200, self.payload(ctx.id("channel_id"))
