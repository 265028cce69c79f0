"""Log output: readable or JSON lines on stderr, and the bot token is never written out."""

from __future__ import annotations

import json
import logging

import pytest

from bot.logs import setup_logging

TOKEN = "FAKEtoken0123456789.AbCdEf.fakeSecretPart_0123456789"
log = logging.getLogger("bot.test")


pytestmark = pytest.mark.usefixtures("restore_logging")


def _lines(capsys: pytest.CaptureFixture[str]) -> list[str]:
    return capsys.readouterr().err.splitlines()


def test_token_in_a_message_is_redacted(capsys: pytest.CaptureFixture[str]) -> None:
    """A token inside the text or the arguments of a log call is shown as stars."""
    setup_logging(logging.INFO, "text", secrets=[TOKEN])
    log.info("connecting with %s", TOKEN)
    log.warning(f"login failed for token {TOKEN}")  # a careless call site

    lines = _lines(capsys)
    assert len(lines) == 2
    assert all(TOKEN not in line and "********" in line for line in lines)
    assert "connecting with ********" in lines[0]
    assert " WARNING " in lines[1]
    assert "bot.test" in lines[1]


def test_token_in_json_output_is_redacted(capsys: pytest.CaptureFixture[str]) -> None:
    """The JSON format redacts too."""
    setup_logging(logging.INFO, "json", secrets=[TOKEN])
    log.info("token=%s", TOKEN)
    [line] = _lines(capsys)
    assert TOKEN not in line
    assert json.loads(line)["message"] == "token=********"


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_token_in_a_logged_exception_is_redacted(
    capsys: pytest.CaptureFixture[str], fmt: str
) -> None:
    """``log.exception`` after an error whose message carries the token does not print it."""
    setup_logging(logging.INFO, fmt, secrets=[TOKEN])
    try:
        raise RuntimeError(f"gateway refused token {TOKEN}")
    except RuntimeError:
        log.exception("could not log in")
    output = capsys.readouterr().err
    assert "could not log in" in output
    assert TOKEN not in output


def test_json_format_is_one_object_per_line(capsys: pytest.CaptureFixture[str]) -> None:
    """Log collectors can parse every line: multi-line messages and tracebacks stay on one line."""
    setup_logging(logging.DEBUG, "json")
    log.debug("first")
    log.info("a message\nspanning lines")
    try:
        raise ValueError("boom")
    except ValueError:
        log.exception("failed: %d", 3)

    lines = _lines(capsys)
    assert len(lines) == 3
    entries = [json.loads(line) for line in lines]
    assert [e["level"] for e in entries] == ["DEBUG", "INFO", "ERROR"]
    assert {e["logger"] for e in entries} == {"bot.test"}
    assert entries[1]["message"] == "a message\nspanning lines"
    assert entries[2]["message"] == "failed: 3"
    assert "ValueError: boom" in entries[2]["exception"]
    assert all(e["time"].endswith("+00:00") for e in entries)


def test_level_filters_and_discord_is_never_chattier_than_info(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """At WARNING, info lines are dropped; at DEBUG, discord.py's debug chatter still is."""
    setup_logging(logging.WARNING, "text")
    log.info("hidden")
    log.warning("shown")
    assert [line.split(": ", 1)[1] for line in _lines(capsys)] == ["shown"]

    setup_logging(logging.DEBUG, "text")
    logging.getLogger("discord.gateway").debug("payload")
    log.debug("ours")
    assert [line.split(": ", 1)[1] for line in _lines(capsys)] == ["ours"]


def test_setup_twice_does_not_duplicate_lines(capsys: pytest.CaptureFixture[str]) -> None:
    """Configuring again replaces the handler instead of printing every line twice."""
    setup_logging(logging.INFO, "text")
    setup_logging(logging.INFO, "text")
    log.info("once")
    assert len(_lines(capsys)) == 1
