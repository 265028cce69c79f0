"""Boards at run time: topic boards from boards.yaml and ``/board create``, the chat series'
boards, members' saves, and a board's cards for ``/board show`` and the archive.

**The hook.** :attr:`BoardService.on_board_changed` is called with the names of the boards
whose published pages may have changed, after every change that shows on a board: a board
created, boards.yaml synced, a link saved to a server board (never a save to My saves, which
is never published). The archive's publisher subscribes to it to rewrite the board pages;
a listener that fails is logged and the others still run.

A board's cards are read from the recaps of past chats (so consent is applied as in the
recaps themselves), the saves to it, and the link cards of saved links no recap lists.

**Kept between calls.** Reading every past recap takes seconds at five years of a weekly
chat, so the service keeps each recap's links (:meth:`BoardService.links`) and reads a recap
again only when what it is made of changed: its stored messages
(:meth:`bot.core.ports.BoardStore.link_versions`: a message added, edited, deleted, forgotten
or given a question), its chat, or the name of someone it credits. Any change of consent (an
opt-out, an opt-in, a forget-me) drops everything kept; new link cards are looked up again for
the kept links. The check is two small queries, so ``/board show`` stays cheap and never shows
what the recaps would no longer show, whichever process stored the change.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Protocol

from bot.chatfile.boards import BoardFile, load_board_file
from bot.core.boards import (
    MY_SAVES,
    MY_SAVES_ID,
    Board,
    BoardNotFound,
    BoardSpec,
    BoardView,
    Save,
    SharedLink,
    check_name,
    name_key,
    parse_keywords,
    series_boards,
    shared_links,
)
from bot.core.cards import LinkCard
from bot.core.consent import Consent
from bot.core.ports import BoardStore, Clock, Occurrence
from bot.core.recap.text import find_links, normalise_link
from bot.core.spec import ChatSpec
from bot.runtime.board_views import board_views
from bot.runtime.people import consent_of
from bot.runtime.recaps import RecapArchiveStore, StoredRecaps

log = logging.getLogger(__name__)

#: Saves per page of ``/board mine``.
MINE_PAGE = 10


class BoardServiceStore(RecapArchiveStore, BoardStore, Protocol):
    """What boards read and write: boards and saves, link cards, the recaps of past chats."""


@dataclass(frozen=True)
class MySave:
    """One of a member's saves, for ``/board mine``."""

    save: Save
    board: str
    card: LinkCard | None


@dataclass(frozen=True)
class MinePage:
    """A page of a member's saves, newest first."""

    saves: tuple[MySave, ...]
    page: int
    pages: int
    total: int


def links_in(text: str) -> list[str]:
    """The normalised links of a message's text, once each, in order."""
    return list(dict.fromkeys(n for _, _, link in find_links(text) if (n := normalise_link(link))))


@dataclass(frozen=True)
class _Read:
    """One recap's links as read, and what they were read from."""

    #: The occurrence's messages version and its chat.
    version: tuple[object, ...]
    #: The link cards' version the links' cards are from.
    cards: object
    links: tuple[SharedLink, ...]
    #: The names of the people the links credit, as they were then (by user id).
    sharers: dict[int, str]


