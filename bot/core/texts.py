"""What the bot says: the text of every post of a run, in the Twitter-chat way.

Texts use Discord's timestamp markup (``<t:UNIX:F>`` full date, ``<t:UNIX:R>``
relative countdown) so every reader sees their own local time. The texts are
pure functions of the spec and the step; user-written text (intro, questions,
closing) is passed through as the moderators wrote it, and the adapter sends
every post with mentions disabled.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.core.plan import Step, StepKind
from bot.core.spec import ChatSpec


def discord_time(moment: datetime, style: str = "F") -> str:
    """Discord's timestamp markup, e.g. ``<t:1767225600:F>``."""
    return f"<t:{int(moment.timestamp())}:{style}>"


def how_to_answer(number: int | None = None) -> str:
    """The one-line reminder of how answers are attributed."""
    if number is None:
        return (
            "Answer each question in its thread, or here in the channel starting with "
            "A1:, A2: … so your answer is counted."
        )
    return f'Answer in the thread below, or here starting with "A{number}:".'


def _minutes(delta: timedelta) -> str:
    minutes = round(delta.total_seconds() / 60)
    return f"{minutes} minute" + ("" if minutes == 1 else "s")


def reminder_text(spec: ChatSpec, start: datetime) -> str:
    """A reminder before the chat, with a live countdown."""
    length = _minutes(spec.run_length)
    return (
        f"⏰ **{spec.title}** {spec.hashtag} starts {discord_time(start, 'R')} "
        f"({discord_time(start, 'F')}): {len(spec.questions)} questions in about {length}. "
        + how_to_answer()
    )


def intro_text(spec: ChatSpec) -> str:
    """The welcome post at the start time."""
    intro = spec.intro.strip() or f"Welcome to {spec.title}!"
    return (
        f"👋 **{spec.title}** {spec.hashtag} is starting.\n{intro}\n\n"
        f"Questions come about every {_minutes(spec.question_interval)} as Q1, Q2, … "
        + how_to_answer()
    )


def question_text(spec: ChatSpec, number: int) -> str:
    """A question post: ``Q3: … #Hashtag`` and how to answer it."""
    question = spec.questions[number - 1]
    text = f"**Q{number}:** {question.text.strip()} {spec.hashtag}\n{how_to_answer(number)}"
    if question.image:
        text += f"\n{question.image}"
    if question.suggestion is not None:
        # The credit is a display name: no mention can come of it, and markdown stays literal.
        credit = question.credit.replace("@", "@\u200b").replace("*", "\\*").replace("_", "\\_")
        text += f"\n-# 💡 Suggested by {credit}" if credit else "\n-# 💡 Suggested by a member"
    return text


def poll_question(text: str, number: int | None, hashtag: str) -> str:
    """A poll's question as Discord shows it: ``Q3: … #Hashtag`` (no label for a live poll)."""
    label = f"Q{number}: " if number is not None else ""
    return f"{label}{text.strip()} {hashtag}".strip()


def last_call_text(number: int, next_due: datetime, next_question: int | None) -> str:
    """The last call for answers to question ``number``; ``next_question`` None means closing."""
    following = "We wrap up" if next_question is None else f"Q{next_question} comes"
    return f"⏳ Last call for A{number}! {following} {discord_time(next_due, 'R')}."


def closing_text(spec: ChatSpec, recap_due: datetime) -> str:
    """The closing post; answers still count until the recap."""
    closing = spec.closing.strip() or f"That's a wrap for {spec.title}. Thank you all!"
    return (
        f"🏁 {closing} {spec.hashtag}\n"
        f"Late answers still count until {discord_time(recap_due, 't')}; "
        "the recap follows."
    )


def late_note(step: Step, planned: datetime) -> str:
    """The line added to a post that goes out late."""
    return f"\n-# Posted {_minutes(step.due - planned)} late: the bot was offline."


def step_text(spec: ChatSpec, step: Step, steps: tuple[Step, ...], start: datetime) -> str:
    """The text of ``step``, given the occurrence's current ``steps`` and scheduled ``start``."""
    if step.kind is StepKind.REMINDER:
        return reminder_text(spec, start)
    if step.kind is StepKind.INTRO:
        return intro_text(spec)
    if step.kind is StepKind.QUESTION and step.question is not None:
        return question_text(spec, step.question)
    if step.kind is StepKind.LAST_CALL and step.question is not None:
        following = next(
            (
                s
                for s in steps
                if s.pending
                and s.due >= step.due
                and s.kind in (StepKind.QUESTION, StepKind.CLOSING)
            ),
            None,
        )
        due = following.due if following is not None else step.due
        next_question = following.question if following is not None else None
        return last_call_text(step.question, due, next_question)
    if step.kind is StepKind.CLOSING:
        recap = next((s for s in steps if s.kind is StepKind.RECAP), None)
        return closing_text(spec, recap.due if recap else step.due + spec.late_answers)
    if step.kind is StepKind.NOTICE:
        return f"🛠️ {spec.title} {spec.hashtag}: {step.note}"
    return ""
