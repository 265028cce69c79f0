"""Every page we write, opened from disk in headless Chromium: its own Content-Security-Policy
lets its stylesheet, its chart and its scripts through and blocks nothing, and an updated
recap with hostile takeaways shows its note and its takeaways as text.

Chromium reports everything a policy blocks on the page's console; the control test changes
one policy or stylesheet by a character and sees the report, so a silent console means the
pages really are allowed what they need.
"""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import pytest

from bot.archive.pages import render_recap_page
from bot.render.chart import render_chart
from bot.render.html_page import allowed_style, render_html, stylesheet
from tests.browser.chromium import open_page
from tests.support.hostile import RTL
from tests.unit.archive.sample import EDCHAT_PAGE, PLNCHAT_PAGE, build_sample_archive
from tests.unit.render.revised import REVISION_LOCAL, revised_recap

#: The updated recap with hostile takeaways: its single page, and its page in the archive.
SINGLE = "revised-single.html"
REVISED_PAGE = "revised-archive.html"
#: The sample chat repeats weekly: its series page (one folder down, with its chart).
SERIES_PAGE = "chats/plnchat.html"
ARCHIVE_PAGES = [
    "index.html",
    "resources.html",
    "search.html",
    PLNCHAT_PAGE,
    EDCHAT_PAGE,
    SERIES_PAGE,
]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The archive of the two sample chats (charts included), with the updated recap's
    archive page and its single page written next to it."""
    folder = tmp_path_factory.mktemp("pages")
    asyncio.run(build_sample_archive(folder / "bot.db", folder / "site"))
    site = folder / "site"
    recap = revised_recap()
    chart = render_chart(recap)
    (site / SINGLE).write_text(render_html(recap, chart), encoding="utf-8")
    (site / REVISED_PAGE).write_text(render_recap_page(recap, chart), encoding="utf-8")
    return site


@pytest.mark.parametrize("name", [*ARCHIVE_PAGES, SINGLE, REVISED_PAGE])
def test_a_page_opened_from_disk_is_allowed_everything_it_needs(
    chromium: str, site: Path, tmp_path: Path, name: str
) -> None:
    opened = open_page(chromium, tmp_path / "profile", site / name)
    assert opened.policy_violations == []
    assert "<main>" in opened.dom
    if name in (PLNCHAT_PAGE, EDCHAT_PAGE, SINGLE, REVISED_PAGE):
        assert re.search(r'<img alt="Answers per minute[^>]*src="data:image/png', opened.dom)
    if name == SERIES_PAGE:
        assert re.search(
            r'<img alt="Participants per occurrence[^>]*src="data:image/png', opened.dom
        )


@pytest.mark.parametrize("name", [SINGLE, REVISED_PAGE])
def test_the_updated_recap_shows_its_note_and_its_takeaways_as_text(
    chromium: str, site: Path, tmp_path: Path, name: str
) -> None:
    dom = open_page(chromium, tmp_path / "profile", site / name).dom
    assert f"{REVISION_LOCAL}</time>: +7 late answers, 2 edited, 1 removed, 6 takeaways" in dom
    section = dom.split('<section id="takeaways">', 1)[1].split("</section>", 1)[0]
    headings = re.findall(r"<h3>(.*?)</h3>", section)
    assert headings[0].startswith('Prompt 1: <span dir="auto">What &lt;i&gt;stuck&lt;/i&gt; ')
    assert headings[1:] == [
        'Prompt 2: <span dir="auto">Who will you follow?</span>',
        "Other takeaways",
    ]
    assert "&lt;script&gt;alert" in section
    assert f'<span class="text" dir="auto">{RTL} ' in section
    # Nothing a participant wrote became an element: the only ones are the page's own.
    assert "<script" not in dom
    assert "<img src=" not in dom
    assert len(re.findall(r"<img\b", dom)) == 1


@pytest.mark.parametrize(
    ("name", "original", "changed"),
    [
        (SINGLE, f"style-src {allowed_style(stylesheet())}", "style-src 'sha256-AAAA'"),
        (SINGLE, "<style>:root", "<style> :root"),
        (SINGLE, "img-src data:", "img-src 'none'"),
        (REVISED_PAGE, ".revision {", ".revision  {"),
    ],
)
def test_the_console_shows_what_a_policy_blocks(
    chromium: str, site: Path, tmp_path: Path, name: str, original: str, changed: str
) -> None:
    """The control: the same page with its policy narrowed, or its stylesheet no longer the
    one its policy's hash allows, is reported."""
    text = (site / name).read_text(encoding="utf-8")
    assert text.count(original) == 1
    broken = tmp_path / name
    broken.write_text(text.replace(original, changed), encoding="utf-8")
    assert open_page(chromium, tmp_path / "profile", broken).policy_violations
