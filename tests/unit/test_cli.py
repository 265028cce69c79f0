"""The command line an operator types: exit codes and one clear line per problem.

``bot.__main__.main`` is called in-process (its output captured by capsys);
one test runs ``python -m bot`` for real to check the module entry point.
Exit codes: 0 success, 1 invalid input, 2 configuration or database problems.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.health import heartbeat_path, write_heartbeat

REPO = Path(__file__).resolve().parents[2]
SAMPLE_CHAT = REPO / "chats" / "samples" / "plnchat.yaml"
SETTINGS_VARIABLES = (
    "DISCORD_TOKEN",
    "DATABASE_PATH",
    "CHATS_DIR",
    "LOG_LEVEL",
    "LOG_FORMAT",
    "MODERATOR_ROLE",
    "DISCORD_API_BASE",
)

GOOD_CHAT = """\
id: goodchat
title: Good Chat
hashtag: "#goodchat"
channel: 1187423950213476372
timezone: America/Phoenix
start: 2026-12-01 18:00
repeat: weekly
questions:
  - Who is in your learning network?
"""
# Line 7, column 20 is the bad duration.
BROKEN_CHAT = """\
id: brokenchat
title: Broken Chat
hashtag: "#brokenchat"
channel: 1187423950213476372
timezone: America/Phoenix
start: 2026-12-01 18:00
question_interval: 8 minutes please
questions:
  - Who is in your learning network?
"""


pytestmark = pytest.mark.usefixtures("restore_logging")


@pytest.fixture(autouse=True)
def chats_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A clean environment: chat files and the database under tmp_path, nothing else set."""
    for variable in SETTINGS_VARIABLES:
        monkeypatch.delenv(variable, raising=False)
    folder = tmp_path / "chats"
    folder.mkdir()
    monkeypatch.setenv("CHATS_DIR", str(folder))
    monkeypatch.setenv("DATABASE_PATH", str(tmp_path / "data" / "bot.db"))
    return folder


@pytest.fixture
def good_chat(chats_dir: Path) -> Path:
    path = chats_dir / "good.yaml"
    path.write_text(GOOD_CHAT)
    return path


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[str], list[str]]:
    """Run the CLI; returns the exit code and the lines of stdout and stderr."""
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out.splitlines(), captured.err.splitlines()


# --- validate -----------------------------------------------------------------------------


@pytest.mark.usefixtures("good_chat")
def test_validate_points_at_the_problem_and_still_lists_the_good_chat(
    capsys: pytest.CaptureFixture[str], chats_dir: Path
) -> None:
    """A broken file is reported as file:line:column: field: message; the good one still loads."""
    broken = chats_dir / "broken.yaml"
    broken.write_text(BROKEN_CHAT)

    code, out, _ = _run(capsys, "validate", str(chats_dir))
    assert code == 1
    problems = [line for line in out if line.startswith(str(broken))]
    assert len(problems) == 1
    assert re.fullmatch(
        rf"{re.escape(str(broken))}:7:20: question_interval: .*not a duration; use .+", problems[0]
    )
    assert any(line.startswith("goodchat: Good Chat #goodchat (weekly)") for line in out)
    assert out[-1] == "2 file(s), 1 valid chat(s), 1 error(s), 0 warning(s)"


@pytest.mark.usefixtures("good_chat")
def test_validate_defaults_to_the_chats_dir(capsys: pytest.CaptureFixture[str]) -> None:
    """Without arguments, validate checks CHATS_DIR and exits 0 when every chat is valid."""
    code, out, _ = _run(capsys, "validate")
    assert code == 0
    assert out[-1] == "1 file(s), 1 valid chat(s), 0 error(s), 0 warning(s)"


