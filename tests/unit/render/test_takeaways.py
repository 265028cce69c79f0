"""Takeaways (answers to the reflection prompts) in every format: grouped under their prompt's
text in the prompts' order, those for no particular prompt last; hostile text shown safely;
a long list cut to Discord's limits with a pointer to the attached transcript."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from datetime import timedelta

import pytest

from bot.core.recap import Recap, Takeaway
from bot.core.recap.text import ZERO_WIDTH_SPACE, defuse_mentions
from bot.core.spec import RecapSpec
from bot.render import discord_limits as limits
from bot.render.discord_limits import Embed, embed_length, message_problems
from bot.render.discord_post import (
    TAKEAWAY_FIELDS,
    TAKEAWAYS_ROOM,
    DiscordMessage,
    render_discord,
)
from bot.render.html_page import render_html
from bot.render.markdown import render_markdown
from tests.support.hostile import BREAKERS, EMOJI, PINGS, RTL, SCRIPT
from tests.unit.recap.generate import START
from tests.unit.recap.talk import Talk, small_spec
from tests.unit.render.conftest import Rendered, render_everything
from tests.unit.render.revised import LONG, MARKUP_NAME, PROMPTS, revised_recap

AT = START + timedelta(minutes=50)


@pytest.fixture(scope="module")
def rendered() -> Rendered:
    return render_everything(revised_recap())


def _takeaways_embed(messages: Sequence[DiscordMessage]) -> Embed:
    return next(e for m in messages for e in m.embeds if e["title"] == "💡 Takeaways")


def _markdown_groups(markdown: str) -> list[tuple[str, list[str]]]:
    """(heading, authors) of each group of the Markdown's Takeaways section."""
    section = markdown.split("\n## Takeaways\n", 1)[1].split("\n## ", 1)[0]
    groups = []
    for block in section.split("\n### ")[1:]:
        heading, _, body = block.partition("\n")
        groups.append((heading, re.findall(r"^- \*\*(.*?)\*\*: ", body, flags=re.MULTILINE)))
    return groups


def _html_groups(html: str) -> list[tuple[str, list[str]]]:
    """(heading, authors) of each group of the HTML's Takeaways section."""
    section = html.split('<section id="takeaways">', 1)[1].split("</section>", 1)[0]
    return [
        (heading, re.findall(r'<li><span class="who" dir="auto">(.*?)</span>: ', items))
        for heading, items in re.findall(r"<h3>(.*?)</h3>\n<ul>(.*?)</ul>", section, re.DOTALL)
    ]


def test_markdown_groups_takeaways_under_each_prompt_and_the_rest_last(
    rendered: Rendered,
) -> None:
    zws = ZERO_WIDTH_SPACE
    assert _markdown_groups(rendered.markdown) == [
        (
            "Prompt 1: What \\<i\\>stuck\\</i\\> with you? \\*\\*really\\*\\* "
            f"\\|\\|spoiler\\|\\| @{zws}everyone",
            ["breaker", "rana"],
        ),
        ("Prompt 2: Who will you follow?", ["mallory", "longwinded"]),
        ("Other takeaways", [f"\\<b\\>bold name\\</b\\> @{zws}everyone", "ghost"]),
    ]


def test_html_groups_takeaways_under_each_prompt_and_the_rest_last(rendered: Rendered) -> None:
    zws = ZERO_WIDTH_SPACE
    assert _html_groups(rendered.html) == [
        (
            'Prompt 1: <span dir="auto">What &lt;i&gt;stuck&lt;/i&gt; with you? **really** '
            f"||spoiler|| @{zws}everyone</span>",
            ["breaker", "rana"],
        ),
        ('Prompt 2: <span dir="auto">Who will you follow?</span>', ["mallory", "longwinded"]),
        ("Other takeaways", [f"&lt;b&gt;bold name&lt;/b&gt; @{zws}everyone", "ghost"]),
    ]
    assert '<a href="#takeaways">Takeaways</a>' in rendered.html


