"""Interactions: what a user's command invocation looks like to the bot, and the bot's answers
through /interactions/{id}/{token}/callback and /webhooks/{app_id}/{token}."""

from __future__ import annotations

import asyncio
import secrets
from dataclasses import dataclass, field
from typing import Any

from . import forms, ops, render
from .model import JSON, ApiError, Message, MessageFlag, invalid_form
from .rest import Ctx, Reply, Router
from .world import World

ACK_DEADLINE = 3.0  # seconds Discord gives to acknowledge
TOKEN_LIFETIME = 15 * 60.0
KEPT_FLAGS = (1 << 2) | MessageFlag.EPHEMERAL | (1 << 12) | (1 << 15)


@dataclass
class Answer:
    """The bot's visible answer to an interaction."""

    kind: str  # message | autocomplete | modal | update | deferred_update
    callback_type: int
    content: str = ""
    ephemeral: bool = False
    deferred: bool = False
    embeds: list[JSON] = field(default_factory=list)
    message: JSON | None = None
    choices: list[JSON] | None = None
    modal: JSON | None = None


class Interaction:
    """An interaction the driver created; records every answer the bot gave to it."""

    def __init__(self, world: World, payload: JSON, command_name: str | None) -> None:
        self.world = world
        self.payload = payload
        self.id = int(payload["id"])
        self.token = str(payload["token"])
        self.type = int(payload["type"])
        self.command_name = command_name
        self.created = asyncio.get_running_loop().time()
        self.callback: JSON | None = None
        self.original: Message | None = None
        self.followups: list[Message] = []
        #: ("callback" | "edit_original" | "delete_original" | "followup" | "edit_followup", body)
        self.log: list[tuple[str, Any]] = []

    @property
    def callback_type(self) -> int | None:
        return None if self.callback is None else int(self.callback["type"])

    @property
    def acked(self) -> bool:
        return self.callback is not None

    @property
    def deferred(self) -> bool:
        return self.callback_type in (5, 6)

    @property
    def ephemeral(self) -> bool:
        return self.original is not None and self.original.ephemeral

    def _answer(self, msg: Message, kind: str = "message") -> Answer:
        assert self.callback_type is not None
        return Answer(
            kind=kind,
            callback_type=self.callback_type,
            content=msg.content,
            ephemeral=msg.ephemeral,
            deferred=self.callback_type == 5,
            embeds=list(msg.embeds),
            message=render.message_payload(self.world, msg),
        )

    def answer(self) -> Answer | None:
        """The answer so far (None while there is none; a deferral alone is no answer)."""
        kind = self.callback_type
        data = (self.callback or {}).get("data") or {}
        if kind is None:
            return None
        if kind == 8:
            return Answer("autocomplete", kind, choices=list(data.get("choices") or []))
        if kind == 9:
            return Answer("modal", kind, modal=data)
        if kind == 6:
            return Answer("deferred_update", kind, deferred=True)
        if kind == 7 and self.original is not None:
            return self._answer(self.original, "update")
        original = self.original
        if original is not None and not original.flags & MessageFlag.LOADING:
            return self._answer(original)
        if self.followups:
            return self._answer(self.followups[0])
        return None

    @property
    def responses(self) -> list[Answer]:
        """Every visible answer: the original response, then each further followup."""
        first = self.answer()
        if first is None:
            return []
        shown = None if first.message is None else first.message["id"]
        return [first, *(self._answer(m) for m in self.followups if str(m.id) != shown)]

    async def wait_ack(self, timeout: float = 5.0) -> int:  # noqa: ASYNC109
        await self.world.wait_for(lambda: self.acked, timeout)
        assert self.callback_type is not None
        return self.callback_type

    async def wait_response(self, timeout: float = 5.0) -> Answer:  # noqa: ASYNC109
        """Wait for the bot's answer; a deferral waits on for the edit or the first followup."""
        result: Answer = await self.world.wait_for(self.answer, timeout)
        return result


def _metadata(world: World, payload: JSON) -> JSON:
    user = payload.get("member", {}).get("user") or payload.get("user")
    meta: JSON = {"id": payload["id"], "type": payload["type"], "user": user}
    if payload.get("guild_id"):
        meta["authorizing_integration_owners"] = {"0": payload["guild_id"]}
    if payload.get("data", {}).get("name"):
        meta["name"] = payload["data"]["name"]
        meta["command_type"] = payload["data"].get("type", 1)
    if payload["type"] == 3 and payload.get("message"):
        meta["interacted_message_id"] = payload["message"]["id"]
    return meta


