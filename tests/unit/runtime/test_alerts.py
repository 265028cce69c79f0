"""Keyword alerts through the runtime: a real SQLite store, a virtual clock and a memory DM
port. Each test follows what a member would notice: which DMs arrive, with what."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.core.alerts import AlertRefused
from bot.core.alerts.records import BlockKind
from bot.runtime.alert_delivery import AlertDeliveries
from bot.runtime.alerts import Alerts, AlertWatcher
from bot.runtime.clock import VirtualClock
from bot.runtime.routing import IncomingMessage
from bot.storage import SqliteStore
from tests.support.direct import CrashAfterSend, MemoryDirect

GUILD, GENERAL, HIDDEN = 1, 10, 20
MEMBER, MOD, AUTHOR, OTHER = 100, 200, 300, 400


class Scene:
    def __init__(self, store: SqliteStore, clock: VirtualClock) -> None:
        self.store, self.clock = store, clock
        self.direct = MemoryDirect(now=clock.now, hidden={(MEMBER, HIDDEN)})
        self.watcher = AlertWatcher(store, clock)
        self.alerts = Alerts(store, self.watcher, clock)
        self.deliveries = AlertDeliveries(store, self.direct, clock)
        self.deliveries.pace = 0
        self.alerts.on_settings.append(self.deliveries.settings_changed)
        self._ids = 5000

    def post(
        self,
        text: str,
        *,
        channel: int = GENERAL,
        author: int = AUTHOR,
        message_id: int | None = None,
        edited: bool = False,
        name: str = "Avery",
    ) -> int:
        if message_id is None:
            self._ids += 1
            message_id = self._ids
        self.watcher.observe(
            GUILD,
            IncomingMessage(
                message_id=message_id,
                channel_id=channel,
                author_id=author,
                author_name=name,
                content=text,
                created_at=self.clock.now(),
                edited_at=self.clock.now() if edited else None,
            ),
        )
        return message_id

    async def deliver(self) -> int:
        await self.watcher.flush()
        await self.deliveries.schedule()
        return await self.deliveries.deliver_due()


@pytest.fixture
async def scene(store: SqliteStore, clock: VirtualClock) -> Scene:
    made = Scene(store, clock)
    await made.watcher.load()
    return made


async def test_a_matching_post_arrives_by_dm_with_a_jump_link(scene: Scene) -> None:
    await scene.alerts.follow(GUILD, MEMBER, "#job Phoenix")
    message = scene.post("Hiring a designer in PHOENIX, #job posted today")
    scene.post("A job in Tucson")
    assert await scene.deliver() == 1
    [dm] = scene.direct.to(MEMBER)
    assert f"https://discord.com/channels/{GUILD}/{GENERAL}/{message}" in dm
    assert "**PHOENIX**" in dm
    assert "**job**" in dm
    assert "Avery" in dm
    assert "Tucson" not in dm
    assert await scene.deliver() == 0  # nothing twice


async def test_hidden_channel_never_arrives_but_a_moderator_gets_it(scene: Scene) -> None:
    await scene.alerts.follow(GUILD, MEMBER, "#job Phoenix")
    await scene.alerts.follow(GUILD, MOD, "#job Phoenix")
    scene.post("secret #job in Phoenix", channel=HIDDEN)
    assert await scene.deliver() == 1
    assert scene.direct.to(MEMBER) == []
    assert "secret" in scene.direct.to(MOD)[0]
    scene.clock.advance(timedelta(minutes=2))
    scene.post("open #job in Phoenix")
    assert await scene.deliver() == 2
    [dm] = scene.direct.to(MEMBER)
    assert "secret" not in dm
    assert "(1)" in dm  # the hidden one is not counted


async def test_author_recent_posters_blocks_pause_and_excluded_channels(scene: Scene) -> None:
    await scene.alerts.follow(GUILD, MEMBER, "phoenix")
    await scene.alerts.follow(GUILD, OTHER, "phoenix")
    await scene.alerts.follow(GUILD, AUTHOR, "phoenix")
    scene.post("I am here too", author=OTHER)  # OTHER is in the channel now
    scene.post("phoenix news")
    await scene.deliver()
    assert len(scene.direct.to(MEMBER)) == 1
    assert scene.direct.to(OTHER) == []
    assert scene.direct.to(AUTHOR) == []  # never their own message
    scene.clock.advance(timedelta(minutes=10))
    await scene.alerts.block(MEMBER, BlockKind.MEMBER, AUTHOR, True)
    await scene.alerts.set_paused(OTHER, True)
    scene.post("phoenix again")
    await scene.deliver()
    assert len(scene.direct.to(MEMBER)) == 1
    assert scene.direct.to(OTHER) == []
    await scene.alerts.block(MEMBER, BlockKind.MEMBER, AUTHOR, False)
    await scene.alerts.set_paused(OTHER, False)
    assert await scene.alerts.exclude(GUILD, GENERAL, MOD, True)
    assert await scene.alerts.excluded(GUILD) == [GENERAL]
    scene.clock.advance(timedelta(minutes=10))
    scene.post("phoenix in an excluded channel")
    await scene.deliver()
    assert len(scene.direct.to(MEMBER)) == 1
    assert scene.direct.to(OTHER) == []


async def test_deleted_and_edited_messages_are_withdrawn(scene: Scene) -> None:
    await scene.alerts.follow(GUILD, MEMBER, "phoenix")
    await scene.alerts.set_digest(MEMBER, "daily", "08:00", "UTC")
    gone = scene.post("phoenix one")
    changed = scene.post("phoenix two")
    kept = scene.post("phoenix three")
    scene.watcher.withdraw([gone])
    scene.post("tucson two", message_id=changed, edited=True)
    scene.post("phoenix three, edited", message_id=kept, edited=True)
    await scene.deliver()
    assert scene.direct.to(MEMBER) == []  # the digest is at 08:00
    scene.clock.set(datetime(2027, 1, 1, 8, 0, tzinfo=UTC))
    await scene.deliver()
    [dm] = scene.direct.to(MEMBER)
    assert "three, edited" in dm
    assert "one" not in dm
    assert "two" not in dm


async def test_closed_dms_keep_the_alert_and_say_why(scene: Scene) -> None:
    await scene.alerts.follow(GUILD, MEMBER, "phoenix")
    scene.direct.closed.add(MEMBER)
    scene.post("phoenix lead")
    assert await scene.deliver() == 0
    status = await scene.alerts.status(MEMBER, GUILD)
    assert status.person.refused_at == scene.clock.now()
    assert len(status.alerts) == 1
    scene.direct.closed.discard(MEMBER)
    scene.clock.advance(timedelta(minutes=30))
    assert await scene.deliver() == 0  # an instant member is tried again after an hour
    scene.clock.advance(timedelta(minutes=31))
    assert await scene.deliver() == 1
    assert "lead" in scene.direct.to(MEMBER)[0]
    assert (await scene.alerts.status(MEMBER, GUILD)).person.refused_at is None


async def test_resume_after_reopening_dms_delivers_at_once(scene: Scene) -> None:
    await scene.alerts.follow(GUILD, MEMBER, "phoenix")
    scene.direct.closed.add(MEMBER)
    scene.post("phoenix lead")
    assert await scene.deliver() == 0
    scene.direct.closed.discard(MEMBER)
    scene.clock.advance(timedelta(minutes=2))
    await scene.alerts.set_paused(MEMBER, False)  # /alerts resume
    assert await scene.deliver() == 1


async def test_a_crash_after_the_send_never_sends_twice(
    scene: Scene, store: SqliteStore, clock: VirtualClock
) -> None:
    await scene.alerts.follow(GUILD, MEMBER, "phoenix")
    scene.post("phoenix lead")
    await scene.watcher.flush()
    await scene.deliveries.schedule()
    scene.direct.crash_after_send = True
    with pytest.raises(CrashAfterSend):
        await scene.deliveries.deliver_due()
    # A new process: same store and DMs.
    again = AlertDeliveries(store, scene.direct, clock)
    assert await again.deliver_due() == 0
    assert len(scene.direct.to(MEMBER)) == 1
    assert await again.deliver_due() == 0
    assert len(scene.direct.to(MEMBER)) == 1


async def test_instant_deliveries_are_batched_once_a_minute(scene: Scene) -> None:
    await scene.alerts.follow(GUILD, MEMBER, "phoenix")
    scene.post("phoenix 1")
    assert await scene.deliver() == 1
    scene.clock.advance(timedelta(seconds=10))
    scene.post("phoenix 2")
    scene.clock.advance(timedelta(seconds=10))
    scene.post("phoenix 3")
    assert await scene.deliver() == 0
    scene.clock.advance(timedelta(seconds=40))
    assert await scene.deliver() == 1
    second = scene.direct.to(MEMBER)[1]
    assert "(2)" in second
    assert "** 2" in second
    assert "** 3" in second


async def test_daily_digest_at_0800_local_across_dst(store: SqliteStore) -> None:
    clock = VirtualClock(datetime(2026, 3, 6, 20, 0, tzinfo=UTC))
    scene = Scene(store, clock)
    await scene.watcher.load()
    await scene.alerts.follow(GUILD, MEMBER, "phoenix")
    await scene.alerts.set_digest(MEMBER, "daily", "08:00", "America/New_York")
    scene.post("phoenix friday")
    await scene.deliver()
    clock.set(datetime(2026, 3, 7, 12, 59, tzinfo=UTC))
    assert await scene.deliver() == 0
    clock.set(datetime(2026, 3, 7, 13, 0, tzinfo=UTC))  # 08:00 EST
    assert await scene.deliver() == 1
    clock.set(datetime(2026, 3, 7, 20, 0, tzinfo=UTC))
    scene.post("phoenix saturday")
    await scene.deliver()
    clock.set(datetime(2026, 3, 8, 11, 59, tzinfo=UTC))
    assert await scene.deliver() == 0
    clock.set(datetime(2026, 3, 8, 12, 0, tzinfo=UTC))  # 08:00 EDT: one hour earlier in UTC
    assert await scene.deliver() == 1
    assert "saturday" in scene.direct.to(MEMBER)[1]


async def test_opted_out_authors_are_unnamed_and_forgotten_never_shown(
    scene: Scene, store: SqliteStore
) -> None:
    await scene.alerts.follow(GUILD, MEMBER, "phoenix")
    await store.set_opt_out(AUTHOR, "Avery", True, scene.clock.now())
    scene.post("phoenix secret words", author=AUTHOR, name="Avery")
    await scene.deliver()
    [dm] = scene.direct.to(MEMBER)
    assert "someone who prefers not to be named" in dm
    assert "secret words" not in dm
    assert "Avery" not in dm
    scene.clock.advance(timedelta(minutes=2))
    scene.post("phoenix forgotten words", author=OTHER, name="Fay")
    await scene.watcher.flush()
    await store.forget_user(OTHER, scene.clock.now())
    await scene.deliver()
    assert len(scene.direct.to(MEMBER)) == 1
    assert not any("forgotten" in dm for dm in scene.direct.to(MEMBER))


async def test_commands_validate(scene: Scene) -> None:
    with pytest.raises(AlertRefused, match="empty"):
        await scene.alerts.follow(GUILD, MEMBER, "  ")
    await scene.alerts.follow(GUILD, MEMBER, "#job Phoenix")
    with pytest.raises(AlertRefused, match="already follow"):
        await scene.alerts.follow(GUILD, MEMBER, "phoenix JOB")
    for n in range(24):
        await scene.alerts.follow(GUILD, MEMBER, f"word{n}")
    with pytest.raises(AlertRefused, match="already follow 25 alerts"):
        await scene.alerts.follow(GUILD, MEMBER, "one more")
    with pytest.raises(AlertRefused, match="no such alert"):
        await scene.alerts.unfollow(OTHER, 1)
    with pytest.raises(AlertRefused, match="not a time zone"):
        await scene.alerts.set_digest(MEMBER, "daily", "08:00", "Nowhere/Land")
    hits = await scene.alerts.test(GUILD, MEMBER, "New #job in phoenix and word3")
    assert sorted(a.keywords.shown for a in hits) == ["#job Phoenix", "word3"]
