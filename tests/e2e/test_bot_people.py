"""The people to learn from through the real bot process, real discord.py and the loopback
stand-in: a chat whose recap names its voices to follow; ``/chat profile`` on (a hostile link
refused first), ``/chat people`` and ``/host stats``; the archive rebuilt with
``python -m bot archive`` and opened in headless Chromium: the profile page exists, then, after
``/chat profile visibility:off`` and another build, it is gone."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.browser.chromium import open_page
from tests.e2e.botproc import BotProcess, World, command, host, start_chat, wait_post

WAIT = 40.0
HOSTILE_BIO = "<script>alert(1)</script> Biology teacher @everyone"


def embeds(world: World) -> list[dict[str, Any]]:
    """Every embed the bot posted in the chat channel."""
    return [
        embed
        for message in world.standin.messages(world.channel, include_deleted=False)
        for embed in message.get("embeds") or []
    ]


async def test_profile_on_then_off_through_the_bot_and_the_archive_in_chromium(
    world: World, bot: BotProcess, tmp_path: Path, chromium: str
) -> None:
    standin, (ana, ben, cy) = world.standin, world.people
    await start_chat(world, bot, questions=1, interval="4s", last_call="1s", late="2s")
    await wait_post(world, "**Q1:**", within=WAIT)
    answer = await standin.say(world.channel, ana, "A1: podcasts with my mentor, every week")
    await standin.say(world.channel, ben, "A1: a newsletter")
    await standin.say(world.channel, ben, "great idea, which podcast?", reply_to=int(answer["id"]))
    await standin.react(int(answer["id"]), cy, "👍")
    await standin.react(int(answer["id"]), ana, "👍")  # her own: never counts
    await wait_post(world, "📋", within=WAIT)
    voices = next(e for e in embeds(world) if e.get("title") == "🌟 Voices to follow")
    assert voices["description"].startswith("1. **ana** — 1 person reacted, 1 replied · Q1")

    refused = await command(world, ana, "profile", visibility="public", link="javascript:alert(1)")
    assert refused.ephemeral
    assert refused.content == (
        "⚠️ a link must start with https:// or http:// (javascript: links are not allowed)."
    )
    assert bot.query("SELECT COUNT(*) FROM profiles") == [(0,)]
    on = await command(
        world, ana, "profile", visibility="public", bio=HOSTILE_BIO, link="https://example.org/ana"
    )
    assert on.ephemeral
    assert "✅ Your profile is public: the archive shows it as `people/ana.html`" in on.content
    assert "Bio: \\<script\\>alert(1)\\</script\\> Biology teacher @\u200beveryone" in on.content

    found = await command(world, cy, "people", topic="Podcast")
    assert found.ephemeral
    link = f"https://discord.com/channels/{world.guild.id}/{world.channel.id}/{answer['id']}"
    assert "1. **ana** — 1 person reacted, 1 replied · best answer: [End to end chat, " in (
        found.content
    )
    assert link in found.content

    stats = await host(world, world.mod, "stats", chat="e2echat")
    assert stats.ephemeral
    assert "**End to end chat #E2EChat: the community over time** · 1 occurrence, 2 people" in (
        stats.content
    )
    assert stats.message is not None
    assert [a["filename"] for a in stats.message["attachments"]] == ["e2echat-community.png"]

    site = tmp_path / "site"
    await bot.build_archive(site)
    profile = site / "people" / "ana.html"
    opened = open_page(chromium, tmp_path / "profile", profile)
    assert opened.policy_violations == []
    assert '<h1><span dir="auto">ana</span></h1>' in opened.dom
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Biology teacher" in opened.dom
    assert "<script" not in opened.dom
    assert 'href="https://example.org/ana"' in opened.dom
    assert "podcasts with my mentor, every week" in opened.dom
    assert "1 person reacted, 1 replied" in opened.dom
    (recap_page,) = list(site.glob("e2echat-*.html"))
    recap = open_page(chromium, tmp_path / "profile", recap_page).dom
    assert '<a class="who" href="people/ana.html" dir="auto">ana</a> — 1 person reacted' in recap
    # A search result names her with a link to her profile (search.js builds it as a link).
    search = open_page(chromium, tmp_path / "profile", site / "search.html", q="mentor").dom
    assert '<a href="people/ana.html" class="who" dir="auto">ana</a>' in search

    off = await command(world, ana, "profile", visibility="off")
    assert off.content.startswith("✅ Your profile is off")
    await bot.build_archive(site)
    assert not profile.exists()
    recap = open_page(chromium, tmp_path / "profile", recap_page).dom
    assert "people/ana.html" not in recap
    assert '<span class="who" dir="auto">ana</span> — 1 person reacted' in recap
    search = open_page(chromium, tmp_path / "profile", site / "search.html", q="mentor").dom
    assert '<span class="who" dir="auto">ana</span>' in search
    assert "people/" not in search