class InteractionsApi:
    def __init__(self, world: World) -> None:
        self.world = world
        self.by_id: dict[int, Interaction] = {}
        self.by_token: dict[str, Interaction] = {}
        self.ack_deadline = ACK_DEADLINE

    def new_token(self) -> str:
        return "standin-ix-" + secrets.token_urlsafe(24)

    def add(self, ix: Interaction) -> Interaction:
        self.by_id[ix.id] = ix
        self.by_token[ix.token] = ix
        self.world.dispatch("INTERACTION_CREATE", ix.payload)
        return ix

    def _create(
        self, ix: Interaction, body: JSON, uploads: list[ops.Upload], *, loading: bool
    ) -> Message:
        world = self.world
        channel = world.channel(int(ix.payload["channel_id"]))
        flags = int(body.get("flags") or 0) & KEPT_FLAGS
        extra: dict[str, Any] = {
            "type": 20 if ix.type in (2, 4) else 0,
            "webhook_id": world.application_id,
            "application_id": world.application_id,
            "interaction_metadata": _metadata(world, ix.payload),
        }
        if not loading:
            return ops.post_message(
                world, channel, world.bot, body | {"flags": flags}, uploads, **extra
            )
        msg = Message(
            id=world.ids.next(),
            channel_id=channel.id,
            guild_id=channel.guild_id,
            author_id=world.bot.id,
            flags=(flags & MessageFlag.EPHEMERAL) | MessageFlag.LOADING,
            **extra,
        )
        world.messages[msg.id] = msg
        world.channel_messages.setdefault(channel.id, []).append(msg.id)
        world.dispatch_message("MESSAGE_CREATE", msg)
        return msg

    def _by_token(self, ctx: Ctx) -> Interaction:
        ix = self.by_token.get(ctx.params["token"])
        if ctx.params["application_id"] != str(self.world.application_id) or ix is None:
            raise ApiError(404, 10015, "Unknown Webhook")
        if asyncio.get_running_loop().time() - ix.created > TOKEN_LIFETIME:
            raise ApiError(401, 50027, "Invalid Webhook Token")
        return ix

    async def callback(self, ctx: Ctx) -> Reply:
        ix = self.by_id.get(ctx.id("interaction_id"))
        if ix is None or ix.token != ctx.params["token"]:
            raise ApiError(404, 10062, "Unknown interaction")
        if asyncio.get_running_loop().time() - ix.created > self.ack_deadline:
            raise ApiError(404, 10062, "Unknown interaction")
        if ix.acked:
            raise ApiError(400, 40060, "Interaction has already been acknowledged.")
        body = ctx.json
        kind = int(body.get("type", 0))
        data = body.get("data") or {}
        allowed = {2: {4, 5, 9}, 3: {4, 5, 6, 7, 9}, 4: {8}, 5: {4, 5, 6, 7}}.get(ix.type, set())
        if kind not in allowed:
            raise invalid_form("type", f"Interaction response type {kind} is invalid here")
        if kind == 8:
            forms.check_choices(ix.payload, data)
        if kind == 9:
            forms.check_modal(data)
        if kind in (4, 5):
            ix.original = self._create(ix, data, ctx.uploads, loading=kind == 5)
        elif kind in (6, 7):
            message = ix.payload.get("message")
            ix.original = self.world.messages.get(int(message["id"])) if message else None
            if kind == 7 and ix.original is not None:
                ops.edit_message(self.world, ix.original, data, ctx.uploads)
        ix.callback = body
        ix.log.append(("callback", body))
        if ctx.query.get("with_response") not in ("1", "true", "True"):
            return 204, None
        info: JSON = {"id": str(ix.id), "type": ix.type}
        resource: JSON = {"type": kind}
        if ix.original is not None:
            info["response_message_id"] = str(ix.original.id)
            info["response_message_loading"] = kind == 5
            info["response_message_ephemeral"] = ix.original.ephemeral
            resource["message"] = render.message_payload(self.world, ix.original)
        return 200, {"interaction": info, "resource": resource}

    def _target(self, ix: Interaction, ctx: Ctx) -> Message:
        mid = ctx.params["message_id"]
        if mid == "@original":
            if ix.original is None or ix.original.deleted:
                raise ApiError(404, 10008, "Unknown Message")
            return ix.original
        for msg in ix.followups:
            if str(msg.id) == mid and not msg.deleted:
                return msg
        raise ApiError(404, 10008, "Unknown Message")

    async def get_message(self, ctx: Ctx) -> Reply:
        msg = self._target(self._by_token(ctx), ctx)
        return 200, render.message_payload(self.world, msg)

    async def edit_message(self, ctx: Ctx) -> Reply:
        ix = self._by_token(ctx)
        msg = self._target(ix, ctx)
        msg.flags &= ~MessageFlag.LOADING
        ops.edit_message(self.world, msg, ctx.json, ctx.uploads)
        ix.log.append(("edit_original" if msg is ix.original else "edit_followup", ctx.json))
        return 200, render.message_payload(self.world, msg)

    async def delete_message(self, ctx: Ctx) -> Reply:
        ix = self._by_token(ctx)
        msg = self._target(ix, ctx)
        ops.delete_message(self.world, msg)
        ix.log.append(("delete_original" if msg is ix.original else "delete_followup", {}))
        return 204, None

    async def followup(self, ctx: Ctx) -> Reply:
        ix = self._by_token(ctx)
        if not ix.acked:
            raise ApiError(404, 10015, "Unknown Webhook")
        body = ctx.json
        ix.log.append(("followup", body))
        original = ix.original
        if ix.callback_type == 5 and original is not None and original.flags & MessageFlag.LOADING:
            # Discord: the first followup after a deferral edits the "thinking" message,
            # keeping the deferral's visibility (the followup's ephemeral flag is ignored).
            original.flags &= ~MessageFlag.LOADING
            msg = ops.edit_message(
                self.world, original, {k: v for k, v in body.items() if k != "flags"}, ctx.uploads
            )
        else:
            msg = self._create(ix, body, ctx.uploads, loading=False)
        ix.followups.append(msg)
        wait = ctx.query.get("wait") in ("1", "true", "True")
        return (200, render.message_payload(self.world, msg)) if wait else (204, None)

    def register(self, router: Router) -> None:
        router.add(
            "POST", "/interactions/{interaction_id}/{token}/callback", self.callback, auth=False
        )
        hook = "/webhooks/{application_id}/{token}"
        router.add("POST", hook, self.followup, auth=False)
        router.add("GET", hook + "/messages/{message_id}", self.get_message, auth=False)
        router.add("PATCH", hook + "/messages/{message_id}", self.edit_message, auth=False)
        router.add("DELETE", hook + "/messages/{message_id}", self.delete_message, auth=False)
