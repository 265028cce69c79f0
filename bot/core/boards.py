"""Boards: named collections of shared links (resources) across chats.

* Each chat series is a board of its own, named by its hashtag (``#EdChat``): every link
  shared in one of its chats is on it.
* Topic boards are defined by moderators, in ``CHATS_DIR/boards.yaml`` or with ``/board
  create``: a name, a description and keywords. A link joins a topic board when its card's
  title or the message that shared it matches a keyword, or when someone saves it there.
* Every member also has **My saves**, a personal board (``board_id`` 0) that is never
  published.

Keywords are matched as whole words, case and accents folded; a keyword of several words
matches when they appear in that order. A keyword that would match nearly everything (a
link's scheme or ``www``, a word shorter than three letters, a common word) is refused.

Saves count everyone, but the people named as savers go through the consent filter:
opted-out or forgotten people are counted, never named.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from bot.core.cards import LinkCard
from bot.core.consent import Consent, consented
from bot.core.errors import ChatError
from bot.core.recap import Recap

#: At most this many topic boards (series boards come with the chats and do not count).
MAX_BOARDS = 100
NAME_LIMIT = 50
DESCRIPTION_LIMIT = 300
KEYWORDS_LIMIT = 20
#: The personal board of every member: never published.
MY_SAVES = "My saves"
MY_SAVES_ID = 0

#: Words too common to pick out a topic: a keyword made only of these is refused.
COMMON_WORDS = frozenset(
    [
        "http",
        "https",
        "www",
        "com",
        "org",
        "net",
        "html",
        "the",
        "and",
        "for",
        "you",
        "your",
        "are",
        "with",
        "this",
        "that",
        "from",
        "what",
        "how",
        "why",
        "who",
        "all",
        "any",
        "our",
        "out",
        "not",
        "but",
        "can",
        "was",
        "were",
        "has",
        "have",
        "had",
        "its",
        "it's",
        "about",
        "into",
        "more",
        "link",
        "links",
        "resource",
        "resources",
    ]
)

_WORD = re.compile(r"\w+")


class BoardError(ChatError):
    """A board that cannot be made or used as asked; ``str(error)`` says why and what to do."""


class BoardExists(BoardError):
    """A board with that name exists already."""


class TooManyBoards(BoardError):
    """The server has :data:`MAX_BOARDS` topic boards already."""


class BoardNotFound(BoardError):
    """No board has that name."""


def fold(text: str) -> str:
    """``text`` case- and accent-folded, for matching and for comparing names."""
    if text.isascii():  # no accents to take off: most links and messages (much faster)
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def words(text: str) -> list[str]:
    """The folded words of ``text``."""
    return _WORD.findall(fold(text))


def name_key(name: str) -> str:
    """The form two board names are compared in (``Career Tips`` = ``career  tips``)."""
    return " ".join(words(name)) or fold(name).strip()


def check_name(name: str) -> str:
    """A board name, tidied; raises :class:`BoardError` with the fix when it cannot be one."""
    tidy = " ".join(name.split())
    if not tidy or not words(tidy):
        raise BoardError("A board needs a name with letters or digits, e.g. `Career tips`.")
    if len(tidy) > NAME_LIMIT:
        raise BoardError(f"A board name has at most {NAME_LIMIT} characters; shorten it.")
    if tidy.startswith("#"):
        raise BoardError(
            "Names starting with # are the chat series' own boards; pick a name without #."
        )
    if name_key(tidy) == name_key(MY_SAVES):
        raise BoardError(f"`{MY_SAVES}` is every member's own board; pick another name.")
    if any(unicodedata.category(c) in ("Cc", "Cf") for c in tidy):
        raise BoardError("A board name cannot contain control characters; retype it.")
    return tidy


def parse_keywords(text: str | Iterable[str]) -> tuple[str, ...]:
    """Keywords from a comma-separated text (or a list), folded and checked; raises
    :class:`BoardError` naming a keyword that would match nearly everything."""
    items = text.split(",") if isinstance(text, str) else list(text)
    found: list[str] = []
    for item in items:
        keyword = " ".join(words(str(item)))
        if not keyword:
            if str(item).strip():
                raise BoardError(
                    f"The keyword `{str(item).strip()[:40]}` has no letters or digits and "
                    "would match everything; use words, e.g. `interview, resume`."
                )
            continue
        meaningful = [w for w in keyword.split() if len(w) >= 3 and w not in COMMON_WORDS]
        if not meaningful:
            raise BoardError(
                f"The keyword `{keyword[:40]}` would match nearly every link; use words of "
                "three letters or more that name the topic, e.g. `interview, resume`."
            )
        if keyword not in found:
            found.append(keyword)
    if len(found) > KEYWORDS_LIMIT:
        raise BoardError(f"A board has at most {KEYWORDS_LIMIT} keywords; keep the best ones.")
    return tuple(found)


def matches(keywords: Sequence[str], *texts: str) -> bool:
    """True when one of ``keywords`` appears, as whole words, in one of ``texts``."""
    if not keywords:
        return False
    for text in texts:
        padded = _padded(text)
        if any(f" {keyword} " in padded for keyword in keywords):
            return True
    return False


@functools.lru_cache(maxsize=1 << 17)
def _padded(text: str) -> str:
    """``text``'s folded words between spaces; kept for the texts matched most recently
    (every board is matched against the same links: the archive's 30 boards, each
    ``/board show``)."""
    return f" {' '.join(words(text))} "


@dataclass(frozen=True, slots=True)
class BoardSpec:
    """A topic board as a moderator defines it (in boards.yaml or with /board create)."""

    name: str
    description: str = ""
    keywords: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Board:
    """A stored board: a topic board, or a chat series' board (``chat_id`` set)."""

    board_id: int
    name: str
    description: str
    keywords: tuple[str, ...]
    from_file: bool
    chat_id: str | None
    created_at: datetime

    @property
    def is_series(self) -> bool:
        """A chat series' own board (its hashtag)."""
        return self.chat_id is not None


