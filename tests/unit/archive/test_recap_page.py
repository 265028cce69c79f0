"""The archive's recap page is the single-file recap page plus the archive's navigation: one
template (``recap.html.j2``, extended by ``archive_recap.html.j2``), so an updated recap and
its takeaways read the same in both, and safely."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import re

import pytest

from bot.archive.pages import render_recap_page
from bot.core.recap import Recap
from bot.render.chart import render_chart
from bot.render.html_page import render_html
from bot.runtime.recaps import archived, load_recap
from bot.storage import open_store
from tests.support.hostile import RTL
from tests.unit.archive.conftest import Built, Page
from tests.unit.archive.sample import PLNCHAT_PAGE
from tests.unit.render.revised import LONG, REVISION_LOCAL, revised_recap

#: What only the archive's page has: its way back, its link to every resource, the ids of
#: messages and, in quoted messages, the time linking to the message's row.
_ARCHIVE_ONLY = [
    re.compile(r'<p class="note"><a href="index\.html">← All chats</a></p>'),
    re.compile(
        r'<p class="note"><a href="resources\.html">Every resource shared in every chat</a></p>'
    ),
    re.compile(r' id="m\d+-\d+"'),
    re.compile(r' id="t\d+"'),
    re.compile(r'<a class="time" href="#m\d+-\d+" title="Show in the transcript">\d\d:\d\d</a>'),
    # A voice to follow's answer links to its row.
    re.compile(r'<a href="#m\d+-\d+">(?=(?:Q\d+|intro), \d\d:\d\d</a>\):</span>)'),
    re.compile(r"(?<=, \d\d:\d\d)</a>(?=\):</span>)"),
]


def _main(html: str) -> str:
    """The page's ``<main>``, blank lines left out."""
    main = html.split("<main>\n", 1)[1].split("</main>", 1)[0]
    return "\n".join(line for line in main.split("\n") if line.strip())


def _without_archive_parts(html: str) -> str:
    for pattern in _ARCHIVE_ONLY:
        html = pattern.sub("", html)
    return html


def test_the_archive_page_is_the_single_page_plus_its_navigation() -> None:
    recap = revised_recap()
    single = render_html(recap)
    archive = render_recap_page(recap)
    assert re.search(r' id="m\d+-\d+"', archive)
    assert not any(pattern.search(single) for pattern in _ARCHIVE_ONLY)
    assert _main(_without_archive_parts(archive)) == _main(single)


def _recap_of(built: Built, chat_id: str) -> Recap:
    """The recap the archive was written from, loaded again from its database."""

    async def load() -> Recap:
        store = await open_store(built.database)
        try:
            (occurrence,) = [o for o in await store.occurrences(chat_id=chat_id) if archived(o)]
            return await load_recap(store, occurrence)
        finally:
            await store.close()

    return asyncio.run(load())


def test_the_sample_chats_archive_page_is_its_single_page_plus_navigation(built: Built) -> None:
    """The sample chat as the archive wrote it (highlights, side conversations, late answers)
    against the single page of the same recap, with the same chart."""
    page = built.text(PLNCHAT_PAGE)
    chart = re.search(r'src="data:image/png;base64,([^"]+)"', page)
    assert chart is not None
    single = render_html(_recap_of(built, "plnchat"), base64.b64decode(chart[1]))
    assert "Show in the transcript" in page
    assert page.count('<a href="index.html">← All chats</a>') == 2
    assert _main(_without_archive_parts(page)) == _main(single)


@pytest.fixture(scope="module")
def page() -> str:
    return render_recap_page(revised_recap(), render_chart(revised_recap()))


def test_the_archive_page_says_when_the_recap_was_updated(page: str) -> None:
    header = page.split("<header>", 1)[1].split("</header>", 1)[0]
    assert (
        '<p class="revision">Updated <time datetime="2027-03-02T02:05:00+00:00">'
        f"{REVISION_LOCAL}</time>: +7 late answers, 2 edited, 1 removed, 6 takeaways</p>"
    ) in header
    assert 'class="revision"' not in render_recap_page(revised_recap(None)).split("</style>")[1]


def test_the_archive_page_shows_hostile_takeaways_as_text_under_a_strict_policy(
    page: str,
) -> None:
    section = page.split('<section id="takeaways">', 1)[1].split("</section>", 1)[0]
    assert section.count("<h3>") == 3
    assert "&lt;script&gt;alert(&#34;owned&#34;)&lt;/script&gt;" in section
    assert "<script" not in page.lower()
    assert "<i>stuck" not in page
    assert "@everyone" not in page
    assert f'<span class="text" dir="auto">{RTL} ' in section
    assert LONG in section
    parsed = Page(page)
    (policy,) = parsed.csp
    assert policy.startswith("default-src 'none'; ")
    assert "unsafe" not in policy
    (style,) = parsed.styles
    digest = base64.b64encode(hashlib.sha256(style.encode("utf-8")).digest()).decode()
    assert f"style-src 'sha256-{digest}'" in policy
    assert ".revision {" in style
    assert parsed.scripts == []
    assert parsed.style_attributes == 0
