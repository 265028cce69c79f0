"""Interaction payloads as Discord builds them when a user runs a command, clicks, or submits."""

from __future__ import annotations

from typing import Any

from . import forms, render
from .interactions import Interaction, InteractionsApi
from .model import JSON, Attachment, Channel, Command, Message, Perm, Role, User
from .selects import check_select
from .world import World

ATTACHMENT_LIMIT = 10 * 1024 * 1024


def base_payload(
    world: World, api: InteractionsApi, kind: int, user: User, channel: Channel
) -> JSON:
    guild = world.guilds[channel.guild_id]
    member = guild.members.get(user.id)
    if member is None:
        raise ValueError(f"{user.name} is not a member of {guild.name}")
    user_perms = str(world.perms(user.id, channel))
    return {
        "id": str(world.ids.next()),
        "application_id": str(world.application_id),
        "type": kind,
        "token": api.new_token(),
        "version": 1,
        "guild_id": str(guild.id),
        "guild": {"id": str(guild.id), "locale": "en-US", "features": []},
        "channel_id": str(channel.id),
        "channel": render.channel_payload(world, channel) | {"permissions": user_perms},
        "member": render.member_payload(world, member) | {"permissions": user_perms},
        "app_permissions": str(world.bot_perms(channel)),
        "locale": "en-US",
        "guild_locale": "en-US",
        "entitlements": [],
        "entitlement_sku_ids": [],
        "authorizing_integration_owners": {"0": str(guild.id)},
        "context": 0,
        "attachment_size_limit": ATTACHMENT_LIMIT,
    }


def find_command(world: World, guild_id: int, name: str, kind: int = 1) -> Command:
    def matching(scope: int | None) -> Command | None:
        for cmd in world.commands.values():
            if cmd.guild_id == scope and cmd.name == name and cmd.payload.get("type", 1) == kind:
                return cmd
        return None

    cmd = matching(guild_id) or matching(None)
    if cmd is None:
        raise LookupError(f"command {name!r} is not registered (did the bot sync its tree?)")
    return cmd


def can_use(world: World, cmd: Command, user: User, channel: Channel) -> bool:
    """Whether Discord shows ``cmd`` to ``user`` in ``channel`` (and so lets them run it).

    Administrators (and the owner) always may. Otherwise the overwrites a server's admins
    set for the command decide, most specific first: the user's own, then the member's
    roles (a role allowed wins over a role denied), then @everyone's (the guild's id).
    Without one, ``default_member_permissions`` does: null lets everyone, "0" only
    administrators, anything else members who have every one of those permissions in the
    channel. Use Application Commands is needed in any case. (Channel overwrites, which
    Discord also has, are left out.)"""
    perms = world.perms(user.id, channel)
    if perms & Perm.ADMINISTRATOR:
        return True
    if not perms & Perm.USE_APPLICATION_COMMANDS:
        return False
    overwrites = world.command_permissions.get(cmd.id, {})
    guild = world.guilds[channel.guild_id]
    if user.id in overwrites:
        return overwrites[user.id][1]
    member_roles = guild.members[user.id].roles
    by_role = [overwrites[r][1] for r in member_roles if r in overwrites]
    if by_role:
        return any(by_role)
    if guild.id in overwrites:
        return overwrites[guild.id][1]
    required = cmd.payload.get("default_member_permissions")
    if required is None:
        return True
    needed = int(required)
    return needed != 0 and perms & needed == needed


def _infer(value: Any) -> int:
    if isinstance(value, bool):
        return 5
    if isinstance(value, int):
        return 4
    if isinstance(value, float):
        return 10
    if isinstance(value, User):
        return 6
    if isinstance(value, Channel):
        return 7
    if isinstance(value, Role):
        return 8
    if isinstance(value, tuple | Attachment):
        return 11
    return 3


def _ident(value: Any) -> int:
    return int(getattr(value, "id", value))


def _option_value(world: World, kind: int, value: Any, resolved: JSON, guild_id: int) -> Any:
    guild = world.guilds[guild_id]
    if kind == 4:
        return int(value)
    if kind == 5:
        return bool(value)
    if kind == 10:
        return float(value)
    if kind == 6:
        user = world.user(_ident(value))
        resolved.setdefault("users", {})[str(user.id)] = render.user_payload(user)
        if user.id in guild.members:
            member = render.member_payload(world, guild.members[user.id], with_user=False)
            resolved.setdefault("members", {})[str(user.id)] = member | {"permissions": "0"}
        return str(user.id)
    if kind == 7:
        channel = world.channel(_ident(value))
        payload = render.channel_payload(world, channel) | {"permissions": "0"}
        resolved.setdefault("channels", {})[str(channel.id)] = payload
        return str(channel.id)
    if kind == 8:
        role = guild.roles[_ident(value)]
        resolved.setdefault("roles", {})[str(role.id)] = render.role_payload(role)
        return str(role.id)
    if kind == 11:
        if isinstance(value, Attachment):
            att = value
        else:
            filename, data, *rest = value
            att = world.new_attachment(filename, data, rest[0] if rest else None)
        payload = render.attachment_payload(world, att)
        resolved.setdefault("attachments", {})[str(att.id)] = payload
        return str(att.id)
    return str(value)


