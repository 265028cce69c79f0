"""File modes in tests: read-only files and folders, and processes that obey them even as root."""

from __future__ import annotations

import shutil
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import pytest


def permissions_enforced(folder: Path) -> bool:
    """False when this process ignores file modes (root with CAP_DAC_OVERRIDE)."""
    probe = folder / "probe"
    folder.chmod(0o555)
    try:
        probe.write_text("")
    except PermissionError:
        return True
    else:
        probe.unlink()
        return False
    finally:
        folder.chmod(0o755)


def obeying_file_modes(command: Sequence[str], folder: Path) -> list[str]:
    """``command`` as a process that obeys file modes in ``folder``: as root (CI runs as
    root) it drops CAP_DAC_OVERRIDE with setpriv, so read-only tests still run."""
    if permissions_enforced(folder):
        return list(command)
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.fail("running as root without setpriv: cannot test read-only databases")
    caps = "-dac_override,-dac_read_search"
    return [setpriv, f"--bounding-set={caps}", f"--inh-caps={caps}", *command]


@contextmanager
def read_only(path: Path, *, folder: bool) -> Iterator[None]:
    """``path`` (and its folder when asked) without write permission, restored afterwards."""
    path.chmod(0o444)
    if folder:
        path.parent.chmod(0o555)
    try:
        yield
    finally:
        path.parent.chmod(0o755)
        path.chmod(0o644)
