"""The stand-in's state: users, guilds, channels, messages; lookups, permissions, change signal."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from . import render
from .model import (
    BOT_DEFAULT,
    EVERYONE_DEFAULT,
    JSON,
    ApiError,
    Attachment,
    Channel,
    ChannelType,
    Command,
    Guild,
    Intent,
    Member,
    Message,
    Overwrite,
    Role,
    ScheduledEvent,
    Snowflakes,
    User,
    compute_permissions,
    missing_permissions,
)

if TYPE_CHECKING:
    from .gateway import Hub, Session
    from .polls import Poll

PayloadFn = Callable[["Session"], JSON | None]

APP_FLAG_PRESENCE = 1 << 12
APP_FLAG_GUILD_MEMBERS = 1 << 14
APP_FLAG_MESSAGE_CONTENT = 1 << 18


#: How often ``World.wait_for`` re-checks a condition when nothing in the world changed.
RECHECK = 0.1


class World:
    def __init__(self, *, bot_name: str = "StandInBot", token: str = "standin-token") -> None:
        self.ids = Snowflakes()
        self.token = token
        self.base_url = "http://127.0.0.1:0"
        self.users: dict[int, User] = {}
        self.guilds: dict[int, Guild] = {}
        self.channels: dict[int, Channel] = {}
        self.messages: dict[int, Message] = {}
        self.channel_messages: dict[int, list[int]] = {}
        self.events: dict[int, ScheduledEvent] = {}
        self.commands: dict[int, Command] = {}
        #: Command id -> {role, user or channel id: (type 1 role | 2 user | 3 channel, allowed)}:
        #: what a server's admins set in Server Settings > Integrations, over the command's
        #: ``default_member_permissions`` (see ``driver.can_use``).
        self.command_permissions: dict[int, dict[int, tuple[int, bool]]] = {}
        #: (author id, nonce) -> (message id, loop time) for ``enforce_nonce``.
        self.nonces: dict[tuple[int, str], tuple[int, float]] = {}
        self.attachments: dict[int, Attachment] = {}
        #: Message id -> its poll (see polls.py).
        self.polls: dict[int, Poll] = {}
        self.owner = self.add_user("standin-owner")
        self.bot = self.add_user(bot_name, bot=True)
        self.application_id = self.bot.id
        #: The developer-portal switches for privileged intents (IDENTIFY asking for one that
        #: is off is closed with 4014, as on Discord).
        self.allowed_intents: int = int(Intent.GUILD_MEMBERS | Intent.GUILD_PRESENCES) | int(
            Intent.MESSAGE_CONTENT
        )
        self.hub: Hub | None = None
        #: Called with each message just created (after MESSAGE_CREATE), e.g. to unfurl it.
        self.message_created: list[Callable[[Message], None]] = []
        self._changed = asyncio.Event()
        self.version = 0

    # ----------------------------------------------------------------- change signal
    def notify(self) -> None:
        self.version += 1
        self._changed.set()
        self._changed = asyncio.Event()

    async def wait_for(self, predicate: Callable[[], Any], timeout: float = 5.0) -> Any:  # noqa: ASYNC109
        """Wait until ``predicate()`` is truthy; returns its value.

        It is re-checked on every change of the world, and at least every ``RECHECK``
        seconds, since tests also wait on what the stand-in cannot see change: the bot's
        database and log (a row is written just after the request that it records)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            result = predicate()
            if result:
                return result
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(f"stand-in condition not met within {timeout}s: {predicate}")
            waiter = self._changed
            try:
                await asyncio.wait_for(waiter.wait(), min(remaining, RECHECK))
            except TimeoutError:
                continue

    # ----------------------------------------------------------------------- lookups
    def user(self, user_id: int) -> User:
        try:
            return self.users[user_id]
        except KeyError:
            raise ApiError(404, 10013, "Unknown User") from None

    def guild(self, guild_id: int) -> Guild:
        try:
            return self.guilds[guild_id]
        except KeyError:
            raise ApiError(404, 10004, "Unknown Guild") from None

    def channel(self, channel_id: int) -> Channel:
        try:
            return self.channels[channel_id]
        except KeyError:
            raise ApiError(404, 10003, "Unknown Channel") from None

    def message(self, channel_id: int | None, message_id: int) -> Message:
        msg = self.messages.get(message_id)
        if msg is None or msg.deleted or msg.ephemeral:
            raise ApiError(404, 10008, "Unknown Message")
        if channel_id is not None and msg.channel_id != channel_id:
            raise ApiError(404, 10008, "Unknown Message")
        return msg

    def event(self, guild_id: int, event_id: int) -> ScheduledEvent:
        ev = self.events.get(event_id)
        if ev is None or ev.deleted or ev.guild_id != guild_id:
            raise ApiError(404, 10070, "Unknown Guild Scheduled Event")
        return ev

    def history(self, channel_id: int, *, include_deleted: bool = False) -> list[Message]:
        out = [self.messages[m] for m in self.channel_messages.get(channel_id, [])]
        return [m for m in out if include_deleted or not m.deleted]

    # ------------------------------------------------------------------- permissions
    def perms(self, user_id: int, channel: Channel) -> int:
        guild = self.guilds[channel.guild_id]
        target = self.channels[channel.parent_id] if channel.parent_id else channel
        return compute_permissions(guild, user_id, target)

    def bot_perms(self, channel: Channel) -> int:
        return self.perms(self.bot.id, channel)

    def require(self, channel: Channel, *needed: int) -> None:
        perms = self.bot_perms(channel)
        if not perms:
            raise ApiError(403, 50001, "Missing Access")
        for perm in needed:
            if not perms & perm:
                raise missing_permissions()

    def require_guild(self, guild: Guild, *needed: int) -> None:
        perms = compute_permissions(guild, self.bot.id, None)
        if not all(perms & p for p in needed):
            raise missing_permissions()

    def bot_can_view(self, channel_id: int) -> bool:
        channel = self.channels.get(channel_id)
        return channel is not None and bool(self.bot_perms(channel))

    def application_flags(self) -> int:
        flags = 0
        if self.allowed_intents & Intent.MESSAGE_CONTENT:
            flags |= APP_FLAG_MESSAGE_CONTENT
        if self.allowed_intents & Intent.GUILD_MEMBERS:
            flags |= APP_FLAG_GUILD_MEMBERS
        if self.allowed_intents & Intent.GUILD_PRESENCES:
            flags |= APP_FLAG_PRESENCE
        return flags

    def content_visible(self, msg: Message, intents: int | None) -> bool:
        """Whether the bot may see ``msg``'s content with ``intents`` (None: no limit known)."""
        if intents is None or intents & Intent.MESSAGE_CONTENT:
            return True
        return msg.author_id == self.bot.id or self.bot.id in msg.mentions or msg.guild_id is None

    def rest_intents(self) -> int | None:
        """Intents REST redaction follows: the portal switch, else the latest IDENTIFY's."""
        if not self.allowed_intents & Intent.MESSAGE_CONTENT:
            return 0
        return None if self.hub is None else self.hub.last_intents

    # ---------------------------------------------------------------------- dispatch
    def dispatch(
        self, event: str, payload: JSON | PayloadFn, intent: int = 0, channel_id: int | None = None
    ) -> None:
        if channel_id is not None and not self.bot_can_view(channel_id):
            return
        if self.hub is not None:
            fn: PayloadFn = payload if callable(payload) else (lambda _s: payload)
            self.hub.dispatch(event, fn, intent)
        self.notify()

    def dispatch_message(self, event: str, msg: Message) -> None:
        def build(session: Session) -> JSON:
            visible = self.content_visible(msg, session.intents)
            return render.message_payload(self, msg, visible=visible, gateway=True)

        intent = Intent.GUILD_MESSAGES if msg.guild_id else Intent.DIRECT_MESSAGES
        if msg.ephemeral:
            self.notify()
            return
        self.dispatch(event, build, intent, msg.channel_id)

    def dispatch_channel(self, event: str, channel: Channel) -> None:
        if channel.is_thread:
            event = event.replace("CHANNEL_", "THREAD_")
        payload = render.channel_payload(self, channel)
        self.dispatch(event, payload, Intent.GUILDS, channel.id)

    # ------------------------------------------------------------------------ set-up
    def new_attachment(
        self,
        filename: str,
        data: bytes,
        content_type: str | None = None,
        description: str | None = None,
    ) -> Attachment:
        att = Attachment(self.ids.next(), filename, data, content_type, description)
        self.attachments[att.id] = att
        return att

    def add_user(self, name: str, *, bot: bool = False) -> User:
        user = User(id=self.ids.next(), name=name, bot=bot, global_name=None if bot else name)
        self.users[user.id] = user
        return user

    def add_guild(
        self,
        name: str,
        *,
        owner: User | None = None,
        everyone_permissions: int = EVERYONE_DEFAULT,
        bot_permissions: int = BOT_DEFAULT,
        guild_id: int | None = None,
    ) -> Guild:
        gid = guild_id or self.ids.next()
        owner = owner or self.owner
        guild = Guild(id=gid, name=name, owner_id=owner.id)
        guild.roles[gid] = Role(
            id=gid, guild_id=gid, name="@everyone", permissions=everyone_permissions
        )
        self.guilds[gid] = guild
        guild.members[owner.id] = Member(user_id=owner.id, guild_id=gid)
        bot_role = self.add_role(guild, self.bot.name, bot_permissions, dispatch=False)
        bot_role.managed, bot_role.bot_id = True, self.bot.id
        guild.members[self.bot.id] = Member(user_id=self.bot.id, guild_id=gid, roles=[bot_role.id])
        self.dispatch(
            "GUILD_CREATE",
            lambda s: render.guild_create_payload(self, guild, s.intents),
            Intent.GUILDS,
        )
        return guild

    def bot_role(self, guild: Guild) -> Role:
        return next(r for r in guild.roles.values() if r.bot_id == self.bot.id)

    def add_role(self, guild: Guild, name: str, permissions: int, *, dispatch: bool = True) -> Role:
        role = Role(id=self.ids.next(), guild_id=guild.id, name=name, permissions=int(permissions))
        role.position = len(guild.roles)
        guild.roles[role.id] = role
        if dispatch:
            payload = {"guild_id": str(guild.id), "role": render.role_payload(role)}
            self.dispatch("GUILD_ROLE_CREATE", payload, Intent.GUILDS)
        return role

    def update_role(self, role: Role, permissions: int) -> None:
        role.permissions = int(permissions)
        payload = {"guild_id": str(role.guild_id), "role": render.role_payload(role)}
        self.dispatch("GUILD_ROLE_UPDATE", payload, Intent.GUILDS)

    def add_member(self, guild: Guild, user: User, roles: list[Role] | None = None) -> Member:
        member = Member(user_id=user.id, guild_id=guild.id, roles=[r.id for r in roles or []])
        guild.members[user.id] = member
        payload = render.member_payload(self, member) | {"guild_id": str(guild.id)}
        self.dispatch("GUILD_MEMBER_ADD", payload, Intent.GUILD_MEMBERS)
        return member

    def add_text_channel(self, guild: Guild, name: str, *, topic: str | None = None) -> Channel:
        position = sum(1 for c in guild.channel_ids if not self.channels[c].is_thread)
        channel = Channel(
            id=self.ids.next(), guild_id=guild.id, name=name, position=position, topic=topic
        )
        self.channels[channel.id] = channel
        guild.channel_ids.append(channel.id)
        self.dispatch_channel("CHANNEL_CREATE", channel)
        return channel

    def add_thread(
        self,
        parent: Channel,
        name: str,
        owner: User,
        *,
        thread_id: int | None = None,
        private: bool = False,
    ) -> Channel:
        thread = Channel(
            id=thread_id or self.ids.next(),
            guild_id=parent.guild_id,
            name=name,
            type=ChannelType.PRIVATE_THREAD if private else ChannelType.PUBLIC_THREAD,
            parent_id=parent.id,
            owner_id=owner.id,
            auto_archive_duration=1440,
            member_ids={owner.id},
        )
        self.channels[thread.id] = thread
        self.guilds[parent.guild_id].channel_ids.append(thread.id)
        return thread

    def set_overwrite(
        self, channel: Channel, target: Role | User, *, allow: int = 0, deny: int = 0
    ) -> None:
        kind = 0 if isinstance(target, Role) else 1
        overwrite = Overwrite(id=target.id, type=kind, allow=int(allow), deny=int(deny))
        channel.overwrites[target.id] = overwrite
        self.dispatch_channel("CHANNEL_UPDATE", channel)
