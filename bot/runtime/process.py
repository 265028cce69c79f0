"""Moved to :mod:`bot.runtime.speed` (the garbage collector's settings of the bot process).

Nothing else lives here: this module only re-exports :func:`~bot.runtime.speed.tune_gc` so
that ``bot.discord_app.main``, which another branch is rewriting, keeps importing it from
here until it imports it from :mod:`bot.runtime.speed`; then delete this module.
"""

from __future__ import annotations

from bot.runtime.speed import YOUNG_THRESHOLD, tune_gc

__all__ = ["YOUNG_THRESHOLD", "tune_gc"]
