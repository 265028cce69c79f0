"""Settings from the environment, checked at start with every problem reported at once.

| variable | default | meaning |
|---|---|---|
| ``DISCORD_TOKEN`` | (required for ``run``) | the bot's token; never logged |
| ``DATABASE_PATH`` | ``data/bot.db`` | the SQLite file (its folder is created; with ``DATABASE_URL``, its folder still holds the heartbeat) |
| ``DATABASE_URL`` | (none: SQLite) | ``postgresql://USER:PASSWORD@HOST:5432/DATABASE``: use that PostgreSQL database instead of the SQLite file (migrated at start); never logged |
| ``CHATS_DIR`` | ``chats`` | the chat files to schedule |
| ``LOG_LEVEL`` | ``INFO`` | DEBUG, INFO, WARNING or ERROR |
| ``LOG_FORMAT`` | ``text`` | ``text`` or ``json`` (one JSON object per line) |
| ``MODERATOR_ROLE`` | (none) | a role name or id whose members may control chats |
| ``DISCORD_API_BASE`` | (discord.com) | a Discord-compatible server's base URL |
| ``ALERTS_BATCH_SECONDS`` | ``60`` | instant keyword alerts: at most one DM per member in this time (1-3600) |
| ``RECAP_UPDATE_DELAY`` | ``60`` | seconds from a change to a published recap to its edit |
| ``ARCHIVE_DIR`` | (none; ``/data/archive`` in the Docker image) | the bot publishes the static archive in this folder after every recap, recap update, profile and board change (only changed files are written) |
| ``ARCHIVE_URL`` | (none) | the address ``ARCHIVE_DIR`` is served at; Discord recaps link to their page there |
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
    #: A PostgreSQL URL (it may hold a password); None: the SQLite file at database_path.
    database_url: Secret | None = None
    chats_dir: Path = Path("chats")
    log_level: str = "INFO"
    log_format: str = "text"
    moderator_role: str | None = None
    api_base: str | None = None
    #: Seconds from the first change after a recap was published to its update (edit).
    recap_update_delay: float = 60.0
    #: Seconds: an instant alerts member gets at most one DM in this time.
    alerts_batch: float = 60.0
    #: Where the bot publishes the static archive (None: it does not).
    archive_dir: Path | None = None
    #: The address ``archive_dir`` is served at (links from Discord recaps).
    archive_url: str | None = None
    #: The total gateway shards (None: one unsharded connection, as a small bot needs).
    shard_count: int | None = None
    #: The shards this process runs (None: all of ``shard_count``).
    shard_ids: tuple[int, ...] | None = None
    #: Seconds a process's lease on a chat's timed steps lasts without renewal: how long
    #: another process waits before it takes over the chats of one that died.
    lease_seconds: float = 30.0
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def database(self) -> Path | str:
        """What ``bot.storage.open_store`` opens: the PostgreSQL URL, else the SQLite file."""
        return self.database_url.reveal() if self.database_url is not None else self.database_path


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
    url_text = environ.get("DATABASE_URL", "").strip()
    database_url = Secret(url_text) if url_text else None
    if url_text and not _postgres_url(url_text):
        problems.append(
            "DATABASE_URL is not a PostgreSQL URL; use "
            "postgresql://USER:PASSWORD@HOST:5432/DATABASE (or unset it to use DATABASE_PATH)"
        )
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

    batch_text = environ.get("ALERTS_BATCH_SECONDS", "60").strip() or "60"
    try:
        alerts_batch = float(batch_text)
    except ValueError:
        alerts_batch = -1.0
    if not 1 <= alerts_batch <= 3600:
        problems.append(
            f"ALERTS_BATCH_SECONDS={batch_text!r} is not a number of seconds from 1 to 3600"
        )
    archive_text = environ.get("ARCHIVE_DIR", "").strip()
    archive_dir = Path(archive_text) if archive_text else None
    if archive_dir is not None and archive_dir.exists() and not archive_dir.is_dir():
        problems.append(f"ARCHIVE_DIR={archive_dir} is a file; point it to a folder")
    archive_url = environ.get("ARCHIVE_URL", "").strip().rstrip("/") or None
    if archive_url is not None:
        parsed = urlparse(archive_url)
        if parsed.scheme not in ("http", "https") or not parsed.netloc or len(archive_url) > 300:
            problems.append(
                f"ARCHIVE_URL={archive_url[:300]!r} is not a web address (http or https, at most "
                "300 characters); use e.g. https://chats.example.org/archive"
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
        database_url=database_url,
        chats_dir=chats_dir,
        log_level=level,
        log_format=log_format,
        moderator_role=role,
        api_base=api_base,
        recap_update_delay=recap_update_delay,
        alerts_batch=alerts_batch,
        archive_dir=archive_dir,
        archive_url=archive_url,
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


def _postgres_url(text: str) -> bool:
    """True for a URL asyncpg can open: ``postgresql://`` or ``postgres://`` with a host (in
    the authority, or as ``?host=/socket/folder``) and no spaces."""
    parsed = urlparse(text)
    return (
        parsed.scheme in ("postgresql", "postgres")
        and bool(parsed.netloc or "host=" in parsed.query)
        and not any(char.isspace() for char in text)
    )