class BoardService:
    """Boards and saves (see the module docstring)."""

    def __init__(self, store: BoardServiceStore, clock: Clock) -> None:
        self.store = store
        self.clock = clock
        #: Each past recap's links, by occurrence id, read under ``_consent``.
        self._read: dict[int, _Read] = {}
        self._consent: Consent | None = None
        #: Called with the names of boards whose pages may have changed (see the module).
        self.on_board_changed: list[Callable[[Sequence[str]], None]] = []

    def _changed(self, names: Sequence[str]) -> None:
        for listener in self.on_board_changed:
            try:
                listener(names)
            except Exception:
                log.exception("a listener of board changes failed")

    # --- defining boards ----------------------------------------------------------------------

    async def load_file(self, chats_dir: Path) -> BoardFile:
        """Read ``CHATS_DIR/boards.yaml`` and, when it has no errors, make the file's boards
        what it says. Returns the file's problems (the stored boards stay on errors)."""
        loaded = load_board_file(chats_dir)
        if loaded.exists and not loaded.has_errors:
            before = {b.name: b for b in await self.store.boards() if b.from_file}
            await self.store.sync_file_boards(loaded.specs, self.clock.now())
            after = {spec.name for spec in loaded.specs}
            changed = sorted(after ^ set(before)) + [
                spec.name
                for spec in loaded.specs
                if spec.name in before
                and (before[spec.name].keywords, before[spec.name].description)
                != (spec.keywords, spec.description)
            ]
            if changed:
                self._changed(changed)
        return loaded

    async def sync_series(self, specs: Iterable[ChatSpec]) -> None:
        """A board for each chat series (its hashtag)."""
        chats = [(spec.id, spec.hashtag, spec.title) for spec in specs]
        await self.store.sync_series_boards(series_boards(chats, self.clock.now()))

    async def create(self, name: str, keywords: str, created_by: int) -> Board:
        """``/board create``: a topic board; raises :class:`bot.core.boards.BoardError` with
        the reason (a bad or taken name, too many boards, keywords that match everything)."""
        spec = BoardSpec(check_name(name), "", parse_keywords(keywords))
        board = await self.store.create_board(spec, created_by=created_by, at=self.clock.now())
        self._changed([board.name])
        return board

    async def boards(self) -> list[Board]:
        """Every server board (series boards first)."""
        return await self.store.boards()

    async def board(self, name: str) -> Board:
        """The board called ``name`` (case and accents folded); raises BoardNotFound."""
        key = name_key(name.strip())
        for board in await self.store.boards():
            if name_key(board.name) == key:
                return board
        raise BoardNotFound(
            f"No board is called `{name.strip()[:50]}`; pick one from the list as you type."
        )

    async def choices(self, current: str, limit: int = 25) -> list[Board]:
        """Boards whose name contains what was typed (autocomplete)."""
        typed = name_key(current) if current.strip() else ""
        return [b for b in await self.store.boards() if typed in name_key(b.name)][:limit]

    # --- saving ---------------------------------------------------------------------------------

    async def save(
        self,
        user_id: int,
        board_id: int,
        links: Sequence[str],
        *,
        message_id: int,
        channel_id: int,
        guild_id: int,
        user_name: str = "",
    ) -> tuple[str, int]:
        """Save a message's ``links`` to a board (``MY_SAVES_ID``: the member's My saves).
        Returns the board's name and how many links were new there."""
        if board_id == MY_SAVES_ID:
            name = MY_SAVES
        else:
            found = [b for b in await self.store.boards() if b.board_id == board_id]
            if not found:
                raise BoardNotFound("That board is gone; run Save to board again.")
            name = found[0].name
        now = self.clock.now()
        new = 0
        for url in links:
            save = Save(board_id, user_id, url, message_id, channel_id, guild_id, now, user_name)
            new += await self.store.save_link(save)
        if new and board_id != MY_SAVES_ID:
            self._changed([name])
        return name, new

    async def mine(self, user_id: int, page: int = 1) -> MinePage:
        """A page of ``user_id``'s saves, newest first, with each board's name and card."""
        saves = await self.store.saves_of(user_id)
        pages = max(1, -(-len(saves) // MINE_PAGE))
        page = min(max(page, 1), pages)
        shown = saves[(page - 1) * MINE_PAGE : page * MINE_PAGE]
        names = {b.board_id: b.name for b in await self.store.boards()} | {MY_SAVES_ID: MY_SAVES}
        cards = await self.store.cards_for([s.url for s in shown])
        return MinePage(
            tuple(
                MySave(s, names.get(s.board_id, "(removed board)"), cards.get(s.url)) for s in shown
            ),
            page,
            pages,
            len(saves),
        )

    # --- reading boards -------------------------------------------------------------------------

    async def links(self) -> list[SharedLink]:
        """Every link of every past chat's reading list (consent applied as in the recaps),
        each recap read again only when it changed (see the module docstring)."""
        recaps = StoredRecaps(self.store)
        consent = await consent_of(self.store)
        if consent != self._consent:
            self._read.clear()
            self._consent = consent
        versions = await self.store.link_versions()
        cards = versions.get(0)
        archived = await recaps.archived()
        again: list[Occurrence] = []
        kept: dict[int, _Read] = {}
        for occurrence in archived:
            read = self._read.get(occurrence.run.occurrence_id)
            if read is not None and read.version == self._version(occurrence, versions):
                kept[occurrence.run.occurrence_id] = read
            else:
                again.append(occurrence)
        names = await self.store.participant_names(
            {user for read in kept.values() for user in read.sharers}
        )
        for occurrence in archived:
            read = kept.get(occurrence.run.occurrence_id)
            if read is not None and any(names.get(u) != n for u, n in read.sharers.items()):
                del kept[occurrence.run.occurrence_id]
                again.append(occurrence)
        old_cards = [key for key, read in kept.items() if read.cards != cards]
        if old_cards:  # new link cards (maybe of links shared again elsewhere): look them up
            found = await self.store.cards_for(
                {k.url for key in old_cards for k in kept[key].links}
            )
            for key in old_cards:
                links = tuple(replace(k, card=_card(found.get(k.url))) for k in kept[key].links)
                kept[key] = replace(kept[key], cards=cards, links=links)
        for occurrence in again:
            recap = await recaps.recap(occurrence)
            sharers = {r.shared_by_id for r in recap.resources}
            kept[occurrence.run.occurrence_id] = _Read(
                self._version(occurrence, versions),
                cards,
                tuple(shared_links(recap)),
                await self.store.participant_names(sharers),
            )
        self._read = kept
        return [
            link for occurrence in archived for link in kept[occurrence.run.occurrence_id].links
        ]

    @staticmethod
    def _version(
        occurrence: Occurrence, versions: dict[int, tuple[object, ...]]
    ) -> tuple[object, ...]:
        return (versions.get(occurrence.run.occurrence_id), occurrence.spec)

    async def views(
        self, boards: Sequence[Board] | None = None, links: Sequence[SharedLink] | None = None
    ) -> list[BoardView]:
        """The server boards with their cards (never anyone's My saves)."""
        links = await self.links() if links is None else links
        return await board_views(self.store, links, boards)

    async def show(self, name: str) -> BoardView:
        """``/board show``: one board with its cards, newest first."""
        board = await self.board(name)
        [view] = await self.views([board])
        return view


def _card(card: LinkCard | None) -> LinkCard | None:
    """A card as a recap lists it: no trace of whose message it came from."""
    return replace(card, message_id=0, author_id=0) if card is not None else None
