"""Poll results in every recap format: counts per option, shares, voters, final or not, the
chart's bar panel; user text escaped; nobody named."""

from __future__ import annotations

import json
import struct
from dataclasses import replace

from bot.core.polls import poll_result
from bot.render.chart import render_chart
from tests.unit.render.conftest import Sample, render_everything

FERNS = poll_result(
    "Q2: Which fern *first*? <b>#plantchat",
    2,
    ["Boston", "Maidenhair", "Staghorn"],
    {1: {11, 12}, 2: {13}, 3: {14, 15}},
    final=False,
)
LIVE = poll_result(
    "More ferns next week?",
    None,
    ["yes", "@everyone no"],
    {},
    final=True,
    final_counts={1: 3, 2: 1},
)


def test_poll_results_are_counted_with_shares_and_voters() -> None:
    assert [(o.text, o.votes, round(o.share, 2)) for o in FERNS.options] == [
        ("Boston", 2, 0.4),
        ("Maidenhair", 1, 0.2),
        ("Staghorn", 2, 0.4),
    ]
    assert FERNS.voters == 5
    assert not FERNS.final
    assert FERNS.leaders == ("Boston", "Staghorn")
    assert [o.votes for o in LIVE.options] == [3, 1]
    assert LIVE.voters == 4  # one pick each: Discord's final total
    assert LIVE.final


def test_multiple_choice_counts_voters_once() -> None:
    result = poll_result("Q?", 1, ["a", "b"], {1: {1, 2}, 2: {1}}, multiple=True)
    assert result.voters == 2
    assert result.total_votes == 3
    assert [round(o.share, 2) for o in result.options] == [0.67, 0.33]


def test_every_format_shows_each_poll(sample: Sample) -> None:
    recap = replace(sample.rendered.recap, polls=(FERNS, LIVE))
    rendered = render_everything(recap)
    markdown = rendered.markdown
    assert "## Polls" in markdown
    assert "Q2 poll: Which fern \\*first\\*?" in markdown
    assert "- Boston — 2 votes (40%)" in markdown
    assert "_5 voters · still open: votes so far_" in markdown
    assert "### Live poll: More ferns next week?" in markdown
    assert "_4 voters · final results_" in markdown
    discord = rendered.discord_text
    assert "📊 Q2 poll: Which fern \\*first\\*?" in discord
    assert "**Maidenhair** — 1 vote (20%)" in discord
    assert "*4 voters · final results*" in discord
    html = rendered.html
    assert '<section id="polls">' in html
    assert "&lt;b&gt;#plantchat" in html
    assert "<b>#plantchat" not in html
    assert "Staghorn</span> — 2 votes (40%)" in html
    data = json.loads(rendered.json)
    assert [p["voters"] for p in data["polls"]] == [5, 4]
    assert data["polls"][1]["final"] is True
    assert data["polls"][0]["options"][0] == {"text": "Boston", "votes": 2, "share": 0.4}
    for message in rendered.discord:
        assert len(message.embeds) <= 10


def test_the_chart_gets_a_bar_panel_per_poll(sample: Sample) -> None:
    recap = replace(sample.rendered.recap, polls=(FERNS, LIVE))
    chart = render_chart(recap)
    width, height = struct.unpack(">II", chart[16:24])
    assert width == 900
    # 3.2 in of activity, then 0.6 in + 0.3 in per option for each poll, at 100 dpi.
    assert height == 320 + (60 + 90) + (60 + 60)
    assert render_chart(recap) == chart
    plain = struct.unpack(">II", sample.rendered.chart[16:24])
    assert plain == (900, 320)
