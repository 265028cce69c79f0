"""The archive that publishes itself: with ``ARCHIVE_DIR`` set, the running bot keeps the
static archive (:mod:`bot.archive`) in that folder up to date.

What asks for a build (wired in :func:`bot.runtime.root.build_runtime`, or called by the
adapter for what only it sees):

* a run saved as over after it started (its recap was posted): :meth:`changed` with it;
* a published recap edited by the live recaps (late answers, edits, takeaways): the same;
* a profile change (``/chat profile``), an opt-out or opt-in, a forget-me applied: every
  page may name people differently, so :meth:`everything_changed`;
* a board change (the boards' pages): :meth:`boards_changed`.

Builds are coalesced: one at a time; requests that arrive during a build are gathered into
one more build right after it. A build reads from the store on the event loop and renders
and writes in worker threads (see :func:`bot.archive.build_archive`), so chats keep running.
Between builds the publisher keeps an :class:`bot.archive.site.ArchiveCache`: a recap that
did not change is neither read nor rendered again, and a file whose bytes did not change
is not touched.

When a build fails (the folder is not writable, the disk is full) one log line says why and
the bot carries on; the next build (the next change, or :meth:`retry`) starts from scratch.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Collection
from pathlib import Path

from bot.archive.site import ArchiveCache, ArchiveReport, build_archive
from bot.core.errors import StorageError
from bot.core.ports import RecapReader

log = logging.getLogger(__name__)


class ArchivePublisher:
    """Rebuilds the archive in ``out`` after changes; does nothing when ``out`` is None."""

    def __init__(self, recaps: RecapReader, out: Path | None, *, charts: bool = True) -> None:
        self.recaps = recaps
        self.out = out
        self.charts = charts
        self.cache = ArchiveCache()
        #: Occurrences changed since the last build began; None: read everything again.
        self._changed: set[int] | None = None
        self._requested = False
        self._task: asyncio.Task[None] | None = None
        self._idle = asyncio.Event()
        self._idle.set()
        self._stopping = False
        #: The last build's report (None before the first succeeded).
        self.last: ArchiveReport | None = None
        #: How many builds failed since the last that succeeded.
        self.failures = 0

    @property
    def enabled(self) -> bool:
        """True when there is a folder to publish to (``ARCHIVE_DIR``)."""
        return self.out is not None

    # --- requests (return at once) -----------------------------------------------------------

    def changed(self, occurrence_ids: Collection[int]) -> None:
        """The recaps of ``occurrence_ids`` were published or updated: publish them."""
        if self._changed is not None:
            self._changed.update(occurrence_ids)
        self._request()

    def everything_changed(self) -> None:
        """Who may be named, or how, changed (profiles, opt-outs, forget-me): read all again."""
        self._changed = None
        self._request()

    def boards_changed(self) -> None:
        """A board or what it holds changed: rewrite the shared pages (no recap is read)."""
        self._request()

    def retry(self) -> None:
        """Build now if the last build failed (called at start, and by whoever wants to)."""
        self._request()

    def _request(self) -> None:
        if self.out is None or self._stopping:
            return
        self._requested = True
        if self._task is None or self._task.done():
            self._idle.clear()
            self._task = asyncio.get_running_loop().create_task(
                self._builds(), name="archive-publisher"
            )

    # --- the builds ----------------------------------------------------------------------------

    async def _builds(self) -> None:
        """Build while requests keep coming: a request during a build means one more."""
        try:
            while self._requested and not self._stopping:
                await asyncio.sleep(0)  # requests made in the same moment: one build
                self._requested = False
                changed, self._changed = self._changed, set()
                if not await self._build(changed):
                    self._changed = None  # start from scratch next time
                    break  # the next change (or retry) builds again
        finally:
            self._idle.set()

    async def _build(self, changed: set[int] | None) -> bool:
        assert self.out is not None
        started = time.perf_counter()
        try:
            report = await build_archive(
                self.recaps, self.out, charts=self.charts, cache=self.cache, changed=changed
            )
        except OSError as error:
            self.failures += 1
            log.warning(
                "archive: cannot write to ARCHIVE_DIR=%s (%s); the bot carries on and tries "
                "again at the next change",
                self.out,
                error.strerror or error,
            )
            return False
        except StorageError as error:
            self.failures += 1
            log.warning(
                "archive: cannot read the recaps (%s); trying again at the next change", error
            )
            return False
        except Exception:
            self.failures += 1
            log.exception("archive: the build failed; trying again at the next change")
            return False
        self.failures = 0
        self.last = report
        log.info(
            "archive: %d recap(s) in %s; %d file(s) changed, %d recap page(s) rendered, in %.1fs",
            report.recaps,
            self.out,
            len(report.changed),
            len(report.rendered),
            time.perf_counter() - started,
        )
        return True

    async def settle(self) -> None:
        """Wait until no build runs or is due (tests, shutdown)."""
        while not self._idle.is_set():
            await self._idle.wait()

    async def stop(self, *, grace: float = 10.0) -> None:
        """Let a build in progress finish (within ``grace`` seconds), start no more."""
        self._stopping = True
        task = self._task
        if task is None or task.done():
            return
        try:
            await asyncio.wait_for(asyncio.shield(task), grace)
        except TimeoutError:
            task.cancel()
            log.warning("archive: a build was still running at shutdown; the next start redoes it")
