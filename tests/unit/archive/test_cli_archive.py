"""``python -m bot archive --out DIR``: the static site of every past recap, from the database."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.storage import open_store
from tests.unit.archive.conftest import Built
from tests.unit.archive.sample import EDCHAT_PAGE, PLNCHAT_PAGE


def test_the_command_writes_the_site_from_the_database(
    built: Built,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The same site as the module's archive, byte for byte, in a folder it creates."""
    out = tmp_path / "new" / "site"
    monkeypatch.setenv("DATABASE_PATH", str(built.database))
    assert main(["archive", "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert f"Archive of 2 recaps ({built.report.messages} messages, 12 resources) written" in err
    assert f"open {out / 'index.html'}" in err
    for name in ("index.html", PLNCHAT_PAGE, EDCHAT_PAGE, "search-index.js", "resources.html"):
        assert (out / name).read_bytes() == (built.out / name).read_bytes(), name


def test_an_empty_database_gives_an_index_that_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    database = tmp_path / "bot.db"

    async def create() -> None:
        store = await open_store(database)
        await store.close()

    asyncio.run(create())
    monkeypatch.setenv("DATABASE_PATH", str(database))
    assert main(["archive", "--out", str(tmp_path / "site")]) == 0
    assert "Archive of 0 recaps" in capsys.readouterr().err
    index = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert "No chat has been recapped yet." in index
    assert "window.QACHAT_SEARCH = " in (tmp_path / "site" / "search-index.js").read_text(
        encoding="utf-8"
    )


def test_a_missing_database_is_a_configuration_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The archive never creates an empty database by mistake."""
    missing = tmp_path / "nowhere" / "bot.db"
    monkeypatch.setenv("DATABASE_PATH", str(missing))
    assert main(["archive", "--out", str(tmp_path / "site")]) == 2
    assert f"database {missing} does not exist" in capsys.readouterr().err
    assert not missing.exists()
    assert not (tmp_path / "site").exists()


def test_an_out_path_that_is_a_file_is_an_error(
    built: Built,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    taken = tmp_path / "site"
    taken.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv("DATABASE_PATH", str(built.database))
    assert main(["archive", "--out", str(taken)]) == 1
    assert capsys.readouterr().err.startswith("error: ")


def test_out_is_required(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["archive"])
    assert exit_info.value.code == 2
    assert "--out" in capsys.readouterr().err
