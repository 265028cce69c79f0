"""Keyword alerts against the stand-in, with the real bot process: follow, DMs with jump
links, a hidden channel, closed then reopened DMs, an instant batch across kill -9, and
every validation error of /alerts."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.botproc import BotProcess, World
from tests.e2e.standin import Answer, Channel, Perm, User

WAIT = 40.0


@pytest.fixture(autouse=True)
def short_batch(monkeypatch: pytest.MonkeyPatch) -> None:
    """Instant alerts batched over 3 s instead of a minute, so tests do not wait long."""
    monkeypatch.setenv("ALERTS_BATCH_SECONDS", "3")


async def alerts(world: World, user: User, sub: str, **options: Any) -> Answer:
    """``user`` runs ``/alerts sub``; returns the bot's (ephemeral) answer."""
    interaction = await world.standin.invoke(
        user, world.guild, world.channel, "alerts", sub, options=options
    )
    answer = await interaction.wait_response(WAIT)
    assert answer.ephemeral, answer
    return answer


def dms(world: World, user: User) -> list[dict[str, Any]]:
    return world.standin.dms.received(user)


def hidden_channel(world: World) -> Channel:
    """A channel only moderators (and the bot) can view."""
    standin = world.standin
    channel = standin.add_text_channel(world.guild, "hiring-mods")
    everyone = standin.world.guilds[world.guild.id].roles[world.guild.id]
    standin.set_overwrite(channel, everyone, deny=Perm.VIEW_CHANNEL)
    standin.allow(channel, Perm.VIEW_CHANNEL, world.moderators)
    standin.allow(channel, Perm.VIEW_CHANNEL)  # the bot's role
    return channel


async def test_follow_deliver_with_jump_link_and_never_from_a_hidden_channel(
    world: World, bot: BotProcess
) -> None:
    standin, (ana, ben, _cy) = world.standin, world.people
    hidden = hidden_channel(world)
    await bot.start()
    followed = await alerts(world, ana, "follow", keywords="#job Phoenix")
    assert "Following `#job Phoenix` (1 of 25)" in followed.content
    await alerts(world, world.mod, "follow", keywords="#job Phoenix")

    post = await standin.say(world.channel, ben, "New #job in PHOENIX: senior designer @everyone")
    await standin.wait_for(lambda: dms(world, ana), timeout=WAIT)
    [dm] = dms(world, ana)
    link = f"https://discord.com/channels/{world.guild.id}/{world.channel.id}/{post['id']}"
    assert link in dm["content"]
    assert "**PHOENIX**" in dm["content"]
    assert "**job**" in dm["content"]
    assert dm["allowed_mentions"] == {"parse": []}
    assert "@everyone" not in dm["content"].replace("@\u200beveryone", "")

    secret = await standin.say(hidden, ben, "Confidential #job in Phoenix, mods only")
    await standin.wait_for(
        lambda: any(secret["id"] in m["content"] for m in dms(world, world.mod)), timeout=WAIT
    )
    # The moderator got it; ana, who cannot view the channel, never does, nor a count of it.
    await standin.say(world.channel, ben, "Another #job in Phoenix, for everyone")
    await standin.wait_for(lambda: len(dms(world, ana)) == 2, timeout=WAIT)
    for message in dms(world, ana):
        assert "Confidential" not in message["content"]
        assert secret["id"] not in message["content"]
        assert str(hidden.id) not in message["content"]
    assert "(1)" in dms(world, ana)[1]["content"]
    assert bot.query(
        "SELECT state FROM alert_matches WHERE message_id = ? AND user_id = ?",
        (int(secret["id"]), ana.id),
    ) == [("unseen",)]

    listing = await alerts(world, ana, "list")
    assert "`#job Phoenix`" in listing.content
    tested = await alerts(world, ana, "test", text="a #job near phoenix")
    assert "triggers: `#job Phoenix`" in tested.content


