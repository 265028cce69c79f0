"""A server's boards with their cards, from the links of past recaps: what ``/board show``
and the archive's board pages read (see :mod:`bot.runtime.boards`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Protocol

from bot.core.boards import (
    Board,
    BoardView,
    LinkIndex,
    SharedLink,
    assemble_board,
    name_key,
    series_boards,
)
from bot.core.ports import BoardStore, CardStore, ChatStore, ParticipantStore
from bot.runtime.people import consent_of


class BoardViewStore(BoardStore, CardStore, ParticipantStore, ChatStore, Protocol):
    """Boards and saves, link cards, consent, and the chats (for their series' boards)."""


async def board_views(
    store: BoardViewStore, links: Sequence[SharedLink], boards: Sequence[Board] | None = None
) -> list[BoardView]:
    """``boards`` (every server board by default) with their cards: the recaps' ``links``
    (consent applied there) and the saves to each board, savers through the consent filter.
    Nobody's My saves are ever read here."""
    if boards is None:
        boards = await store.boards()
        # A chat series whose board is not stored yet (a database the bot has not reloaded
        # its chats into since boards came) still gets its board (no saves: it is not stored).
        stored = {b.chat_id for b in boards if b.chat_id is not None}
        specs = await store.chat_specs(active_only=False)
        missing = [(s.id, s.hashtag, s.title) for s in specs if s.id not in stored]
        if missing:
            now = max((link.at for link in links), default=datetime.min.replace(tzinfo=UTC))
            named = {name_key(b.name) for b in boards}
            extra = [
                replace(b, board_id=-number)  # not stored: ids of their own, never saved to
                for number, b in enumerate(series_boards(missing, now), start=1)
                if name_key(b.name) not in named
            ]
            boards = [*extra, *boards]
    saves = await store.board_saves()
    consent = await consent_of(store)
    names = await store.participant_names({s.user_id for s in saves})
    listed = {link.url for link in links}
    cards = await store.cards_for({s.url for s in saves} - listed)
    index = LinkIndex(links) if sum(not b.is_series for b in boards) > 1 else None
    return [assemble_board(b, links, saves, consent, names, cards, index) for b in boards]
