"""Keyword alerts' words: folding, parsing what a member typed, and its validation.

An alert is a set of terms that must all appear in a message. A term is a word, a
hashtag (``#job`` matches ``#job`` and ``job``: the ``#`` is dropped) or a quoted phrase
(``"graphic design"``: those words, in that order, next to each other). Words are
compared folded: case-folded, with accents removed (Unicode NFKD, combining marks
dropped), so ``Phœnix``, ``PHOENIX`` and ``phoenix`` are one word, and ``Café`` matches
``cafe``. A term matches whole words only: ``job`` does not match ``jobs``. Words are
runs of letters, digits and underscores: anything else separates them (``Phoenix's`` is
``phoenix`` and ``s``, so it matches ``Phoenix``).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from bot.core.errors import ChatError

#: At most this many alerts per member in a server.
MAX_ALERTS = 25
#: At most this many terms (words, hashtags, phrases) in one alert.
MAX_TERMS = 8
#: At most this many characters in what a member types for one alert.
MAX_LENGTH = 100
#: At most this many words in one quoted phrase.
MAX_PHRASE_WORDS = 6

_WORD = re.compile(r"\w+")
_NOT_WORD = re.compile(r"\W+")
_TERM = re.compile(r'"([^"]*)"?|(\S+)')


class AlertRefused(ChatError):
    """An alert's text (or a setting of the alerts) that cannot be used; ``str()`` says why
    and how to fix it."""


def fold(text: str) -> str:
    """``text`` case-folded with accents removed (NFKD, combining marks dropped)."""
    if text.isascii():
        return text.lower()  # the same for ASCII, without a pass per character
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    if decomposed.isascii():
        return decomposed
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def words(text: str) -> list[str]:
    """The folded words of ``text``, in order (``#`` and punctuation dropped)."""
    return _WORD.findall(fold(text))


#: ASCII characters that are not word characters, each mapped to a space.
_ASCII_SEPARATORS = str.maketrans(
    {chr(c): " " for c in range(128) if not (chr(c).isalnum() or chr(c) == "_")}
)


def tokens(text: str) -> list[str]:
    """The folded words of ``text`` (as :func:`words`, faster: one translate for ASCII)."""
    folded = fold(text)
    if folded.isascii():
        return folded.translate(_ASCII_SEPARATORS).split()
    return _NOT_WORD.sub(" ", folded).split()


def spaced(text: str) -> str:
    """``text`` as the matcher reads it: its folded words joined by single spaces, with a
    space before the first and after the last, so a term found in it is whole words."""
    return " " + " ".join(tokens(text)) + " "


@dataclass(frozen=True)
class Keywords:
    """A parsed alert: its terms (each a tuple of folded words; a phrase has several) and
    how it is shown (what the member typed, tidied)."""

    terms: frozenset[tuple[str, ...]]
    shown: str

    @property
    def key(self) -> str:
        """The alert's identity: two alerts with the same terms are the same alert."""
        return " ".join(
            sorted(
                " ".join(term) if len(term) == 1 else f'"{" ".join(term)}"' for term in self.terms
            )
        )


def parse_keywords(text: str) -> Keywords:
    """Parse what a member typed after ``/alerts follow keywords:``.

    Raises :class:`AlertRefused` for text that is empty, too long, has too many terms,
    an empty or too long phrase, or a term with no letter or digit."""
    stripped = " ".join(text.split())
    if not stripped:
        raise AlertRefused(
            "The keywords are empty: type one or more words or hashtags, such as `#job Phoenix`."
        )
    if len(stripped) > MAX_LENGTH:
        raise AlertRefused(
            f"The keywords are {len(stripped)} characters long; keep them to {MAX_LENGTH} "
            "(a few words, hashtags or short quoted phrases)."
        )
    terms: list[tuple[str, ...]] = []
    shown: list[str] = []
    for match in _TERM.finditer(stripped):
        phrase, word = match.group(1), match.group(2)
        raw = phrase if phrase is not None else word
        folded = tuple(words(raw))
        if phrase is not None:
            if not folded:
                raise AlertRefused(
                    'A quoted phrase is empty: put words between the quotes, such as "graphic '
                    'design", or remove them.'
                )
            if len(folded) > MAX_PHRASE_WORDS:
                raise AlertRefused(
                    f'The phrase "{phrase.strip()}" has {len(folded)} words; keep a phrase to '
                    f"{MAX_PHRASE_WORDS}."
                )
            shown.append(f'"{" ".join(phrase.split())}"')
        else:
            # "part-time" or "UI/UX" is one term: its words next to each other.
            if not folded:
                raise AlertRefused(
                    f"`{word}` has no letter or digit: alerts match words and hashtags, "
                    "such as `#job` or `Phoenix`."
                )
            shown.append(word)
        terms.append(folded)
    unique = frozenset(terms)
    if len(unique) > MAX_TERMS:
        raise AlertRefused(
            f"That is {len(unique)} keywords; an alert takes at most {MAX_TERMS} (every one "
            "must appear). Follow a second alert for other words."
        )
    return Keywords(unique, " ".join(shown))


def check_room(count: int) -> None:
    """Raise :class:`AlertRefused` when a member who follows ``count`` alerts may not add one."""
    if count >= MAX_ALERTS:
        raise AlertRefused(
            f"You already follow {MAX_ALERTS} alerts, the most a member can: unfollow one "
            "with `/alerts unfollow` first."
        )
