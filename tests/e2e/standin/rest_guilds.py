"""REST routes for the bot user, gateway discovery, application, guilds, events and commands."""

from __future__ import annotations

import re
from typing import Any

from . import ops, render
from .model import JSON, ApiError, Command, Guild, Perm, compute_permissions, invalid_form
from .rest import Ctx, Reply, Router
from .world import World

COMMAND_NAME = re.compile(r"^[-_\w]{1,32}$")


def _check_options(options: list[JSON], where: str) -> None:
    if len(options) > 25:
        raise invalid_form(where, "Must be 25 or fewer in length.")
    names = [str(o.get("name", "")) for o in options]
    if len(set(names)) != len(names):
        raise invalid_form(
            where, "Option names must be unique", "APPLICATION_COMMAND_OPTIONS_NAME_ALREADY_EXISTS"
        )
    seen_optional = False
    for index, opt in enumerate(options):
        name = names[index]
        if not COMMAND_NAME.match(name) or name != name.lower():
            raise invalid_form(f"{where}.{index}.name", "Invalid option name")
        if not 1 <= len(str(opt.get("description", ""))) <= 100:
            raise invalid_form(
                f"{where}.{index}.description", "Must be between 1 and 100 in length."
            )
        if int(opt.get("type", 0)) in (1, 2):
            _check_options(list(opt.get("options") or []), f"{where}.{index}.options")
            continue
        if opt.get("required"):
            if seen_optional:
                raise invalid_form(
                    where,
                    "Required options must be placed before non-required options",
                    "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
                )
        else:
            seen_optional = True


def _check_command(payload: JSON, index: int) -> None:
    name = str(payload.get("name", ""))
    kind = int(payload.get("type", 1))
    if kind == 1:
        if not COMMAND_NAME.match(name) or name != name.lower():
            raise invalid_form(
                f"{index}.name", "Command name is invalid", "APPLICATION_COMMAND_INVALID_NAME"
            )
        if not 1 <= len(str(payload.get("description", ""))) <= 100:
            raise invalid_form(f"{index}.description", "Must be between 1 and 100 in length.")
        _check_options(list(payload.get("options") or []), f"{index}.options")
    elif not 1 <= len(name) <= 32:
        raise invalid_form(f"{index}.name", "Must be between 1 and 32 in length.")


