"""A chat's polls on its archive page: counts and shares, final or not, nobody named."""

from __future__ import annotations

from datetime import timedelta
from html import unescape
from pathlib import Path

from bot.archive import build_archive
from bot.core.ports import PollRecord
from bot.runtime.recaps import StoredRecaps
from bot.storage import open_store
from tests.unit.recap.sample import play


async def test_the_recap_page_shows_each_poll(tmp_path: Path) -> None:
    store = await open_store(tmp_path / "bot.db")
    try:
        played = await play(store)
        occurrence = played.occurrence
        opened = occurrence.run.start + timedelta(minutes=8)
        poll = PollRecord(
            message_id=424242,
            occurrence_id=occurrence.run.occurrence_id,
            channel_id=occurrence.spec.channel,
            step_key="q1",
            question=1,
            text="Q1: Which fern <first>? #plnchat",
            options=("Boston", "Maidenhair"),
            multiple=False,
            opened_at=opened,
            expires_at=opened + timedelta(hours=1),
        )
        await store.record_poll(poll)
        voters = sorted(played.user_ids.values())[:3]
        for user_id, answer in zip(voters, (1, 1, 2), strict=True):
            await store.set_poll_vote(424242, answer, user_id, True, opened)
        await build_archive(StoredRecaps(store), tmp_path / "site", charts=False)
    finally:
        await store.close()
    pages = [p for p in (tmp_path / "site").rglob("*.html") if "Polls</h2>" in p.read_text()]
    assert len(pages) == 1
    html = pages[0].read_text()
    assert "Which fern &lt;first&gt;?" in html
    section = unescape(html.split('<section id="polls">', 1)[1].split("</section>", 1)[0])
    assert "Boston</span> — 2 votes (67%)" in section
    assert "3 voters · still open: votes so far" in section
    names = set(played.user_ids)
    assert not [name for name in names if name in section]
