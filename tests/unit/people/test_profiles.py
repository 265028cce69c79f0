"""Profiles: hostile bios and links are refused or made harmless, consent decides who has a
page, and the archive publishes the page (linked from voices, search and reading lists) and
removes it when the profile is turned off."""

from __future__ import annotations

import asyncio
import re
from datetime import timedelta
from html import unescape
from pathlib import Path

import pytest

from bot.archive import build_archive
from bot.core.consent import Consent
from bot.core.errors import ChatError
from bot.core.profiles import (
    BIO_LIMIT,
    Profile,
    ProfileRefused,
    Visibility,
    change_profile,
    check_bio,
    check_link,
    public_profiles,
    slug,
)
from bot.runtime.people import published_profiles, set_profile
from bot.runtime.recaps import StoredRecaps
from bot.storage import SqliteStore, open_store
from tests.support.hostile import RTL
from tests.unit.archive.conftest import Page, search_data, site_files
from tests.unit.archive.sample import PLNCHAT_PAGE, store_two_chats
from tests.unit.recap.generate import START

SCRIPT_BIO = "<script>alert(1)</script> @everyone <img src=x onerror=alert(2)> **bold**"


def test_a_bio_is_one_line_of_visible_text_of_at_most_200_characters() -> None:
    assert check_bio("  Biology teacher,\n\tSan Antonio  ") == "Biology teacher, San Antonio"
    # Bidirectional overrides and zero-width characters hide or reorder text: dropped.
    assert check_bio("safe\u202etxt.exe\u200b\x00") == "safetxt.exe"
    assert check_bio(f"{RTL} 🙌") == f"{RTL} 🙌"
    assert len(check_bio("x" * BIO_LIMIT)) == BIO_LIMIT
    with pytest.raises(ProfileRefused, match="a bio is at most 200 characters; yours has 201"):
        check_bio("x" * (BIO_LIMIT + 1))


@pytest.mark.parametrize(
    ("link", "reason"),
    [
        ("javascript:alert(1)", "javascript: links are not allowed"),
        ("JaVaScRiPt:alert(document.cookie)", "javascript: links are not allowed"),
        ("  javascript:alert(1)", "javascript: links are not allowed"),
        ("data:text/html,<script>alert(1)</script>", "data: links are not allowed"),
        ("vbscript:msgbox(1)", "vbscript: links are not allowed"),
        ("file:///etc/passwd", "file: links are not allowed"),
        ("ftp://example.org/", "ftp: links are not allowed"),
        ("example.org/me", "must start with https:// or http://"),
        ("//example.org/me", "must start with https:// or http://"),
        ("https://", "a link needs a site"),
        ("https:///path-only", "a link needs a site"),
        ("https://user:secret@example.org/", "user name or password"),
        ("https://example.org/a b", "without spaces"),
        ("https://example.org/\nhttps://evil.example", "without spaces"),
        ("https://exa\u202emple.org", "without spaces"),
        ("https://example.org:99999999/", "not a valid web address"),
        ("https://example.org/" + "a" * 500, "a link is at most 500 characters"),
    ],
)
def test_a_link_other_than_one_http_or_https_address_is_refused_with_a_reason(
    link: str, reason: str
) -> None:
    with pytest.raises(ProfileRefused, match=re.escape(reason)) as refused:
        check_link(link)
    assert isinstance(refused.value, ChatError)  # the adapter replies with it, ephemerally


def test_http_and_https_links_are_kept_as_given() -> None:
    assert check_link(" https://example.org/about?x=1#me ") == "https://example.org/about?x=1#me"
    assert check_link("HTTP://Example.org") == "HTTP://Example.org"
    assert check_link('https://example.org/"><script>') == 'https://example.org/"><script>'


def test_a_change_keeps_what_was_not_given() -> None:
    first = change_profile(None, 7, Visibility.PUBLIC, "Coach", "https://a.example", START)
    off = change_profile(first, 7, Visibility.OFF, None, None, START + timedelta(minutes=1))
    assert (off.public, off.bio, off.link) == (False, "Coach", "https://a.example")
    again = change_profile(off, 7, Visibility.PUBLIC, "", None, START + timedelta(minutes=2))
    assert (again.public, again.bio, again.link) == (True, "", "https://a.example")


