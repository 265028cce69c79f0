"""Link cards come from Discord's own unfurl, live and from history: the MESSAGE_UPDATE that
adds a preview is stored as the answer's link card, never as an edit of the answer; a message
unfurled while the bot was down gets its card from the backfill. Hostile unfurl text is
stored cleaned and cut, and a thumbnail that is not http(s) is dropped."""

from __future__ import annotations

from typing import Any

from tests.e2e.botproc import BotProcess, World, start_chat, wait_post

WAIT = 30.0
FERNS = "https://ferns.example/care"
MOSS = "https://moss.example/guide"
LICHEN = "https://lichen.example/"


def cards(bot: BotProcess, message: dict[str, Any]) -> list[tuple[Any, ...]]:
    """The link cards stored for ``message``: (url, title, description, provider, thumbnail)."""
    return bot.query(
        "SELECT url, title, description, provider, thumbnail FROM link_cards"
        " WHERE message_id = ? ORDER BY url",
        (int(message["id"]),),
    )


def answer(bot: BotProcess, message: dict[str, Any]) -> list[tuple[Any, ...]]:
    """The stored answer rows of ``message``: (content, edited_at)."""
    return bot.query(
        "SELECT content, edited_at FROM answers WHERE message_id = ?", (int(message["id"]),)
    )


async def test_cards_are_stored_live_and_on_backfill_never_as_edits(
    world: World, bot: BotProcess
) -> None:
    standin, (ana, ben, cy) = world.standin, world.people
    standin.unfurl(FERNS, title="Fern care", description="Water weekly", provider="Ferns Weekly",
                   thumbnail="https://ferns.example/fern.png")  # fmt: skip
    standin.unfurl(MOSS, title="<img src=x onerror=alert(1)> Moss", description="m" * 5000,
                   provider="Moss", thumbnail="javascript:alert(1)")  # fmt: skip
    standin.unfurl(LICHEN, title="Lichen", description="A guide", provider="Lichens")
    await start_chat(world, bot, questions=3, interval="15s")
    await wait_post(world, "**Q1:**")

    live = await standin.say(world.channel, ana, f"A1: start with {FERNS} and {MOSS}")
    await standin.wait_for(lambda: len(cards(bot, live)) == 2, timeout=WAIT)
    ferns, moss = cards(bot, live)
    assert ferns == (FERNS, "Fern care", "Water weekly", "Ferns Weekly",
                     "https://ferns.example/fern.png")  # fmt: skip
    assert moss[1] == "<img src=x onerror=alert(1)> Moss"  # stored as text, escaped on output
    assert len(moss[2]) <= 4096
    assert moss[4] == ""  # not an http(s) thumbnail
    assert answer(bot, live) == [(f"start with {FERNS} and {MOSS}", None)]  # not an edit

    # Unfurled after it was stored, while the bot was down: the backfill stores the card.
    standin.unfurls.delay = 3.0
    late = await standin.say(world.channel, ben, f"A1: {LICHEN} helped me")
    await standin.wait_for(lambda: answer(bot, late), timeout=WAIT)
    assert await bot.stop() == 0
    await standin.wait_for(lambda: standin.message(late["id"])["embeds"], timeout=WAIT)
    # Posted and unfurled while the bot was down: stored with its card from history.
    standin.unfurls.delay = 0.2
    offline = await standin.say(world.channel, cy, f"A1: see {FERNS}")
    await standin.wait_for(lambda: standin.message(offline["id"])["embeds"], timeout=WAIT)
    await bot.start()
    await standin.wait_for(lambda: cards(bot, late) and cards(bot, offline), timeout=WAIT)
    assert cards(bot, late) == [(LICHEN.rstrip("/"), "Lichen", "A guide", "Lichens", "")]
    assert cards(bot, offline)[0][:2] == (FERNS, "Fern care")
    assert answer(bot, late) == [(f"{LICHEN} helped me", None)]
