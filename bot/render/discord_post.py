"""The recap for Discord: a short message that names every question, plus embeds.

The first message says what the chat was (title, ``<t:UNIX:F>`` date, numbers,
and, once the published recap has been updated, ``*Updated <t:UNIX:R>: +7 late
answers*`` under the title) and lists every question with its answer count; each
asked question gets an embed (highlights, themes, the most typical answer and a
different take, the liveliest side conversation), then the reading list, the open
questions, the reflection prompts, the takeaways (a field per prompt) and the
moderation timeline. Everything is cut to fit Discord's limits
(:mod:`bot.render.discord_limits`); what does not fit stays in the attached
transcript. When the embeds do not fit one message, they go on in continuation
messages, each within the limits. The question list is never cut: question texts
are shortened, and with very many questions the list goes on in the next message.

Participants' text is escaped (no stray markup) and, like every text of the
model, has its mentions defused.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.core.polls import PollResult
from bot.core.recap import QuestionRecap, QuestionStatus, Quote, Recap
from bot.core.recap.text import clip
from bot.render import discord_limits as limits
from bot.render.common import (
    OTHER_TAKEAWAYS,
    VOICES_TITLE,
    TakeawayGroup,
    count,
    discord_inline,
    duration,
    headline,
    jump_link,
    option_numbers,
    poll_bar,
    poll_status,
    poll_title,
    question_label,
    question_numbers,
    takeaway_groups,
)
from bot.render.discord_limits import Embed, group_embeds

#: Discord's blurple.
COLOR = 0x5865F2
#: What a question embed may use at most and at least, whatever the number of questions.
MOST_PER_QUESTION = 1800
LEAST_PER_QUESTION = 600
#: The shortest a question's text is cut to in the question list.
SHORTEST_QUESTION = 40
ATTACHED = "📎 The full transcript (Markdown and HTML) and the activity chart are attached."
#: The takeaways embed: characters for its field names and values at most, fields at most
#: (more prompts than that: the rest are counted in the footer), a prompt's text in a name.
TAKEAWAYS_ROOM = 2400
TAKEAWAY_FIELDS = 10
TAKEAWAY_PROMPT = 120


@dataclass(frozen=True)
class DiscordMessage:
    """One message: its content and its embeds (``discord.Embed.to_dict`` shape)."""

    content: str
    embeds: tuple[Embed, ...] = ()


def render_discord(
    recap: Recap, *, attached: bool = True, archive_link: str | None = None
) -> tuple[DiscordMessage, ...]:
    """The recap as Discord messages, first to last, each within every limit; with
    ``archive_link`` (the recap's page in the published archive) the first message ends with
    it."""
    contents = _contents(recap, attached, archive_link)
    questions = [q for q in recap.questions if q.status is QuestionStatus.POSTED or q.answers]
    budget = max(LEAST_PER_QUESTION, min(MOST_PER_QUESTION, 5800 // max(len(questions), 1)))
    embeds = [_question_embed(q, budget) for q in questions]
    embeds += _extras(recap)
    groups = group_embeds(embeds)
    total = max(len(contents), len(groups))
    return tuple(
        DiscordMessage(
            contents[index] if index < len(contents) else "",
            tuple(groups[index]) if index < len(groups) else (),
        )
        for index in range(total)
    )


def fit(text: str, limit: int) -> str:
    """``text`` escaped for Discord on one line, cut so that the result has at most ``limit``
    characters."""
    escaped = discord_inline(text)
    if len(escaped) <= limit:
        return escaped
    keep = limit
    while keep > 1:
        candidate = discord_inline(clip(" ".join(text.split()), keep))
        if len(candidate) <= limit:
            return candidate
        keep -= max(len(candidate) - limit, 1)
    return "…"[:limit]


def timestamp(moment: datetime, style: str = "F") -> str:
    """Discord's timestamp markup: every reader sees their own local time."""
    return f"<t:{int(moment.timestamp())}:{style}>"


# --- the message contents -----------------------------------------------------------------


def _contents(recap: Recap, attached: bool, archive_link: str | None = None) -> list[str]:
    header = recap.header
    lines = [
        f"📋 Recap of {fit(header.title, 300)} {fit(header.hashtag, 100)} · "
        f"{timestamp(header.start)}",
    ]
    if recap.revision is not None:
        lines.append(f"*Updated {timestamp(recap.revision.at, 'R')}: {recap.revision.summary}*")
    lines.append(f"{headline(header)}; {duration(header.duration)}.")
    people = []
    if header.hosts:
        people.append("Hosts: " + ", ".join(f"<@{p.user_id}>" for p in header.hosts[:10]))
    if header.guests:
        people.append("Guests: " + ", ".join(f"<@{p.user_id}>" for p in header.guests[:10]))
    if people:
        lines.append(" · ".join(people))
    footer = [ATTACHED] if attached else []
    if archive_link:
        # <...> keeps Discord from unfurling our own page under the recap.
        footer.append(f"🗂️ In the archive: <{archive_link}>")
    fixed = sum(len(line) + 1 for line in [*lines, *footer])
    question_lines = _question_lines(recap.questions, limits.MESSAGE - fixed - 1)
    return _pack([*lines, *question_lines, *footer])


def _question_lines(questions: Sequence[QuestionRecap], room: int) -> list[str]:
    """``Q1: text — 12 answers from 9 people`` for every question; the texts shortened (all
    to the same length, water-filling) so the list fits ``room`` characters if it can."""

    def line(question: QuestionRecap, text: str) -> str:
        return f"Q{question.number}: {text} — {question_numbers(question)}"

    full = [discord_inline(q.text) for q in questions]
    frame = sum(len(line(q, "")) + 1 for q in questions)
    if frame + sum(len(text) for text in full) <= room:
        return [line(q, text) for q, text in zip(questions, full, strict=True)]
    available = room - frame
    cap = _water_level(sorted(len(text) for text in full), available)
    cap = max(cap, SHORTEST_QUESTION)
    return [line(q, fit(q.text, cap)) for q in questions]


def _water_level(lengths: list[int], available: int) -> int:
    """The largest cap such that the lengths, each cut to the cap, add up to ``available``."""
    remaining = available
    for index, length in enumerate(lengths):
        share = remaining // (len(lengths) - index)
        if length > share:
            return share
        remaining -= length
    return max(lengths, default=0)


def _pack(lines: Sequence[str]) -> list[str]:
    """Lines into messages of at most 2,000 characters, never splitting a line."""
    messages: list[str] = []
    current = ""
    for line in lines:
        line = line[: limits.MESSAGE]
        if current and len(current) + 1 + len(line) > limits.MESSAGE:
            messages.append(current)
            current = ""
        current = f"{current}\n{line}" if current else line
    if current:
        messages.append(current)
    return messages


# --- a question's embed -------------------------------------------------------------------


class _Budget:
    """Characters left for one embed; parts are added only while they fit."""

    def __init__(self, total: int) -> None:
        self.left = total

    def take(self, *texts: str) -> bool:
        size = sum(len(text) for text in texts)
        if size > self.left:
            return False
        self.left -= size
        return True


def _said(quote: Quote, room: int) -> str:
    author = fit(quote.author, 40)
    return f"**{author}**: {fit(quote.text, max(room - len(author) - 6, 20))}"


def _question_embed(question: QuestionRecap, total: int) -> Embed:
    budget = _Budget(total)
    title = fit(f"Q{question.number}: {question.text}", min(limits.TITLE, total // 5))
    budget.take(title)
    facts = [f"**{question_numbers(question)}**"]
    if question.posted_at is not None:
        facts.append(f"asked {timestamp(question.posted_at, 't')}")
    if question.late_answers:
        facts.append(f"{question.late_answers} late")
    if question.withheld:
        facts.append(f"{question.withheld} from people who opted out, not shown")
    description = [" · ".join(facts)]
    budget.take(description[0])
    quote_room = max(80, min(300, total // 7))
    fields: dict[str, Embed] = {}

    def field(name: str, value: str) -> None:
        value = value[: limits.FIELD_VALUE]
        if value and budget.take(name, value):
            fields[name] = {"name": name, "value": value, "inline": False}

    themes = [f"{fit(t.phrase, 60)} ({t.answers})" for t in question.themes]
    while themes and len(" · ".join(themes)) > total // 6:
        themes.pop()
    field("Themes", " · ".join(themes))
    highlights = []
    for quote in question.highlights:
        line = f"🔥 {quote.reactions} · {_said(quote, quote_room)}"
        if not budget.take(line, "\n"):
            break
        highlights.append(line)
    if highlights:
        description += ["", "**Highlights**", *highlights]
        budget.take("\n\n**Highlights**")
    if question.representative is not None:
        field("Most typical answer", _said(question.representative, quote_room))
    if question.contrasting is not None:
        field("A different take", _said(question.contrasting, quote_room))
    if question.conversation is not None:
        side = question.conversation
        lines = [_said(side.answer, quote_room)]
        lines += [f"↳ {_said(reply, quote_room // 2)}" for reply in side.shown[:3]]
        value = "\n".join(lines)
        while len(lines) > 1 and len(value) > quote_room * 2:
            lines.pop()
            value = "\n".join(lines)
        field(f"Liveliest side conversation ({count(side.replies, 'reply', 'replies')})", value)
    order = ["Themes", "Most typical answer", "A different take"]
    ordered = [fields[name] for name in order if name in fields]
    ordered += [f for name, f in fields.items() if name not in order]
    embed: Embed = {"title": title, "description": "\n".join(description), "color": COLOR}
    if ordered:
        embed["fields"] = ordered
    return embed


# --- reading list, open questions, prompts, timeline --------------------------------------


def _listing(
    title: str, items: Sequence[str], room: int, more: Callable[[int], str], footer: str = ""
) -> Embed:
    """An embed whose description lists ``items`` until ``room`` runs out, then says how many
    more there are (``more``)."""
    embed: Embed = {
        "title": title,
        "description": "\n".join(_fill(items, room, more)),
        "color": COLOR,
    }
    if footer:
        embed["footer"] = {"text": footer}
    return embed


def _fill(items: Sequence[str], room: int, more: Callable[[int], str]) -> list[str]:
    """``items`` while they fit ``room`` characters (one per line), then ``more`` of how many
    are left out."""
    lines: list[str] = []
    used = 0
    for index, item in enumerate(items):
        rest = len(items) - index
        tail = more(rest) if rest > 1 else ""
        if used + len(item) + 1 + len(tail) + 1 > room:
            lines.append(more(rest))
            break
        lines.append(item)
        used += len(item) + 1
    return lines


def _takeaways(recap: Recap) -> Embed:
    """The takeaways, a field per reflection prompt (``Prompt 2: …``) and the takeaways for no
    particular prompt last (``Other takeaways``, or the description when they are all there
    is). The groups share :data:`TAKEAWAYS_ROOM` (the smaller ones whole, the others cut to
    the same size, their texts shortened) and each cut group says how many more the
    transcript has."""
    groups = takeaway_groups(recap)
    shown, hidden = groups[:TAKEAWAY_FIELDS], groups[TAKEAWAY_FIELDS:]
    embed: Embed = {"title": "💡 Takeaways", "color": COLOR}
    footer = ""
    if hidden:
        footer = _in_transcript(sum(len(group.takeaways) for group in hidden))
        embed["footer"] = {"text": footer}
    names = [_takeaway_heading(group) for group in shown]
    in_description = len(shown) == 1 and not names[0]
    most = limits.DESCRIPTION if in_description else limits.FIELD_VALUE
    available = TAKEAWAYS_ROOM - len(footer) - sum(len(name) for name in names)
    whole = [_takeaway_lines(group, 200) for group in shown]
    sizes = [len("\n".join(lines)) for lines in whole]
    share = min(most, _water_level(sorted(sizes), available))
    values = []
    for group, lines, size in zip(shown, whole, sizes, strict=True):
        if size > share:
            shorter = _takeaway_lines(group, max(40, min(200, share - 60)))
            lines = _fill(shorter, share, _in_transcript)
        values.append("\n".join(lines))
    if in_description:
        embed["description"] = values[0]
    else:
        embed["fields"] = [
            {"name": name, "value": value, "inline": False}
            for name, value in zip(names, values, strict=True)
        ]
    return embed


def _takeaway_heading(group: TakeawayGroup) -> str:
    if group.number:
        return f"Prompt {group.number}: {fit(group.prompt, TAKEAWAY_PROMPT)}"
    return OTHER_TAKEAWAYS if group.titled else ""


def _takeaway_lines(group: TakeawayGroup, room: int) -> list[str]:
    return [f"**{fit(t.author, 40)}**: {fit(t.text, room)}" for t in group.takeaways]


def _href(url: str) -> str:
    return url.replace("(", "%28").replace(")", "%29").replace(" ", "%20")


def _voices(recap: Recap) -> Embed:
    """Voices to follow: name, reason and their most engaging answer (a jump link when the
    chat's server is known, else the thread or channel it is in); the hosts apart."""
    lines = []
    for number, voice in enumerate(recap.voices, start=1):
        answer = voice.answer
        label = question_label(answer.question)
        snippet = fit(answer.text, 90)
        link = jump_link(recap.header.guild_id, voice.channel_id, answer.message_id)
        where = (
            f"[{label}: {snippet}]({link})"
            if link
            else f"{label} in <#{voice.channel_id}>: {snippet}"
        )
        lines.append(f"{number}. **{fit(voice.name, 40)}** — {voice.reason} · {where}")
    if recap.host_voices:
        hosts = ", ".join(
            f"**{fit(voice.name, 40)}** ({voice.reason})" for voice in recap.host_voices[:5]
        )
        lines.append(f"Your hosts: {hosts}")
    return {
        "title": f"🌟 {VOICES_TITLE}",
        "description": "\n".join(lines),
        "color": COLOR,
    }


def _extras(recap: Recap) -> list[Embed]:
    # Voices first: who to follow is what a reader of the chat cannot see in it. A chat where
    # nobody's answers drew engagement gets no empty embed (files say so in a line).
    embeds: list[Embed] = [_voices(recap)] if recap.voices or recap.host_voices else []
    embeds += [_poll_embed(poll) for poll in recap.polls]
    in_transcript = _in_transcript
    if recap.resources:
        items = []
        for number, resource in enumerate(recap.resources, start=1):
            card = resource.card
            title = card.title if card is not None and card.title else ""
            label = fit(title or resource.url.split("://", 1)[-1], 70)
            who = fit(resource.shared_by, 40)
            if resource.sharers > 1:
                who += f" +{resource.sharers - 1}"
            provider = f" · {fit(card.provider, 30)}" if card is not None and card.provider else ""
            item = (
                f"{number}. [{label}]({_href(resource.url)}){provider} — {who} · "
                f"{question_label(resource.question)}"
            )
            if card is not None and card.description:
                item += f"\n-# {fit(card.description, 100)}"
            items.append(item)
        embeds.append(
            _listing(
                f"📚 Reading list: {count(len(recap.resources), 'link')}",
                items,
                3000,
                in_transcript,
            )
        )
    if recap.open_questions:
        items = [
            f"**{fit(q.author, 40)}** ({question_label(q.question)}): {fit(q.text, 200)}"
            for q in recap.open_questions
        ]
        embeds.append(
            _listing(
                f"❓ Still open: {count(len(items), 'question')} nobody answered yet",
                items,
                1500,
                in_transcript,
            )
        )
    if recap.prompts:
        items = [f"{n}. {fit(p, 300)}" for n, p in enumerate(recap.prompts, start=1)]
        if recap.reflection_thread is not None:
            items.insert(0, f"Share your takeaways in <#{recap.reflection_thread}>:")
        embeds.append(_listing("🪞 Reflect", items, 1500, in_transcript))
    if recap.takeaways:
        embeds.append(_takeaways(recap))
    if recap.timeline:
        items = [
            f"{timestamp(e.at, 't')} {fit(e.action, 40)} by {_actor(e.actor)}"
            + (f": {fit(e.detail, 80)}" if e.detail else "")
            for e in recap.timeline
        ]
        embeds.append(_listing("🛠️ Moderation timeline", items, 1000, in_transcript))
    return embeds


def _poll_embed(poll: PollResult) -> Embed:
    """A poll's counts and shares: an embed of its own (voters are never named)."""
    lines = [f"*{poll_status(poll)}*"]
    lines += [
        f"`{poll_bar(option.share)}` **{fit(option.text, 60)}** — {option_numbers(option)}"
        for option in poll.options
    ]
    return {
        "title": f"📊 {fit(poll_title(poll), 240)}",
        "description": "\n".join(lines),
        "color": COLOR,
    }


def _in_transcript(rest: int) -> str:
    return f"… and {rest} more in the transcript."


def _actor(actor: str) -> str:
    """A moderator by mention (mentions are disabled when sent), or by name."""
    return f"<@{actor}>" if actor.isdigit() else fit(actor, 40)
