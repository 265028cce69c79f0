"""``python -m bot recap``: any past recap exported offline from the database."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.__main__ import main
from tests.unit.render.conftest import Sample


def _run(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    database: Path,
    *args: str,
) -> tuple[int, str, str]:
    monkeypatch.setenv("DATABASE_PATH", str(database))
    code = main(["recap", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_export_markdown_html_json_and_chart(
    sample: Sample,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The latest recap of a chat, in each format, written where asked."""
    for fmt in ("md", "html", "json", "png"):
        out = tmp_path / f"recap.{fmt}"
        code, _, err = _run(
            capsys, monkeypatch, sample.database, "plnchat", "--format", fmt, "--out", str(out)
        )
        assert code == 0, err
        assert f"written to {out}" in err
    assert (tmp_path / "recap.md").read_text(encoding="utf-8") == sample.rendered.markdown
    assert (tmp_path / "recap.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    data = json.loads((tmp_path / "recap.json").read_text(encoding="utf-8"))
    assert data["header"]["chat_id"] == "plnchat"
    assert (tmp_path / "recap.png").read_bytes().startswith(b"\x89PNG")


def test_export_by_local_date(
    sample: Sample,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The sample ran on Tuesday 12 January 2027 at 20:00 in Chicago (02:00 UTC on the 13th)."""
    out = tmp_path / "r.md"
    code, _, err = _run(
        capsys,
        monkeypatch,
        sample.database,
        "plnchat",
        "--occurrence",
        "2027-01-12",
        "--out",
        str(out),
    )
    assert code == 0, err
    assert out.read_text(encoding="utf-8").startswith("# PLN Chat")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nochat"], "error: no chat 'nochat' in the database (chats: plnchat)"),
        (
            ["plnchat", "--occurrence", "2027-01-13"],
            "error: plnchat has no occurrence on 2027-01-13 (recent dates: 2027-01-12)",
        ),
        (["plnchat", "--occurrence", "12/01/2027"], "is not a date; use YYYY-MM-DD"),
        (["plnchat", "--format", "png"], "give a file with --out"),
    ],
)
def test_clear_errors_exit_1(
    sample: Sample,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
    message: str,
) -> None:
    code, out, err = _run(capsys, monkeypatch, sample.database, *args)
    assert code == 1
    assert message in err
    assert out == ""


def test_a_missing_database_is_a_configuration_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Exporting never creates an empty database by mistake."""
    missing = tmp_path / "nowhere" / "bot.db"
    code, _, err = _run(capsys, monkeypatch, missing, "plnchat")
    assert code == 2
    assert f"database {missing} does not exist" in err
    assert not missing.exists()


def test_markdown_goes_to_standard_output_by_default(
    sample: Sample, capsysbinary: pytest.CaptureFixture[bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_PATH", str(sample.database))
    assert main(["recap", "plnchat"]) == 0
    assert capsysbinary.readouterr().out.decode("utf-8") == sample.rendered.markdown
