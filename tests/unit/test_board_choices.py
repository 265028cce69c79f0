"""Save to board's select: My saves plus at most 24 boards, those the message matches first,
then the rest from A to Z; the boards left out are told apart (the reply then says to find
them with /board show's autocomplete)."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.core.boards import Board, save_choices

AT = datetime(2027, 1, 1, tzinfo=UTC)


def board(number: int, name: str, *keywords: str, chat_id: str | None = None) -> Board:
    return Board(number, name, "", tuple(keywords), False, chat_id, AT)


def test_matching_boards_first_then_the_rest_alphabetically_and_the_left_out_told() -> None:
    boards = [board(n, f"Topic {n:03d}", f"word{n}") for n in range(1, 101)]
    boards += [board(200, "#EdChat", chat_id="edchat"), board(201, "zebra crossings", "zebra")]
    text = "Interview tips for word77 and zebras https://a.example (zebra, Word42)"
    shown, left_out = save_choices(boards, text, 24)
    assert len(shown) == 24
    assert len(left_out) == len(boards) - 24
    assert [b.name for b in shown[:3]] == ["Topic 042", "Topic 077", "zebra crossings"]
    assert [b.name for b in shown[3:6]] == ["#EdChat", "Topic 001", "Topic 002"]
    assert {b.board_id for b in shown} | {b.board_id for b in left_out} == {
        b.board_id for b in boards
    }
    few, none_left = save_choices(boards[:5], "nothing matches", 24)
    assert [b.name for b in few] == [f"Topic {n:03d}" for n in range(1, 6)]
    assert none_left == []
