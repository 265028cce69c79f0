"""A representative part of the end-to-end suite with ``DATABASE_URL`` set: the real
``python -m bot run`` keeping its data in PostgreSQL (a real server, started by the session;
tests/support/postgres.py). The rest of the suite runs once, on SQLite: the storage contract
tests (tests/unit/storage) already run on both backends.

Each test here is the SQLite test of the same name, run again with this module's ``bot``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.e2e import test_bot_chat, test_bot_faults, test_bot_restart
from tests.e2e.botproc import BotProcess, World


@pytest.fixture
async def bot(world: World, tmp_path: Path, postgres_url: str) -> AsyncIterator[BotProcess]:
    """The bot process for ``world`` on a fresh PostgreSQL database (not started)."""
    process = BotProcess(world.standin, tmp_path)
    process.database_url = postgres_url
    yield process
    await process.stop()


async def test_full_chat_from_schedule_to_recap_on_postgresql(
    world: World, bot: BotProcess
) -> None:
    await test_bot_chat.test_full_chat_from_schedule_to_recap(world, bot)
    assert not bot.database.exists()  # nothing went to SQLite


async def test_kill_9_mid_chat_then_restart_loses_and_doubles_nothing_on_postgresql(
    world: World, bot: BotProcess
) -> None:
    await test_bot_restart.test_kill_9_mid_chat_then_restart_loses_and_doubles_nothing(world, bot)


async def test_429_and_500_on_question_posts_keep_order_and_post_once_on_postgresql(
    world: World, bot: BotProcess
) -> None:
    await test_bot_faults.test_429_and_500_on_question_posts_keep_order_and_post_once(world, bot)
