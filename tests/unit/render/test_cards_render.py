"""Every reading list shows the link's card (title, provider, a short description) with who
shared it and where; a link without a card falls back to its normalised URL; hostile card text
shows as text in every format."""

from __future__ import annotations

import json
import re
from dataclasses import replace

from bot.archive.entries import Entry, merge_resources, share_places
from bot.archive.pages import render_resources
from bot.core.cards import LinkCard, card_from_unfurl
from bot.core.recap import Recap
from bot.core.recap.listings import with_cards
from bot.render.discord_limits import message_problems
from bot.render.discord_post import render_discord
from tests.support.hostile import SCRIPT
from tests.unit.recap.generate import START
from tests.unit.recap.talk import Talk
from tests.unit.render.conftest import render_everything

CARDED = "https://ferns.example/care"
BARE = "https://moss.example/guide"


def _card(url: str, title: str, description: str, provider: str) -> LinkCard:
    card = card_from_unfurl(
        url, title=title, description=description, provider=provider,
        thumbnail="https://ferns.example/t.png", message_id=1, author_id=2,
        posted_at=START, seen_at=START,
    )  # fmt: skip
    assert card is not None
    return card


def _recap(title: str = "Fern care basics", description: str = "Water weekly. " * 40) -> Recap:
    talk = Talk()
    talk.say("ana", f"A1: start here {CARDED}?utm_source=chat", minute=10)
    talk.say("ben", f"A1: and {BARE}", minute=11)
    recap = talk.recap()
    cards = {CARDED: _card(CARDED, title, description, "Ferns <Weekly>")}
    return Recap(**{**{f: getattr(recap, f) for f in recap.__dataclass_fields__},
                    "resources": with_cards(recap.resources, cards)})  # fmt: skip


def test_every_format_shows_the_card_and_falls_back_to_the_url() -> None:
    rendered = render_everything(_recap())
    discord = rendered.discord_text
    assert f"[Fern care basics]({CARDED})" in discord
    assert "Ferns <Weekly>" in discord or "Ferns \\<Weekly\\>" in discord
    assert "-# Water weekly." in discord
    assert "moss.example/guide" in discord  # no card: its URL
    md = rendered.markdown
    assert f"[Fern care basics](<{CARDED}>)" in md
    assert f"<{BARE}>" in md
    assert "*Water weekly." in md
    assert "shared by **ana**" in md
    html = rendered.html
    assert '<a class="card-title" href="https://ferns.example/care"' in html
    assert "Ferns &lt;Weekly&gt;" in html
    assert f">{BARE}</a>" in html
    data = json.loads(rendered.json)
    [carded, bare] = data["resources"]
    assert carded["card"]["title"] == "Fern care basics"
    assert carded["card"]["author_id"] == 0  # no trace of whose message it was
    assert bare["card"] is None


def test_hostile_card_text_is_escaped_everywhere() -> None:
    recap = _recap(title=SCRIPT, description=SCRIPT + " [x](javascript:alert(1)) @everyone")
    rendered = render_everything(recap)
    assert "<script" not in rendered.html.lower()
    assert "&lt;script&gt;" in rendered.html
    assert not re.search(r"(?<!\\)<script", rendered.markdown)
    assert "\\<script\\>" in rendered.markdown
    assert "@everyone" not in rendered.markdown + rendered.discord_text
    entry = Entry.of("edchat.html", recap)
    page = render_resources(merge_resources(share_places(entry, recap)), [entry], [])
    assert "<script>" not in page.lower()
    assert "&lt;script&gt;" in page
    assert "Ferns &lt;Weekly&gt;" in page
    assert "https://ferns.example/t.png" not in page  # no third-party images in the archive


def test_a_long_description_is_shortened_for_lists() -> None:
    rendered = render_everything(_recap(description="word " * 900))
    for line in rendered.markdown.splitlines():
        if line.strip().startswith("*word"):
            assert len(line) < 200
    assert max(len(m.content) for m in rendered.discord) <= 2000


def test_a_long_carded_reading_list_stays_within_discords_limits() -> None:
    talk = Talk()
    for number in range(80):
        talk.say(f"p{number % 7}", f"A1: see https://site{number}.example/page", minute=10)
    recap = talk.recap()
    cards = {
        r.url: _card(r.url, "T" * 300, "word " * 900, "Provider " * 40) for r in recap.resources
    }
    carded = replace(recap, resources=with_cards(recap.resources, cards))
    for message in render_discord(carded):
        assert message_problems(message.content, message.embeds) == []
