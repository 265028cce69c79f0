"""The board service: boards.yaml and /board create define boards, saves go to a board or to
My saves, and on_board_changed is told about every change that shows in the archive (never
about personal saves); a boards.yaml with errors changes nothing."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from bot.core.boards import MY_SAVES_ID, BoardExists
from bot.runtime.boards import BoardService, links_in
from bot.runtime.clock import VirtualClock
from bot.storage import SqliteStore


async def test_changes_that_show_are_announced(
    store: SqliteStore, clock: VirtualClock, tmp_path: Path
) -> None:
    service = BoardService(store, clock)
    told: list[list[str]] = []
    service.on_board_changed.append(lambda names: told.append(list(names)))

    def failing(_names: Sequence[str]) -> None:
        raise RuntimeError("a failing listener is logged; the others still run")

    service.on_board_changed.insert(0, failing)

    (tmp_path / "boards.yaml").write_text("boards:\n  - name: Jobs\n    keywords: interview\n")
    loaded = await service.load_file(tmp_path)
    assert loaded.problems == []
    assert told == [["Jobs"]]

    board = await service.create("Classroom tech", "edtech, chromebook", created_by=5)
    assert told[-1] == ["Classroom tech"]
    with pytest.raises(BoardExists):
        await service.create("classroom TECH", "", created_by=5)

    links = links_in("see https://A.example/x?utm_source=t and https://a.example/x#top, ok")
    assert links == ["https://a.example/x"]
    where: dict[str, Any] = {"message_id": 1, "channel_id": 2, "guild_id": 3}
    assert await service.save(7, MY_SAVES_ID, links, **where) == ("My saves", 1)
    assert len(told) == 2  # personal saves are never published: nothing to announce
    assert await service.save(7, board.board_id, links, **where) == ("Classroom tech", 1)
    assert told[-1] == ["Classroom tech"]
    assert await service.save(7, board.board_id, links, **where) == ("Classroom tech", 0)
    assert len(told) == 3  # saved already: nothing changed

    mine = await service.mine(7)
    assert (mine.total, mine.pages) == (2, 1)
    assert {s.board for s in mine.saves} == {"My saves", "Classroom tech"}

    (tmp_path / "boards.yaml").write_text("boards:\n  - name: Jobs\n    keywords: http\n")
    broken = await service.load_file(tmp_path)
    assert broken.has_errors
    assert "boards.yaml:3:" in str(broken.problems[0])
    assert {b.name for b in await service.boards()} == {"Jobs", "Classroom tech"}
    assert len(told) == 3
