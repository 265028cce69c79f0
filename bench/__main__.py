"""``make bench`` / ``python -m bench``: run the benchmarks, print one table, write RESULTS.md.

    python -m bench                      # everything at full size (about 5 minutes)
    python -m bench --quick              # everything at a tiny size (seconds): a smoke run
    python -m bench --only ingest,recap  # some of them
    python -m bench --set ingest_messages=20000 --set timing_rate=200
    BENCH_INGEST_MESSAGES=20000 python -m bench

Every figure is printed next to a baseline measured in the same run and the
target it is held to (PASS/MISS). RESULTS.md gets the table, the machine and
notes, unless ``--no-write`` (a ``--quick`` run writes nothing unless
``--results`` names a file).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

from bench import alerts, archive, ingest, ingest_pg, people, processes, recap, shards, timing
from bench.common import Figure, bot_gc, machine, markdown_table, text_table
from bench.config import FULL, QUICK, Config, configure
from bench.pg import not_installed, postgres_server

NAMES = (
    "ingest",
    "ingest_pg",
    "recap",
    "timing",
    "memory",
    "restart",
    "people",
    "alerts",
    "archive",
    "shards",
    "shards_pg",
)
RESULTS = Path(__file__).with_name("RESULTS.md")
NOTES = Path(__file__).with_name("NOTES.md")


def run_ingest(config: Config, folder: Path) -> list[Figure]:
    """Ingest: bot path vs limit."""
    result = asyncio.run(
        ingest.measure(
            config.ingest_messages, folder, chats=config.ingest_chats, repeats=config.ingest_pairs
        )
    )
    return ingest.figures(result)


def run_ingest_pg(config: Config, folder: Path) -> list[Figure]:
    """Ingest into PostgreSQL: bot path vs limit (a server started for the run)."""
    return ingest_pg.run(
        config.ingest_messages, folder, chats=config.ingest_chats, repeats=config.ingest_pairs
    )


def run_recap(config: Config, folder: Path) -> list[Figure]:
    """Recap: build + render at each size, against json.dumps; growth."""
    result = asyncio.run(
        recap.measure(config.recap_sizes, folder, config.repeats, config.recap_growth_sizes)
    )
    return recap.figures(result)


def run_timing(config: Config, folder: Path) -> list[Figure]:
    """Timing: question lateness with and without ingest load."""
    result = asyncio.run(
        timing.run_both(
            folder,
            chats=config.timing_chats,
            rate=config.timing_rate,
            questions=config.timing_questions,
            interval=config.timing_interval,
            lead=config.timing_lead,
        )
    )
    return timing.figures(result)


def run_memory(config: Config, folder: Path) -> list[Figure]:
    """Memory: peak RSS of the bot parts vs bare imports."""
    messages = min(processes.MEMORY_MESSAGES, max(1_000, config.memory_answers // 20))
    result = processes.measure_memory(folder, config.memory_chats, config.memory_answers, messages)
    return processes.memory_figures(result)


def run_restart(config: Config, folder: Path) -> list[Figure]:
    """Restart: spawn to resumed vs a bare import."""
    result = processes.measure_restart(
        folder, config.restart_chats, config.restart_answers, config.repeats
    )
    return processes.restart_figures(result)


def run_people(config: Config, folder: Path) -> list[Figure]:
    """People: /chat people over the stored answers; a weekly chat's series page."""
    result = asyncio.run(
        people.measure(
            folder,
            config.people_answers,
            config.people_topics,
            config.series_occurrences,
            config.series_answers,
            config.repeats,
        )
    )
    return people.figures(result)


def run_alerts(config: Config, folder: Path) -> list[Figure]:
    """Alerts: matching cost per message, ingest on vs off, a daily digest run."""
    result = asyncio.run(
        alerts.measure(
            folder,
            config.alerts_members,
            config.alerts_messages,
            config.alerts_digest_members,
            config.alerts_pairs,
        )
    )
    return alerts.figures(result)


def run_archive(config: Config, folder: Path) -> list[Figure]:
    """Archive: a five-year weekly chat's archive: full build, an update, search in Chromium."""
    result = asyncio.run(
        archive.measure(folder, config.archive_recaps, config.archive_answers, config.repeats)
    )
    return archive.figures(result)


def run_shards(config: Config, folder: Path) -> list[Figure]:
    """Shards: lateness over two processes vs one; failover after a kill."""
    result = asyncio.run(
        shards.run_all(
            folder,
            chats=config.shards_chats,
            questions=config.shards_questions,
            interval=config.shards_interval,
            lease=config.shards_lease,
        )
    )
    return shards.figures(result)