def test_discord_gives_each_prompt_a_field_and_the_rest_the_last(rendered: Rendered) -> None:
    embed = _takeaways_embed(rendered.discord)
    names = [field["name"] for field in embed["fields"]]
    assert names == [
        "Prompt 1: What \\<i\\>stuck\\</i\\> with you? \\*\\*really\\*\\* \\|\\|spoiler\\|\\| "
        f"@{ZERO_WIDTH_SPACE}everyone",
        "Prompt 2: Who will you follow?",
        "Other takeaways",
    ]
    authors = [re.findall(r"^\*\*(.*?)\*\*: ", f["value"], re.MULTILINE) for f in embed["fields"]]
    assert authors == [
        ["breaker", "rana"],
        ["mallory", "longwinded"],
        [f"\\<b\\>bold name\\</b\\> @{ZERO_WIDTH_SPACE}everyone", "ghost"],
    ]


def test_takeaways_for_no_prompt_need_no_heading_when_they_are_all_there_is() -> None:
    talk = Talk(spec=small_spec(recap=RecapSpec(prompts=())))
    talk.say("ana", "An answer.", minute=9)
    recap = talk.recap(
        takeaways=[Takeaway(0, 301, "bo", "I will try it.", AT), Takeaway(1, 302, "cy", "Me", AT)]
    )
    markdown = render_markdown(recap)
    assert "## Takeaways\n\n- **bo**: I will try it.\n- **cy**: Me\n" in markdown
    assert "### " not in markdown.split("## Takeaways")[1]
    html = render_html(recap)
    assert "<h3>" not in html.split('<section id="takeaways">')[1].split("</section>")[0]
    embed = _takeaways_embed(render_discord(recap))
    assert "fields" not in embed
    assert embed["description"] == "**bo**: I will try it.\n**cy**: Me"


def test_html_shows_hostile_takeaways_as_text(rendered: Rendered) -> None:
    section = rendered.html.split('<section id="takeaways">', 1)[1].split("</section>", 1)[0]
    assert "<script" not in rendered.html.lower()
    assert "<img" not in section
    assert "<i>stuck" not in rendered.html
    assert "<b>bold name" not in rendered.html
    assert "&lt;script&gt;alert(&#34;owned&#34;)&lt;/script&gt;" in section
    assert f'<span class="text" dir="auto">{RTL} {EMOJI}</span>' in section
    assert f'<span class="text" dir="auto">{LONG}</span>' in section  # the page keeps it whole
    assert "javascript:" not in section.replace("(javascript:alert(1))", "")


def test_markdown_escapes_hostile_takeaways(rendered: Rendered) -> None:
    section = rendered.markdown.split("\n## Takeaways\n", 1)[1]
    assert "\\<script\\>" in section
    assert "\n```" not in section
    assert "\\`\\`\\`" in section
    assert "\n  \\# heading" in section  # a continuation line cannot become a heading
    assert "\n  \\> quote" in section
    assert "\\|\\|spoiler\\|\\|" in section
    assert f"{RTL} {EMOJI}" in section
    assert LONG in section


def test_json_keeps_every_takeaway_word_for_word(rendered: Rendered) -> None:
    data = json.loads(rendered.json)
    texts = {t["author"]: t["text"] for t in data["takeaways"]}
    assert texts["mallory"] == SCRIPT
    assert texts["breaker"] == BREAKERS
    assert texts["rana"] == f"{RTL} {EMOJI}"
    assert texts["longwinded"] == LONG
    assert texts[defuse_mentions(MARKUP_NAME)] == defuse_mentions(PINGS)
    assert [t["prompt"] for t in data["takeaways"]] == [2, 0, 1, 1, 2, 9]
    assert data["prompts"][0] == defuse_mentions(PROMPTS[0])


@pytest.mark.parametrize("fmt", ["markdown", "html", "json", "discord"])
def test_no_takeaway_or_prompt_can_ping_anyone(rendered: Rendered, fmt: str) -> None:
    """(The Discord recap names its host by mention; the bot sends it with mentions
    disabled.)"""
    text = rendered.every_format()[fmt]
    assert not re.search(r"@(everyone|here)\b", text)
    assert set(re.findall(r"<@&?(\d+)", text)) <= {"9"}


