"""``/alerts``: follow keywords and get what matches by direct message.

Every member may follow, list, unfollow, pause, resume, set their digest, test a
sentence, and block a member or a channel; ``/alerts channels`` (exclude a channel from
alerts, or include it again, and see the list) is for moderators, checked here in code.
Every reply is ephemeral and pings nobody. Each command is one call to the runtime's
:class:`bot.runtime.alerts.Alerts`; a refusal (:class:`bot.core.alerts.AlertRefused`)
becomes the reply in :class:`bot.discord_app.tree.ChatTree`.
"""

from __future__ import annotations

from typing import Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.core.alerts import MAX_ALERTS, AlertRefused
from bot.core.alerts.digest import zone_names
from bot.core.alerts.records import BlockKind
from bot.core.recap.text import defuse_mentions
from bot.discord_app.replies import reply, when
from bot.discord_app.services import Services
from bot.runtime.alerts import Alerts, AlertStatus

Place = discord.TextChannel | discord.Thread | discord.ForumChannel


def _guild(interaction: discord.Interaction) -> int:
    if interaction.guild_id is None:
        raise AlertRefused("Alerts follow a server's channels: use /alerts in a server.")
    return interaction.guild_id


def _shown(text: str) -> str:
    return "`" + defuse_mentions(text).replace("`", "'") + "`"


def status_text(status: AlertStatus) -> str:
    """What ``/alerts list`` says: the alerts, how they come, and why nothing arrived."""
    lines = [f"**Your alerts in this server** ({len(status.alerts)} of {MAX_ALERTS})"]
    if not status.alerts:
        lines.append("None yet: `/alerts follow keywords:#job Phoenix` follows one.")
    for number, alert in enumerate(status.alerts, start=1):
        lines.append(f"{number}. {_shown(alert.keywords.shown)}")
    person = status.person
    lines.append(f"Delivery: {person.settings.shown}.")
    if person.paused:
        lines.append("⏸️ Paused: nothing is matched until `/alerts resume`.")
    if person.refused_at is not None:
        lines.append(
            f"⚠️ Nothing arrived: Discord refused my direct message on {when(person.refused_at)} "
            "(your DMs are closed to me). Allow direct messages from this server's members, then "
            "run `/alerts resume` to get what waits; your alerts are kept, and I also try "
            "again at your next delivery."
        )
    elif person.due_at is not None and not person.paused:
        lines.append(f"Next delivery: {when(person.due_at)}.")
    if status.blocks:
        shown = [
            f"<@{target}>" if kind is BlockKind.MEMBER else f"<#{target}>"
            for kind, target in status.blocks
        ]
        lines.append("Blocked: " + ", ".join(shown))
    return "\n".join(lines)


