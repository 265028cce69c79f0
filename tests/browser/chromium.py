"""Headless Chromium for the browser tests: pages opened from disk as ``file://`` URLs, with
no server and no network; ``--dump-dom`` prints the DOM once the page's scripts ran, and the
page's console (where Chromium reports every Content-Security-Policy violation) goes to
standard error, which :func:`open_page` keeps.

Chromium is Debian's package (``/usr/bin/chromium``); ``.ci/run`` installs it when it is
missing. ``CHROMIUM`` may name another binary.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--enable-logging=stderr",
    "--v=0",
]
_CONSOLE = re.compile(r":CONSOLE(?:\(\d+\))?:?\d*\] (.*)$", flags=re.MULTILINE)


def find_chromium() -> str | None:
    """The Chromium binary: ``CHROMIUM``, else ``chromium`` on the path."""
    return os.environ.get("CHROMIUM") or shutil.which("chromium")


@dataclass(frozen=True)
class Opened:
    """A page as Chromium left it: its DOM, and what it wrote to its console."""

    dom: str
    console: list[str]

    @property
    def policy_violations(self) -> list[str]:
        """Console messages about something the page's Content-Security-Policy blocked."""
        return [line for line in self.console if "Content Security Policy" in line]


def open_page(chromium: str, profile: Path, page: Path, **query: str) -> Opened:
    """``page`` opened from disk with ``query``, after its scripts ran."""
    url = page.as_uri() + ("?" + urlencode(query) if query else "")
    done = subprocess.run(
        [chromium, *FLAGS, f"--user-data-dir={profile}", "--dump-dom", url],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.lstrip().lower().startswith("<!doctype html>"), done.stderr[-2000:]
    return Opened(done.stdout, _CONSOLE.findall(done.stderr))


def dump_dom(chromium: str, profile: Path, page: Path, **query: str) -> str:
    """The DOM of ``page`` (opened from disk with ``query``) after its scripts ran."""
    return open_page(chromium, profile, page, **query).dom
