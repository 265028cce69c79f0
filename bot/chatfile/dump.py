"""Writing chat files: a ChatSpec as the YAML text that loads back into the same spec.

``/host export`` answers with :func:`dump_chat`; the forms of ``/host new`` and
``/host edit`` turn what a moderator typed into chat file text with the same pieces
(:mod:`bot.chatfile.form`), so both are checked by exactly the rules of chat files.

The text is a function of the spec alone: export, upload (``/host schedule``) and
export again gives the same bytes. Whatever a moderator typed is written as a
double-quoted YAML scalar with every character YAML could misread escaped, so no text
can change the file's structure (a ``#`` is not a comment, ``: `` is not a field). A
text of several lines is written as a literal block (``|-``) when that reads back
exactly, else quoted with ``\\n``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

import yaml

from bot.core.spec import ChatSpec, QuestionSpec, format_duration

__all__ = [
    "Line",
    "dump_chat",
    "local_time",
    "plain",
    "prompt_lines",
    "question_lines",
    "quote",
    "render_lines",
]

#: Escapes YAML defines for double-quoted scalars, for characters that may not appear
#: literally in one (or that YAML reads as line breaks: NEL, LS, PS).
_ESCAPES = {
    "\\": "\\\\",
    '"': '\\"',
    "\0": "\\0",
    "\a": "\\a",
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\v": "\\v",
    "\f": "\\f",
    "\r": "\\r",
    "\x1b": "\\e",
    "\x85": "\\N",
    "\u2028": "\\L",
    "\u2029": "\\P",
}
#: Words safe to leave unquoted (if YAML resolves them as text): no spaces, no indicators.
_SIMPLE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_./;=+,-]*")


class Line(NamedTuple):
    """One line of a chat file and where its value came from.

    ``field`` is the chat file field the line belongs to (``questions`` for every line of
    the questions, ``recap.prompts`` for the prompts); ``item`` the 1-based list item it
    is part of, or None.
    """

    text: str
    field: str
    item: int | None = None


def _printable(char: str) -> bool:
    """Whether YAML allows ``char`` literally in a scalar (its c-printable set)."""
    code = ord(char)
    return (
        char in "\t\n\r"
        or 0x20 <= code <= 0x7E
        or code == 0x85
        or 0xA0 <= code <= 0xD7FF
        or 0xE000 <= code <= 0xFFFD
        or 0x10000 <= code <= 0x10FFFF
    )


def _escape(char: str) -> str:
    if char in _ESCAPES:
        return _ESCAPES[char]
    code = ord(char)
    if not _printable(char) or code == 0xFEFF:
        if code <= 0xFF:
            return f"\\x{code:02X}"
        return f"\\u{code:04X}" if code <= 0xFFFF else f"\\U{code:08X}"
    return char


def quote(text: str) -> str:
    """``text`` as a one-line double-quoted YAML scalar that reads back exactly."""
    return '"' + "".join(_escape(char) for char in text) + '"'


def plain(text: str) -> str:
    """``text`` unquoted when it is a simple word (an id, a zone, a rule) that YAML reads
    back as that same text, else :func:`quote`."""
    if _SIMPLE.fullmatch(text) is not None and yaml.safe_load(text) == text:
        return text
    return quote(text)


def _literal_ok(text: str) -> bool:
    """Whether a ``|-`` block holds ``text`` exactly: several lines, nothing YAML would
    change (trailing spaces, leading spaces on the first line, tabs, odd breaks)."""
    if "\n" not in text or text != text.strip():
        return False
    if any(not _printable(c) or c in "\t\r\x85\ufeff" for c in text):
        return False
    return all(line == line.rstrip() for line in text.split("\n"))


def _text_lines(key: str, text: str, field: str, indent: str = "") -> list[Line]:
    if _literal_ok(text):
        body = [Line(f"{indent}  {line}" if line else "", field) for line in text.split("\n")]
        return [Line(f"{indent}{key}: |-", field), *body]
    return [Line(f"{indent}{key}: {quote(text)}", field)]


def local_time(moment: datetime) -> str:
    """A naive local date and time as chat files write it: ``2027-01-12 19:00``."""
    if moment.microsecond:
        return moment.isoformat(sep=" ")
    return moment.strftime("%Y-%m-%d %H:%M:%S" if moment.second else "%Y-%m-%d %H:%M")


def _flow(values: Iterable[str]) -> str:
    return "[" + ", ".join(values) + "]"


@dataclass(frozen=True)
class _Writer:
    lines: list[Line]

    def scalar(self, key: str, value: str) -> None:
        self.lines.append(Line(f"{key}: {value}", key))


def question_lines(questions: Iterable[tuple[int, QuestionSpec]]) -> list[Line]:
    """The items of ``questions:``, each numbered as given: ``- "text"``, or a mapping
    when the question has its own ``after``, ``image`` or ``poll``."""
    lines: list[Line] = []
    for number, question in questions:
        if question.after is None and question.image is None and question.poll is None:
            lines.append(Line(f"  - {quote(question.text)}", "questions", number))
            continue
        lines.append(Line(f"  - text: {quote(question.text)}", "questions", number))
        if question.after is not None:
            lines.append(Line(f"    after: {format_duration(question.after)}", "questions", number))
        if question.image is not None:
            lines.append(Line(f"    image: {quote(question.image)}", "questions", number))
        if question.poll is not None:
            poll = question.poll
            options = ", ".join(quote(option) for option in poll.options)
            multiple = "true" if poll.multiple else "false"
            duration = (
                "" if poll.duration is None else f", duration: {format_duration(poll.duration)}"
            )
            text = f"    poll: {{options: [{options}], multiple: {multiple}{duration}}}"
            lines.append(Line(text, "questions", number))
    return lines


def prompt_lines(prompts: Iterable[tuple[int, str]]) -> list[Line]:
    """The items of ``recap.prompts:``, each numbered as given."""
    return [Line(f"    - {quote(text)}", "recap.prompts", number) for number, text in prompts]


def render_lines(spec: ChatSpec) -> list[Line]:
    """Every line of ``spec``'s chat file, in the order of the README's example."""
    out = _Writer([])
    out.scalar("id", plain(spec.id))
    out.scalar("title", quote(spec.title))
    out.scalar("hashtag", quote(spec.hashtag))
    out.scalar("channel", str(spec.channel))
    if spec.guild is not None:
        out.scalar("guild", str(spec.guild))
    out.scalar("timezone", plain(spec.timezone))
    out.scalar("start", local_time(spec.start))
    if spec.repeat is not None:
        out.scalar("repeat", plain(spec.repeat))
    if spec.until is not None:
        out.scalar("until", spec.until.isoformat())
    if spec.count is not None:
        out.scalar("count", str(spec.count))
    if spec.reminders:
        out.scalar("reminders", _flow(format_duration(r) for r in spec.reminders))
    if spec.intro:
        out.lines.extend(_text_lines("intro", spec.intro, "intro"))
    out.scalar("question_interval", format_duration(spec.question_interval))
    if spec.last_call is not None:
        out.scalar("last_call", format_duration(spec.last_call))
    out.lines.append(Line("questions:", "questions"))
    out.lines.extend(question_lines(enumerate(spec.questions, 1)))
    if spec.closing:
        out.lines.extend(_text_lines("closing", spec.closing, "closing"))
    out.scalar("late_answers", format_duration(spec.late_answers))
    out.scalar("max_late", format_duration(spec.max_late))
    if spec.recap.channel is not None or spec.recap.prompts:
        out.lines.append(Line("recap:", "recap"))
        if spec.recap.channel is not None:
            out.lines.append(Line(f"  channel: {spec.recap.channel}", "recap.channel"))
        if spec.recap.prompts:
            out.lines.append(Line("  prompts:", "recap.prompts"))
            out.lines.extend(prompt_lines(enumerate(spec.recap.prompts, 1)))
    if spec.moderator_channel is not None:
        out.scalar("moderator_channel", str(spec.moderator_channel))
    for name, ids in (("hosts", spec.hosts), ("guests", spec.guests)):
        if ids:
            out.scalar(name, _flow(str(i) for i in ids))
    if spec.suggestions.post_in != "chat":
        out.lines.append(Line("suggestions:", "suggestions"))
        out.lines.append(Line(f"  post_in: {spec.suggestions.post_in}", "suggestions.post_in"))
    return out.lines


def header(chat_id: str) -> str:
    """The comment the exported file starts with."""
    return (
        f"# {chat_id}: a chat file exported by /host export. Check it with\n"
        "# `python -m bot validate FILE`; upload it with /host schedule to change the chat.\n"
    )


def dump_chat(spec: ChatSpec) -> str:
    """``spec`` as a chat file (see the module docstring); its ``source`` is not written."""
    return header(spec.id) + "".join(line.text + "\n" for line in render_lines(spec))