class AlertCommands(
    commands.GroupCog,
    group_name="alerts",
    group_description="Follow keywords and hashtags; get matching messages by DM",
):
    """/alerts …: for everyone (``channels`` for moderators)."""

    def __init__(self, services: Services) -> None:
        self.services = services

    @property
    def alerts(self) -> Alerts:
        """The runtime's alerts service."""
        return self.services.runtime.alerts

    async def alert_ids(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        """The member's alerts in this server whose words contain what they typed."""
        mine = await self.services.store.alerts_of(interaction.user.id, interaction.guild_id)
        typed = current.casefold()
        return [
            app_commands.Choice(name=a.keywords.shown[:100], value=str(a.id))
            for a in mine
            if typed in a.keywords.shown.casefold()
        ][:25]

    async def zones(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        """IANA time zones that contain what the member typed."""
        typed = current.casefold().replace(" ", "_")
        found = [name for name in zone_names() if typed in name.casefold()]
        return [app_commands.Choice(name=name, value=name) for name in found[:25]]

    @app_commands.command(name="follow", description="Follow keywords: all must appear")
    @app_commands.describe(
        keywords='words, #hashtags and "quoted phrases", e.g. #job Phoenix (all must appear)'
    )
    async def follow(self, interaction: discord.Interaction, keywords: str) -> None:
        """Follow keywords; messages you can read that contain all of them come by DM."""
        guild_id = _guild(interaction)
        followed = await self.alerts.follow(guild_id, interaction.user.id, keywords)
        status = await self.alerts.status(interaction.user.id, guild_id)
        await reply(
            interaction,
            f"Following {_shown(followed.keywords.shown)} ({len(status.alerts)} of "
            f"{MAX_ALERTS}). Matches from channels you can read come by direct message: "
            f"{status.person.settings.shown}. Try a sentence with `/alerts test`.",
        )

    @app_commands.command(name="list", description="Your alerts, how they come, and any problem")
    async def list_alerts(self, interaction: discord.Interaction) -> None:
        """Your alerts in this server, your delivery settings, and why nothing arrived."""
        status = await self.alerts.status(interaction.user.id, _guild(interaction))
        await reply(interaction, status_text(status))

    @app_commands.command(name="unfollow", description="Stop following one of your alerts")
    @app_commands.describe(alert="one of your alerts")
    @app_commands.autocomplete(alert=alert_ids)
    async def unfollow(self, interaction: discord.Interaction, alert: str) -> None:
        """Stop following an alert (matches not yet delivered go with it)."""
        _guild(interaction)
        if not alert.strip().isdigit():
            raise AlertRefused("Pick the alert from the list `/alerts unfollow` offers.")
        dropped = await self.alerts.unfollow(interaction.user.id, int(alert))
        await reply(interaction, f"Unfollowed {_shown(dropped.keywords.shown)}.")

    @app_commands.command(name="pause", description="Pause your alerts until you resume them")
    async def pause(self, interaction: discord.Interaction) -> None:
        """Pause your alerts: nothing is matched for you until /alerts resume."""
        await self.alerts.set_paused(interaction.user.id, True)
        await reply(interaction, "Alerts paused. `/alerts resume` turns them back on.")

    @app_commands.command(name="resume", description="Turn your alerts back on")
    async def resume(self, interaction: discord.Interaction) -> None:
        """Resume your alerts."""
        await self.alerts.set_paused(interaction.user.id, False)
        await reply(interaction, "Alerts resumed.")

    @app_commands.command(name="digest", description="Instant alerts, or a daily/weekly digest")
    @app_commands.describe(
        mode="instant (at most one DM a minute), daily, or weekly (Mondays)",
        time="your local time for the digest, HH:MM (24-hour), e.g. 08:00",
        timezone="your time zone (IANA), e.g. America/Phoenix",
    )
    @app_commands.autocomplete(timezone=zones)
    async def digest(
        self,
        interaction: discord.Interaction,
        mode: Literal["instant", "daily", "weekly"],
        time: str | None = None,
        timezone: str | None = None,
    ) -> None:
        """How your alerts come: instant, or a daily or weekly digest at your local time."""
        settings = await self.alerts.set_digest(interaction.user.id, mode, time, timezone)
        await reply(interaction, f"Your alerts now come {settings.shown}.")

    @app_commands.command(name="test", description="Which of your alerts a sentence triggers")
    @app_commands.describe(text="a sentence to try your alerts on")
    async def test(self, interaction: discord.Interaction, text: str) -> None:
        """Show which of your alerts a sentence would trigger."""
        hits = await self.alerts.test(_guild(interaction), interaction.user.id, text)
        if not hits:
            await reply(interaction, "None of your alerts in this server matches that text.")
            return
        shown = ", ".join(_shown(alert.keywords.shown) for alert in hits)
        await reply(interaction, f"That text triggers: {shown}.")

    async def _block(
        self,
        interaction: discord.Interaction,
        member: discord.User | discord.Member | None,
        channel: Place | None,
        blocked: bool,
    ) -> None:
        _guild(interaction)
        verb = "block" if blocked else "unblock"
        if (member is None) == (channel is None):
            raise AlertRefused(f"Give one of `member` or `channel` to {verb}.")
        if member is not None:
            kind, target, shown = BlockKind.MEMBER, member.id, f"<@{member.id}>"
        else:
            assert channel is not None
            kind, target, shown = BlockKind.CHANNEL, channel.id, f"<#{channel.id}>"
        changed = await self.alerts.block(interaction.user.id, kind, target, blocked)
        if not changed:
            state = "already blocked" if blocked else "not blocked"
            await reply(interaction, f"{shown} is {state}.")
        elif blocked:
            await reply(interaction, f"Blocked {shown}: no more alerts from there.")
        else:
            await reply(interaction, f"Unblocked {shown}.")

    @app_commands.command(name="block", description="No alerts from a member or a channel")
    @app_commands.describe(member="a member whose messages never alert you", channel="a channel")
    async def block(
        self,
        interaction: discord.Interaction,
        member: discord.User | None = None,
        channel: Place | None = None,
    ) -> None:
        """Silence a member or a channel for your alerts."""
        await self._block(interaction, member, channel, True)

    @app_commands.command(name="unblock", description="Alerts from a member or channel again")
    @app_commands.describe(member="a member you blocked", channel="a channel you blocked")
    async def unblock(
        self,
        interaction: discord.Interaction,
        member: discord.User | None = None,
        channel: Place | None = None,
    ) -> None:
        """Undo a block."""
        await self._block(interaction, member, channel, False)

    @app_commands.command(name="channels", description="Moderators: channels excluded from alerts")
    @app_commands.describe(
        exclude="a channel whose messages never alert anyone",
        include="an excluded channel to include again",
    )
    async def channels(
        self,
        interaction: discord.Interaction,
        exclude: Place | None = None,
        include: Place | None = None,
    ) -> None:
        """Moderators: exclude a channel from alerts (or include it again); see the list."""
        guild_id = _guild(interaction)
        self.services.require_moderator(interaction.user)
        said = []
        if exclude is not None:
            changed = await self.alerts.exclude(guild_id, exclude.id, interaction.user.id, True)
            said.append(
                f"Excluded <#{exclude.id}>." if changed else f"<#{exclude.id}> was excluded."
            )
        if include is not None:
            changed = await self.alerts.exclude(guild_id, include.id, interaction.user.id, False)
            said.append(
                f"Included <#{include.id}> again." if changed else f"<#{include.id}> was not out."
            )
        excluded = await self.alerts.excluded(guild_id)
        listed = ", ".join(f"<#{c}>" for c in excluded) if excluded else "none"
        said.append(f"Channels excluded from alerts: {listed}.")
        await reply(interaction, "\n".join(said))
