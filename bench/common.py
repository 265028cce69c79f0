"""What every benchmark shares: figures, the table, the machine, percentiles, memory."""

from __future__ import annotations

import contextlib
import gc
import os
import platform
import resource
import sqlite3
import statistics
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from bot.runtime.speed import tune_gc


@dataclass(frozen=True)
class Figure:
    """One row of the table: a measured value, the same run's baseline, and the target."""

    bench: str
    name: str
    value: str
    baseline: str
    target: str
    #: True: target met; False: missed; None: no target (information).
    passed: bool | None
    note: str = ""
    #: How far from the target, said when it is missed ("12% below 0.5").
    shortfall: str = ""

    @property
    def verdict(self) -> str:
        """PASS, MISS or a dash."""
        return {True: "PASS", False: "MISS", None: "-"}[self.passed]


COLUMNS = ("benchmark", "figure", "measured", "baseline (same run)", "target", "")


def cells(figure: Figure) -> tuple[str, ...]:
    """A figure as table cells."""
    return (
        figure.bench,
        figure.name,
        figure.value,
        figure.baseline,
        figure.target,
        figure.verdict,
    )


def text_table(figures: Sequence[Figure]) -> str:
    """The figures as an aligned plain-text table."""
    rows = [COLUMNS, *(cells(f) for f in figures)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS))]
    lines = []
    for index, row in enumerate(rows):
        lines.append("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))
        if index == 0:
            lines.append("  ".join("-" * width for width in widths))
    return "\n".join(line.rstrip() for line in lines)


def markdown_table(figures: Sequence[Figure]) -> str:
    """The figures as a Markdown table."""
    lines = ["| " + " | ".join(COLUMNS[:-1]) + " | result |", "|" + "---|" * len(COLUMNS)]
    lines += ["| " + " | ".join(cells(f)) + " |" for f in figures]
    return "\n".join(lines)


def percentile(values: Sequence[float], fraction: float) -> float:
    """The ``fraction`` quantile (0..1) of ``values`` (nearest rank); 0.0 when empty."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(fraction * len(ordered) + 0.5) - 1))
    return ordered[rank]


def mean(values: Sequence[float]) -> float:
    """The mean, 0.0 when empty."""
    return statistics.fmean(values) if values else 0.0


def ms(seconds: float) -> str:
    """Seconds as milliseconds text."""
    return f"{seconds * 1000:.1f} ms"


def per_second(value: float) -> str:
    """A rate with thousands separators."""
    return f"{value:,.0f}/s"


def peak_rss_mb() -> float:
    """This process's peak resident set size in MB (VmHWM; getrusage where /proc is absent)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def machine() -> dict[str, str]:
    """The machine and software the figures were measured on."""
    cpu = platform.processor() or platform.machine()
    memory = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GB"
                break
    except OSError:
        pass
    return {
        "CPU": cpu,
        "cores": str(os.cpu_count()),
        "RAM": memory or "unknown",
        "OS": platform.platform(),
        "Python": platform.python_version(),
        "SQLite": sqlite3.sqlite_version,
        "discord.py": _version("discord.py"),
        "aiosqlite": _version("aiosqlite"),
    }


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def below(value: float, target: float, unit: str = "") -> str:
    """How far ``value`` is below a minimum ``target``."""
    return f"{(1 - value / target) * 100:.0f}% below {target:g}{unit}" if target else ""


def above(value: float, target: float, unit: str = "") -> str:
    """How far ``value`` is above a maximum ``target``."""
    return f"{(value / target - 1) * 100:.0f}% over {target:g}{unit}" if target else ""


@contextlib.contextmanager
def bot_gc() -> Iterator[None]:
    """One figure with the garbage collector's settings of the bot process
    (:func:`bot.runtime.speed.tune_gc`: what is alive now frozen, the young threshold
    raised), then the interpreter's own again: nothing frozen, the thresholds and the
    collector on or off as before. So what one figure freezes (the ingest's payloads) or
    leaves behind never changes how the next one collects."""
    threshold, enabled = gc.get_threshold(), gc.isenabled()
    tune_gc()
    try:
        yield
    finally:
        gc.unfreeze()
        gc.set_threshold(*threshold)
        if enabled:
            gc.enable()
        else:
            gc.disable()
