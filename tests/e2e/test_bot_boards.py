"""Boards against the stand-in with the real bot: boards.yaml and /board create define topic
boards (moderators only, names unique), Save to board (the message menu) saves a message's
link to a board or to My saves through a select, /board mine lists your saves, and /board
show a board's cards."""

from __future__ import annotations

from typing import Any

from tests.e2e.botproc import BotProcess, World, start_chat, wait_post
from tests.e2e.standin import Answer

WAIT = 30.0
FERNS = "https://ferns.example/care"
BOARDS_YAML = """\
boards:
  - name: Career tips
    description: Interviews and first jobs
    keywords: [interview]
"""


async def board(world: World, user: Any, sub: str, **options: Any) -> Answer:
    ix = await world.standin.invoke(user, world.guild, world.channel, "board", sub, options)
    return await ix.wait_response(40.0)


def options_of(answer: Answer) -> dict[str, str]:
    """The select's options of an answer, label -> value."""
    assert answer.message is not None
    [row] = answer.message["components"]
    [select] = row["components"]
    return {option["label"]: option["value"] for option in select["options"]}


async def test_save_to_board_and_board_mine(world: World, bot: BotProcess) -> None:
    standin, (ana, ben, _) = world.standin, world.people
    standin.unfurl(FERNS, title="Fern care basics", description="Water weekly",
                   provider="Ferns Weekly")  # fmt: skip
    (bot.chats / "boards.yaml").write_text(BOARDS_YAML)
    await start_chat(world, bot, questions=3, interval="15s")
    await wait_post(world, "**Q1:**")

    created = await board(world, world.mod, "create", name="Fern care", keywords="fern, frond")
    assert "Board **Fern care** created" in created.content
    refused = await board(world, ana, "create", name="Ana's board")
    assert "only moderators" in refused.content
    taken = await board(world, world.mod, "create", name="fern  CARE")
    assert "exists already" in taken.content
    everything = await board(world, world.mod, "create", name="All", keywords="http, www")
    assert "would match nearly every link" in everything.content

    shared = await standin.say(world.channel, ben, f"A1: great read {FERNS}")
    plain = await standin.say(world.channel, ben, "A1: no link here")
    await standin.wait_for(
        lambda: bot.query("SELECT 1 FROM link_cards WHERE message_id = ?", (int(shared["id"]),)),
        timeout=WAIT,
    )

    nothing = await (await standin.message_menu(plain["id"], ana, "Save to board")).wait_response(
        WAIT
    )
    assert nothing.ephemeral
    assert "no link to save" in nothing.content

    asked = await (await standin.message_menu(shared["id"], ana, "Save to board")).wait_response(
        WAIT
    )
    assert asked.ephemeral
    offered = options_of(asked)
    assert next(iter(offered)) == "My saves"
    assert {"#E2EChat", "Career tips", "Fern care"} <= set(offered)
    assert asked.message is not None
    chosen = await standin.click(asked.message["id"], ana, "board-save", [offered["Fern care"]])
    saved = await chosen.wait_response(WAIT)
    assert saved.kind == "update"
    assert "Saved 1 link to **Fern care**" in standin.message(asked.message["id"])["content"]

    again = await (await standin.message_menu(shared["id"], ana, "Save to board")).wait_response(
        WAIT
    )
    assert again.message is not None
    mine_pick = await standin.click(again.message["id"], ana, "board-save", [offered["My saves"]])
    await mine_pick.wait_response(WAIT)

    mine = await board(world, ana, "mine")
    assert mine.ephemeral
    assert "page 1 of 1, 2 in all" in mine.content
    assert "Fern care basics" in mine.content  # the link's card
    assert "My saves" in mine.content
    assert "Fern care ·" in mine.content or "· Fern care" in mine.content
    assert "You have no saves yet" in (await board(world, ben, "mine")).content

    shown = await board(world, ben, "show", name="fern care")
    [embed] = shown.embeds
    assert embed["title"] == "📌 Fern care"
    assert "Fern care basics" in embed["description"]
    assert "saved 1 time (by ana)" in embed["description"]  # My saves are never shown
    unknown = await board(world, ben, "show", name="Nope")
    assert "No board is called" in unknown.content