@dataclass(frozen=True, slots=True)
class Save:
    """Someone saved a message's link to a board (``board_id`` 0: their own My saves)."""

    board_id: int
    user_id: int
    url: str
    message_id: int
    channel_id: int
    guild_id: int
    saved_at: datetime
    #: Their name when they saved (named only through the consent filter).
    user_name: str = ""


@dataclass(frozen=True, slots=True)
class SharedLink:
    """A link as a recap lists it (consent applied there): for boards."""

    url: str
    card: LinkCard | None
    shared_by: str
    chat_id: str
    chat_title: str
    at: datetime
    question: int | None
    context: str
    #: Where the archive shows it (``recap-page.html#anchor``), when it is in the archive.
    page: str = ""


def shared_links(recap: Recap) -> list[SharedLink]:
    """The links of a (consented) recap's reading list."""
    header = recap.header
    return [
        SharedLink(
            url=r.url,
            card=r.card,
            shared_by=r.shared_by,
            chat_id=header.chat_id,
            chat_title=header.title,
            at=r.at,
            question=r.question,
            context=r.context,
        )
        for r in recap.resources
    ]


@dataclass(frozen=True, slots=True)
class BoardItem:
    """One card on a board: the link, its card, where it was shared, who saved it."""

    url: str
    card: LinkCard | None
    #: Where it was shared (empty for a link only saved, never shared in a chat).
    places: tuple[SharedLink, ...]
    #: Everyone who saved it here (counted), and those of them who may be named.
    saves: int
    saved_by: tuple[str, ...]
    #: The newest time it was shared or saved (boards list newest first).
    newest: datetime
    #: The channels the saves came from (only people who can read one are shown a link
    #: that was saved but never shared in a chat).
    save_channels: tuple[int, ...] = ()

    @property
    def title(self) -> str:
        """The card's title, else the link."""
        return self.card.label if self.card is not None else self.url

    @property
    def chats(self) -> list[str]:
        """Ids of the chats it was shared in, each once."""
        return list(dict.fromkeys(place.chat_id for place in self.places))


@consented
@dataclass(frozen=True, slots=True)
class BoardView:
    """A board with its cards, newest first; savers through the consent filter."""

    board: Board
    items: tuple[BoardItem, ...] = field(default=())

    @property
    def count(self) -> int:
        """How many cards are on the board."""
        return len(self.items)

    @property
    def newest(self) -> BoardItem | None:
        """The newest card (boards/index.html shows it)."""
        return self.items[0] if self.items else None


