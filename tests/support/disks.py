"""A real full disk in tests: a small tmpfs mounted over a folder, and a ballast file that
takes every free byte of it until the test makes room again.

Mounting needs root (CAP_SYS_ADMIN); CI runs as root. Without it the test fails when ``CI``
is set and skips on a developer machine, as the browser test does.
"""

from __future__ import annotations

import errno
import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


class SmallDisk:
    """A mounted tmpfs of a few megabytes at :attr:`path`."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.ballast = path / "ballast"

    def fill(self) -> int:
        """Write the ballast until the disk is full (ENOSPC); returns the bytes it took."""
        written = 0
        chunk = b"\0" * 4096
        with self.ballast.open("ab", buffering=0) as ballast:
            while True:
                try:
                    written += ballast.write(chunk) or 0
                except OSError as error:
                    if error.errno != errno.ENOSPC:
                        raise
                    return written

    def free(self) -> int:
        """Bytes still free on the disk."""
        stats = os.statvfs(self.path)
        return stats.f_bavail * stats.f_frsize

    def make_room(self) -> None:
        """Delete the ballast."""
        self.ballast.unlink(missing_ok=True)


@contextmanager
def small_disk(path: Path, size: str = "4m") -> Iterator[SmallDisk]:
    """A ``size`` tmpfs mounted at ``path`` (created), unmounted afterwards (lazily, so a
    process still holding files there cannot keep it mounted)."""
    path.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    if mounted.returncode != 0:
        reason = f"cannot mount a small tmpfs (needs root): {mounted.stderr.strip()}"
        if os.environ.get("CI"):
            pytest.fail(f"CI runs as root and must run this test; {reason}")
        pytest.skip(reason)
    try:
        yield SmallDisk(path)
    finally:
        subprocess.run(["umount", "--lazy", str(path)], check=False)
