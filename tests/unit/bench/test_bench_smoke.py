"""Each benchmark runs at a tiny size and prints its row of the table (so bench code can't rot).

Only that they run and report is checked; never a timing.
"""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

from bench.__main__ import NAMES, RUNNERS, main, run
from bench.common import Figure, markdown_table, text_table
from bench.config import QUICK, Config, configure
from bot.runtime.speed import YOUNG_THRESHOLD


def _collector() -> tuple[tuple[int, int, int], int, bool]:
    return gc.get_threshold(), gc.get_freeze_count(), gc.isenabled()


TINY = [
    "ingest_messages=300",
    "ingest_chats=2",
    "recap_sizes=30,60",
    "recap_growth_sizes=20,80",
    "memory_answers=600",
    "memory_chats=3",
    "restart_answers=300",
    "restart_chats=3",
    "timing_chats=2",
    "timing_rate=50",
    "people_answers=2000",
    "series_occurrences=6",
    "alerts_members=50",
    "alerts_messages=300",
    "alerts_digest_members=20",
    "shards_chats=2",
    "shards_interval=1",
    "shards_lease=1",
]


@pytest.mark.parametrize("name", NAMES)
def test_each_benchmark_runs_and_prints_its_row(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = [arg for setting in TINY for arg in ("--set", setting)]
    results = tmp_path / "RESULTS.md"
    flags = ["--quick", "--only", name, "--results", str(results), "--set", f"folder={tmp_path}"]
    collector = _collector()
    code = main([*flags, *settings])
    out = capsys.readouterr().out
    assert code == 0
    assert _collector() == collector  # the garbage collector's settings are given back
    rows = [line for line in out.splitlines() if line.startswith(f"{name} ")]
    assert rows, out
    assert all(line.rstrip().endswith(("PASS", "MISS", "-")) for line in rows), rows
    assert "could not be measured" not in out
    written = results.read_text()
    assert "## Machine" in written
    assert f"| {name} |" in written


def test_every_figure_runs_with_the_bots_gc_settings_whatever_the_one_before_did(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    seen: list[tuple[int, int]] = []

    def unfreezes(config: Config, folder: Path) -> list[Figure]:
        gc.unfreeze()  # what the ingest figure once did at its end
        return []

    def looks(config: Config, folder: Path) -> list[Figure]:
        seen.append((gc.get_threshold()[0], gc.get_freeze_count()))
        return []

    monkeypatch.setitem(RUNNERS, "unfreezes", unfreezes)
    monkeypatch.setitem(RUNNERS, "looks", looks)
    collector = _collector()

    run(QUICK, ["unfreezes", "looks"], tmp_path)

    threshold, frozen = seen[0]
    assert threshold == YOUNG_THRESHOLD
    assert frozen > 1000  # the modules loaded so far, as python -m bot run freezes them
    assert _collector() == collector


def test_the_tables_show_every_column() -> None:
    figure = Figure("demo", "a figure", "1 s", "2 s", "< 3 s", True, "a note", "")
    assert text_table([figure]).splitlines()[-1].split() == [
        "demo",
        "a",
        "figure",
        "1",
        "s",
        "2",
        "s",
        "<",
        "3",
        "s",
        "PASS",
    ]
    header, _, row = markdown_table([figure]).splitlines()
    assert header.count("|") == row.count("|")
    assert row == "| demo | a figure | 1 s | 2 s | < 3 s | PASS |"


def test_sizes_come_from_flags_and_the_environment() -> None:
    config = configure(QUICK, ["ingest_messages=1234"], {"BENCH_RECAP_SIZES": "5,6"})
    assert config.ingest_messages == 1234
    assert config.recap_sizes == (5, 6)
    with pytest.raises(ValueError, match="unknown setting"):
        configure(QUICK, ["no_such=1"], {})