def test_python_m_bot_validate_the_shipped_chats() -> None:
    """``python -m bot validate chats/`` on the repository's chat files exits 0."""
    env = {k: v for k, v in os.environ.items() if k not in SETTINGS_VARIABLES}
    result = subprocess.run(
        [sys.executable, "-m", "bot", "validate", "chats/"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert " 0 error(s)" in result.stdout


# --- rehearse: clear failures -------------------------------------------------------------


def test_rehearse_missing_chat_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """A typo in the chat file's name: exit 1 and one line naming the file."""
    missing = tmp_path / "nosuchchat.yaml"
    code, out, err = _run(capsys, "rehearse", str(missing))
    assert code != 0
    lines = out + err
    assert len(lines) == 1
    assert str(missing) in lines[0]
    assert "Traceback" not in lines[0]


def test_rehearse_broken_answers_file(
    capsys: pytest.CaptureFixture[str], good_chat: Path, tmp_path: Path
) -> None:
    """A malformed line in the scripted answers: exit 1 naming the file and line."""
    answers = tmp_path / "answers.txt"
    answers.write_text("+00:10 alice: hello\nthis line has no time\n")
    code, out, err = _run(capsys, "rehearse", str(good_chat), "--answers", str(answers))
    assert code == 1
    assert out == []
    assert len(err) == 1
    assert f"{answers}:2:" in err[0]


def test_rehearse_with_a_corrupt_database_exits_2_with_one_line(
    capsys: pytest.CaptureFixture[str], good_chat: Path, tmp_path: Path
) -> None:
    """``--db`` pointing at a file that is not a database: one line naming it, no traceback."""
    corrupt = tmp_path / "corrupt.db"
    corrupt.write_bytes(b"this is not an SQLite database" * 100)
    code, out, err = _run(capsys, "rehearse", str(good_chat), "--db", str(corrupt))
    assert code == 2
    assert out == []
    assert len(err) == 1
    assert err[0].startswith(f"error: database {corrupt}:")
    assert "restore a backup" in err[0]


def test_rehearse_rejects_a_speed_of_zero(
    capsys: pytest.CaptureFixture[str], good_chat: Path
) -> None:
    """``--speed 0`` would never end: exit 1 with the reason."""
    code, _, err = _run(capsys, "rehearse", str(good_chat), "--speed", "0")
    assert code == 1
    assert err == ["--speed must be more than 0"]


# --- configuration and health -------------------------------------------------------------


@pytest.mark.parametrize("command", ["health", "rehearse"])
def test_configuration_problems_exit_2_naming_each_variable(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    good_chat: Path,
    command: str,
) -> None:
    """Every bad variable is listed at once, before anything else happens."""
    monkeypatch.setenv("LOG_LEVEL", "LOUD")
    monkeypatch.setenv("LOG_FORMAT", "xml")
    argv = [command] if command == "health" else [command, str(good_chat)]
    code, out, err = _run(capsys, *argv)
    assert code == 2
    assert out == []
    assert err[0] == "configuration problems:"
    assert len(err) == 3
    assert err[1].startswith("  - LOG_LEVEL=")
    assert err[2].startswith("  - LOG_FORMAT=")


def _heartbeat(tmp_path: Path, age: timedelta, *, connected: bool = True) -> None:
    path = heartbeat_path(tmp_path / "data" / "bot.db")
    path.parent.mkdir(exist_ok=True)
    write_heartbeat(path, datetime.now(UTC) - age, connected=connected)


def test_health_without_a_heartbeat_exits_1(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Before the bot has started, the health check fails and says which file it looked for."""
    code, out, _ = _run(capsys, "health")
    assert code == 1
    assert len(out) == 1
    assert str(tmp_path / "data" / "heartbeat.json") in out[0]


def test_health_with_a_fresh_heartbeat_exits_0(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A bot that beat a few seconds ago is healthy."""
    _heartbeat(tmp_path, timedelta(seconds=5))
    code, out, _ = _run(capsys, "health")
    assert code == 0
    assert len(out) == 1
    assert out[0].startswith("alive")


@pytest.mark.parametrize(
    ("age", "connected", "reason"),
    [
        (timedelta(minutes=10), True, "old"),
        (timedelta(seconds=5), False, "not connected"),
    ],
    ids=["stale", "disconnected"],
)
def test_health_with_a_stale_or_disconnected_heartbeat_exits_1(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    age: timedelta,
    connected: bool,
    reason: str,
) -> None:
    """A hung or disconnected bot fails the check with the reason."""
    _heartbeat(tmp_path, age, connected=connected)
    code, out, _ = _run(capsys, "health")
    assert code == 1
    assert reason in out[0]


# --- a whole rehearsal --------------------------------------------------------------------

ANSWERS = """\
# a tiny script: two participants (alice hosts), one reaction
+00:00 alice: !host
+00:20 alice: Hi all, Alice from Tucson
+08:30 alice: A1: a group of science teachers I met online
+16:40 bob: A2: we tried exit tickets from our PLN
+17:00 carol: !react alice 👍
"""


@pytest.mark.parametrize(
    ("script", "problem"),
    [
        ("+00:10 alice: hello\n+00:20 alice: !host\n", ":2: !host must come before alice's first"),
        ("+00:00 alice: !host\n+00:00 bob: !host\n", ":2: the chat file names 1 host(s)"),
    ],
)
def test_rehearse_host_lines_that_cannot_be_cast(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, script: str, problem: str
) -> None:
    """A !host after the person's first line, or more !host lines than the chat file has
    hosts: exit 1 naming the file, the line and the fix, before anything runs."""
    answers = tmp_path / "answers.txt"
    answers.write_text(script, encoding="utf-8")
    code, out, err = _run(capsys, "rehearse", str(SAMPLE_CHAT), "--answers", str(answers))
    assert code == 1
    assert out == []
    assert len(err) == 1
    assert f"{answers}{problem}" in err[0]


def test_rehearse_the_sample_chat(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """At 2000x the sample chat runs start to finish: every question in order, then the recap."""
    answers = tmp_path / "answers.txt"
    answers.write_text(ANSWERS, encoding="utf-8")
    out_dir = tmp_path / "recap"

    code, out, err = _run(
        capsys,
        "rehearse",
        str(SAMPLE_CHAT),
        "--speed",
        "2000",
        "--answers",
        str(answers),
        "--out",
        str(out_dir),
    )
    assert code == 0, "\n".join(err)
    text = "\n".join(out)
    assert out[0].startswith("Rehearsing PLN Chat")
    positions = [text.find(f"**Q{n}:**") for n in range(1, 6)]
    assert -1 not in positions
    assert positions == sorted(positions)
    assert "**Q6:**" not in text
    recap = text.find("Recap of PLN Chat")
    assert recap > positions[-1]
    assert out[-1] == f"Recap written to {out_dir}/"

    transcript = (out_dir / "transcript.md").read_text(encoding="utf-8")
    assert "Hosts: alice  " in transcript  # !host gave alice the chat file's host id
    assert "**alice**: a group of science teachers I met online" in transcript
    assert "**bob**: we tried exit tickets from our PLN" in transcript
    assert (out_dir / "recap.txt").read_text(encoding="utf-8").startswith("📋 Recap of PLN Chat")
