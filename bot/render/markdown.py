"""The recap as Markdown: the full transcript a learner can keep.

Times are the chat's local time. Participants' text is escaped so that it reads
as they typed it (no stray bold, code blocks, spoilers or HTML), with links kept
clickable. A recap updated since it was first published says so under its title
(``_Updated 2027-01-12 21:05 (America/Chicago): +7 late answers_``); takeaways are
grouped under their reflection prompt, those for no particular prompt last.
"""

from __future__ import annotations

from bot.core.recap import QuestionRecap, Quote, Recap
from bot.core.recap.text import clip
from bot.render.common import (
    NO_VOICES,
    OTHER_TAKEAWAYS,
    VOICES_TITLE,
    clock_time,
    count,
    duration,
    headline,
    jump_link,
    long_date,
    markdown_inline,
    marks,
    named,
    option_numbers,
    poll_bar,
    poll_status,
    poll_title,
    question_label,
    question_numbers,
    revision_time,
    takeaway_groups,
)


def render_markdown(recap: Recap) -> str:
    """The whole recap as one Markdown document."""
    zone = recap.header.timezone
    lines = _heading(recap)
    lines += ["", "## Questions", ""]
    lines += [
        f"- **Q{q.number}:** {markdown_inline(q.text)} — {question_numbers(q)}"
        for q in recap.questions
    ]
    lines += ["", *_voices(recap)]
    if recap.before:
        lines += ["", "## Before the first question", ""]
        lines += [_message(quote, zone) for quote in recap.before]
    for question in recap.questions:
        lines += ["", *_question(question, zone)]
    if recap.polls:
        lines += ["", *_polls(recap)]
    lines += ["", *_resources(recap)]
    lines += ["", *_open_questions(recap)]
    if recap.prompts:
        lines += ["", *_reflect(recap)]
    if recap.takeaways:
        lines += ["", *_takeaways(recap)]
    if recap.timeline:
        lines += ["", *_timeline(recap)]
    return "\n".join(lines).rstrip() + "\n"


def _heading(recap: Recap) -> list[str]:
    """The title, the update note, and the chat's date, numbers and people."""
    header = recap.header
    zone = header.timezone
    lines = [f"# {markdown_inline(header.title)} {markdown_inline(header.hashtag)}", ""]
    if recap.revision is not None:
        updated = f"Updated {revision_time(recap.revision, zone)}: {recap.revision.summary}"
        lines += [f"_{markdown_inline(updated)}_", ""]
    lines += [
        f"**{long_date(header)}** · {duration(header.duration)}  ",
        f"{headline(header)}.  ",
    ]
    people = []
    for role, names in (("Hosts", named(header.hosts)), ("Guests", named(header.guests))):
        if names:
            people.append(f"{role}: " + ", ".join(markdown_inline(name) for name in names))
    if people:
        lines.append(" · ".join(people) + "  ")
    if header.opted_out:
        lines.append(
            f"{count(header.opted_out, 'participant')} asked not to be quoted: "
            "their answers are counted, not shown.  "
        )
    return lines


def _question(question: QuestionRecap, zone: str) -> list[str]:
    lines = [f"## Q{question.number}: {markdown_inline(question.text)}", ""]
    status = [question_numbers(question)]
    if question.posted_at is not None:
        status.insert(0, f"asked at {clock_time(question.posted_at, zone)}")
    if question.posted_late:
        status.append("posted late")
    if question.late_answers:
        status.append(f"{question.late_answers} late")
    if question.note:
        status.append(markdown_inline(question.note))
    lines += [f"_{' · '.join(status)}_", ""]
    if question.withheld:
        lines += [
            f"_{count(question.withheld, 'answer')} from participants who opted out "
            "counted, not shown._",
            "",
        ]
    if question.highlights:
        lines += ["**Highlights**", ""]
        lines += [
            f"- {q.reactions} {_reaction_word(q.reactions)} · {_said(q)}"
            for q in question.highlights
        ]
        lines.append("")
    if question.themes:
        themes = ", ".join(f"{markdown_inline(t.phrase)} ({t.answers})" for t in question.themes)
        lines += [f"**Themes:** {themes}", ""]
    if question.representative is not None:
        lines += [f"**Most typical answer:** {_said(question.representative)}", ""]
    if question.contrasting is not None:
        lines += [f"**A different take:** {_said(question.contrasting)}", ""]
    if question.conversation is not None:
        side = question.conversation
        lines += [
            f"**Liveliest side conversation** ({count(side.replies, 'reply', 'replies')})",
            "",
            f"- {_said(side.answer)}",
        ]
        lines += [f"  - ↳ {_said(reply)}" for reply in side.shown]
        lines.append("")
    if question.transcript:
        lines += ["### Transcript", ""]
        lines += [_message(quote, zone) for quote in question.transcript]
    return lines


