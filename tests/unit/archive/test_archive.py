"""The static archive of two chats: its files, its links, privacy, hostile text, its policy.

The archive is written from a real SQLite file holding the played sample chat (plnchat) and a
small hostile chat (edchat); see :mod:`tests.unit.archive.sample`.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import posixpath
import re
import shutil
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from markupsafe import escape

from bot.archive import build_archive
from bot.archive.entries import Entry
from bot.archive.pages import render_index
from bot.archive.search_index import script_json
from bot.runtime.recaps import StoredRecaps
from bot.storage import open_store
from tests.support.hostile import EMOJI, RTL
from tests.unit.archive.conftest import Built, Page, search_index, site_files
from tests.unit.archive.sample import (
    AXOLOTL,
    DELETED_SAID,
    DEREK_SAID,
    EDCHAT_PAGE,
    PLNCHAT_PAGE,
    SAMPLE_DELETED,
    SCRIPT,
    SHARED_IN_BOTH,
    ZEBADIAH_SAID,
)
from tests.unit.render.revised import REVISION_LOCAL, revised_recap

SITE = [
    ".qachat-archive",
    "boards/edchat.html",  # each chat series is a board
    "boards/index.html",
    "boards/plnchat.html",
    "chats/plnchat.html",  # plnchat repeats weekly: its series page
    EDCHAT_PAGE,
    "index.html",
    PLNCHAT_PAGE,
    "resources.html",
    "resources.js",
    "search-index.js",
    "search.html",
    "search.js",
]
TEXT_FILES = [name for name in SITE if not name.startswith(".")]


def test_the_site_has_an_index_a_page_per_past_recap_resources_and_search(built: Built) -> None:
    """Only occurrences that ran and have answers: not the sample's next (scheduled) one, not
    the earlier edchat that nobody answered."""
    assert built.files() == SITE
    assert (built.report.recaps, built.report.resources) == (2, 12)
    assert built.text(".qachat-archive").splitlines() == SITE[1:]


def test_the_index_lists_every_chat_newest_first_in_its_own_time_zone(built: Built) -> None:
    index = built.text("index.html")
    edchat = index.index(f'<a href="{EDCHAT_PAGE}">')
    plnchat = index.index(f'<a href="{PLNCHAT_PAGE}">')
    assert edchat < plnchat
    assert "Tuesday 2 March 2027, 10:00 JST (Asia/Tokyo)" in index
    assert "Tuesday 12 January 2027, 20:00 CST (America/Chicago)" in index
    assert '<time datetime="2027-01-13T02:00:00+00:00">' in index
    counts = re.sub(r"<[^>]+>", "", index[plnchat:])
    assert "25 participants112 answers12 resources" in counts
    assert f'<a href="{PLNCHAT_PAGE}#q5">' in index  # the questions, each linked
    assert '<form class="find" action="search.html" method="get" role="search">' in index


def test_a_recap_page_reads_like_the_recap_with_an_anchor_per_message(built: Built) -> None:
    page = built.text(PLNCHAT_PAGE)
    assert "<title>PLN Chat: learning networks for educators #plnchat · Tuesday 12 January" in (
        page
    )
    for number in range(1, 6):
        assert f'<section id="q{number}">\n<h2>Q{number}: ' in page
    for part in ("Highlights", "Themes", "Most typical answer", "A different take"):
        assert f'<p class="label">{part}</p>' in page
    assert "Liveliest side conversation" in page
    for section in ("resources", "open", "reflect"):
        assert f'<section id="{section}">' in page
    assert page.count('<span class="tag late">late</span>') == 11
    assert '<a href="index.html">← All chats</a>' in page
    assert "data:image/png;base64," in page
    # Every message shown in a transcript has an id that search results link to.
    messages = [m for m in search_index(built.text("search-index.js"))["messages"] if m[0] == 1]
    ids = Page(page).ids
    assert len(messages) > 150
    assert all(m[1] in ids for m in messages)
    late = built.chats.late_id
    edchat = built.text(EDCHAT_PAGE)
    assert re.search(rf'<li id="m{late}-0">.*?<span class="tag late">late</span></li>', edchat)


def test_every_local_link_and_anchor_resolves(built: Built) -> None:
    checked = 0
    ids = {name: Page(built.text(name)).ids for name in built.pages()}
    for name in built.pages():
        page = Page(built.text(name))
        for target in page.links + page.sources:
            parts = urlsplit(target)
            if parts.scheme in ("http", "https", "data"):
                continue
            assert not parts.scheme, f"{name}: {target}"
            # Relative to the page's folder (people/ and chats/ pages link up with ../).
            path = posixpath.normpath(posixpath.join(posixpath.dirname(name), unquote(parts.path)))
            path = path if parts.path else name
            assert (built.out / path).is_file(), f"{name} links to missing {target}"
            if parts.fragment and path.endswith(".html"):
                assert parts.fragment in ids[path], f"{name} links to missing {target}"
            checked += 1
    assert checked > 80
    # Search results link to a message on its recap page.
    data = search_index(built.text("search-index.js"))
    for recap, anchor, *_ in data["messages"]:
        assert anchor in ids[data["recaps"][recap]["page"]], anchor


def test_resources_are_listed_once_across_chats_with_every_place(built: Built) -> None:
    resources = built.text("resources.html")
    items = re.findall(r'<li class="resource" data-chats="([^"]*)">(.*?)</li>', resources, re.S)
    assert len(items) == 12
    urls = [re.search(r'class="url" href="([^"]+)"', body).group(1) for _, body in items]  # type: ignore[union-attr]
    assert len(set(urls)) == len(urls)
    assert not any("utm_" in url or "fbclid" in url for url in urls)
    both = next((chats, body) for chats, body in items if SHARED_IN_BOTH in body)
    assert both[0] == "plnchat edchat"
    assert f'href="{PLNCHAT_PAGE}#m' in both[1]
    assert f'href="{EDCHAT_PAGE}#m' in both[1]
    assert "Shared by <span" in both[1]
    assert "(3 times in all)" in both[1]
    # The chat filter offers every chat; the list is most recently shared first.
    assert '<option value="edchat">' in resources
    assert '<option value="plnchat">' in resources
    assert items[0][0] == "plnchat edchat"
    assert '<script src="resources.js"></script>' in resources


@pytest.mark.parametrize("name", TEXT_FILES)
def test_participants_who_opted_out_are_never_named_or_quoted(built: Built, name: str) -> None:
    text = built.readable(name).lower()
    for words in DEREK_SAID + ZEBADIAH_SAID:
        assert words.lower() not in text, f"{words!r} appears in {name}"
    if name in ("search-index.js", PLNCHAT_PAGE):  # what others said is there, readable
        assert "kwame" in text
        assert "i keep a wakelet" in text


@pytest.mark.parametrize("name", TEXT_FILES)
def test_deleted_messages_are_gone(built: Built, name: str) -> None:
    text = built.readable(name)
    for words in DELETED_SAID + SAMPLE_DELETED:
        assert words not in text, f"deleted {words!r} appears in {name}"


def test_hostile_text_is_text_in_every_page(built: Built) -> None:
    for name in built.pages():
        html = built.text(name)
        assert "alert(1)</script>" not in html, name
        assert "<b>mallory" not in html, name
        assert "<i>after dark" not in html, name
        assert "@everyone" not in html, name  # defused by a zero-width space
        scripts = Page(html).scripts
        assert all(
            s.get("src") in ("search-index.js", "search.js", "resources.js", "../resources.js")
            for s in scripts
        )
    edchat = built.text(EDCHAT_PAGE)
    assert "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in edchat
    assert "&lt;b&gt;mallory&lt;/b&gt;" in edchat
    assert "@\u200beveryone look at this" in edchat
    assert f'<span class="text" dir="auto">{RTL} {EMOJI}</span>' in edchat
    assert "Ed Chat &lt;i&gt;after dark&lt;/i&gt;" in built.text("index.html")


def test_the_search_index_is_safe_to_embed_and_keeps_every_character(built: Built) -> None:
    raw = built.text("search-index.js")
    body = raw.split("\n", 1)[1]
    assert not re.search(r"[<>&\u2028\u2029]", body)
    assert raw.isascii()
    assert "\\u003c/script\\u003e\\u003cscript\\u003ealert(1)" in raw
    data = search_index(raw)
    assert data["schema"] == 2
    assert [r["page"] for r in data["recaps"]] == [EDCHAT_PAGE, PLNCHAT_PAGE]
    assert data["recaps"][0]["title"] == "Ed Chat <i>after dark</i>"
    assert data["recaps"][0]["date"] == "Tue 2 Mar 2027, 10:00 JST"
    texts = {m[1]: m for m in data["messages"]}
    chats = built.chats
    assert texts[f"m{chats.axolotl_id}-0"][1:] == [f"m{chats.axolotl_id}-0", 1, "ana", AXOLOTL, 1]
    assert texts[f"m{chats.script_id}-0"][3:5] == ["<b>mallory</b>", SCRIPT]
    assert texts[f"m{chats.late_id}-0"][5] == 3  # an answer, late
    joined = json.dumps(data, ensure_ascii=False)
    assert f"{RTL} {EMOJI}" in joined
    assert "@\u200beveryone" in joined


def test_takeaways_are_in_the_search_and_each_links_to_its_place(built: Built) -> None:
    """Learners' takeaways are searchable like answers: each row names its recap's prompt
    and points at the takeaway's own anchor on the recap page."""
    data = search_index(built.text("search-index.js"))
    takeaways = [m for m in data["messages"] if m[5] == 4]
    assert takeaways
    for number, anchor, prompt, _, text, _ in takeaways:
        recap = data["recaps"][number]
        assert anchor.startswith("t")
        assert 0 <= prompt <= len(recap["prompts"])
        page = built.text(recap["page"])
        assert f'<li id="{anchor}">' in page
        assert str(escape(text)).split("\n")[0][:40] in page
    assert any(m[2] >= 1 for m in takeaways)  # one answers a prompt by number