def test_consent_decides_who_has_a_page_and_each_page_has_its_own_name() -> None:
    def public(user: int, minute: int = 0) -> Profile:
        return Profile(user, True, "", "", START + timedelta(minutes=minute))

    names = {1: "Ana López", 2: "ana lopez", 3: "Zeb", 4: "Fay", 5: "Fay", 6: "", 7: "<b>x</b>"}
    consent = Consent(
        opted_out=frozenset({3}), forgotten={4: START + timedelta(minutes=5), 5: START}
    )
    profiles = [public(1), public(2), public(3), public(4), public(5, minute=10), public(6)]
    profiles += [public(7), Profile(8, False, "", "", START)]
    published = public_profiles(profiles, names | {8: "off"}, consent)
    # 3 opted out; 4 was forgotten after setting it; 5 set it after the request; 6 has no name.
    assert [(p.user_id, p.page) for p in published] == [
        (1, "people/ana-lopez.html"),
        (2, "people/ana-lopez-2.html"),
        (5, "people/fay.html"),
        (7, "people/b-x-b.html"),
    ]
    assert slug("🙌") == "person"
    # A stored link is checked again before it is published (a row written by hand).
    smuggled = Profile(1, True, "", "javascript:alert(1)", START)
    assert public_profiles([smuggled], names, consent)[0].link == ""
    assert slug("Łukasz Ąę " * 10) == "ukasz-ae-ukasz-ae-ukasz-ae-ukasz-ae-ukas"


async def test_a_refused_link_stores_nothing(store: SqliteStore) -> None:
    with pytest.raises(ProfileRefused):
        await set_profile(
            store, 7, "ana", Visibility.PUBLIC, START, bio="hi", link="javascript:alert(1)"
        )
    assert await store.profile(7) is None
    saved = await set_profile(store, 7, "ana", Visibility.PUBLIC, START, bio=SCRIPT_BIO)
    assert saved.profile.bio == SCRIPT_BIO
    assert not saved.opted_out
    await store.set_opt_out(7, "ana", True, START)
    assert (await set_profile(store, 7, "ana", Visibility.PUBLIC, START)).opted_out
    assert await published_profiles(store) == []


async def _user(store: SqliteStore, name: str) -> int:
    (row,) = await store.db.fetchall("SELECT user_id FROM participants WHERE name = ?", (name,))
    return int(row[0])


def test_the_archive_publishes_a_profile_and_removes_it_when_turned_off(tmp_path: Path) -> None:
    site = tmp_path / "site"

    async def build(visibility: Visibility | None) -> None:
        store = await open_store(tmp_path / "bot.db")
        try:
            if visibility is None:
                await store_two_chats(store)
                visibility = Visibility.PUBLIC
            ben = await _user(store, "ben")
            await set_profile(
                store,
                ben,
                "ben",
                visibility,
                START,
                bio=SCRIPT_BIO,
                link='https://example.org/"><script>alert(3)</script>',
            )
            await set_profile(store, await _user(store, "jamal"), "jamal", visibility, START)
            await build_archive(StoredRecaps(store), site, charts=False)
        finally:
            await store.close()

    asyncio.run(build(None))
    page = site / "people" / "ben.html"
    html = page.read_text(encoding="utf-8")
    parsed = Page(html)
    assert parsed.scripts == []
    assert "<script>" not in html
    assert "<img" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "@\u200beveryone" in unescape(html)  # mentions defused
    assert 'href="https://example.org/&#34;&gt;&lt;script&gt;alert(3)&lt;/script&gt;"' in html
    assert "script-src" not in parsed.csp[0]
    text = unescape(re.sub(r"<[^>]+>", " ", html))
    assert "PLN Chat: learning networks for educators" in text  # a chat he joined
    assert "3 people reacted, 2 replied" in text  # the engagement his answers drew there
    assert "turn and talk" in text  # his answers, by question
    assert f'href="../{PLNCHAT_PAGE}#m' in html
    # Voices to follow, search results and reading lists link to it.
    recap = (site / PLNCHAT_PAGE).read_text(encoding="utf-8")
    assert '<a class="who" href="people/ben.html" dir="auto">ben</a> — 3 people reacted' in recap
    rows = search_data(site)["messages"]
    assert {row[6] for row in rows if row[3] == "ben"} == {"people/ben.html"}
    assert all(len(row) == 6 for row in rows if row[3] not in ("ben", "jamal"))
    assert "people/ben.html" in (site / ".qachat-archive").read_text(encoding="utf-8")
    # jamal shared the Cult of Pedagogy podcast: the reading lists name him with a link.
    jamal = '<a class="who" href="people/jamal.html" dir="auto">jamal</a>'
    assert f"shared by {jamal}" in recap
    assert f"Shared by {jamal}" in (site / "resources.html").read_text(encoding="utf-8")
    jamal_page = (site / "people" / "jamal.html").read_text(encoding="utf-8")
    assert 'href="https://www.cultofpedagogy.com/pod"' in jamal_page  # the resources he shared

    asyncio.run(build(Visibility.OFF))
    assert not page.exists()
    assert not (site / "people").exists()
    assert "people/" not in (site / PLNCHAT_PAGE).read_text(encoding="utf-8")
    assert "people/" not in (site / "search-index.js").read_text(encoding="utf-8")
    assert not any(name.startswith("people/") for name in site_files(site))
