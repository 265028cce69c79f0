"""The Chromium every browser test uses."""

from __future__ import annotations

import os

import pytest

from tests.browser.chromium import find_chromium


@pytest.fixture(scope="session")
def chromium() -> str:
    """The Chromium binary; a failure in CI when there is none, a skip elsewhere."""
    found = find_chromium()
    if found:
        return found
    if os.environ.get("CI"):
        pytest.fail(
            "chromium is not installed, and the archive's browser test may not be skipped in "
            "CI: install Debian's chromium package (.ci/run does: apt-get install chromium)"
        )
    pytest.skip("chromium is not installed (apt-get install chromium); CI runs this test")
