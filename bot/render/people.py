"""The people to learn from in Discord: the ``/chat people`` answer and the ``/host stats``
text (its chart is :func:`bot.render.series_chart.render_series_chart`).

Both are one ephemeral message within Discord's 2,000 characters; every name and title is
escaped for Discord and has its mentions defused (the models did that), and the adapter sends
them with mentions disabled.
"""

from __future__ import annotations

from datetime import datetime

from bot.core.people import PeopleFound
from bot.core.series import Series
from bot.render.common import count, discord_inline, jump_link, local, question_label
from bot.render.discord_limits import MESSAGE

#: Rows of the table ``/host stats`` shows (the latest); the archive's page has them all.
STATS_ROWS = 12
#: Recurring themes ``/host stats`` names.
STATS_THEMES = 6
#: Returning voices ``/host stats`` names (the rest are counted).
STATS_REGULARS = 12


def _day(moment: datetime, zone: str) -> str:
    shown = local(moment, zone)
    return f"{shown.day} {shown:%b %Y}"


def render_people(found: PeopleFound, guild_id: int | None = None) -> str:
    """``/chat people``: who to follow, each with the reason and their best answer's link
    (a jump link when the server is known, else the thread or channel it is in)."""
    topic = " ".join(found.words)
    scope = f" in `{found.chat_id}`" if found.chat_id else " in this server's chats"
    if topic:
        heading = f"**Who to follow on “{discord_inline(topic)}”**{scope}"
    else:
        heading = "**The most engaging voices of the last 90 days**" + scope
    searched = count(found.occurrences, "chat") + " searched"
    lines = [f"{heading} ({searched})"]
    if not found.people:
        if topic:
            lines.append(
                "Nobody's answers on that topic drew reactions or replies yet. "
                "Try fewer or other words."
            )
        else:
            lines.append("Nobody's answers drew reactions or replies in that time.")
        return "\n".join(lines)
    for number, person in enumerate(found.people, start=1):
        answer = person.answer
        day = _day(answer.start, answer.timezone)
        label = f"{discord_inline(answer.title)}, {day}, {question_label(answer.question)}"
        link = jump_link(guild_id, answer.channel_id, answer.message_id)
        where = f"[{label}]({link})" if link else f"{label} (<#{answer.channel_id}>)"
        lines.append(
            f"{number}. **{discord_inline(person.name)}** — {person.reason} · best answer: {where}"
        )
    return "\n".join(lines)[:MESSAGE]


def render_stats(series: Series) -> str:
    """``/host stats``: the figures of the series page, for moderators (the latest
    :data:`STATS_ROWS` occurrences in a table; the chart is attached)."""
    lines = [
        f"**{discord_inline(series.title)} {discord_inline(series.hashtag)}: the community over "
        f"time** · {count(len(series.rows), 'occurrence')}, "
        f"{count(series.people, 'person', 'people')} in all"
    ]
    if not series.rows:
        lines.append("No occurrence of this chat has ended yet.")
        return "\n".join(lines)
    shown = series.rows[-STATS_ROWS:]
    table = ["date        people  new  back  answers  links"]
    table += [
        f"{local(row.start, series.timezone):%Y-%m-%d}  {row.participants:>6}  {row.newcomers:>3}"
        f"  {row.returning:>4}  {row.answers:>7}  {row.resources:>5}"
        for row in shown
    ]
    if len(series.rows) > len(shown):
        lines.append(
            f"The latest {len(shown)}; {len(series.rows) - len(shown)} earlier ones are on the series page."
        )
    lines.append("```\n" + "\n".join(table) + "\n```")
    if series.regulars or series.unnamed_regulars:
        names = [
            f"{discord_inline(r.name)} ({r.occurrences})" for r in series.regulars[:STATS_REGULARS]
        ]
        unnamed = series.unnamed_regulars + max(0, len(series.regulars) - STATS_REGULARS)
        if unnamed:
            names.append(
                f"{unnamed:,} more, not named"
                if names
                else f"{count(unnamed, 'person', 'people')} who asked not to be named"
            )
        lines.append(
            f"**Returning voices** (in at least {series.threshold} of {len(series.rows)}): "
            + ", ".join(names)
        )
    elif len(series.rows) > 1:
        lines.append(
            f"**Returning voices:** nobody took part in at least {series.threshold} of "
            f"{len(series.rows)} yet."
        )
    if series.themes:
        themes = [
            f"{discord_inline(t.phrase)} ({t.occurrences} chats, {count(t.answers, 'answer')})"
            for t in series.themes[:STATS_THEMES]
        ]
        lines.append("**Recurring themes:** " + ", ".join(themes))
    lines.append("📎 Participants per occurrence, newcomers and returning: the chart is attached.")
    return "\n".join(lines)[:MESSAGE]