def test_discord_escapes_hostile_takeaways_and_cuts_the_long_one(rendered: Rendered) -> None:
    for message in rendered.discord:
        assert message_problems(message.content, message.embeds) == []
    values = "\n".join(f["value"] for f in _takeaways_embed(rendered.discord)["fields"])
    assert "\\<script\\>" in values
    assert "\\`\\`\\`" in values
    assert "\\|\\|spoiler\\|\\|" in values
    assert f"{RTL} {EMOJI}" in values
    assert "**longwinded**: takeaway takeaway" in values
    assert LONG not in values


def _many_takeaways(per_prompt: tuple[int, ...], others: int, words: int = 30) -> Recap:
    """A recap with ``per_prompt[i]`` takeaways for prompt i + 1 and ``others`` for none,
    each ``words`` words long."""
    prompts = tuple(f"Prompt question number {n} for the evening?" for n in range(1, 30))
    talk = Talk(spec=small_spec(recap=RecapSpec(prompts=prompts[: len(per_prompt)])))
    talk.say("ana", "An answer.", minute=9)
    takeaways: list[Takeaway] = []
    for number, amount in [*enumerate(per_prompt, start=1), (0, others)]:
        takeaways += [
            Takeaway(number, 1000 + len(takeaways), f"person{len(takeaways)}", "idea " * words, AT)
            for _ in range(amount)
        ]
    return talk.recap(takeaways=takeaways)


def _shown_and_more(value: str) -> tuple[int, int]:
    """How many takeaways a field shows, and how many it says the transcript has on top."""
    shown = len(re.findall(r"^\*\*person\d+\*\*: ", value, flags=re.MULTILINE))
    more = re.search(r"… and (\d+) more in the transcript\.$", value)
    return shown, int(more.group(1)) if more else 0


def test_a_long_list_of_takeaways_is_cut_with_a_pointer_to_the_transcript() -> None:
    """200 takeaways: each prompt keeps a share of the embed and counts the rest exactly."""
    recap = _many_takeaways((120, 50), 30)
    messages = render_discord(recap)
    for message in messages:
        assert message_problems(message.content, message.embeds) == []
    embed = _takeaways_embed(messages)
    assert embed_length(embed) <= TAKEAWAYS_ROOM + len(embed["title"])
    counts = [_shown_and_more(field["value"]) for field in embed["fields"]]
    assert [shown + more for shown, more in counts] == [120, 50, 30]
    assert all(shown >= 1 and more >= 1 for shown, more in counts)
    # The groups share the room: none is left with a fraction of another's.
    sizes = [len(field["value"]) for field in embed["fields"]]
    assert max(sizes) - min(sizes) < 200
    assert "200" not in embed.get("footer", {}).get("text", "")


def test_a_short_group_stays_whole_next_to_a_long_one() -> None:
    embed = _takeaways_embed(render_discord(_many_takeaways((80, 2), 1, words=5)))
    counts = [_shown_and_more(field["value"]) for field in embed["fields"]]
    assert counts[1:] == [(2, 0), (1, 0)]
    assert counts[0][0] + counts[0][1] == 80
    assert counts[0][1] > 0


def test_more_prompts_than_fields_are_counted_in_the_footer() -> None:
    recap = _many_takeaways((3,) * 14, 4, words=4)
    embed = _takeaways_embed(render_discord(recap))
    assert len(embed["fields"]) == TAKEAWAY_FIELDS
    assert message_problems("", [embed]) == []
    shown = sum(sum(_shown_and_more(f["value"])) for f in embed["fields"])
    footer = re.fullmatch(r"… and (\d+) more in the transcript\.", embed["footer"]["text"])
    assert footer is not None
    hidden = int(footer[1])
    assert shown + hidden == 14 * 3 + 4
    assert embed["fields"][-1]["name"] == "Prompt 10: Prompt question number 10 for the evening?"
    assert embed_length(embed) <= limits.EMBEDS_TOTAL