def build_options(
    world: World,
    definitions: list[JSON],
    values: dict[str, Any],
    resolved: JSON,
    guild_id: int,
    focused: str | None = None,
) -> list[JSON]:
    by_name = {str(d["name"]): d for d in definitions}
    out: list[JSON] = []
    for name, value in values.items():
        definition = by_name.get(name)
        if definition is None and definitions:
            raise ValueError(f"option {name!r} is not defined; known: {sorted(by_name)}")
        kind = int(definition["type"]) if definition else _infer(value)
        if name == focused:
            if definition is not None and not definition.get("autocomplete"):
                raise ValueError(f"option {name!r} has no autocomplete; Discord sends none")
            out.append({"name": name, "type": kind, "value": str(value), "focused": True})
            continue
        out.append(
            {
                "name": name,
                "type": kind,
                "value": _option_value(world, kind, value, resolved, guild_id),
            }
        )
    if focused is None:
        missing = [n for n, d in by_name.items() if d.get("required") and n not in values]
        if missing:
            raise ValueError(f"required options missing: {missing}")
    return out


def command_interaction(
    world: World,
    api: InteractionsApi,
    user: User,
    channel: Channel,
    command: str,
    subcommand: str | None,
    options: dict[str, Any],
    *,
    focused: str | None = None,
) -> Interaction:
    cmd = find_command(world, channel.guild_id, command)
    if not can_use(world, cmd, user, channel):
        raise PermissionError(
            f"Discord does not show /{command} to {user.name} in #{channel.name} "
            f"(default_member_permissions {cmd.payload.get('default_member_permissions')}, "
            "no overwrite allows them)"
        )
    definitions: list[JSON] = list(cmd.payload.get("options") or [])
    chain: list[JSON] = []
    for part in (subcommand or "").split():
        found = next((d for d in definitions if d["name"] == part and d["type"] in (1, 2)), None)
        if found is None:
            raise ValueError(f"/{command} has no subcommand {part!r}")
        chain.append(found)
        definitions = list(found.get("options") or [])
    if any(d.get("type") in (1, 2) for d in definitions):
        raise ValueError(f"/{command} {subcommand or ''} needs a subcommand")
    resolved: JSON = {}
    opts = build_options(world, definitions, options, resolved, channel.guild_id, focused)
    for parent in reversed(chain):
        opts = [{"name": parent["name"], "type": parent["type"], "options": opts}]
    data: JSON = {"id": str(cmd.id), "name": cmd.name, "type": 1, "options": opts}
    if resolved:
        data["resolved"] = resolved
    if cmd.guild_id is not None:
        data["guild_id"] = str(cmd.guild_id)
    payload = base_payload(world, api, 4 if focused else 2, user, channel) | {"data": data}
    return api.add(Interaction(world, payload, cmd.name))


def _find_component(components: list[JSON], custom_id: str) -> JSON | None:
    for comp in components:
        if comp.get("custom_id") == custom_id:
            return comp
        children = list(comp.get("components") or [])
        if comp.get("component"):
            children.append(comp["component"])
        if comp.get("accessory"):
            children.append(comp["accessory"])
        found = _find_component(children, custom_id)
        if found is not None:
            return found
    return None


def component_interaction(
    world: World,
    api: InteractionsApi,
    user: User,
    msg: Message,
    custom_id: str,
    values: list[str] | None = None,
) -> Interaction:
    component = _find_component(msg.components, custom_id)
    if component is None:
        raise ValueError(f"message {msg.id} has no component {custom_id!r}")
    shown_to = (msg.interaction_metadata or {}).get("user") or {}
    if msg.ephemeral and str(shown_to.get("id")) != str(user.id):
        raise PermissionError(f"Discord shows ephemeral message {msg.id} only to its user")
    channel = world.channel(msg.channel_id)
    check_select(component, values)
    data: JSON = {"custom_id": custom_id, "component_type": int(component.get("type", 2))}
    if values is not None:
        data["values"] = values
    payload = base_payload(world, api, 3, user, channel) | {"data": data}
    payload["message"] = render.message_payload(world, msg)
    return api.add(Interaction(world, payload, None))


def modal_interaction(
    world: World, api: InteractionsApi, user: User, origin: Interaction, values: dict[str, str]
) -> Interaction:
    if origin.callback_type != 9 or origin.callback is None:
        raise ValueError("the bot did not answer this interaction with a modal")
    modal = origin.callback["data"]
    components = list(modal.get("components") or [])
    unknown = [k for k in values if _find_component(components, k) is None]
    if unknown:
        raise ValueError(f"modal has no inputs {unknown}")
    opener = origin.payload.get("member", {}).get("user") or origin.payload.get("user") or {}
    if str(opener.get("id")) != str(user.id):
        raise ValueError(f"the modal was shown to user {opener.get('id')}, not to {user.name}")
    channel = world.channel(int(origin.payload["channel_id"]))
    data = {"custom_id": modal["custom_id"], "components": forms.submission(components, values)}
    payload = base_payload(world, api, 5, user, channel) | {"data": data}
    if origin.payload.get("message"):
        payload["message"] = origin.payload["message"]
    return api.add(Interaction(world, payload, origin.command_name))
