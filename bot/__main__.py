"""The command line: ``python -m bot run | validate | rehearse | recap | archive | health``.

Exit codes: 0 success, 1 invalid input (chat files, answers), 2 configuration
or database problems (one clear message, no traceback).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path

from bot.chatfile import validate_command
from bot.config import ConfigError, Settings, level_number, load_settings
from bot.core.errors import ChatNotFound, OccurrenceNotFound
from bot.health import check_health, heartbeat_path, lease_lines, now_utc
from bot.logs import setup_logging
from bot.rehearsal.runner import DEFAULT_SPEED, rehearse
from bot.rehearsal.script import ScriptError
from bot.storage import StorageError


def build_parser() -> argparse.ArgumentParser:
    """The argument parser, with one subcommand per job."""
    parser = argparse.ArgumentParser(
        prog="python -m bot", description="Host Twitter-style Q1/A1 chats on Discord."
    )
    commands = parser.add_subparsers(dest="command", required=True)

    validate = commands.add_parser("validate", help="check chat files and show their next dates")
    validate.add_argument("paths", nargs="*", type=Path, help="files or folders (default: chats/)")

    rehearse_cmd = commands.add_parser(
        "rehearse", help="run a chat in the terminal at N x speed from scripted answers"
    )
    rehearse_cmd.add_argument("chat_file", type=Path)
    rehearse_cmd.add_argument(
        "--speed", type=float, default=DEFAULT_SPEED, help="times real speed (default 60)"
    )
    rehearse_cmd.add_argument("--answers", type=Path, help="scripted answers file")
    rehearse_cmd.add_argument("--out", type=Path, help="folder for the recap and transcript")
    rehearse_cmd.add_argument("--db", type=Path, help="keep the rehearsal's database here")

    recap = commands.add_parser(
        "recap", help="export a past recap from the database as Markdown, HTML, JSON or a chart"
    )
    recap.add_argument("chat", help="the chat's id, as in its chat file")
    recap.add_argument(
        "--occurrence",
        metavar="DATE",
        help="the local date (YYYY-MM-DD) of the occurrence (default: the latest recapped one)",
    )
    recap.add_argument(
        "--format", choices=("md", "html", "json", "png"), default="md", help="default md"
    )
    recap.add_argument("--out", type=Path, help="file to write (default: standard output)")

    archive = commands.add_parser(
        "archive", help="write every past recap as a static website that opens from disk"
    )
    archive.add_argument(
        "--out",
        type=Path,
        required=True,
        help="folder to write the site to (re-running updates it)",
    )

    commands.add_parser("run", help="connect to Discord and host the scheduled chats")
    commands.add_parser("health", help="exit 0 when the running bot's heartbeat is fresh")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the exit code."""
    args = build_parser().parse_args(argv)
    try:
        if args.command == "validate":
            paths = args.paths or [Path(os.environ.get("CHATS_DIR", "chats"))]
            return validate_command(paths, datetime.now(UTC), sys.stdout)
        if args.command == "run":
            return _run(load_settings(os.environ, need_token=True))
        if args.command == "health":
            settings = load_settings(os.environ, need_token=False)
            path = heartbeat_path(settings.database_path, settings.shard_ids)
            healthy, reason = check_health(path, now_utc())
            print(reason)
            if settings.shard_count is not None:
                _print_leases(settings)
            return 0 if healthy else 1
        if args.command == "recap":
            return _recap(args)
        if args.command == "archive":
            return _archive(args)
        if args.command == "rehearse":
            settings = load_settings(os.environ, need_token=False)
            # The terminal shows the chat; log lines only for problems unless asked.
            level = level_number(settings) if "LOG_LEVEL" in os.environ else logging.WARNING
            setup_logging(level, settings.log_format)
            if args.speed <= 0:
                print("--speed must be more than 0", file=sys.stderr)
                return 1
            return asyncio.run(
                rehearse(
                    args.chat_file,
                    answers=args.answers,
                    speed=args.speed,
                    out_dir=args.out,
                    db_path=args.db,
                    out=sys.stdout,
                )
            )
    except ConfigError as error:
        print("configuration problems:", file=sys.stderr)
        for problem in error.problems:
            print(f"  - {problem}", file=sys.stderr)
        return 2
    except StorageError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except (ChatNotFound, OccurrenceNotFound) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except (ScriptError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    return 0


def _run(settings: Settings) -> int:
    """``run``: open the database and serve Discord until stopped; returns the exit code."""
    from bot.discord_app.main import prepare_process, serve  # imported here: discord.py is heavy
    from bot.storage import open_store

    prepare_process(settings)

    async def run() -> int:
        store = await open_store(settings.database)
        try:
            return await serve(settings, store)
        finally:
            await store.close()

    return asyncio.run(run())


def _print_leases(settings: Settings) -> None:
    """The leases in the store (several processes): who runs which chat, until when."""
    from bot.storage import open_store

    if settings.database_url is None and not settings.database_path.is_file():
        return

    async def read() -> list[str]:
        store = await open_store(settings.database)
        try:
            return lease_lines(await store.leases(), now_utc())
        finally:
            await store.close()

    try:
        lines = asyncio.run(read())
    except StorageError as error:
        print(f"leases: not readable ({error})")
        return
    for line in lines or ["no leases held (no chat is running)"]:
        print(line)


def _database_exists(settings: Settings) -> bool:
    """True when the database file exists (or a PostgreSQL URL is set); otherwise say how
    to point at it."""
    path = settings.database_path
    if settings.database_url is not None or path.is_file():
        return True
    print(
        f"error: database {path} does not exist; set DATABASE_PATH to the bot's database",
        file=sys.stderr,
    )
    return False


def _recap(args: argparse.Namespace) -> int:
    """``recap CHAT``: write one occurrence's recap from the database, offline."""
    from bot.runtime.recaps import export_recap  # rendering pulls in Jinja2 and matplotlib
    from bot.storage import open_store

    on = None
    if args.occurrence is not None:
        try:
            on = date.fromisoformat(args.occurrence)
        except ValueError:
            print(
                f"error: --occurrence {args.occurrence!r} is not a date; use YYYY-MM-DD",
                file=sys.stderr,
            )
            return 1
    if args.format == "png" and args.out is None:
        print("error: --format png writes a picture; give a file with --out", file=sys.stderr)
        return 1
    settings = load_settings(os.environ, need_token=False)
    if not _database_exists(settings):
        return 2

    async def export() -> bytes:
        store = await open_store(settings.database)
        try:
            return await export_recap(store, args.chat, on, args.format)
        finally:
            await store.close()

    data = asyncio.run(export())
    if args.out is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_bytes(data)
        print(f"Recap of {args.chat} written to {args.out}", file=sys.stderr)
    return 0


def _archive(args: argparse.Namespace) -> int:
    """``archive --out DIR``: write the static site of every past recap, offline."""
    from bot.archive import ArchiveReport, build_archive  # rendering pulls in Jinja2, matplotlib
    from bot.runtime.recaps import StoredRecaps
    from bot.storage import open_store

    settings = load_settings(os.environ, need_token=False)
    if not _database_exists(settings):
        return 2

    async def build() -> ArchiveReport:
        store = await open_store(settings.database)
        try:
            return await build_archive(StoredRecaps(store), args.out)
        finally:
            await store.close()

    report = asyncio.run(build())
    print(
        f"Archive of {report.recaps} recap{'' if report.recaps == 1 else 's'} "
        f"({report.messages} messages, {report.resources} resources) written to {args.out}; "
        f"open {args.out / 'index.html'}",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
