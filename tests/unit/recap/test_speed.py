"""A crowded chat is recapped at once, and four times the answers take about four times as
long (no comparison of every answer with every other)."""

from __future__ import annotations

import time
from collections.abc import Sequence

from bot.core.answers import Answer
from bot.core.recap import build_recap
from bot.core.spec import ChatSpec
from bot.render.discord_post import render_discord
from bot.render.html_page import render_html
from bot.render.markdown import render_markdown
from tests.unit.recap.generate import big_spec, crowd, finished_run


def _seconds(spec: ChatSpec, answers: Sequence[Answer]) -> float:
    """The best of three: build the recap and render it for Discord and as files."""
    run = finished_run(spec)
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        recap = build_recap(spec, run, answers, opted_out={10_001})
        render_discord(recap)
        render_markdown(recap)
        render_html(recap)
        best = min(best, time.perf_counter() - started)
    return best


def test_recap_time_grows_linearly_with_the_answers() -> None:
    spec = big_spec(10)
    small = _seconds(spec, crowd(spec, 2_000, 200))
    large = _seconds(spec, crowd(spec, 8_000, 800))
    assert large < 2.5, f"8,000 answers took {large:.2f} s"
    # Linear growth is a ratio of 4; comparing every pair of answers would be 16.
    assert large / small < 7, f"2,000 answers: {small:.3f} s; 8,000: {large:.3f} s"
