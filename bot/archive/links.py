"""Where the published archive's pages are, for links from Discord (``ARCHIVE_URL``).

``ARCHIVE_URL`` is the address the folder ``ARCHIVE_DIR`` is served at (for example
``https://chats.example.org/archive``); the page paths below are those the archive writes.
"""

from __future__ import annotations

import re

from bot.core.boards import name_key
from bot.core.recap import Recap
from bot.render import file_stem

#: Where the boards' pages go (one page per board).
BOARDS = "boards"

_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def page_url(base: str, path: str) -> str:
    """``base`` (``ARCHIVE_URL``) joined with a page path of the archive."""
    return f"{base.rstrip('/')}/{path.lstrip('/')}"


def recap_page(recap: Recap) -> str:
    """The recap's page in the archive: ``plnchat-2027-01-12.html`` (a second occurrence of a
    chat on the same local date gets ``-2``; this is the first one's page)."""
    return f"{file_stem(recap)}.html"


def recap_page_url(base: str, recap: Recap) -> str:
    """The address of ``recap``'s page in the archive served at ``base``."""
    return page_url(base, recap_page(recap))


def board_slug(name: str) -> str:
    """A board's name as a file name: folded like board names are compared (case and
    accents), every run of other characters than a-z and 0-9 a ``-`` (``"Café tips!"`` ->
    ``cafe-tips``; ``board`` when nothing is left; ``index-board`` for a board named Index,
    whose plain slug is the boards' index page). Two boards whose names give one slug: the
    later one's page takes ``-<id>`` (:func:`bot.archive.board_pages.board_page_names`), and
    a link made from its name alone reaches the first one's."""
    slug = _NOT_SLUG.sub("-", name_key(name).encode("ascii", "ignore").decode()).strip("-")
    if slug == "index":
        return "index-board"
    return slug or "board"


def board_page(name: str) -> str:
    """The board's page in the archive: ``boards/<slug>.html``."""
    return f"{BOARDS}/{board_slug(name)}.html"


def board_page_url(base: str, name: str) -> str:
    """The address of the board ``name``'s page in the archive served at ``base``
    (``/board show`` links to it)."""
    return page_url(base, board_page(name))
