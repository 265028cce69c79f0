"""The command line: ``python -m bot run | validate | rehearse | health``.

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
from datetime import UTC, datetime
from pathlib import Path

from bot.chatfile import validate_command
from bot.config import ConfigError, level_number, load_settings
from bot.health import check_health, heartbeat_path, now_utc
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
            from bot.discord_app.main import run_bot  # imported here: discord.py is heavy

            return run_bot(load_settings(os.environ, need_token=True))
        if args.command == "health":
            settings = load_settings(os.environ, need_token=False)
            healthy, reason = check_health(heartbeat_path(settings.database_path), now_utc())
            print(reason)
            return 0 if healthy else 1
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
    except (ScriptError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
