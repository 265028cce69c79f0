"""What the commands say: one ephemeral reply within Discord's limits, and the texts of
moderator controls."""

from __future__ import annotations

from datetime import datetime, timedelta

import discord

from bot.core.plan import StepKind
from bot.core.ports import ForgetRequest
from bot.core.run import Control, Extend, Next, Pause, Resume, Run, Skip, Start, Stop
from bot.runtime.consent import ConsentRequests

NO_MENTIONS = discord.AllowedMentions.none()
MAX_REPLY = 1900


async def reply(interaction: discord.Interaction, text: str, *, ephemeral: bool = True) -> None:
    """Answer once (or follow up after a defer), within Discord's length limit, pinging nobody."""
    if len(text) > MAX_REPLY:
        text = text[: MAX_REPLY - 20] + "\n… (truncated)"
    if interaction.response.is_done():
        await interaction.followup.send(text, ephemeral=ephemeral, allowed_mentions=NO_MENTIONS)
    else:
        await interaction.response.send_message(
            text, ephemeral=ephemeral, allowed_mentions=NO_MENTIONS
        )


def when(moment: datetime) -> str:
    """Discord's full timestamp for an aware datetime (each reader sees their own time)."""
    return f"<t:{int(moment.timestamp())}:F>"


def _next_post(run: Run) -> str:
    waiting = sorted((s for s in run.steps if run.waiting(s)), key=lambda s: s.due)
    upcoming = next((s for s in waiting if s.kind in (StepKind.QUESTION, StepKind.CLOSING)), None)
    if upcoming is None:
        return ""
    label = f"Q{upcoming.question}" if upcoming.question else "the closing"
    return f" Next: {label} <t:{int(upcoming.due.timestamp())}:R>."


def control_reply(chat: str, control: Control, run: Run) -> str:
    """What a moderator is told after a control succeeded."""
    if isinstance(control, Start):
        return f"▶️ {chat} is starting now (running)."
    if isinstance(control, Next):
        return f"⏭️ {chat}: the next question is being posted now.{_next_post(run)}"
    if isinstance(control, Pause):
        return f"⏸️ {chat} is paused; nothing is posted until /host resume."
    if isinstance(control, Resume):
        return f"▶️ {chat} resumed.{_next_post(run)}"
    if isinstance(control, Extend):
        return f"⏱️ {chat}: {int(control.by.total_seconds() // 60)} more minute(s).{_next_post(run)}"
    if isinstance(control, Skip):
        return f"⏭️ {chat}: Q{control.question} skipped.{_next_post(run)}"
    if isinstance(control, Stop):
        recap = next((s for s in run.steps if s.kind is StepKind.RECAP), None)
        when_recap = f" <t:{int(recap.due.timestamp())}:R>" if recap else ""
        return f"🏁 {chat} is closing now; the recap follows{when_recap}."
    return f"🚫 {chat}: the next occurrence is cancelled; a recurring chat goes on next time."


#: Told when the database could not take a forget request at once (it is kept and retried).
FORGET_QUEUED = (
    "⏳ Your request is recorded. The database is busy, so it is applied as soon as it "
    "accepts writes; you will be told here when it is done. Nothing of yours is lost or "
    "kept: the request waits in line behind what you already sent."
)


def forgotten_reply(request: ForgetRequest, delay: timedelta, *, you: bool = True) -> str:
    """What is said once a request to be forgotten is applied (to them, or a moderator)."""
    whose = "of yours" if you else "of theirs"
    recaps = (
        f" {request.recaps} published recap(s) will be edited within "
        f"{_duration(delay)} to remove them."
        if request.recaps
        else ""
    )
    text = f"✅ Deleted {request.messages} stored message(s) {whose}.{recaps}"
    if you:
        text += (
            " Messages you posted before now are never stored again; what you post from now on "
            "counts again; /chat optout keeps you unnamed."
        )
    return text


def _duration(delay: timedelta) -> str:
    seconds = int(delay.total_seconds())
    if seconds < 120:
        return f"{seconds} seconds"
    return f"{seconds // 60} minutes"


async def forget_and_tell(
    interaction: discord.Interaction,
    consent: ConsentRequests,
    user_id: int,
    *,
    moderator: bool = False,
    applied_note: str = "",
) -> None:
    """Forget ``user_id`` (the caller, or someone a moderator names) and answer: what went
    when the database took it at once, else that the request waits, then a followup once it
    is applied. ``applied_note`` is added to the answer given at once."""
    await interaction.response.defer(ephemeral=True, thinking=True)
    delay = consent.live_recaps.delay
    you = not moderator

    async def done(request: ForgetRequest) -> None:
        await reply(interaction, forgotten_reply(request, delay, you=you))

    actor = str(interaction.user.id) if moderator else ""
    forgetting = await consent.forget(user_id, actor=actor, by_moderator=moderator, done=done)
    if forgetting.request is None:
        await reply(interaction, FORGET_QUEUED)
    else:
        await reply(interaction, forgotten_reply(forgetting.request, delay, you=you) + applied_note)
