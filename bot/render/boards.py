"""A board in Discord: the embed ``/board show`` answers with (its newest cards)."""

from __future__ import annotations

from bot.core.boards import BoardItem, BoardView
from bot.render.common import count, question_label
from bot.render.discord_limits import Embed
from bot.render.discord_post import COLOR, fit

#: Cards listed in the embed (the board's page in the archive has them all).
SHOWN = 10
DESCRIPTION_BUDGET = 3800


def _href(url: str) -> str:
    return url.replace("(", "%28").replace(")", "%29").replace(" ", "%20")


def _item_line(number: int, item: BoardItem) -> str:
    card = item.card
    label = fit(card.label if card is not None else item.url.split("://", 1)[-1], 80)
    line = f"{number}. [{label}]({_href(item.url)})"
    if card is not None and card.provider:
        line += f" · {fit(card.provider, 30)}"
    where = []
    if item.places:
        first = item.places[-1]
        where.append(
            f"shared by {fit(first.shared_by, 30)} in {fit(first.chat_title, 40)} "
            f"({question_label(first.question)})"
        )
    if item.saves:
        saved = f"saved {count(item.saves, 'time')}"
        if item.saved_by:
            saved += f" (by {fit(', '.join(item.saved_by[:3]), 60)})"
        where.append(saved)
    if where:
        line += " — " + "; ".join(where)
    if card is not None and card.description:
        line += f"\n-# {fit(card.description, 100)}"
    return line


def render_board_embed(view: BoardView, page_url: str | None = None) -> Embed:
    """The board's newest cards as one embed (within Discord's limits), with a link to its
    archive page when the archive is published."""
    board = view.board
    lines: list[str] = []
    if board.description:
        lines.append(f"*{fit(board.description, 200)}*")
    if board.keywords:
        lines.append("-# Keywords: " + fit(", ".join(board.keywords), 200))
    if not view.items:
        lines.append("No cards yet: links shared in chats that match, and links saved here, "
                     "show up on this board.")  # fmt: skip
    used = sum(len(line) + 1 for line in lines)
    shown = 0
    for number, item in enumerate(view.items[:SHOWN], start=1):
        line = _item_line(number, item)
        if used + len(line) + 1 > DESCRIPTION_BUDGET:
            break
        lines.append(line)
        used += len(line) + 1
        shown += 1
    embed: Embed = {
        "title": fit(f"📌 {board.name}", 250),
        "description": "\n".join(lines),
        "color": COLOR,
        "footer": {"text": f"{count(view.count, 'card')}; showing the newest {shown}"},
    }
    if page_url:
        embed["url"] = page_url
    return embed
