"""Settings from the environment: every problem at once, each naming its variable and the fix.

An operator starting the bot with a bad environment should fix everything in
one round, and the bot token must never end up in an error message or a repr.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, Secret, Settings, level_number, load_settings

#: Shaped like a Discord bot token (three dot-separated parts); not a real one.
TOKEN = "FAKEtoken0123456789.AbCdEf.fakeSecretPart_0123456789"


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """A valid environment with its folders under tmp_path."""
    (tmp_path / "chats").mkdir()
    return {
        "DISCORD_TOKEN": TOKEN,
        "DATABASE_PATH": str(tmp_path / "data" / "bot.db"),
        "CHATS_DIR": str(tmp_path / "chats"),
    }


def _problems(environ: dict[str, str], *, need_token: bool = True) -> list[str]:
    with pytest.raises(ConfigError) as raised:
        load_settings(environ, need_token=need_token)
    assert str(raised.value).splitlines() == raised.value.problems
    return raised.value.problems


def test_valid_environment(env: dict[str, str], tmp_path: Path) -> None:
    """A complete environment loads with the documented defaults for the rest."""
    settings = load_settings(env, need_token=True)
    assert settings.token is not None
    assert settings.token.reveal() == TOKEN
    assert settings.database_path == tmp_path / "data" / "bot.db"
    assert settings.chats_dir == tmp_path / "chats"
    assert (settings.log_level, settings.log_format) == ("INFO", "text")
    assert settings.moderator_role is None
    assert settings.api_base is None
    assert (settings.archive_dir, settings.archive_url) == (None, None)


def test_the_archive_settings(env: dict[str, str], tmp_path: Path) -> None:
    """ARCHIVE_DIR need not exist yet (the bot creates it); ARCHIVE_URL loses its last slash."""
    env |= {
        "ARCHIVE_DIR": str(tmp_path / "archive"),
        "ARCHIVE_URL": " https://chats.example.org/archive/ ",
    }
    settings = load_settings(env, need_token=True)
    assert settings.archive_dir == tmp_path / "archive"
    assert settings.archive_url == "https://chats.example.org/archive"


def test_archive_settings_that_cannot_work(env: dict[str, str], tmp_path: Path) -> None:
    """A file for ARCHIVE_DIR and an address that is not http(s) are named with the fix."""
    (tmp_path / "a-file").write_text("not a folder")
    env |= {"ARCHIVE_DIR": str(tmp_path / "a-file"), "ARCHIVE_URL": "chats.example.org"}
    problems = _problems(env)
    assert len(problems) == 2
    assert "ARCHIVE_DIR" in problems[0]
    assert "point it to a folder" in problems[0]
    assert "ARCHIVE_URL" in problems[1]
    assert "use e.g. https://" in problems[1]


def test_values_are_tidied(env: dict[str, str]) -> None:
    """Stray spaces, lower-case levels and a trailing slash are not errors."""
    env |= {
        "DISCORD_TOKEN": f"  {TOKEN}\n",
        "LOG_LEVEL": " debug ",
        "LOG_FORMAT": "JSON",
        "DISCORD_API_BASE": "http://127.0.0.1:8080/",
        "MODERATOR_ROLE": " Chat Hosts ",
    }
    settings = load_settings(env, need_token=True)
    assert settings.token is not None
    assert settings.token.reveal() == TOKEN
    assert (settings.log_level, settings.log_format) == ("DEBUG", "json")
    assert settings.api_base == "http://127.0.0.1:8080"
    assert settings.moderator_role == "Chat Hosts"
    assert level_number(settings) == 10


def test_every_problem_is_reported_at_once(env: dict[str, str], tmp_path: Path) -> None:
    """Six bad variables give six lines, each naming its variable and what to use instead."""
    (tmp_path / "folder.db").mkdir()
    env |= {
        "DISCORD_TOKEN": "not-a-token",
        "LOG_LEVEL": "LOUD",
        "LOG_FORMAT": "xml",
        "DATABASE_PATH": str(tmp_path / "folder.db"),
        "CHATS_DIR": str(tmp_path / "missing"),
        "DISCORD_API_BASE": "localhost:8080",
    }
    problems = _problems(env)
    expected = {
        "DISCORD_TOKEN": "bot token",
        "LOG_LEVEL": "use one of DEBUG, INFO, WARNING, ERROR",
        "LOG_FORMAT": "use text or json",
        "DATABASE_PATH": "point it to a file",
        "CHATS_DIR": "create it or point it to one",
        "DISCORD_API_BASE": "use e.g. http://",
    }
    assert len(problems) == len(expected)
    for variable, fix in expected.items():
        [line] = [p for p in problems if p.startswith(variable)]
        assert fix in line


def test_missing_token_is_a_problem_only_when_needed(env: dict[str, str]) -> None:
    """``validate``, ``rehearse`` and ``health`` run without a token; ``run`` says where to get one."""
    del env["DISCORD_TOKEN"]
    assert load_settings(env, need_token=False).token is None
    [problem] = _problems(env, need_token=True)
    assert problem.startswith("DISCORD_TOKEN is not set")
    assert "Developer Portal" in problem


def test_blank_token_counts_as_missing(env: dict[str, str]) -> None:
    """A token variable set to spaces is reported as not set, not as a malformed token."""
    env["DISCORD_TOKEN"] = "   "
    [problem] = _problems(env)
    assert problem.startswith("DISCORD_TOKEN is not set")


@pytest.mark.parametrize("token", [TOKEN, "Bot " + TOKEN, "short.secret-value"])
def test_token_never_appears_in_errors(env: dict[str, str], token: str) -> None:
    """Whether the token is fine or malformed, the error text shows other problems, not the token."""
    env |= {"DISCORD_TOKEN": token, "LOG_LEVEL": "LOUD"}
    problems = _problems(env)
    text = "\n".join(problems)
    assert "LOG_LEVEL" in text
    assert token not in text
    assert TOKEN not in text


def test_token_never_appears_in_reprs(env: dict[str, str]) -> None:
    """Printing the settings or the token (a debug line, a traceback) shows stars."""
    settings = load_settings(env, need_token=True)
    for shown in (repr(settings), str(settings), f"{settings.token}", repr(settings.token)):
        assert TOKEN not in shown
    assert "********" in repr(settings)
    assert repr(Secret(TOKEN)) == "Secret('********')"
    assert isinstance(settings, Settings)


def test_database_url_selects_postgresql_and_never_shows_its_password(
    env: dict[str, str], tmp_path: Path
) -> None:
    """DATABASE_URL names a PostgreSQL database for the store; without it, the SQLite file."""
    assert load_settings(env, need_token=True).database == tmp_path / "data" / "bot.db"
    url = "postgresql://bot:s3cr3t-pw@db.example.org:5432/chatbot"
    settings = load_settings(env | {"DATABASE_URL": f" {url} "}, need_token=True)
    assert settings.database == url
    assert "s3cr3t-pw" not in repr(settings)
    socket = "postgresql://postgres@/chatbot?host=/run/postgresql"
    assert load_settings(env | {"DATABASE_URL": socket}, need_token=True).database == socket


@pytest.mark.parametrize(
    "url", ["mysql://bot@db/chatbot", "db.example.org/chatbot", "postgresql:///chatbot"]
)
def test_a_database_url_that_is_not_postgresql_is_a_problem(env: dict[str, str], url: str) -> None:
    """Anything but a postgresql:// URL with a host is refused, saying what it should be."""
    (problem,) = _problems(env | {"DATABASE_URL": url})
    assert problem.startswith("DATABASE_URL is not a PostgreSQL URL; use postgresql://")


