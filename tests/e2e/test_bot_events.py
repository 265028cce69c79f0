"""Server events follow the schedule: a chat moved to another time, or removed, has its
Discord scheduled event cancelled (and a moved one gets an event at its new time), whether
the change is reloaded live or found at the next start."""

from __future__ import annotations

from tests.e2e.botproc import BotProcess, World, chat_yaml, host
from tests.e2e.standin.model import ScheduledEvent

SCHEDULED, CANCELLED = 1, 4


def events(world: World) -> list[tuple[str, int]]:
    """(start time, status) of every event of the guild, in creation order."""
    found: list[ScheduledEvent] = world.standin.scheduled_events(world.guild)
    return [(event.scheduled_start_time[:16], event.status) for event in found]


async def test_moved_and_removed_chats_cancel_their_server_events(
    world: World, bot: BotProcess
) -> None:
    standin, chat = world.standin, bot.chats / "e2echat.yaml"
    chat.write_text(chat_yaml(world.channel))  # 2030-01-01 18:00 UTC
    await bot.start()
    await standin.wait_for(lambda: events(world) == [("2030-01-01T18:00", SCHEDULED)], 20)

    # Moved while running: /host reload drops the occurrence and plans the new time.
    chat.write_text(chat_yaml(world.channel).replace("2030-01-01 18:00", "2030-01-02 19:30"))
    reload = await host(world, world.mod, "reload")
    assert "✅" in reload.content, reload.content
    moved = [("2030-01-01T18:00", CANCELLED), ("2030-01-02T19:30", SCHEDULED)]
    # The bot records an event's id just after Discord answered, so wait for both.
    links = "SELECT 1 FROM scheduled_events"
    await standin.wait_for(lambda: events(world) == moved and len(bot.query(links)) == 1, 20)

    # Removed while the bot was stopped: found at the next start, its event cancelled.
    assert await bot.stop() == 0
    chat.unlink()
    await bot.start()
    removed = [("2030-01-01T18:00", CANCELLED), ("2030-01-02T19:30", CANCELLED)]
    await standin.wait_for(lambda: events(world) == removed and bot.query(links) == [], 20)
    assert bot.query("SELECT 1 FROM occurrences") == []
    assert "Traceback" not in bot.log.read_text()