def run_shards_pg(config: Config, folder: Path) -> list[Figure]:
    """Shards on PostgreSQL (a server started for the run): the same lateness and failover
    runs as ``shards``, each on a fresh database; and answers/s ingested by two processes at
    once against one."""
    bench = "shards_pg"
    with postgres_server() as server:
        if server is None:
            return not_installed(bench, "several processes on PostgreSQL")

        async def fresh(name: str) -> str:
            return server.url(await server.fresh_database())

        result = asyncio.run(
            shards.run_all(
                folder,
                chats=config.shards_chats,
                questions=config.shards_questions,
                interval=config.shards_interval,
                lease=config.shards_lease,
                database=fresh,
                store="PostgreSQL",
            )
        )
        ingested = ingest_pg.measure_processes(
            config.ingest_messages,
            server,
            chats=config.ingest_chats,
            repeats=config.shards_ingest_pairs,
        )
    return shards.figures(result, bench) + ingest_pg.processes_figures(ingested, bench)


RUNNERS: dict[str, Callable[[Config, Path], list[Figure]]] = {
    "ingest": run_ingest,
    "ingest_pg": run_ingest_pg,
    "recap": run_recap,
    "timing": run_timing,
    "memory": run_memory,
    "restart": run_restart,
    "people": run_people,
    "alerts": run_alerts,
    "archive": run_archive,
    "shards": run_shards,
    "shards_pg": run_shards_pg,
}


def run(config: Config, only: list[str], folder: Path) -> tuple[list[Figure], dict[str, float]]:
    """Run the chosen benchmarks; a benchmark that fails becomes a MISS row, not a crash."""
    figures: list[Figure] = []
    seconds: dict[str, float] = {}
    for name in only:
        print(f"[bench] {name} ...", file=sys.stderr, flush=True)
        began = time.perf_counter()
        try:
            # The garbage collector's settings of the bot process (python -m bot run), for
            # every figure and every baseline alike, and nothing of one figure's in the next.
            with bot_gc():
                rows = RUNNERS[name](config, folder)
        except Exception as error:
            traceback.print_exc()
            rows = [Figure(name, "could not be measured", "error", "-", "-", False, repr(error))]
        seconds[name] = time.perf_counter() - began
        print(f"[bench] {name}: {seconds[name]:.0f} s", file=sys.stderr, flush=True)
        for row in rows:
            print(f"[bench]   {row.name}: {row.value} ({row.verdict})", file=sys.stderr)
        figures.extend(rows)
    return figures, seconds


def results_markdown(
    figures: list[Figure], config: Config, seconds: dict[str, float], command: str
) -> str:
    """RESULTS.md: when, where, the table, what was missed and by how much, the notes."""
    lines = [
        "# Benchmark results",
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC with `{command}` "
        f"({sum(seconds.values()):.0f} s in all). Written by `python -m bench` on every run;"
        " do not edit by hand (the notes come from `bench/NOTES.md`).",
        "",
        "## Machine",
        "",
        *(f"- **{key}:** {value}" for key, value in machine().items()),
        "",
        "## Figures",
        "",
        "Each figure next to a baseline measured in the same run.",
        "",
        markdown_table(figures),
        "",
    ]
    missed = [f for f in figures if f.passed is False]
    lines += ["## Targets missed", ""]
    if missed:
        lines += [
            f"- **{f.bench}, {f.name}:** {f.value} against {f.target}"
            + (f": {f.shortfall}" if f.shortfall else "")
            for f in missed
        ]
    else:
        lines.append("None: every target was met in this run.")
    lines += ["", "## Details", ""]
    lines += [f"- **{f.bench}, {f.name}:** {f.note}" for f in figures if f.note]
    sizes = ", ".join(f"{key}={value}" for key, value in asdict(config).items() if key != "folder")
    lines += ["", f"Sizes: {sizes}.", ""]
    if NOTES.exists():
        lines += [NOTES.read_text().rstrip(), ""]
    return "\n".join(lines)


def parse_args(argv: list[str]) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes: a smoke run")
    parser.add_argument("--only", default=",".join(NAMES), help=f"some of {', '.join(NAMES)}")
    parser.add_argument(
        "--set", action="append", default=[], metavar="FIELD=VALUE", help="override one size"
    )
    parser.add_argument("--results", type=Path, help=f"where to write (default {RESULTS})")
    parser.add_argument("--no-write", action="store_true", help="print only")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run, print the table, write the results; 0 even when targets are missed."""
    args = parse_args(sys.argv[1:] if argv is None else argv)
    config = configure(QUICK if args.quick else FULL, args.set)
    only = [name.strip() for name in args.only.split(",") if name.strip()]
    unknown = [name for name in only if name not in RUNNERS]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; known: {', '.join(NAMES)}")
        return 2
    command = " ".join(["python -m bench", *(argv if argv is not None else sys.argv[1:])])
    with tempfile.TemporaryDirectory(prefix="qachat-bench-") as scratch:
        folder = config.folder or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        figures, seconds = run(config, only, folder)
    print()
    print(text_table(figures))
    target = args.results or (None if args.quick else RESULTS)
    if target is not None and not args.no_write:
        target.write_text(results_markdown(figures, config, seconds, command.strip()))
        print(f"\nwritten to {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