def _voices(recap: Recap) -> list[str]:
    """Voices to follow, each with the reason and their most engaging answer; hosts apart."""
    lines = [f"## {VOICES_TITLE}", ""]
    if not recap.voices and not recap.host_voices:
        return [*lines, NO_VOICES]
    zone = recap.header.timezone
    for number, voice in enumerate(recap.voices, start=1):
        answer = voice.answer
        where = f"{question_label(answer.question)}, {clock_time(answer.at, zone)}"
        link = jump_link(recap.header.guild_id, voice.channel_id, answer.message_id)
        if link:
            where = f"[{where}]({link})"
        item = f"{number}. "
        lines.append(f"{item}**{markdown_inline(voice.name)}** — {voice.reason} ({where})  ")
        lines.append(" " * len(item) + markdown_inline(clip(answer.text, 200)))
    if recap.host_voices:
        hosts = ", ".join(
            f"**{markdown_inline(voice.name)}** ({voice.reason})" for voice in recap.host_voices
        )
        lines += ["", f"Your hosts: {hosts}"]
    return lines


def _said(quote: Quote) -> str:
    return f"**{markdown_inline(quote.author)}**: {markdown_inline(quote.text)}"


def _message(quote: Quote, zone: str) -> str:
    kind = "" if quote.is_answer else "💬 "
    labels = marks(quote)
    suffix = f" _({', '.join(markdown_inline(label) for label in labels)})_" if labels else ""
    return f"- `{clock_time(quote.at, zone)}` {kind}{_said(quote)}{suffix}"


def _reaction_word(number: int) -> str:
    return "reaction" if number == 1 else "reactions"


def _resources(recap: Recap) -> list[str]:
    lines = ["## Reading list", ""]
    if not recap.resources:
        return [*lines, "No links were shared."]
    for number, resource in enumerate(recap.resources, start=1):
        others = resource.sharers - 1
        shared = f"shared by **{markdown_inline(resource.shared_by)}**"
        if others > 0:
            shared += f" and {count(others, 'other')}"
        item = f"{number}. "
        card = resource.card
        link = f"<{resource.url}>"
        if card is not None and card.title:
            link = f"[{markdown_inline(card.title)}](<{resource.url}>)"
        if card is not None and card.provider:
            link += f" · {markdown_inline(card.provider)}"
        lines.append(f"{item}{link} — {shared} ({question_label(resource.question)})  ")
        if card is not None and card.description:
            lines.append(" " * len(item) + "*" + markdown_inline(card.short_description) + "*  ")
        if resource.context:
            lines.append(" " * len(item) + markdown_inline(resource.context))
    return lines


def _polls(recap: Recap) -> list[str]:
    """Each poll's counts and shares (voters are never named)."""
    lines = ["## Polls"]
    for poll in recap.polls:
        lines += ["", f"### {markdown_inline(poll_title(poll))}", "", f"_{poll_status(poll)}_", ""]
        lines += [
            f"- {markdown_inline(option.text)} — {option_numbers(option)} `{poll_bar(option.share)}`"
            for option in poll.options
        ]
    return lines


def _open_questions(recap: Recap) -> list[str]:
    lines = ["## Open questions", ""]
    if not recap.open_questions:
        return [*lines, "Every question asked in the chat got a reply."]
    lines += ["Questions participants asked that nobody replied to yet:", ""]
    zone = recap.header.timezone
    lines += [
        f"- **{markdown_inline(q.author)}** ({question_label(q.question)}, "
        f"{clock_time(q.at, zone)}): {markdown_inline(q.text)}"
        for q in recap.open_questions
    ]
    return lines


def _reflect(recap: Recap) -> list[str]:
    lines = ["## Reflect", ""]
    lines += [f"{n}. {markdown_inline(p)}" for n, p in enumerate(recap.prompts, start=1)]
    return lines


def _takeaways(recap: Recap) -> list[str]:
    """Takeaways under their prompt; those for no particular prompt last."""
    lines = ["## Takeaways"]
    for group in takeaway_groups(recap):
        if group.number:
            prompt = markdown_inline(" ".join(group.prompt.split()))
            lines += ["", f"### Prompt {group.number}: {prompt}"]
        elif group.titled:
            lines += ["", f"### {OTHER_TAKEAWAYS}"]
        lines.append("")
        lines += [
            f"- **{markdown_inline(t.author)}**: {markdown_inline(t.text)}" for t in group.takeaways
        ]
    return lines


def _timeline(recap: Recap) -> list[str]:
    zone = recap.header.timezone
    lines = ["## Moderation timeline", ""]
    lines += [
        f"- `{clock_time(e.at, zone)}` {markdown_inline(e.action)}"
        f" by {markdown_inline(e.actor)}" + (f": {markdown_inline(e.detail)}" if e.detail else "")
        for e in recap.timeline
    ]
    return lines
