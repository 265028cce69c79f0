"""The files a learner keeps: one self-contained HTML page, JSON, the activity chart."""

from __future__ import annotations

import json
import re
import struct
from datetime import datetime

import pytest

from bot.render.chart import render_chart
from bot.render.html_page import render_html
from tests.unit.archive.conftest import Page
from tests.unit.render.conftest import Sample
from tests.unit.render.revised import revised_recap


def test_the_html_page_is_self_contained(sample: Sample) -> None:
    """Opened from disk with no network, it loads nothing: inline CSS, the chart inside."""
    html = sample.rendered.html
    assert html.startswith("<!DOCTYPE html>")
    assert "<style>" in html
    assert not re.search(r"<(script|link|iframe|object|embed)\b", html, flags=re.IGNORECASE)
    sources = re.findall(r'\bsrc="([^"]*)"', html)
    assert sources
    assert all(src.startswith("data:image/png;base64,") for src in sources)
    assert "url(" not in html  # no CSS fetches either
    assert "default-src 'none'" in html
    # Links a learner can follow are plain anchors.
    assert (
        '<a href="https://dyslexiaida.org/fact-sheets" rel="noopener noreferrer nofollow">' in html
    )


@pytest.mark.parametrize("which", ["sample", "revised"])
def test_the_html_page_links_only_to_itself_and_the_web(sample: Sample, which: str) -> None:
    """Saved alone from Discord, the page has nothing to miss: no link to another file (the
    archive's navigation and message anchors stay in the archive), and every in-page link
    has its target."""
    html = sample.rendered.html if which == "sample" else render_html(revised_recap())
    page = Page(html)
    assert page.links
    for link in page.links:
        if link.startswith("#"):
            assert link[1:] in page.ids, link
        else:
            assert link.startswith(("https://", "http://")), link
    assert "Show in the transcript" not in html
    assert 'class="site"' not in html


def test_the_html_page_reads_like_the_recap(sample: Sample) -> None:
    html = sample.rendered.html
    assert (
        "<title>PLN Chat: learning networks for educators #plnchat · Tuesday 12 January 2027"
        in html
    )
    for number in range(1, 6):
        assert f'<section id="q{number}">' in html
    assert '<span class="who" dir="auto">priya</span>' in html
    assert html.count('<span class="tag late">late</span>') == 11
    assert "Reading list" in html
    assert "Open questions" in html
    assert "Reflect" in html


def test_the_json_is_the_model_with_iso_times_and_stable_keys(sample: Sample) -> None:
    data = json.loads(sample.rendered.json)
    assert data["header"]["start"] == "2027-01-13T02:00:00+00:00"
    assert data["header"]["duration"] == 2880.0
    assert [q["number"] for q in data["questions"]] == [1, 2, 3, 4, 5]
    assert data["questions"][0]["status"] == "posted"
    assert data["resources"][0]["url"] == (
        "https://www.edutopia.org/article/building-your-professional-learning-network"
    )
    assert len(data["late_answers"]) == 11
    datetime.fromisoformat(data["questions"][0]["transcript"][0]["at"])
    keys = list(data)
    assert keys == sorted(keys)


def test_the_activity_chart_is_a_png_that_is_the_same_every_time(sample: Sample) -> None:
    chart = sample.rendered.chart
    assert chart.startswith(b"\x89PNG\r\n\x1a\n")
    width, height = struct.unpack(">II", chart[16:24])
    assert (width, height) == (900, 320)
    assert render_chart(sample.rendered.recap) == chart
    assert b"Software" not in chart  # no version or time stamped into the file


def test_html_without_a_chart_still_renders(sample: Sample) -> None:
    html = render_html(sample.rendered.recap)
    assert "data:image/png" not in html
    assert "<h2>Reading list</h2>" in html
