"""Answer attribution: which question(s) a participant's message answers.

In order of precedence:

1. **Prefixes.** ``A3: …``, ``A3 - …``, ``a3) …``, ``A3. …`` (and ``A 3:``) at the
   start of the message or after white space name the question (a dot or a dash only
   when white space follows: "answer with A1, A2... please" names no question). A message with
   several prefixes is split: ``A1: yes A2: no`` is two answers. Text before the
   first prefix belongs to the first answer. A number outside the chat's
   questions is not a prefix.
2. **Thread.** A message in a question's thread answers that question.
3. **Reply.** A reply to a question's message answers that question.
4. Anything else during the run is **conversation** of the current question
   (kept for the transcript, not counted as an answer).

After the recap, a message in the recap's thread is a **takeaway**: an answer to
one of the chat's reflection prompts (:func:`attribute_takeaway`), stored like an
answer but never counted as one.

Attribution is a pure function of the text and where it was posted; it never
raises, whatever the text.
"""

from __future__ import annotations

import operator
import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import NamedTuple

#: A prefix after its letter: "3:", " 3 -", "3)". A dot or a dash must be followed by white
#: space: "A2..." and "A1-5" name nothing.
_PREFIX_TAIL = r" ?(\d{1,3})(?: ?[:)\]]| ?[.\-–—](?=\s|$))"
#: "A" or "a" at the start or after white space, then the tail: one pattern per case of the
#: letter. A literal first character lets the regex engine skip to candidates fast (the
#: lookbehind, checked after the letter, rejects the letters inside words); two passes with
#: a literal take half the time of one with ``[Aa]`` on chat text.
_UPPER_PREFIX = re.compile(r"A(?<!\S.)" + _PREFIX_TAIL)
_LOWER_PREFIX = re.compile(r"a(?<!\S.)" + _PREFIX_TAIL)


class AnswerSource(StrEnum):
    """How an answer was attributed."""

    PREFIX = "prefix"
    THREAD = "thread"
    REPLY = "reply"
    CONVERSATION = "conversation"
    #: An answer to a reflection prompt, in the recap's thread (``question`` is the prompt).
    TAKEAWAY = "takeaway"


#: A takeaway that names its prompt: "R2:", "P2 -", "2)", "#2." at the start.
_PROMPT = re.compile(r"\s*(?:[RrPpTt]|#)? ?(\d{1,2}) ?[:).\-–—](?=\s|$)\s*")


class Attribution(NamedTuple):
    """One part of a message: the question it answers (None: no question yet) and its text.

    A named tuple: at least one is made per message, on the gateway's hot path."""

    question: int | None
    text: str
    source: AnswerSource

    @property
    def is_answer(self) -> bool:
        """True for answers, False for conversation and takeaways."""
        return self.source not in _NOT_ANSWERS


_NOT_ANSWERS = frozenset({AnswerSource.CONVERSATION, AnswerSource.TAKEAWAY})


def attribute_takeaway(content: str, *, prompt_count: int) -> Attribution:
    """A message in the recap's thread as a takeaway: ``question`` is the reflection prompt it
    answers (1-based) when it starts with the prompt's number ("R2:", "2)", "#2 -") or the
    chat has a single prompt, else None. Never raises."""
    match = _PROMPT.match(content)
    if match is not None and 1 <= int(match.group(1)) <= prompt_count:
        return Attribution(
            int(match.group(1)), content[match.end() :].strip(), AnswerSource.TAKEAWAY
        )
    return Attribution(1 if prompt_count == 1 else None, content.strip(), AnswerSource.TAKEAWAY)


def attribute(
    content: str,
    *,
    question_count: int,
    thread_question: int | None = None,
    reply_question: int | None = None,
    current_question: int = 0,
) -> list[Attribution]:
    """Split and attribute ``content``; always at least one part."""
    parts = _split_prefixes(content, question_count)
    if parts:
        return parts
    text = content.strip()
    if thread_question is not None:
        return [Attribution(thread_question, text, AnswerSource.THREAD)]
    if reply_question is not None:
        return [Attribution(reply_question, text, AnswerSource.REPLY)]
    return [Attribution(current_question or None, text, AnswerSource.CONVERSATION)]


def _split_prefixes(content: str, question_count: int) -> list[Attribution]:
    marks = _marks(_UPPER_PREFIX, content, question_count)
    lower = _marks(_LOWER_PREFIX, content, question_count)
    if lower:
        marks = sorted(marks + lower, key=_start) if marks else lower
    if not marks:
        return []
    preamble = content[: marks[0].start()].strip()
    parts: list[Attribution] = []
    for index, match in enumerate(marks):
        end = marks[index + 1].start() if index + 1 < len(marks) else len(content)
        text = content[match.end() : end].strip()
        if index == 0 and preamble:
            text = f"{preamble} {text}".strip()
        parts.append(Attribution(int(match.group(1)), text, AnswerSource.PREFIX))
    return parts


def _marks(pattern: re.Pattern[str], content: str, question_count: int) -> list[re.Match[str]]:
    """The prefixes ``pattern`` finds in ``content`` that name one of the questions."""
    return [
        match for match in pattern.finditer(content) if 1 <= int(match.group(1)) <= question_count
    ]


_start = operator.methodcaller("start")


@dataclass(frozen=True)
class Answer:
    """A stored part of a participant's message (keyed by message id and part number)."""

    message_id: int
    part: int
    occurrence_id: int
    channel_id: int
    author_id: int
    author_name: str
    question: int | None
    content: str
    source: AnswerSource
    created_at: datetime
    thread_id: int | None = None
    edited_at: datetime | None = None
    deleted: bool = False
    reactions: int = 0
    reply_to: int | None = None
    late: bool = False

    @property
    def is_answer(self) -> bool:
        """True for answers, False for conversation and takeaways."""
        return self.source not in _NOT_ANSWERS
