"""A loopback Discord stand-in for end-to-end tests: REST under /api/v10 and a gateway websocket
on 127.0.0.1 that the real discord.py client talks to, plus a driver to act as users.

    async with StandIn(heartbeat_interval=1000) as standin:
        guild = standin.add_guild("Plant Chat")
        channel = standin.add_text_channel(guild, "general")
        alice = standin.add_user("alice")
        standin.add_member(guild, alice)
        # run the bot with DISCORD_API_BASE=standin.base_url (see standin.env()), or point
        # discord.http.Route.BASE at standin.api_base in-process
        await standin.wait_for(standin.hub.connected, timeout=10)
        await standin.say(channel, alice, "hello")
        ix = await standin.invoke(alice, guild, channel, "chat", "start", {"topic": "ferns"})
        answer = await ix.wait_response(5)

Modules: model (entities, snowflakes, permissions), world (state, lookups, dispatch), render
(payload shapes), ops (state changes + events), rest / rest_channels / rest_guilds (HTTP routes),
interactions (callbacks, webhooks, the driver's Interaction), driver (interaction payloads),
gateway (websocket sessions), faults (injected failures), server (StandIn and its driver API).
"""

from .faults import Fault, Faults
from .interactions import Answer, Interaction
from .model import ApiError, Channel, Guild, Intent, Member, Perm, Role, User
from .rest import RequestRecord
from .server import StandIn

__all__ = [
    "Answer",
    "ApiError",
    "Channel",
    "Fault",
    "Faults",
    "Guild",
    "Intent",
    "Interaction",
    "Member",
    "Perm",
    "RequestRecord",
    "Role",
    "StandIn",
    "User",
]