class LinkIndex:
    """The folded words of links (card title, message, link), to find every link a topic
    board's keywords match at once: as :func:`matches` finds them, without matching every
    link against every board (30 boards and 20,000 links at five years of a weekly chat)."""

    def __init__(self, links: Sequence[SharedLink]) -> None:
        #: Each link's padded texts, apart (a keyword never spans two of them).
        self.texts = [
            "|".join(_padded(t) for t in (k.card.title if k.card else "", k.context, k.url))
            for k in links
        ]
        #: The links each word is in (by position in ``links``).
        self.words: dict[str, list[int]] = {}
        for number, text in enumerate(self.texts):
            for word in set(text.replace("|", " ").split()):
                self.words.setdefault(word, []).append(number)

    def matching(self, keywords: Sequence[str]) -> set[int]:
        """The positions of the links one of ``keywords`` matches."""
        found: set[int] = set()
        for keyword in keywords:
            first, _, rest = keyword.partition(" ")
            hits = self.words.get(first, [])
            if rest:
                hits = [n for n in hits if f" {keyword} " in self.texts[n]]
            found.update(hits)
        return found


def assemble_board(
    board: Board,
    links: Sequence[SharedLink],
    saves: Sequence[Save],
    consent: Consent,
    names: Mapping[int, str],
    cards: Mapping[str, LinkCard] | None = None,
    index: LinkIndex | None = None,
) -> BoardView:
    """``board`` with its cards: the links of its chat series (a series board) or matching
    its keywords (a topic board), and the links saved to it; ``cards`` gives saved links that
    no recap lists their card; ``index`` (of ``links``, for many boards) finds the matches
    faster. Savers who opted out or were forgotten are counted, never named, and a link only
    they saved is not on the board."""
    by_url: dict[str, list[SharedLink]] = {}
    chosen: Iterable[SharedLink]
    if board.is_series:
        chosen = (link for link in links if link.chat_id == board.chat_id)
    elif index is not None:  # only the links the keywords match, in order
        chosen = (links[number] for number in sorted(index.matching(board.keywords)))
    else:
        chosen = (
            link
            for link in links
            if matches(board.keywords, link.card.title if link.card else "", link.context, link.url)
        )
    for link in chosen:
        by_url.setdefault(link.url, []).append(link)
    saved: dict[str, list[Save]] = {}
    for save in saves:
        if save.board_id == board.board_id:
            saved.setdefault(save.url, []).append(save)
    items = []
    for url in dict.fromkeys([*by_url, *saved]):
        places = sorted(by_url.get(url, []), key=lambda p: p.at)
        savers = saved.get(url, [])
        card = next((p.card for p in reversed(places) if p.card is not None), None)
        if card is None and cards is not None:
            card = cards.get(url)
        nameable = [
            s
            for s in sorted(savers, key=lambda s: s.saved_at)
            if consent.named(s.user_id) and s.user_id not in consent.forgotten
        ]
        if not places and not nameable:
            # Saved only by people who opted out or were forgotten: their saves count on
            # the board's other cards, but never put a link on a board by themselves.
            continue
        named = tuple(names.get(s.user_id) or s.user_name or "someone" for s in nameable)
        times = [p.at for p in places] + [s.saved_at for s in savers]
        items.append(
            BoardItem(
                url=url,
                card=card,
                places=tuple(places),
                saves=len(savers),
                saved_by=named,
                newest=max(times),
                save_channels=tuple(sorted({s.channel_id for s in savers})),
            )
        )
    items.sort(key=lambda item: item.newest, reverse=True)
    return BoardView(board=board, items=tuple(items))


def save_choices(boards: Sequence[Board], text: str, limit: int) -> tuple[list[Board], list[Board]]:
    """The boards a Save to board select offers for a message's ``text`` (at most ``limit``):
    the boards whose keywords it matches first, then the rest alphabetically; and the boards
    left out (a select holds 25 options)."""
    ordered = sorted(boards, key=lambda b: (not matches(b.keywords, text), name_key(b.name)))
    return ordered[:limit], ordered[limit:]


def series_boards(chats: Collection[tuple[str, str, str]], at: datetime) -> list[Board]:
    """The boards of chat series from (chat id, hashtag, title), one per hashtag."""
    boards: dict[str, Board] = {}
    for chat_id, hashtag, title in sorted(chats):
        name = hashtag if hashtag.startswith("#") else f"#{hashtag}"
        boards.setdefault(
            name_key(name),
            Board(0, name, f"Every link shared in {title}", (), False, chat_id, at),
        )
    return list(boards.values())
