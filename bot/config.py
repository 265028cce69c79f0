"""Settings from the environment, checked at start with every problem reported at once.

| variable | default | meaning |
|---|---|---|
| ``DISCORD_TOKEN`` | (required for ``run``) | the bot's token; never logged |
| ``DATABASE_PATH`` | ``data/bot.db`` | the SQLite file (its folder is created) |
| ``CHATS_DIR`` | ``chats`` | the chat files to schedule |
| ``LOG_LEVEL`` | ``INFO`` | DEBUG, INFO, WARNING or ERROR |
| ``LOG_FORMAT`` | ``text`` | ``text`` or ``json`` (one JSON object per line) |
| ``MODERATOR_ROLE`` | (none) | a role name or id whose members may control chats |
| ``DISCORD_API_BASE`` | (discord.com) | a Discord-compatible server's base URL |
| ``SHARD_COUNT`` | (none: one connection) | the bot's total gateway shards, across every process |
| ``SHARD_IDS`` | (every shard) | the shards this process runs, e.g. ``0,1`` (needs SHARD_COUNT) |
| ``LEASE_SECONDS`` | ``30`` | how long a process's claim on a chat's timed steps lasts unrenewed |
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
_TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_\-]{10,}\.[A-Za-z0-9_\-]{4,}\.[A-Za-z0-9_\-]{10,}$")


class ConfigError(Exception):
    """Every problem with the environment, one per line."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


class Secret:
    """A value that never shows itself in logs, reprs or tracebacks."""

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """The secret itself, for the one call that needs it."""
        return self._value

    def __repr__(self) -> str:
        return "Secret('********')"

    __str__ = __repr__


@dataclass(frozen=True)
class Settings:
    """The bot's checked settings."""

    token: Secret | None = None
    database_path: Path = Path("data/bot.db")
    chats_dir: Path = Path("chats")
    log_level: str = "INFO"
    log_format: str = "text"
    moderator_role: str | None = None
    api_base: str | None = None
    #: Seconds from the first change after a recap was published to its update (edit).
    recap_update_delay: float = 60.0
    #: The total gateway shards (None: one unsharded connection, as a small bot needs).
    shard_count: int | None = None
    #: The shards this process runs (None: all of ``shard_count``).
    shard_ids: tuple[int, ...] | None = None
    #: Seconds a process's lease on a chat's timed steps lasts without renewal: how long
    #: another process waits before it takes over the chats of one that died.
    lease_seconds: float = 30.0
    extra: dict[str, str] = field(default_factory=dict)


def load_settings(environ: Mapping[str, str], *, need_token: bool) -> Settings:
    """Read and check the environment; raise :class:`ConfigError` listing every problem."""
    problems: list[str] = []
    token_text = environ.get("DISCORD_TOKEN", "").strip()
    token = Secret(token_text) if token_text else None
    if need_token and token is None:
        problems.append(
            "DISCORD_TOKEN is not set; copy the bot token from the Discord Developer Portal "
            "(Applications > your app > Bot > Reset Token)"
        )
    elif token is not None and not _TOKEN_SHAPE.match(token_text):
        problems.append("DISCORD_TOKEN does not look like a bot token (three dot-separated parts)")

    level = environ.get("LOG_LEVEL", "INFO").strip().upper()
    if level not in _LEVELS:
        problems.append(f"LOG_LEVEL={level!r} is not a level; use one of {', '.join(_LEVELS)}")
    log_format = environ.get("LOG_FORMAT", "text").strip().lower()
    if log_format not in ("text", "json"):
        problems.append(f"LOG_FORMAT={log_format!r} is not a format; use text or json")

    database_path = Path(environ.get("DATABASE_PATH", "data/bot.db").strip() or "data/bot.db")
    if database_path.exists() and database_path.is_dir():
        problems.append(f"DATABASE_PATH={database_path} is a folder; point it to a file")
    chats_dir = Path(environ.get("CHATS_DIR", "chats").strip() or "chats")
    if need_token and not chats_dir.is_dir():
        problems.append(f"CHATS_DIR={chats_dir} is not a folder; create it or point it to one")

    api_base = environ.get("DISCORD_API_BASE", "").strip().rstrip("/") or None
    if api_base is not None:
        parsed = urlparse(api_base)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            problems.append(
                f"DISCORD_API_BASE={api_base!r} is not a URL; use e.g. http://127.0.0.1:8080"
            )
    role = environ.get("MODERATOR_ROLE", "").strip() or None
    delay_text = environ.get("RECAP_UPDATE_DELAY", "60").strip() or "60"
    try:
        recap_update_delay = float(delay_text)
    except ValueError:
        recap_update_delay = -1.0
    if not 0 <= recap_update_delay <= 86_400:
        problems.append(
            f"RECAP_UPDATE_DELAY={delay_text!r} is not a number of seconds from 0 to 86400"
        )

    shard_count, shard_ids = _shards(environ, problems)
    lease_text = environ.get("LEASE_SECONDS", "30").strip() or "30"
    try:
        lease_seconds = float(lease_text)
    except ValueError:
        lease_seconds = -1.0
    if not 1 <= lease_seconds <= 3600:
        problems.append(f"LEASE_SECONDS={lease_text!r} is not a number of seconds from 1 to 3600")

    if problems:
        raise ConfigError(problems)
    return Settings(
        token=token,
        database_path=database_path,
        chats_dir=chats_dir,
        log_level=level,
        log_format=log_format,
        moderator_role=role,
        api_base=api_base,
        recap_update_delay=recap_update_delay,
        shard_count=shard_count,
        shard_ids=shard_ids,
        lease_seconds=lease_seconds,
    )


def _shards(
    environ: Mapping[str, str], problems: list[str]
) -> tuple[int | None, tuple[int, ...] | None]:
    """``SHARD_COUNT`` and ``SHARD_IDS``, checked; problems appended to ``problems``."""
    count_text = environ.get("SHARD_COUNT", "").strip()
    ids_text = environ.get("SHARD_IDS", "").strip()
    count: int | None = None
    if count_text:
        try:
            count = int(count_text)
        except ValueError:
            count = 0
        if not 1 <= count <= 10_000:
            problems.append(
                f"SHARD_COUNT={count_text!r} is not a whole number of shards from 1 to 10000"
            )
            count = None
    if not ids_text:
        return count, None
    if not count_text:
        problems.append(
            f"SHARD_IDS={ids_text!r} needs SHARD_COUNT, the total shards across all processes"
        )
    ids: list[int] = []
    for part in ids_text.split(","):
        try:
            shard_id = int(part.strip())
        except ValueError:
            problems.append(
                f"SHARD_IDS={ids_text!r}: {part.strip()!r} is not a shard number; "
                "use numbers separated by commas, e.g. 0,1"
            )
            continue
        if count is not None and not 0 <= shard_id < count:
            problems.append(
                f"SHARD_IDS={ids_text!r}: shard {shard_id} is not between 0 and {count - 1} "
                f"(SHARD_COUNT={count})"
            )
        elif shard_id in ids:
            problems.append(f"SHARD_IDS={ids_text!r}: shard {shard_id} is listed twice")
        else:
            ids.append(shard_id)
    return count, tuple(sorted(ids)) if ids else None


def level_number(settings: Settings) -> int:
    """The logging level of the settings."""
    return int(getattr(logging, settings.log_level))
