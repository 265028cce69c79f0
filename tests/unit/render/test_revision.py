"""A recap updated after it was published says so near the top of every format, and a recap
that was never updated renders exactly as if the revision did not exist."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime

from bot.core.recap import Revision, build_recap
from bot.core.spec import QuestionSpec
from bot.render import discord_limits as limits
from bot.render.discord_limits import message_problems
from bot.render.discord_post import render_discord
from bot.render.html_page import render_html
from bot.render.json_data import render_json
from bot.render.markdown import render_markdown
from tests.unit.recap.generate import big_spec, finished_run
from tests.unit.render.revised import REVISION, REVISION_LOCAL, revised_recap

SUMMARY = "+7 late answers, 2 edited, 1 removed, 6 takeaways"
DISCORD_LINE = f"*Updated <t:{int(REVISION.at.timestamp())}:R>: {SUMMARY}*"
MARKDOWN_LINE = f"_Updated {REVISION_LOCAL}: {SUMMARY}_"
HTML_NOTE = (
    '<p class="revision">Updated <time datetime="2027-03-02T02:05:00+00:00">'
    f"{REVISION_LOCAL}</time>: {SUMMARY}</p>\n"
)


def test_discord_says_when_it_was_updated_right_under_the_title() -> None:
    first = render_discord(revised_recap())[0].content
    lines = first.split("\n")
    assert lines[0].startswith("📋 Recap of Ed Chat #EdChat · <t:")
    assert lines[1] == DISCORD_LINE


def test_markdown_says_when_it_was_updated_in_the_chats_zone() -> None:
    markdown = render_markdown(revised_recap())
    assert markdown.startswith(f"# Ed Chat #EdChat\n\n{MARKDOWN_LINE}\n\n**Monday 1 March 2027")


def test_markdown_escapes_a_zone_name_that_would_break_the_italics() -> None:
    recap = revised_recap()
    recap = replace(recap, header=replace(recap.header, timezone="America/Port_of_Spain"))
    markdown = render_markdown(recap)
    # 02:05 UTC is 22:05 the evening before in Trinidad.
    assert f"_Updated 2027-03-01 22:05 (America/Port\\_of\\_Spain): {SUMMARY}_" in markdown


def test_the_html_page_carries_a_note_in_its_header() -> None:
    html = render_html(revised_recap())
    header = html.split("<header>", 1)[1].split("</header>", 1)[0]
    assert HTML_NOTE in header


def test_the_json_has_the_revision_as_an_object_and_null_without_one() -> None:
    data = json.loads(render_json(revised_recap()))
    assert data["revision"] == {
        "number": 2,
        "at": "2027-03-02T02:05:00+00:00",
        "late_answers": 7,
        "edited": 2,
        "removed": 1,
        "takeaways": 6,
        "erased": 0,
    }
    datetime.fromisoformat(data["revision"]["at"])
    assert json.loads(render_json(revised_recap(None)))["revision"] is None


def test_an_update_with_no_counted_change_still_says_it_was_updated() -> None:
    quiet = Revision(1, REVISION.at, 0, 0, 0, 0)
    first = render_discord(revised_recap(quiet))[0].content
    assert f"*Updated <t:{int(REVISION.at.timestamp())}:R>: reactions and corrections*" in first
    assert f"_Updated {REVISION_LOCAL}: reactions and corrections_" in render_markdown(
        revised_recap(quiet)
    )


def test_without_a_revision_every_format_is_the_revised_one_minus_its_line() -> None:
    """The revision adds its line and changes nothing else; without one, nothing is added."""
    revised, plain = revised_recap(), revised_recap(None)

    markdown = render_markdown(revised)
    assert markdown.count(MARKDOWN_LINE) == 1
    assert markdown.replace(f"{MARKDOWN_LINE}\n\n", "") == render_markdown(plain)
    assert "Updated" not in render_markdown(plain)

    html = render_html(revised)
    assert html.count(HTML_NOTE) == 1
    assert html.replace(HTML_NOTE, "") == render_html(plain)
    assert 'class="revision"' not in render_html(plain).split("</style>")[1]

    with_line, without = render_discord(revised), render_discord(plain)
    assert len(with_line) == len(without)
    assert with_line[0].content.replace(f"{DISCORD_LINE}\n", "") == without[0].content
    assert [m.embeds for m in with_line] == [m.embeds for m in without]
    assert "Updated" not in without[0].content

    data, plain_data = json.loads(render_json(revised)), json.loads(render_json(plain))
    assert {**data, "revision": None} == plain_data


def test_the_revision_line_counts_toward_the_first_messages_2000_characters() -> None:
    """A question list that only just fits is shortened further to make room for the line,
    and still names every question."""
    spec = big_spec(
        3,
        questions=(
            QuestionSpec("Short one?"),
            QuestionSpec("x" * 1990),
            QuestionSpec("Another short one?"),
        ),
    )
    recap = replace(
        build_recap(spec, finished_run(spec), []),
        revision=Revision(9, datetime(2027, 3, 2, 5, 0, tzinfo=UTC), 99999, 99999, 99999, 99999),
    )
    first = render_discord(recap)[0]
    assert message_problems(first.content, first.embeds) == []
    assert len(first.content) <= limits.MESSAGE
    assert "*Updated <t:1803963600:R>: +99,999 late answers, 99,999 edited" in first.content
    assert "Q1: Short one?" in first.content
    assert "Q2: xxxx" in first.content
    assert "Q3: Another short one?" in first.content
    without = render_discord(replace(recap, revision=None))[0].content
    q2 = next(line for line in first.content.split("\n") if line.startswith("Q2: "))
    q2_before = next(line for line in without.split("\n") if line.startswith("Q2: "))
    assert len(q2) < len(q2_before)
