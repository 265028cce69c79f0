"""Clocks for the runtime: the system clock, a scaled one for rehearsals, a virtual one for tests."""

from __future__ import annotations

import asyncio
import contextlib
import time
from datetime import UTC, datetime, timedelta


async def _wait(wake: asyncio.Event, seconds: float | None) -> None:
    if seconds is not None and seconds <= 0:
        return
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(wake.wait(), timeout=seconds)


class SystemClock:
    """Real time."""

    def now(self) -> datetime:
        """The current time, aware, UTC."""
        return datetime.now(UTC)

    async def sleep_until(self, when: datetime | None, wake: asyncio.Event) -> None:
        """Sleep until ``when`` or until ``wake`` is set."""
        seconds = None if when is None else (when - self.now()).total_seconds()
        await _wait(wake, seconds)


class ScaledClock:
    """Time that runs ``speed`` times faster than real time from ``origin`` (rehearsals)."""

    def __init__(self, origin: datetime, speed: float) -> None:
        self.origin = origin
        self.speed = speed
        self._started = time.monotonic()

    def now(self) -> datetime:
        """Chat time: the origin plus real time elapsed times the speed."""
        elapsed = (time.monotonic() - self._started) * self.speed
        return self.origin + timedelta(seconds=elapsed)

    async def sleep_until(self, when: datetime | None, wake: asyncio.Event) -> None:
        """Sleep until chat time ``when`` or until ``wake`` is set."""
        seconds = None if when is None else (when - self.now()).total_seconds() / self.speed
        await _wait(wake, seconds)


class VirtualClock:
    """Time that moves only when a test says so; sleepers wake when it passes their deadline."""

    def __init__(self, start: datetime) -> None:
        self._now = start
        self._moved = asyncio.Event()

    def now(self) -> datetime:
        """The virtual present."""
        return self._now

    def set(self, moment: datetime) -> None:
        """Move time to ``moment`` (forward only) and wake sleepers."""
        if moment < self._now:
            raise ValueError("virtual time only moves forward")
        self._now = moment
        self._moved.set()
        self._moved = asyncio.Event()

    def advance(self, by: timedelta) -> None:
        """Move time forward by ``by``."""
        self.set(self._now + by)

    async def sleep_until(self, when: datetime | None, wake: asyncio.Event) -> None:
        """Return once virtual time reaches ``when`` or ``wake`` is set."""
        while when is None or self._now < when:
            if wake.is_set():
                return
            moved = self._moved
            waiters = [asyncio.ensure_future(wake.wait()), asyncio.ensure_future(moved.wait())]
            try:
                await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
            finally:
                for waiter in waiters:
                    waiter.cancel()
