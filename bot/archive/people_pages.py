"""The archive's pages about people: a public profile per participant who chose one
(``people/<slug>.html``), and a recurring chat's community over time (``chats/<chat_id>.html``).

A profile page is put together while the recap pages are written, from the recap models only
(what a recap shows of the person: their answers, the links in their messages, the engagement
their answers drew), so it can show no more than the recaps do; who has one is decided by
:func:`bot.core.profiles.public_profiles` (never someone who opted out or was forgotten). A
series page is :class:`bot.core.series.Series`, built through the same consent filter.

Both live one folder down, so their links to the archive's own pages start with ``../``; they
run no script, and the series page embeds its chart as a ``data:`` image.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass, field

from bot.archive.entries import Entry, anchor, day
from bot.archive.pages import page_html
from bot.core.consent import consented
from bot.core.engagement import engagement_reason
from bot.core.profiles import PublicProfile
from bot.core.recap import Quote, Recap
from bot.core.recap.text import find_links, normalise_link
from bot.core.series import Series, SeriesRow
from bot.render.common import clock_time, count, local

#: Where the pages of each kind go, and the way back up from there.
PEOPLE = "people"
CHATS = "chats"
UP = "../"


def series_page_name(chat_id: str) -> str:
    """``chats/plnchat.html``."""
    return f"{CHATS}/{chat_id}.html"


@dataclass(frozen=True, slots=True)
class AnsweredQuestion:
    """A question of one chat and the person's answers to it."""

    number: int | None
    text: str
    answers: tuple[Quote, ...]


@dataclass(frozen=True, slots=True)
class JoinedChat:
    """One chat the person took part in (it has a recap page)."""

    entry: Entry
    questions: tuple[AnsweredQuestion, ...]
    answers: int
    reacted: int
    replied: int

    @property
    def reason(self) -> str:
        """What their answers drew in this chat."""
        return engagement_reason(self.reacted, self.replied)


@dataclass(frozen=True, slots=True)
class SharedLink:
    """A link the person shared, where it was first shared."""

    url: str
    entry: Entry
    anchor: str


@consented
@dataclass(slots=True)
class ProfilePage:
    """A public profile and what the recaps show of its person, newest chat first."""

    profile: PublicProfile
    chats: list[JoinedChat] = field(default_factory=list)
    resources: list[SharedLink] = field(default_factory=list)

    @property
    def answers(self) -> int:
        """Their answers in the archive."""
        return sum(chat.answers for chat in self.chats)

    @property
    def reason(self) -> str:
        """The engagement their answers drew, chat by chat, added up."""
        return engagement_reason(
            sum(chat.reacted for chat in self.chats), sum(chat.replied for chat in self.chats)
        )

    def add(self, entry: Entry, recap: Recap) -> None:
        """What ``recap`` (written as ``entry``) shows of this person, if anything."""
        self.take(profile_part(self.profile.user_id, entry, recap))

    def take(self, part: ProfilePart | None) -> None:
        """Add what one recap shows of this person (:func:`profile_part`); chats are added
        oldest first, so the newest is shown first."""
        if part is None:
            return
        self.chats.insert(0, part.chat)
        known = {link.url for link in self.resources}
        for link in part.links:
            if link.url not in known:
                known.add(link.url)
                self.resources.append(link)


@dataclass(frozen=True, slots=True)
class ProfilePart:
    """What one recap shows of one person: the chat they joined and the links they shared
    there (kept between builds, so an unchanged recap need not be read again)."""

    chat: JoinedChat
    links: tuple[SharedLink, ...]


def profile_part(user: int, entry: Entry, recap: Recap) -> ProfilePart | None:
    """What ``recap`` (written as ``entry``) shows of ``user``; None when nothing."""
    questions = []
    if any(q.author_id == user and q.is_answer for q in recap.before):
        mine = tuple(q for q in recap.before if q.author_id == user and q.is_answer)
        questions.append(AnsweredQuestion(None, "", mine))
    for question in recap.questions:
        mine = tuple(q for q in question.transcript if q.author_id == user and q.is_answer)
        if mine:
            questions.append(AnsweredQuestion(question.number, question.text, mine))
    engaged = next((e for e in recap.engagement if e.user_id == user), None)
    if not questions and engaged is None:
        return None
    chat = JoinedChat(
        entry,
        tuple(questions),
        sum(len(q.answers) for q in questions),
        engaged.reacted if engaged else 0,
        engaged.replied if engaged else 0,
    )
    links: list[SharedLink] = []
    known: set[str] = set()
    for quote in _said(recap, user):
        if "://" not in quote.text:
            continue
        for _, _, link in find_links(quote.text):
            url = normalise_link(link)
            if url is not None and url not in known:
                known.add(url)
                links.append(SharedLink(url, entry, anchor(quote)))
    return ProfilePart(chat, tuple(links))


def _said(recap: Recap, user: int) -> list[Quote]:
    """Every message of ``user`` the recap page shows, in page order."""
    said = [q for q in recap.before if q.author_id == user]
    for question in recap.questions:
        said += [q for q in question.transcript if q.author_id == user]
    return said


def render_profile_page(page: ProfilePage) -> str:
    """``people/<slug>.html``: one public profile."""
    return page_html(
        "archive_profile.html.j2",
        current="profile",
        root=UP,
        p=page,
        me=page.profile,
        day=day,
        anchor=anchor,
        time=clock_time,
    )


def render_series_page(
    series: Series,
    recap_pages: Mapping[int, str] | None = None,
    profiles: Mapping[int, str] | None = None,
    chart: bytes | None = None,
) -> str:
    """``chats/<chat_id>.html``: ``recap_pages`` are the recap page of each occurrence (by id),
    ``profiles`` the profile page of each person who has one; ``chart`` (a PNG) is embedded."""
    pages = profiles or {}
    recaps = recap_pages or {}

    def row_day(row: SeriesRow) -> str:
        start = local(row.start, series.timezone)
        return f"{start:%a} {start.day} {start:%b %Y}"

    return page_html(
        "archive_series.html.j2",
        current="series",
        root=UP,
        s=series,
        chart=base64.b64encode(chart).decode("ascii") if chart else "",
        occurrences=count(len(series.rows), "occurrence"),
        people=count(series.people, "person", "people"),
        unnamed=f"{count(series.unnamed_regulars, 'more person', 'more people')} took part as often"
        " (people who asked not to be named are counted, never named)",
        day=row_day,
        recap_page=lambda row: recaps.get(row.occurrence_id),
        profile=pages.get,
    )