def test_shards_default_to_one_unsharded_connection(env: dict[str, str]) -> None:
    settings = load_settings(env, need_token=True)
    assert (settings.shard_count, settings.shard_ids, settings.lease_seconds) == (None, None, 30)


def test_shard_count_and_ids(env: dict[str, str]) -> None:
    settings = load_settings(env | {"SHARD_COUNT": "4", "SHARD_IDS": " 1, 0"}, need_token=True)
    assert (settings.shard_count, settings.shard_ids) == (4, (0, 1))
    settings = load_settings(env | {"SHARD_COUNT": "2", "LEASE_SECONDS": "5"}, need_token=True)
    assert (settings.shard_count, settings.shard_ids, settings.lease_seconds) == (2, None, 5)


def test_every_shard_problem_is_reported(env: dict[str, str]) -> None:
    problems = _problems(env | {"SHARD_COUNT": "2", "SHARD_IDS": "0,2,x,0", "LEASE_SECONDS": "0"})
    assert problems == [
        "SHARD_IDS='0,2,x,0': shard 2 is not between 0 and 1 (SHARD_COUNT=2)",
        "SHARD_IDS='0,2,x,0': 'x' is not a shard number; use numbers separated by commas, e.g. 0,1",
        "SHARD_IDS='0,2,x,0': shard 0 is listed twice",
        "LEASE_SECONDS='0' is not a number of seconds from 1 to 3600",
    ]
    assert _problems(env | {"SHARD_IDS": "0"}) == [
        "SHARD_IDS='0' needs SHARD_COUNT, the total shards across all processes"
    ]
    assert _problems(env | {"SHARD_COUNT": "zero"}) == [
        "SHARD_COUNT='zero' is not a whole number of shards from 1 to 10000"
    ]
