"""Hostile text renders as text in every format: no markup, no script, no ping.

One participant writes the worst they can: a script tag, mentions of everyone,
Markdown that would break out of its line, a 4,000-character answer, right-to-left
text and emoji. Every format must show their words, safely.
"""

from __future__ import annotations

import json
import re

import pytest

from bot.core.recap import Recap
from bot.render.discord_limits import message_problems
from tests.support.hostile import BREAKERS, EMOJI, PINGS, RTL, SCRIPT
from tests.unit.recap.talk import Talk
from tests.unit.render.conftest import Rendered, render_everything

LONG = ("word " * 800).strip()  # 3,999 characters


def _hostile_recap() -> Recap:
    talk = Talk()
    talk.say("mallory", SCRIPT, minute=9, reactions=5)
    talk.say("mallory", PINGS, minute=10, reactions=4)
    talk.say("mallory", BREAKERS, minute=11, reactions=3)
    talk.say("rana", f"{RTL} {EMOJI}", minute=12)
    talk.say("longwinded", LONG, minute=13)
    talk.say("quoter", 'see https://x.example/a"onmouseover="alert(1) ok', minute=14)
    talk.say("<b>bold name</b> @everyone", "my name is markup", minute=15)
    return talk.recap()


@pytest.fixture(scope="module")
def rendered() -> Rendered:
    return render_everything(_hostile_recap())


def test_html_shows_markup_as_text_and_runs_no_script(rendered: Rendered) -> None:
    html = rendered.html
    assert "<script" not in html.lower()
    assert "<img src=x" not in html
    assert "&lt;script&gt;alert(&#34;owned&#34;)&lt;/script&gt;" in html
    assert "&lt;b&gt;bold name&lt;/b&gt;" in html
    assert "javascript:" not in html.split("<body>")[1].replace("(javascript:alert(1))", "")
    # The link stops at the quote: no attribute can be injected into it.
    assert 'href="https://x.example/a"' in html
    assert 'onmouseover="' not in html
    assert "default-src 'none'" in html  # and the browser would refuse any script anyway


def test_html_keeps_right_to_left_text_and_emoji_readable(rendered: Rendered) -> None:
    html = rendered.html
    assert f'<span class="text" dir="auto">{RTL} {EMOJI}</span>' in html
    assert '<meta charset="utf-8">' in html


def test_markdown_escapes_what_would_break_it(rendered: Rendered) -> None:
    markdown = rendered.markdown
    assert "\\<script\\>" in markdown
    assert "\n```" not in markdown
    assert "\\`\\`\\`" in markdown
    assert "\\|\\|spoiler\\|\\|" in markdown
    assert "\\*\\*bold\\*\\*" in markdown
    assert "\n  \\# heading" in markdown  # a continuation line cannot become a heading
    assert "\n  \\> quote" in markdown
    assert RTL in markdown
    assert EMOJI in markdown
    assert LONG in markdown  # the transcript keeps the whole answer


@pytest.mark.parametrize("fmt", ["markdown", "html", "json", "discord"])
def test_no_format_can_ping_anyone(rendered: Rendered, fmt: str) -> None:
    """Quotes never carry a live mention. (The Discord recap names its host by mention;
    the bot sends it with mentions disabled.)"""
    text = rendered.every_format()[fmt]
    assert not re.search(r"@(everyone|here)\b", text)
    assert set(re.findall(r"<@&?(\d+)", text)) <= {"9"}
    assert "<@123>" not in text
    assert "<@&456>" not in text


def test_discord_messages_stay_within_limits_and_escape_markup(rendered: Rendered) -> None:
    for message in rendered.discord:
        assert message_problems(message.content, message.embeds) == []
    text = rendered.discord_text
    assert "\\`\\`\\`" in text
    assert "\\|\\|spoiler\\|\\|" in text
    assert "\\<script\\>" in text
    assert LONG not in text  # cut to fit, never sent whole


def test_json_keeps_every_word_and_parses(rendered: Rendered) -> None:
    data = json.loads(rendered.json)
    texts = [m["text"] for q in data["questions"] for m in q["transcript"]]
    assert SCRIPT in texts
    assert LONG in texts
    assert f"{RTL} {EMOJI}" in texts
    assert data["schema"] == 1