def test_an_updated_recap_says_so_in_the_index() -> None:
    recap = revised_recap()
    assert recap.revision is not None
    index = render_index([Entry.of("revised.html", recap)], resources=0)
    assert (
        f'<p class="revision">Updated <time datetime="{recap.revision.at.isoformat()}">'
        f"{REVISION_LOCAL}</time>: {recap.revision.summary}</p>"
    ) in index
    assert f"<strong>{len(recap.takeaways)}</strong> takeaways" in index


def test_script_json_escapes_what_could_end_a_script_or_a_line() -> None:
    hostile = "</script><!-- & \u2028 \u2029 é 🙌"
    encoded = script_json({"text": hostile})
    assert encoded.isascii()
    assert not re.search(r"[<>&]", encoded)
    assert "\\u2028" in encoded
    assert "\\u2029" in encoded
    assert json.loads(encoded) == {"text": hostile}


def test_every_page_has_a_strict_policy_that_allows_only_its_own_style_and_scripts(
    built: Built,
) -> None:
    for name in built.pages():
        page = Page(built.text(name))
        assert len(page.csp) == 1, name
        policy = page.csp[0]
        assert policy.startswith("default-src 'none'; "), name
        assert "unsafe" not in policy, name
        assert page.style_attributes == 0, name
        (style,) = page.styles
        digest = base64.b64encode(hashlib.sha256(style.encode("utf-8")).digest()).decode()
        assert f"style-src 'sha256-{digest}'" in policy, name
        filtered = name in ("search.html", "resources.html") or (
            name.startswith("boards/") and name != "boards/index.html"
        )
        assert ("script-src 'self'" in policy) == filtered, name
        charted = name in (PLNCHAT_PAGE, EDCHAT_PAGE) or name.startswith("chats/")
        assert ("img-src data:" in policy) == charted, name
        assert all(s.get("src") for s in page.scripts), f"inline script in {name}"


