"""StandIn: the loopback Discord server, and the driver tests use to act as users."""

from __future__ import annotations

import re
from collections.abc import Callable
from types import TracebackType
from typing import Any

from aiohttp import web

from . import driver, menus, ops, polls, render, shards
from .dms import DirectMessages
from .faults import Faults
from .gateway import Hub
from .interactions import Interaction, InteractionsApi
from .model import (
    BOT_DEFAULT,
    EVERYONE_DEFAULT,
    JSON,
    Channel,
    Guild,
    Member,
    Message,
    Role,
    ScheduledEvent,
    User,
)
from .rest import API_PREFIX, RequestRecord, RestApi
from .rest_channels import register as register_channels
from .rest_channels import serve_attachment
from .rest_guilds import register as register_guilds
from .unfurl import Unfurls
from .world import World

Ref = int | Any  # an id or anything with an ``id``


def _id(ref: Ref) -> int:
    return int(getattr(ref, "id", ref))


class StandIn:
    """A fake Discord (REST under /api/v10 and a gateway websocket) on 127.0.0.1.

    ``async with StandIn() as standin:`` starts it on a free port; point discord.py at
    ``standin.api_base`` (``Route.BASE``) and ``standin.gateway_url``.
    """

    def __init__(
        self,
        *,
        bot_name: str = "StandInBot",
        token: str = "standin-token",
        heartbeat_interval: int = 41250,
        host: str = "127.0.0.1",
        port: int = 0,
        unfurl_delay: float = 0.3,
    ) -> None:
        self.world = World(bot_name=bot_name, token=token)
        #: Link previews (see :mod:`.unfurl`): registered with :meth:`unfurl`.
        self.unfurls = Unfurls(self.world, unfurl_delay)
        self.hub = Hub(self.world, heartbeat_interval)
        self.faults = Faults(self.hub)
        self.rest = RestApi(self.world, self.faults)
        self.interactions = InteractionsApi(self.world)
        register_channels(self.rest.router, self.world)
        register_guilds(self.rest.router, self.world)
        polls.register(self.rest.router, self.world)
        self.interactions.register(self.rest.router)
        #: Direct messages: the driver closes and reopens users' DMs and reads what arrived.
        self.dms = DirectMessages(self.world)
        self.dms.install(self.rest.router)
        self._host, self._port = host, port
        self._runner: web.AppRunner | None = None

    # ------------------------------------------------------------------ lifecycle
    async def start(self) -> StandIn:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", API_PREFIX + "/{tail:.*}", self.rest.handle)
        app.router.add_get("/gateway", self.hub.handle)
        app.router.add_get("/gateway/", self.hub.handle)

        async def attachment(request: web.Request) -> web.Response:
            return await serve_attachment(self.world, request)

        app.router.add_get("/attachments/{att_id:\\d+}/{filename}", attachment)
        self._runner = web.AppRunner(app, shutdown_timeout=1.0, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self._host, self._port)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self.world.base_url = f"http://{host}:{port}"
        return self

    async def stop(self) -> None:
        self.unfurls.close()
        await self.hub.close_all()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> StandIn:
        return await self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    # ------------------------------------------------------------------ addresses
    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT``: what a bot gets as ``DISCORD_API_BASE``."""
        return self.world.base_url

    @property
    def api_base(self) -> str:
        return self.world.base_url + API_PREFIX

    @property
    def gateway_url(self) -> str:
        return self.hub.gateway_url

    @property
    def token(self) -> str:
        return self.world.token

    @property
    def bot(self) -> User:
        return self.world.bot

    @property
    def application_id(self) -> int:
        return self.world.application_id

    def env(self) -> dict[str, str]:
        """Environment for a bot subprocess."""
        return {"DISCORD_API_BASE": self.base_url, "DISCORD_TOKEN": self.token}

    # ---------------------------------------------------------------- inspection
    @property
    def requests(self) -> list[RequestRecord]:
        return self.rest.requests

    @property
    def unexpected(self) -> list[RequestRecord]:
        return self.rest.unexpected

    def calls(
        self, method: str | None = None, path_regex: str | None = None
    ) -> list[RequestRecord]:
        return [
            r
            for r in self.rest.requests
            if (method is None or r.method == method.upper())
            and (path_regex is None or re.search(path_regex, r.path))
        ]

    async def wait_for(self, predicate: Callable[[], Any], timeout: float = 5.0) -> Any:  # noqa: ASYNC109
        """Wait until ``predicate()`` is truthy (re-checked on every change, and every 0.1 s
        for what the stand-in cannot see, such as the bot's database); returns its value."""
        return await self.world.wait_for(predicate, timeout)

    def messages(
        self, channel: Ref, *, include_deleted: bool = True, include_ephemeral: bool = False
    ) -> list[JSON]:
        """Stored messages of a channel, oldest first, each with a ``deleted`` flag."""
        out = []
        for msg in self.world.history(_id(channel), include_deleted=include_deleted):
            if msg.ephemeral and not include_ephemeral:
                continue
            out.append(render.message_payload(self.world, msg) | {"deleted": msg.deleted})
        return out

    def message(self, message: Ref) -> JSON:
        msg = self.world.messages[_id(message)]
        return render.message_payload(self.world, msg) | {"deleted": msg.deleted}

    def channel(self, channel: Ref) -> Channel:
        return self.world.channels[_id(channel)]

    def scheduled_events(self, guild: Ref) -> list[ScheduledEvent]:
        g = self.world.guilds[_id(guild)]
        return [self.world.events[e] for e in g.event_ids if not self.world.events[e].deleted]

    def commands(self, guild: Ref | None = None) -> list[JSON]:
        scope = None if guild is None else _id(guild)
        cmds = [c for c in self.world.commands.values() if c.guild_id == scope]
        return [render.command_payload(c) for c in cmds]

    def dispatched(self, event: str | None = None) -> list[JSON]:
        return [d for t, d in self.hub.dispatched if event is None or t == event]

    # -------------------------------------------------------------------- set-up
    def add_user(self, name: str, *, bot: bool = False) -> User:
        return self.world.add_user(name, bot=bot)

    def add_guild(
        self,
        name: str = "Stand-in Guild",
        *,
        owner: User | None = None,
        everyone_permissions: int = EVERYONE_DEFAULT,
        bot_permissions: int = BOT_DEFAULT,
        shard: tuple[int, int] | None = None,
    ) -> Guild:
        """A new guild; with ``shard`` (shard id, shard count) its id puts it on that shard."""
        guild_id = None if shard is None else shards.snowflake_on_shard(self.world.ids, *shard)
        return self.world.add_guild(
            name,
            owner=owner,
            everyone_permissions=everyone_permissions,
            bot_permissions=bot_permissions,
            guild_id=guild_id,
        )

    def add_text_channel(self, guild: Ref, name: str, *, topic: str | None = None) -> Channel:
        return self.world.add_text_channel(self.world.guild(_id(guild)), name, topic=topic)

    def add_role(self, guild: Ref, name: str, permissions: int) -> Role:
        return self.world.add_role(self.world.guild(_id(guild)), name, permissions)

    def add_member(self, guild: Ref, user: User, roles: list[Role] | None = None) -> Member:
        return self.world.add_member(self.world.guild(_id(guild)), user, roles)

    def bot_role(self, guild: Ref) -> Role:
        return self.world.bot_role(self.world.guild(_id(guild)))

    def set_role_permissions(self, role: Role, permissions: int) -> None:
        self.world.update_role(role, permissions)

    def set_overwrite(
        self, channel: Ref, target: Role | User, *, allow: int = 0, deny: int = 0
    ) -> None:
        self.world.set_overwrite(self.channel(channel), target, allow=allow, deny=deny)

    def deny(self, channel: Ref, permissions: int, target: Role | User | None = None) -> None:
        """Deny ``permissions`` in a channel (to the bot's role unless ``target``), keeping the rest
        of the overwrite."""
        ch = self.channel(channel)
        target = target or self.bot_role(ch.guild_id)
        current = ch.overwrites.get(target.id)
        allow = (current.allow if current else 0) & ~int(permissions)
        deny = (current.deny if current else 0) | int(permissions)
        self.world.set_overwrite(ch, target, allow=allow, deny=deny)

    def allow(self, channel: Ref, permissions: int, target: Role | User | None = None) -> None:
        ch = self.channel(channel)
        target = target or self.bot_role(ch.guild_id)
        current = ch.overwrites.get(target.id)
        allow = (current.allow if current else 0) | int(permissions)
        deny = (current.deny if current else 0) & ~int(permissions)
        self.world.set_overwrite(ch, target, allow=allow, deny=deny)

    def set_command_permissions(
        self,
        guild: Ref,
        command: str,
        *,
        allow: list[Role | User] | None = None,
        deny: list[Role | User] | None = None,
    ) -> None:
        """What an admin does in Server Settings > Integrations: who may (``allow``) or may
        not (``deny``) see and run ``/command`` in ``guild``, over its
        default_member_permissions (a guild's id as a role is @everyone). Replaces the
        command's overwrites; the bot gets APPLICATION_COMMAND_PERMISSIONS_UPDATE."""
        g = self.world.guild(_id(guild))
        cmd = driver.find_command(self.world, g.id, command)
        overwrites = {
            target.id: (1 if isinstance(target, Role) else 2, allowed)
            for targets, allowed in ((allow or [], True), (deny or [], False))
            for target in targets
        }
        self.world.command_permissions[cmd.id] = overwrites
        payload = {
            "id": str(cmd.id),
            "application_id": str(self.world.application_id),
            "guild_id": str(g.id),
            "permissions": [
                {"id": str(target), "type": kind, "permission": allowed}
                for target, (kind, allowed) in overwrites.items()
            ],
        }
        self.world.dispatch("APPLICATION_COMMAND_PERMISSIONS_UPDATE", payload)

    # --------------------------------------------------------------- user actions
    def unfurl(
        self,
        url: str,
        *,
        title: str | None = None,
        description: str | None = None,
        provider: str | None = None,
        provider_url: str | None = None,
        thumbnail: str | None = None,
        kind: str = "article",
    ) -> JSON:
        """Messages created from now on with ``url`` get this preview, as Discord's crawler
        would add it (a MESSAGE_UPDATE ``unfurl_delay`` seconds later); returns the embed."""
        return self.unfurls.register(
            url,
            title=title,
            description=description,
            provider=provider,
            provider_url=provider_url,
            thumbnail=thumbnail,
            kind=kind,
        )

    async def say(
        self,
        channel: Ref,
        user: User,
        content: str = "",
        *,
        reply_to: Ref | None = None,
        embeds: list[JSON] | None = None,
        attachments: list[tuple[str, bytes]] | None = None,
    ) -> JSON:
        """``user`` posts a message (MESSAGE_CREATE goes to connected bots); returns it."""
        body: JSON = {"content": content, "embeds": embeds or []}
        if reply_to is not None:
            body["message_reference"] = {"message_id": str(_id(reply_to))}
        uploads = [
            ops.Upload(f"files[{i}]", name, data)
            for i, (name, data) in enumerate(attachments or [])
        ]
        msg = ops.post_message(self.world, self.channel(channel), user, body, uploads)
        return render.message_payload(self.world, msg)

    async def edit(self, message: Ref, user: User, content: str) -> JSON:
        msg = self._message(message)
        if msg.author_id != user.id:
            raise PermissionError(f"{user.name} did not write message {msg.id}")
        return render.message_payload(
            self.world, ops.edit_message(self.world, msg, {"content": content})
        )

    async def delete(self, message: Ref) -> None:
        ops.delete_message(self.world, self._message(message))

    async def react(self, message: Ref, user: User, emoji: str) -> None:
        ops.add_reaction(self.world, self._message(message), user.id, emoji)

    async def unreact(self, message: Ref, user: User, emoji: str) -> None:
        ops.remove_reaction(self.world, self._message(message), user.id, emoji)

    async def vote(self, message: Ref, user: User, *answer_ids: int) -> None:
        """``user`` votes for answers (1-based ids) of a poll; on a single-choice poll a vote for
        another answer replaces theirs. Sends MESSAGE_POLL_VOTE_ADD (and _REMOVE)."""
        polls.vote(self.world, self._message(message), user.id, list(answer_ids))

    async def unvote(self, message: Ref, user: User, answer_id: int) -> None:
        """``user`` removes their vote for ``answer_id`` (MESSAGE_POLL_VOTE_REMOVE)."""
        polls.unvote(self.world, self._message(message), user.id, answer_id)

    async def end_poll(self, message: Ref) -> None:
        """The poll's time comes now (as at its ``expiry``): final results, MESSAGE_UPDATE and
        the POLL_RESULT message."""
        polls.end(self.world, self._message(message))

    def poll_votes(self, message: Ref) -> dict[int, list[int]]:
        """Answer id -> ids of the users who voted for it."""
        return {a: list(u) for a, u in self.world.polls[_id(message)].votes.items()}

    async def start_thread(self, message: Ref, user: User, name: str) -> Channel:
        msg = self._message(message)
        return ops.thread_from_message(
            self.world, self.channel(msg.channel_id), msg, {"name": name}, user
        )

    async def set_archived(self, thread: Ref, archived: bool = True) -> None:
        ops.update_channel(self.world, self.channel(thread), {"archived": archived})

    async def invoke(
        self,
        user: User,
        guild: Ref,
        channel: Ref,
        command: str = "chat",
        subcommand: str | None = None,
        options: dict[str, Any] | None = None,
        attachments: dict[str, tuple[str, bytes]] | None = None,
    ) -> Interaction:
        """``user`` runs ``/command [group] subcommand options...``; returns the Interaction to await.

        ``attachments`` maps attachment option names to ``(filename, data)``.
        """
        ch = self._guild_channel(guild, channel)
        values = dict(options or {}) | dict(attachments or {})
        return driver.command_interaction(
            self.world, self.interactions, user, ch, command, subcommand, values
        )

    async def autocomplete(
        self,
        user: User,
        guild: Ref,
        channel: Ref,
        command: str,
        subcommand: str | None = None,
        options: dict[str, Any] | None = None,
        *,
        focused: str,
    ) -> Interaction:
        ch = self._guild_channel(guild, channel)
        values = dict(options or {})
        values.setdefault(focused, "")
        return driver.command_interaction(
            self.world, self.interactions, user, ch, command, subcommand, values, focused=focused
        )

    async def click(
        self, message: Ref, user: User, custom_id: str, values: list[str] | None = None
    ) -> Interaction:
        msg = self._message(message)
        return driver.component_interaction(
            self.world, self.interactions, user, msg, custom_id, values
        )

    async def message_menu(self, message: Ref, user: User, name: str) -> Interaction:
        """``user`` right-clicks ``message`` and picks Apps > ``name`` (a message command)."""
        return menus.message_command_interaction(
            self.world, self.interactions, user, self._message(message), name
        )

    async def submit_modal(
        self, origin: Interaction, user: User, values: dict[str, str]
    ) -> Interaction:
        return driver.modal_interaction(self.world, self.interactions, user, origin, values)

    # -------------------------------------------------------------------- faults
    async def drop_gateway(
        self, resumable: bool = True, *, code: int | None = None, abrupt: bool = False
    ) -> int:
        return self.faults.drop_gateway(resumable, code=code, abrupt=abrupt)

    def _message(self, message: Ref) -> Message:
        msg = self.world.messages.get(_id(message))
        if msg is None:
            raise KeyError(f"no message {_id(message)}")
        return msg

    def _guild_channel(self, guild: Ref, channel: Ref) -> Channel:
        ch = self.channel(channel)
        if ch.guild_id != _id(guild):
            raise ValueError(f"channel {ch.id} is not in guild {_id(guild)}")
        return ch
