"""Message context menus and select menus, as Discord delivers them.

**Message commands** (application command type 3, shown under Apps when a user right-clicks
a message): the interaction (type 2) carries ``data.type`` 3, ``data.target_id`` (the
message) and ``data.resolved.messages`` with the whole message, content included whatever
the bot's intents (Discord resolves what the user acted on). Discord offers the menu only on
messages the user can see, and only if they may use the command.

**Select menus** (component types 3, 5-8): Discord refuses a submission whose number of
values is outside the menu's ``min_values``..``max_values`` (1..1 by default) or, for a
string select (type 3), a value that is not one of its options; a disabled menu cannot be
used: :func:`.selects.check_select`, which ``driver.component_interaction`` asks first.
"""

from __future__ import annotations

from . import render
from .driver import base_payload, can_use, find_command
from .interactions import Interaction, InteractionsApi
from .model import JSON, Message, Perm, User
from .world import World

MESSAGE_COMMAND = 3


def message_command_interaction(
    world: World, api: InteractionsApi, user: User, msg: Message, name: str
) -> Interaction:
    """``user`` picks Apps > ``name`` on ``msg``."""
    channel = world.channel(msg.channel_id)
    if msg.deleted:
        raise ValueError(f"message {msg.id} is deleted: Discord shows no menu on it")
    perms = world.perms(user.id, channel)
    if not perms & Perm.ADMINISTRATOR and not (
        perms & Perm.VIEW_CHANNEL and perms & Perm.READ_MESSAGE_HISTORY
    ):
        raise PermissionError(f"{user.name} cannot see message {msg.id}")
    cmd = find_command(world, channel.guild_id, name, kind=MESSAGE_COMMAND)
    if not can_use(world, cmd, user, channel):
        raise PermissionError(f"Discord does not show the menu {name!r} to {user.name}")
    data: JSON = {
        "id": str(cmd.id),
        "name": cmd.name,
        "type": MESSAGE_COMMAND,
        "target_id": str(msg.id),
        "resolved": {"messages": {str(msg.id): render.message_payload(world, msg)}},
    }
    if cmd.guild_id is not None:
        data["guild_id"] = str(cmd.guild_id)
    payload = base_payload(world, api, 2, user, channel) | {"data": data}
    return api.add(Interaction(world, payload, cmd.name))