async def test_closed_dms_are_kept_then_reopened(world: World, bot: BotProcess) -> None:
    standin, (ana, ben, _cy) = world.standin, world.people
    await bot.start()
    await alerts(world, ana, "follow", keywords="phoenix")
    standin.dms.close(ana)
    await standin.say(world.channel, ben, "phoenix lead while DMs are closed")
    await standin.wait_for(
        lambda: (
            bot.query("SELECT refused_at FROM alert_people WHERE user_id = ?", (ana.id,))
            != [(None,)]
        ),
        timeout=WAIT,
    )
    assert dms(world, ana) == []
    listing = await alerts(world, ana, "list")
    assert "Nothing arrived" in listing.content
    assert "`phoenix`" in listing.content  # the alert is kept
    standin.dms.reopen(ana)
    resumed = await alerts(world, ana, "resume")
    assert "resumed" in resumed.content
    await standin.wait_for(lambda: dms(world, ana), timeout=WAIT)
    assert "DMs are closed" in dms(world, ana)[0]["content"]
    # Recorded just after Discord accepted the DM: then /alerts list no longer warns.
    await standin.wait_for(
        lambda: (
            bot.query("SELECT refused_at FROM alert_people WHERE user_id = ?", (ana.id,))
            == [(None,)]
        ),
        timeout=WAIT,
    )
    assert "Nothing arrived" not in (await alerts(world, ana, "list")).content


async def test_an_instant_batch_across_kill_9_arrives_once(world: World, bot: BotProcess) -> None:
    standin, (ana, ben, _cy) = world.standin, world.people
    await bot.start()
    await alerts(world, ana, "follow", keywords="phoenix")
    await standin.say(world.channel, ben, "phoenix one")
    await standin.wait_for(lambda: len(dms(world, ana)) == 1, timeout=WAIT)
    # Within the batch window: stored, not yet sent.
    await standin.say(world.channel, ben, "phoenix two")
    await standin.say(world.channel, ben, "phoenix three")
    await standin.wait_for(
        lambda: len(bot.query("SELECT 1 FROM alert_matches WHERE state = 'pending'")) == 2,
        timeout=WAIT,
    )
    await bot.kill()
    await standin.say(world.channel, ben, "phoenix four, while the bot is down")
    await bot.start()

    def everything() -> str:
        return "\n".join(m["content"] for m in dms(world, ana))

    # two and three were due already; four comes from the backfill (with them or in the
    # next batch): each once.
    await standin.wait_for(lambda: "** four" in everything(), timeout=WAIT)
    for word in ("one", "two", "three", "four"):
        assert everything().count(f"** {word}") == 1, everything()
    sent = len(dms(world, ana))
    await standin.say(world.channel, ben, "phoenix five")
    await standin.wait_for(lambda: len(dms(world, ana)) == sent + 1, timeout=WAIT)
    for word in ("one", "two", "three", "four", "five"):
        assert everything().count(f"** {word}") == 1, everything()


async def test_every_validation_error_is_an_ephemeral_reason(world: World, bot: BotProcess) -> None:
    ana = world.people[0]
    await bot.start()
    refusals = {
        "   ": "empty",
        "x" * 101: "keep them to 100",
        "a b c d e f g h i": "at most 8",
        '""': "quoted phrase is empty",
        '"a b c d e f g"': "keep a phrase to 6",
        "#job !!!": "no letter or digit",
    }
    for keywords, reason in refusals.items():
        answer = await alerts(world, ana, "follow", keywords=keywords)
        assert reason in answer.content, (keywords, answer.content)
    for number in range(25):
        await alerts(world, ana, "follow", keywords=f"word{number}")
    assert (
        "already follow 25 alerts"
        in (await alerts(world, ana, "follow", keywords="one more")).content
    )
    assert (
        "already follow `WORD3`" in (await alerts(world, ana, "follow", keywords="WORD3")).content
    )
    assert "no such alert" in (await alerts(world, ana, "unfollow", alert="999999")).content
    assert "Pick the alert" in (await alerts(world, ana, "unfollow", alert="word3")).content
    bad_time = await alerts(world, ana, "digest", mode="daily", time="8am")
    assert "not a time of day" in bad_time.content
    bad_zone = await alerts(world, ana, "digest", mode="daily", timezone="Mars/Olympus")
    assert "not a time zone" in bad_zone.content
    assert "Give one of" in (await alerts(world, ana, "block")).content
    not_mod = await alerts(world, ana, "channels", exclude=world.channel)
    assert "only moderators" in not_mod.content
    excluded = await alerts(world, world.mod, "channels", exclude=world.channel)
    assert f"Excluded <#{world.channel.id}>" in excluded.content
    good = await alerts(world, ana, "digest", mode="daily", time="08:00", timezone="Europe/Paris")
    assert "daily: every day at 08:00 (Europe/Paris)" in good.content
