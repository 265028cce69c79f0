"""Boards: names unique (folded), at most MAX_BOARDS topic boards, boards.yaml synced exactly,
the chat series' boards kept, saves once per person and link, My saves never among a server's
saves; a board's cards, with savers named only through the consent filter."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from bot.core.boards import (
    MAX_BOARDS,
    MY_SAVES_ID,
    Board,
    BoardError,
    BoardExists,
    BoardSpec,
    Save,
    SharedLink,
    TooManyBoards,
    assemble_board,
    check_name,
    matches,
    parse_keywords,
    series_boards,
)
from bot.core.cards import card_from_unfurl
from bot.core.consent import Consent
from bot.core.writes import AttributeToQuestion
from bot.storage import SqliteStore
from tests.unit.storage import START, answer, new_occurrence


def test_keywords_that_match_everything_are_refused() -> None:
    assert parse_keywords("Interview, résumé ,, first  job") == ("interview", "resume", "first job")
    for bad in ("http", "a, b", "www.com", "*", "the"):
        with pytest.raises(BoardError):
            parse_keywords(bad)
    assert matches(("first job",), "Landing your FIRST job!")
    assert not matches(("job",), "jobs board")  # whole words
    for bad_name in ("", "   ", "#EdChat", "my  SAVES", "x" * 51):
        with pytest.raises(BoardError):
            check_name(bad_name)


async def test_board_names_are_unique_and_limited(store: SqliteStore) -> None:
    board = await store.create_board(BoardSpec("Career tips"), created_by=5, at=START)
    with pytest.raises(BoardExists, match="exists already"):
        await store.create_board(BoardSpec("career  TIPS"), created_by=6, at=START)
    for n in range(MAX_BOARDS - 1):
        await store.create_board(BoardSpec(f"Board {n}"), created_by=5, at=START)
    await store.sync_series_boards(series_boards([("edchat", "#EdChat", "Ed Chat")], START))
    with pytest.raises(TooManyBoards, match=f"{MAX_BOARDS} topic boards"):
        await store.create_board(BoardSpec("One more"), created_by=5, at=START)
    names = [b.name for b in await store.boards()]
    assert names[0] == "#EdChat"  # series boards first, not counted in the limit
    assert board.board_id in {b.board_id for b in await store.boards()}


async def test_the_file_boards_follow_the_file(store: SqliteStore) -> None:
    made = await store.create_board(BoardSpec("Tech"), created_by=5, at=START)
    await store.sync_file_boards(
        [BoardSpec("Tech", "From the file", ("edtech",)), BoardSpec("Jobs", "", ("career",))],
        START,
    )
    boards = {b.name: b for b in await store.boards()}
    assert boards["Tech"].board_id == made.board_id
    assert (boards["Tech"].from_file, boards["Tech"].keywords) == (True, ("edtech",))
    save = Save(boards["Jobs"].board_id, 7, "https://a.example", 1, 2, 3, START)
    assert await store.save_link(save)
    await store.sync_file_boards([BoardSpec("Tech")], START)
    assert [b.name for b in await store.boards()] == ["Tech"]
    assert await store.board_saves() == []


async def test_saves_once_and_my_saves_stay_private(store: SqliteStore) -> None:
    board = await store.create_board(BoardSpec("Jobs"), created_by=5, at=START)
    public = Save(board.board_id, 7, "https://a.example", 1, 2, 3, START)
    private = Save(MY_SAVES_ID, 7, "https://b.example", 1, 2, 3, START + timedelta(minutes=1))
    assert await store.save_link(public)
    assert not await store.save_link(public)
    assert await store.save_link(private)
    assert await store.saves_of(7) == [private, public]
    assert await store.board_saves() == [public]


def test_a_board_names_savers_only_with_consent() -> None:
    jobs = Board(4, "Jobs", "", ("interview",), False, None, START)
    link = SharedLink("https://i.example", None, "ana", "edchat", "Ed Chat", START, 1,
                      "my interview tips")  # fmt: skip
    other = SharedLink("https://o.example", None, "ben", "edchat", "Ed Chat", START, 1, "other")
    later = START + timedelta(minutes=5)
    saves = [Save(4, user, "https://o.example", 1, 2, 3, later) for user in (10, 11, 12)]
    consent = Consent(opted_out=frozenset({11}), forgotten={12: START + timedelta(days=1)})
    names = {10: "cy", 11: "zed", 12: "fay"}
    view = assemble_board(jobs, [link, other], saves, consent, names)
    assert [item.url for item in view.items] == ["https://o.example", "https://i.example"]
    saved = view.items[0]
    assert (saved.saves, saved.saved_by) == (3, ("cy",))  # counted, named only with consent


async def test_my_data_has_my_saves_and_forget_me_removes_them(store: SqliteStore) -> None:
    board = await store.create_board(BoardSpec("Jobs"), created_by=5, at=START)
    public = Save(board.board_id, 7, "https://a.example", 1, 2, 3, START, "ana")
    private = Save(MY_SAVES_ID, 7, "https://b.example", 1, 2, 3, START, "ana")
    await store.save_link(public)
    await store.save_link(private)
    assert (await store.personal_data(7)).saves == (private, public)
    await store.forget_user(7, START + timedelta(hours=1))
    # Their save to the board still counts, without their name; their own saves are gone.
    assert await store.board_saves() == [replace(public, user_name="")]
    assert (await store.personal_data(7)).saves == (replace(public, user_name=""),)


async def test_link_versions_change_with_every_write_a_reading_list_is_made_of(
    store: SqliteStore,
) -> None:
    first = (await new_occurrence(store)).occurrence_id
    second = (await new_occurrence(store, start=START + timedelta(days=7))).occurrence_id
    await store.upsert_answers([answer(first, 1, "see https://a.example/x"), answer(second, 2)])
    seen = [await store.link_versions()]
    assert set(seen[0]) == {0, first, second}
    steps = [
        store.upsert_answers([answer(first, 3, "more", minute=11)]),  # a new message
        store.upsert_answers([answer(first, 1, "see https://b.example", edited_minute=12)]),
        store.mark_deleted([3]),
        store.upsert_answers(
            [replace(answer(first, 4, "reply", question=None, minute=13), reply_to=1)]
        ),
        store.write_answers([AttributeToQuestion(first, 2, 1, None)]),  # a reply attributed
    ]
    for step in steps:
        await step
        now = await store.link_versions()
        assert now[first] != seen[-1][first]
        assert now[second] == seen[-1][second]  # the other recap is untouched
        seen.append(now)
    card = card_from_unfurl(
        "https://b.example", title="B", description="", provider="", thumbnail="",
        message_id=1, author_id=501, posted_at=START, seen_at=START + timedelta(minutes=20),
    )  # fmt: skip
    assert card is not None
    await store.save_cards([card])
    now = await store.link_versions()
    assert now[0] != seen[-1][0]
    assert (now[first], now[second]) == (seen[-1][first], seen[-1][second])
