"""The people to learn from in Discord: what ``/chat people``, ``/chat profile`` and
``/host stats`` do once their cog method is called (the cogs stay thin: each method is one
call here).

Every reply is ephemeral and sent with mentions disabled; named errors of the core (an unknown
chat, a bio too long, a link that is not http(s)) become the reply of
:class:`bot.discord_app.tree.ChatTree`.
"""

from __future__ import annotations

import asyncio
import io

import discord

from bot.core.profiles import Visibility
from bot.core.recap.text import defuse_mentions
from bot.discord_app.replies import MAX_REPLY, NO_MENTIONS, reply
from bot.discord_app.services import Services
from bot.render.common import discord_inline
from bot.render.people import render_people, render_stats
from bot.runtime.people import chat_series, people_to_follow, published_profiles, set_profile


async def server_chats(services: Services, interaction: discord.Interaction) -> set[str] | None:
    """The ids of the chats of the server the command was used in: the chat file names the
    server, or the chat's channel is one of its channels (None outside a server: every chat)."""
    guild_id = interaction.guild_id
    if guild_id is None:
        return None
    chats = set()
    for spec in await services.store.chat_specs(active_only=False):
        channel = interaction.client.get_channel(spec.channel)
        in_server = getattr(getattr(channel, "guild", None), "id", None) == guild_id
        if spec.guild == guild_id or (spec.guild is None and in_server):
            chats.add(spec.id)
    return chats


async def people(
    services: Services, interaction: discord.Interaction, topic: str | None, chat: str | None
) -> None:
    """``/chat people``: who to follow on a topic (or lately), with their best answer's link."""
    await interaction.response.defer(ephemeral=True, thinking=True)
    found = await people_to_follow(
        services.store,
        services.now(),
        topic=topic or "",
        chat_id=chat or None,
        chat_ids=await server_chats(services, interaction),
    )
    await reply(interaction, render_people(found, interaction.guild_id))


async def profile(
    services: Services,
    interaction: discord.Interaction,
    visibility: str,
    bio: str | None,
    link: str | None,
) -> None:
    """``/chat profile``: check and store the change, and say what the archive will show."""
    user = interaction.user
    saved = await set_profile(
        services.store,
        user.id,
        user.display_name,
        Visibility(visibility),
        services.now(),
        bio=bio,
        link=link,
    )
    services.runtime.publisher.everything_changed()
    shown = saved.profile
    details = []
    if shown.bio:
        details.append(f"Bio: {discord_inline(defuse_mentions(shown.bio))}")
    if shown.link:
        details.append(f"Link: <{shown.link}>")
    if not shown.public:
        lines = [
            "✅ Your profile is off: its page leaves the archive at its next build.",
            "Your bio and link are kept for when you turn it on again; /chat forget-me "
            "deletes them.",
        ]
    elif saved.opted_out:
        lines = [
            "⚠️ Saved, but you opted out of being named (/chat optout), so no profile page is "
            "published until you /chat optin."
        ]
    else:
        pages = {p.user_id: p.page for p in await published_profiles(services.store)}
        page = pages.get(user.id, "people/…")
        lines = [
            f"✅ Your profile is public: the archive shows it as `{page}` from its next build "
            "(your name, bio and link, the chats you joined, your answers, the links you "
            "shared and the engagement they drew). /chat profile visibility:off removes it."
        ]
    await reply(interaction, "\n".join([*lines, *details]))


async def stats(services: Services, interaction: discord.Interaction, chat: str) -> None:
    """``/host stats``: a chat's community over time, as text with the chart attached."""
    from bot.render.series_chart import render_series_chart  # matplotlib: load when drawing

    await interaction.response.defer(ephemeral=True, thinking=True)
    series = await chat_series(services.store, chat)
    text = render_stats(series)[:MAX_REPLY]
    chart = await asyncio.to_thread(render_series_chart, series)
    await interaction.followup.send(
        text,
        file=discord.File(io.BytesIO(chart), filename=f"{chat}-community.png"),
        ephemeral=True,
        allowed_mentions=NO_MENTIONS,
    )
