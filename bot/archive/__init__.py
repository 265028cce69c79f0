"""The static archive: every past recap as a website that opens from disk.

``python -m bot archive --out DIR`` writes, from the database:

* ``index.html``: every past occurrence, newest first, with its date in the chat's zone,
  its counts and its questions;
* one page per recap (``plnchat-2027-01-12.html``): the recap, with an anchor on every
  message (``#m<message id>-<part>``) so that search results and resources can link to it;
* ``resources.html``: every link ever shared, once per normalised URL, filterable by word
  and by chat (``resources.js``);
* ``search.html``: full-text search over every answer and reply, in the browser
  (``search.js`` over ``search-index.js``, which sets a global: a page opened from disk may
  not ``fetch()`` a JSON file; the words and messages are in ``search/``, split so that a
  search loads only the parts it needs, see :mod:`bot.archive.search_index`).

Every page is built from the recap model (:func:`bot.core.recap.build_recap`) alone, so
participants who opted out are never named or quoted and deleted messages never appear.
HTML comes from autoescaping Jinja2 templates; the search index is JSON made safe for a
script; user text is only ever given to the browser as text. Each page carries a strict
Content-Security-Policy (no inline script, scripts only from the archive's own files).
"""

from __future__ import annotations

from bot.archive.site import ArchiveReport, build_archive

__all__ = ["ArchiveReport", "build_archive"]
