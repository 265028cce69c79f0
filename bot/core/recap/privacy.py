"""Privacy in the recap: participants who opted out are counted but never named or quoted.

:class:`Scrubber` replaces their names and mentions in other people's text with
:data:`~bot.core.recap.model.ANONYMOUS`; :func:`to_quote` turns a stored message into
the :class:`~bot.core.recap.model.Quote` the recap shows. The rules themselves are
listed in :mod:`bot.core.recap.build`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from bot.core.answers import Answer
from bot.core.recap.model import ANONYMOUS, Person, Quote
from bot.core.recap.text import STOP_WORDS, defuse_mentions


class Scrubber:
    """Replaces the names and mentions of participants who opted out in other people's text."""

    def __init__(self, messages: Sequence[Answer], hidden: frozenset[int]) -> None:
        hidden_names = {a.author_name for a in messages if a.author_id in hidden}
        shown_names = {a.author_name for a in messages if a.author_id not in hidden}
        names = sorted(
            (
                name
                for name in hidden_names - shown_names
                if len(name) >= 3 and name.lower() not in STOP_WORDS
            ),
            key=lambda name: (-len(name), name),
        )
        ids = "|".join(str(user_id) for user_id in sorted(hidden))
        self._mentions = re.compile(rf"<@!?(?:{ids})>") if ids else None
        self._lowered = [name.lower() for name in names]
        self._names = (
            re.compile("|".join(rf"(?<!\w)@?{re.escape(n)}(?!\w)" for n in names), re.IGNORECASE)
            if names
            else None
        )
        #: Words that never make a theme: the chat's hidden names.
        self.words = frozenset(re.findall(r"\w+", " ".join(names).lower()))

    def text(self, text: str) -> str:
        """``text`` with every reference to a hidden participant made anonymous, and
        mentions defused (see :func:`defuse_mentions`)."""
        # The substring checks spare the regular expressions on most messages.
        if self._mentions is not None and "<@" in text:
            text = self._mentions.sub(ANONYMOUS, text)
        if self._names is not None:
            lowered = text.lower()
            if any(name in lowered for name in self._lowered):
                text = self._names.sub(ANONYMOUS, text)
        return defuse_mentions(text)


def to_quote(
    answer: Answer,
    scrub: Scrubber,
    authors: dict[int, int],
    names: dict[int, str],
    hidden: frozenset[int],
) -> Quote:
    """``answer`` as the recap shows it: its text scrubbed, its author's name defused, and
    who it replies to (:data:`ANONYMOUS` when they opted out)."""
    replying_to = None
    if answer.reply_to is not None and answer.reply_to in authors:
        target = authors[answer.reply_to]
        replying_to = ANONYMOUS if target in hidden else defuse_mentions(names[target])
    return Quote(
        message_id=answer.message_id,
        part=answer.part,
        author_id=answer.author_id,
        author=defuse_mentions(answer.author_name),
        text=scrub.text(answer.content),
        at=answer.created_at,
        question=answer.question,
        is_answer=answer.is_answer,
        reactions=answer.reactions,
        late=answer.late,
        edited=answer.edited_at is not None,
        reply_to=answer.reply_to,
        replying_to=replying_to,
    )


def people(
    user_ids: Iterable[int], names: dict[int, str], hidden: frozenset[int]
) -> tuple[Person, ...]:
    """The hosts or guests among ``user_ids`` who did not opt out, by name."""
    return tuple(Person(u, defuse_mentions(names.get(u, ""))) for u in user_ids if u not in hidden)