def register(router: Router, world: World) -> None:
    def guild(ctx: Ctx) -> Guild:
        return world.guild(ctx.id("guild_id"))

    def app_id(ctx: Ctx) -> None:
        if ctx.params["application_id"] != str(world.application_id):
            raise ApiError(403, 50001, "Missing Access")

    async def me(ctx: Ctx) -> Reply:
        extra = {"verified": True, "mfa_enabled": False, "email": None, "locale": "en-US"}
        return 200, render.user_payload(world.bot) | extra

    async def user(ctx: Ctx) -> Reply:
        return 200, render.user_payload(world.user(ctx.id("user_id")))

    async def gateway(ctx: Ctx) -> Reply:
        assert world.hub is not None
        return 200, {"url": world.hub.gateway_url}

    async def gateway_bot(ctx: Ctx) -> Reply:
        assert world.hub is not None
        return 200, world.hub.sharding.gateway_bot(world.hub.gateway_url)

    async def application(ctx: Ctx) -> Reply:
        return 200, render.application_payload(world)

    async def get_guild(ctx: Ctx) -> Reply:
        return 200, render.guild_payload(world, guild(ctx))

    async def guild_channels(ctx: Ctx) -> Reply:
        g = guild(ctx)
        chans = [world.channels[c] for c in g.channel_ids]
        return 200, [render.channel_payload(world, c) for c in chans if not c.is_thread]

    async def active_threads(ctx: Ctx) -> Reply:
        g = guild(ctx)
        threads = [world.channels[c] for c in g.channel_ids]
        live = [t for t in threads if t.is_thread and not t.archived]
        return 200, {"threads": [render.thread_payload(world, t) for t in live], "members": []}

    async def member(ctx: Ctx) -> Reply:
        m = guild(ctx).members.get(ctx.id("user_id"))
        if m is None:
            raise ApiError(404, 10007, "Unknown Member")
        return 200, render.member_payload(world, m)

    async def members(ctx: Ctx) -> Reply:
        g = guild(ctx)
        after = int(ctx.query.get("after", "0"))
        limit = int(ctx.query.get("limit", "1"))
        found = sorted(
            (m for m in g.members.values() if m.user_id > after), key=lambda m: m.user_id
        )
        return 200, [render.member_payload(world, m) for m in found[:limit]]

    async def roles(ctx: Ctx) -> Reply:
        return 200, [render.role_payload(r) for r in guild(ctx).roles.values()]

    def event_perms(g: Guild, body: JSON, creator_id: int | None) -> None:
        channel_id = body.get("channel_id")
        channel = world.channels.get(int(channel_id)) if channel_id else None
        perms = compute_permissions(g, world.bot.id, channel)
        if perms & Perm.MANAGE_EVENTS:
            return
        if perms & Perm.CREATE_EVENTS and creator_id in (None, world.bot.id):
            return
        raise ApiError(403, 50013, "Missing Permissions")

    async def list_events(ctx: Ctx) -> Reply:
        g = guild(ctx)
        evs = [world.events[e] for e in g.event_ids if not world.events[e].deleted]
        return 200, [render.event_payload(world, e) for e in evs]

    async def create_event(ctx: Ctx) -> Reply:
        g = guild(ctx)
        event_perms(g, ctx.json, None)
        return 200, render.event_payload(world, ops.create_event(world, g, ctx.json, world.bot))

    async def get_event(ctx: Ctx) -> Reply:
        ev = world.event(guild(ctx).id, ctx.id("event_id"))
        return 200, render.event_payload(world, ev)

    async def patch_event(ctx: Ctx) -> Reply:
        g = guild(ctx)
        ev = world.event(g.id, ctx.id("event_id"))
        event_perms(g, {"channel_id": ev.channel_id} | ctx.json, ev.creator_id)
        return 200, render.event_payload(world, ops.update_event(world, ev, ctx.json))

    async def delete_event(ctx: Ctx) -> Reply:
        g = guild(ctx)
        ev = world.event(g.id, ctx.id("event_id"))
        event_perms(g, {"channel_id": ev.channel_id}, ev.creator_id)
        ops.delete_event(world, ev)
        return 204, None

    def commands_of(guild_id: int | None) -> list[Command]:
        return [c for c in world.commands.values() if c.guild_id == guild_id]

    def scope(ctx: Ctx) -> int | None:
        app_id(ctx)
        return guild(ctx).id if "guild_id" in ctx.params else None

    async def list_commands(ctx: Ctx) -> Reply:
        return 200, [render.command_payload(c) for c in commands_of(scope(ctx))]

    async def overwrite_commands(ctx: Ctx) -> Reply:
        guild_id = scope(ctx)
        if not isinstance(ctx.body, list):
            raise invalid_form("_", "Expected a list")
        if len(ctx.body) > 100:
            raise invalid_form("_", "Must be 100 or fewer in length.")
        keys = [(str(p.get("name")), int(p.get("type", 1))) for p in ctx.body]
        if len(set(keys)) != len(keys):
            raise invalid_form(
                "_",
                "Application command names must be unique",
                "APPLICATION_COMMANDS_DUPLICATE_NAME",
            )
        for index, payload in enumerate(ctx.body):
            _check_command(payload, index)
        old = {(c.name, int(c.payload.get("type", 1))): c for c in commands_of(guild_id)}
        for cmd in old.values():
            del world.commands[cmd.id]
        out: list[Any] = []
        for key, payload in zip(keys, ctx.body, strict=True):
            previous = old.get(key)
            cmd = Command(
                id=previous.id if previous else world.ids.next(),
                application_id=world.application_id,
                guild_id=guild_id,
                payload=dict(payload),
                version=world.ids.next(),
            )
            world.commands[cmd.id] = cmd
            out.append(render.command_payload(cmd))
        return 200, out

    async def upsert_command(ctx: Ctx) -> Reply:
        guild_id = scope(ctx)
        _check_command(ctx.json, 0)
        key = (str(ctx.json.get("name")), int(ctx.json.get("type", 1)))
        previous = next(
            (c for c in commands_of(guild_id) if (c.name, int(c.payload.get("type", 1))) == key),
            None,
        )
        cmd = Command(
            id=previous.id if previous else world.ids.next(),
            application_id=world.application_id,
            guild_id=guild_id,
            payload=dict(ctx.json),
            version=world.ids.next(),
        )
        world.commands[cmd.id] = cmd
        return (200 if previous else 201), render.command_payload(cmd)

    async def delete_command(ctx: Ctx) -> Reply:
        guild_id = scope(ctx)
        cmd = world.commands.get(ctx.id("command_id"))
        if cmd is None or cmd.guild_id != guild_id:
            raise ApiError(404, 10063, "Unknown application command")
        del world.commands[cmd.id]
        return 204, None

    router.add("GET", "/users/@me", me)
    router.add("GET", "/users/{user_id}", user)
    router.add("GET", "/gateway", gateway, auth=False)
    router.add("GET", "/gateway/bot", gateway_bot)
    router.add("GET", "/oauth2/applications/@me", application)
    router.add("GET", "/applications/@me", application)
    g = "/guilds/{guild_id}"
    router.add("GET", g, get_guild)
    router.add("GET", g + "/channels", guild_channels)
    router.add("GET", g + "/threads/active", active_threads)
    router.add("GET", g + "/members", members)
    router.add("GET", g + "/members/{user_id}", member)
    router.add("GET", g + "/roles", roles)
    router.add("GET", g + "/scheduled-events", list_events)
    router.add("POST", g + "/scheduled-events", create_event)
    router.add("GET", g + "/scheduled-events/{event_id}", get_event)
    router.add("PATCH", g + "/scheduled-events/{event_id}", patch_event)
    router.add("DELETE", g + "/scheduled-events/{event_id}", delete_event)
    for prefix in (
        "/applications/{application_id}",
        "/applications/{application_id}/guilds/{guild_id}",
    ):
        router.add("GET", prefix + "/commands", list_commands)
        router.add("PUT", prefix + "/commands", overwrite_commands)
        router.add("POST", prefix + "/commands", upsert_command)
        router.add("DELETE", prefix + "/commands/{command_id}", delete_command)
