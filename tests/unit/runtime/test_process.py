"""The bot process's garbage-collector settings (see bot.runtime.process)."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from bot.runtime.process import YOUNG_THRESHOLD, tune_gc


@pytest.fixture
def restored_gc() -> Iterator[None]:
    """Put the test process's collector back as it was."""
    threshold = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*threshold)


@pytest.mark.usefixtures("restored_gc")
def test_tune_gc_freezes_what_is_loaded_and_raises_only_the_young_threshold() -> None:
    _, older, oldest = gc.get_threshold()
    gc.unfreeze()

    tune_gc()

    assert gc.get_threshold() == (YOUNG_THRESHOLD, older, oldest)
    assert gc.get_freeze_count() > 1000  # the modules imported so far
    assert gc.isenabled()
