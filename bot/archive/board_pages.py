"""The archive's boards: ``boards/index.html`` (every board with its count and newest card)
and a page per board (``boards/<name>.html``: its cards in a grid, filtered by chat and by
word in the browser by the resources page's own script, ``resources.js``).

Board views come from :meth:`bot.core.ports.RecapReader.boards`: the links of the recaps
written (consent applied there) and the saves to each board, savers named only through the
consent filter. Personal saves (My saves) are never among them, so never published.
Thumbnails are not shown: a reader's browser never contacts the linked sites.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import Any

from markupsafe import Markup

from bot.archive.entries import Place
from bot.archive.links import BOARDS, board_slug
from bot.archive.pages import page_html
from bot.core.boards import Board, BoardView, SharedLink
from bot.render.common import count, question_label
from bot.render.html_page import template_environment

UP = "../"


def board_links(places: Sequence[Place]) -> list[SharedLink]:
    """The archive's shared links, each with the page and anchor of the message."""
    return [
        SharedLink(
            url=place.resource.url,
            card=place.resource.card,
            shared_by=place.resource.shared_by,
            chat_id=place.entry.header.chat_id,
            chat_title=place.entry.header.title,
            at=place.resource.at,
            question=place.resource.question,
            context=place.resource.context,
            page=f"{place.entry.page}#{place.anchor}",
        )
        for place in places
    ]


def board_page_names(boards: Sequence[Board]) -> dict[int, str]:
    """``boards/career-tips.html`` for each board (by id, :func:`board_slug` of its name),
    each name once: a later board whose slug is taken gets ``-<id>``."""
    names: dict[int, str] = {}
    taken: set[str] = set()
    for board in sorted(boards, key=lambda b: b.board_id):
        slug = board_slug(board.name)
        if slug in taken:
            slug = f"{slug}-{board.board_id}"
        taken.add(slug)
        names[board.board_id] = f"{BOARDS}/{slug}.html"
    return names


def _context(names: dict[int, str]) -> dict[str, Any]:
    return {
        "page_of": lambda board: names[board.board_id].removeprefix(f"{BOARDS}/"),
        "cards": lambda number: count(number, "card"),
        "qlabel": question_label,
        "saves": lambda number: count(number, "save"),
    }


def render_boards_index(boards: Sequence[BoardView]) -> str:
    """``boards/index.html``: every board, the chat series' first, with its count and newest
    card."""
    names = board_page_names([view.board for view in boards])
    return page_html(
        "archive_boards.html.j2",
        current="boards",
        root=UP,
        boards=boards,
        total=count(len(boards), "board"),
        **_context(names),
    )


def render_board_page(
    board: BoardView,
    series: Sequence[tuple[str, str]] = (),
    rendered: dict[Hashable, str] | None = None,
    now: dict[Hashable, str] | None = None,
) -> str:
    """``boards/<name>.html``: the board's cards in a grid, newest first, with the filter
    form (by word, by chat) that ``resources.js`` runs.

    ``rendered`` holds cards rendered before, by what they show (a card shown as before is
    not rendered again: the chat series' board has every link); ``now`` gets the cards of
    this page."""
    template = template_environment().get_template("archive_board_item.html.j2")
    before = rendered if rendered is not None else {}
    kept = now if now is not None else {}
    context = _context(board_page_names([board.board]))
    items = []
    for item in board.items:
        html = before.get(item)
        if html is None:
            html = template.render(item=item, root=UP, day=day_of, **context) + "\n"
        kept[item] = html
        items.append(Markup(html))  # noqa: S704 (rendered by the autoescaping template)
    chats = dict(series)
    shown = [(chat, chats.get(chat, chat)) for chat in dict.fromkeys(
        chat for item in board.items for chat in item.chats
    )]  # fmt: skip
    return page_html(
        "archive_board.html.j2",
        current="boards",
        root=UP,
        scripts=True,
        view=board,
        items=items,
        total=count(board.count, "card"),
        series=shown,
        **context,
    )


def day_of(link: SharedLink) -> str:
    """``12 Jan 2027``: when the link was shared (UTC date)."""
    return f"{link.at.day} {link.at:%b %Y}"


def write_board_pages(
    write: Callable[[str, str], None],
    boards: Sequence[BoardView],
    series: Sequence[tuple[str, str]] = (),
    rendered: dict[Hashable, str] | None = None,
) -> list[str]:
    """Write ``boards/index.html`` and every board's page with ``write(name, text)``;
    returns the names written. ``rendered`` (kept by the caller between builds) holds each
    card's HTML by what it shows, so an update renders only new or changed cards; what it
    holds afterwards is the cards of these pages only."""
    names = board_page_names([view.board for view in boards])
    write(f"{BOARDS}/index.html", render_boards_index(boards))
    now: dict[Hashable, str] = {}
    for view in boards:
        write(names[view.board.board_id], render_board_page(view, series, rendered, now))
    if rendered is not None:
        rendered.clear()
        rendered.update(now)
    return [f"{BOARDS}/index.html", *names.values()]


__all__ = [
    "BOARDS",
    "board_links",
    "board_page_names",
    "render_board_page",
    "render_boards_index",
    "write_board_pages",
]
