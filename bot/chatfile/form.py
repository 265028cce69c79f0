"""Chats filled in in Discord: a form's fields become a chat file's text, checked by exactly
the rules of chat files, and every problem is told back by the form's field and line.

``/host new`` takes the short fields as slash command options and the long ones
(questions, intro, closing, reflection prompts) in a form (a Discord modal); ``/host
edit`` and ``/host set`` change a stored chat the same way. :func:`check_form` writes the
chat file (with :mod:`bot.chatfile.dump`: everything typed is a quoted YAML scalar, one
question or prompt per line), loads it with :func:`bot.chatfile.load_chat_text`, and maps
each problem's line back: "questions, line 3: is too long ...". Fields the form does not
have (reminders, last call, a question's own ``after`` or ``image`` ...) are kept from the
chat being edited.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Mapping
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from typing import Literal

from bot.chatfile._load import load_chat_text
from bot.chatfile.dump import (
    Line,
    local_time,
    plain,
    prompt_lines,
    question_lines,
    quote,
    render_lines,
)
from bot.core.schedule import next_occurrence
from bot.core.spec import ChatSpec, QuestionSpec, format_duration

__all__ = [
    "REPEATS",
    "ChatForm",
    "FormProblem",
    "FormResult",
    "check_form",
    "form_of",
    "local_time",
    "new_chat_id",
]

#: What ``repeat`` offers in Discord; "once" is no repeat at all.
REPEATS = ("once", "weekly", "biweekly", "monthly")
#: The form's fields, by the chat file field each one fills.
_FORM_FIELDS = {
    "title": "title",
    "hashtag": "hashtag",
    "start": "start",
    "timezone": "timezone",
    "repeat": "repeat",
    "question_interval": "interval",
    "channel": "channel",
    "questions": "questions",
    "intro": "intro",
    "closing": "closing",
    "recap.prompts": "reflection prompts",
    "suggestions": "suggestions",
    "suggestions.post_in": "suggestions",
}
#: Fields a repeat needs; a chat set to happen once drops them.
_REPEAT_ONLY = ("until", "count")
_MAX_SLUG = 56


@dataclass(frozen=True)
class ChatForm:
    """A chat as typed in Discord: text as the moderator wrote it (the channel is the id
    Discord's channel option gives). ``questions`` and ``prompts`` hold one per line."""

    title: str
    hashtag: str
    start: str
    timezone: str
    repeat: str
    interval: str
    channel: int
    questions: str = ""
    intro: str = ""
    closing: str = ""
    prompts: str = ""
    #: Where /chat suggest posts suggestions: chat or moderators ('' : as the chat has it).
    suggestions: str = ""

    def fields(self) -> dict[str, str]:
        """The form as text fields (how a draft is stored)."""
        return {name: str(value) for name, value in asdict(self).items()}

    @classmethod
    def from_fields(cls, fields: Mapping[str, str]) -> ChatForm:
        """The form :meth:`fields` gave."""
        text = {name: fields.get(name, "") for name in cls.__dataclass_fields__}
        return cls(
            title=text["title"],
            hashtag=text["hashtag"],
            start=text["start"],
            timezone=text["timezone"],
            repeat=text["repeat"],
            interval=text["interval"],
            channel=int(text["channel"] or 0),
            questions=text["questions"],
            intro=text["intro"],
            closing=text["closing"],
            prompts=text["prompts"],
            suggestions=text["suggestions"],
        )

    def with_texts(self, questions: str, intro: str, closing: str, prompts: str) -> ChatForm:
        """The form with the long fields as submitted (line breaks as ``\\n``)."""
        return replace(
            self,
            questions=questions.replace("\r\n", "\n"),
            intro=intro.replace("\r\n", "\n"),
            closing=closing.replace("\r\n", "\n"),
            prompts=prompts.replace("\r\n", "\n"),
        )


def form_of(spec: ChatSpec) -> ChatForm:
    """The form of a stored chat, filled in (``/host edit`` opens it like this)."""
    return ChatForm(
        title=spec.title,
        hashtag=spec.hashtag,
        start=local_time(spec.start),
        timezone=spec.timezone,
        repeat=spec.repeat or "once",
        interval=format_duration(spec.question_interval),
        channel=spec.channel,
        questions="\n".join(_one_line(q.text) for q in spec.questions),
        intro=spec.intro,
        closing=spec.closing,
        prompts="\n".join(_one_line(p) for p in spec.recap.prompts),
        suggestions=spec.suggestions.post_in,
    )


def _one_line(text: str) -> str:
    """A question or prompt on one line of the form (one per line)."""
    return " ".join(text.split("\n"))


@dataclass(frozen=True)
class FormProblem:
    """A problem in what was typed: the form's field, the line in it (for questions and
    prompts), and the chat file rule's message."""

    field: str
    line: int | None
    message: str
    severity: Literal["error", "warning"] = "error"

    def __str__(self) -> str:
        """``questions, line 3: is too long ...``; warnings say so."""
        where = self.field if self.line is None else f"{self.field}, line {self.line}"
        level = "warning: " if self.severity == "warning" else ""
        return f"{level}{where}: {self.message}"


@dataclass(frozen=True)
class FormResult:
    """The chat a form describes (None when it has errors), every problem, and the chat
    file text it was checked as."""

    spec: ChatSpec | None
    problems: list[FormProblem]
    text: str

    @property
    def errors(self) -> list[FormProblem]:
        """The problems that keep the chat from being saved."""
        return [p for p in self.problems if p.severity == "error"]


@dataclass
class _Items:
    """The non-blank lines of a long field, and the line each one was typed on."""

    texts: list[str]
    typed_on: list[int]

    @classmethod
    def of(cls, text: str) -> _Items:
        found = [(line.strip(), n) for n, line in enumerate(text.split("\n"), 1) if line.strip()]
        return cls([t for t, _ in found], [n for _, n in found])


def _chat_lines(
    form: ChatForm, chat_id: str, base: ChatSpec | None, guild: int | None
) -> tuple[list[Line], _Items, _Items]:
    """The chat file: the form's fields (typed text quoted) and the rest from ``base``."""
    questions, prompts = _Items.of(form.questions), _Items.of(form.prompts)
    once = form.repeat.strip().lower() in ("", "once")
    kept = render_lines(base) if base is not None else []
    earlier = {q.text: q for q in base.questions} if base is not None else {}
    guild = base.guild if base is not None else guild

    def from_base(*names: str) -> list[Line]:
        return [line for name in names for line in kept if line.field == name]

    lines = [
        Line(f"id: {plain(chat_id)}", "id"),
        Line(f"title: {quote(form.title)}", "title"),
        Line(f"hashtag: {quote(form.hashtag)}", "hashtag"),
        Line(f"channel: {form.channel}", "channel"),
    ]
    if guild is not None:
        lines.append(Line(f"guild: {guild}", "guild"))
    lines.append(Line(f"timezone: {quote(form.timezone)}", "timezone"))
    lines.append(Line(f"start: {quote(form.start)}", "start"))
    if not once:
        lines.append(Line(f"repeat: {quote(form.repeat.strip())}", "repeat"))
        lines.extend(from_base(*_REPEAT_ONLY))
    lines.extend(from_base("reminders"))
    if form.intro.strip():
        lines.append(Line(f"intro: {quote(form.intro)}", "intro"))
    lines.append(Line(f"question_interval: {quote(form.interval)}", "question_interval"))
    lines.extend(from_base("last_call"))
    lines.append(Line("questions:" if questions.texts else "questions: []", "questions"))
    if base is not None and form.questions == form_of(base).questions:
        # Untouched: the chat's own questions (a file's may span lines).
        lines.extend(question_lines(enumerate(base.questions, 1)))
    else:
        # A question typed as it was keeps its own timing and picture.
        typed = [
            (n, replace(earlier.get(text, QuestionSpec(text)), text=text))
            for n, text in enumerate(questions.texts, 1)
        ]
        lines.extend(question_lines(typed))
    if form.closing.strip():
        lines.append(Line(f"closing: {quote(form.closing)}", "closing"))
    lines.extend(from_base("late_answers", "max_late"))
    recap_channel = base.recap.channel if base is not None else None
    if recap_channel is not None or prompts.texts:
        lines.append(Line("recap:", "recap"))
        if recap_channel is not None:
            lines.append(Line(f"  channel: {recap_channel}", "recap.channel"))
        if prompts.texts:
            lines.append(Line("  prompts:", "recap.prompts"))
            untouched = base is not None and form.prompts == form_of(base).prompts
            given = base.recap.prompts if base is not None and untouched else prompts.texts
            lines.extend(prompt_lines(enumerate(given, 1)))
    lines.extend(from_base("moderator_channel", "hosts", "guests"))
    post_in = form.suggestions.strip()
    if not post_in:
        lines.extend(from_base("suggestions", "suggestions.post_in"))
    elif post_in != "chat":
        lines.append(Line("suggestions:", "suggestions"))
        lines.append(Line(f"  post_in: {quote(post_in)}", "suggestions.post_in"))
    return lines, questions, prompts


def check_form(
    form: ChatForm,
    chat_id: str,
    now: datetime,
    *,
    base: ChatSpec | None = None,
    guild: int | None = None,
) -> FormResult:
    """Check ``form`` as the chat ``chat_id`` (a change of ``base`` when given, else a new
    chat of server ``guild``) by the rules of chat files; a chat with no date after ``now``
    is an error too, since it would never run."""
    lines, questions, prompts = _chat_lines(form, chat_id, base, guild)
    text = "".join(line.text + "\n" for line in lines)
    loaded = load_chat_text(text, f"{chat_id} (form)", now)
    typed_on = {"questions": questions.typed_on, "recap.prompts": prompts.typed_on}
    problems = []
    for problem in loaded.problems:
        line = lines[problem.line - 1] if 0 < problem.line <= len(lines) else None
        field = line.field if line is not None else problem.field.split("[")[0].split(".")[0]
        number = None
        if line is not None and line.item is not None and field in typed_on:
            number = typed_on[field][line.item - 1]
        problems.append(FormProblem(_name(field), number, problem.message, problem.severity))
    spec = loaded.spec
    if spec is not None and next_occurrence(spec, now) is None:
        problems = [_never_runs(p) for p in problems]
        if not any(p.severity == "error" for p in problems):
            message = "no date of this chat is after now; expected a future start"
            problems.append(FormProblem("start", None, message))
        spec = None
    return FormResult(
        spec if not any(p.severity == "error" for p in problems) else None, problems, text
    )


def _never_runs(problem: FormProblem) -> FormProblem:
    """A chat with no date to come is refused: the warnings saying why become errors."""
    if problem.field in ("start", "repeat", "until", "count"):
        return replace(problem, severity="error")
    return problem


def _name(field: str) -> str:
    """The form's name for a chat file field; fields the form lacks say where to change them."""
    if field in _FORM_FIELDS:
        return _FORM_FIELDS[field]
    if field in ("", "id"):
        return field or "chat"
    return f"{field} (not in the form: /host export, edit the file, /host schedule it)"


def new_chat_id(hashtag: str, taken: Collection[str]) -> str:
    """An id for a new chat from its hashtag (``#CareerChat`` -> ``careerchat``), with
    ``-2``, ``-3`` ... when that id is ``taken``."""
    ascii_text = unicodedata.normalize("NFKD", hashtag).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:_MAX_SLUG].strip("-")
    if len(slug) < 2:
        slug = f"chat-{slug}" if slug else "chat"
    candidate, number = slug, 2
    while candidate in taken:
        candidate, number = f"{slug}-{number}", number + 1
    return candidate