@pytest.mark.parametrize("name", ["search.js", "resources.js"])
def test_the_scripts_never_parse_user_text_as_html(built: Built, name: str) -> None:
    script = built.text(name)
    for unsafe in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert unsafe not in script
    assert "textContent" in script
    assert script.isascii()  # reads the same whatever encoding a browser assumes for a file


def test_rebuilding_gives_the_same_bytes_and_forgets_stale_pages(
    built: Built, tmp_path: Path
) -> None:
    """A second run over an archive folder: same files, same bytes; a page the previous run
    wrote that is no longer in the archive is removed; other files are left alone."""
    site = tmp_path / "site"
    shutil.copytree(built.out, site)
    (site / "plnchat-2020-01-01.html").write_text("old page", encoding="utf-8")
    (site / "notes.txt").write_text("mine", encoding="utf-8")
    manifest = site / ".qachat-archive"
    manifest.write_text(
        manifest.read_text(encoding="utf-8") + "plnchat-2020-01-01.html\n../outside.txt\n",
        encoding="utf-8",
    )
    (tmp_path / "outside.txt").write_text("keep", encoding="utf-8")

    async def rebuild() -> None:
        store = await open_store(built.database)
        try:
            await build_archive(StoredRecaps(store), site)
        finally:
            await store.close()

    asyncio.run(rebuild())
    assert site_files(site) == sorted([*SITE, "notes.txt"])
    for name in SITE:
        assert (site / name).read_bytes() == (built.out / name).read_bytes(), name
    assert (site / "notes.txt").read_text(encoding="utf-8") == "mine"
    assert (tmp_path / "outside.txt").exists()
