"""Profiles: a participant's opt-in public page in the archive (``/chat profile``).

Off by default. A participant who turns theirs on (``visibility:public``) gets a page,
``people/<slug>.html``: their name, a short bio and one link, the chats they joined, their
answers, the resources they shared and the engagement they received. ``off`` removes the
page at the next archive build; the bio and link are kept for when they turn it on again
(``/chat forget-me`` deletes them).

The bio and the link are user text: :func:`check_bio` and :func:`check_link` refuse what
does not fit (a bio of more than :data:`BIO_LIMIT` characters, a link that is not one
http(s) URL) with a sentence that says why, and every output escapes them.

Consent decides who has a page (:func:`public_profiles`): never someone who opted out of
being named, never someone forgotten (a profile set before their request to be forgotten
is gone with the rest), and only with a name to show.

Pure: no I/O and no clock.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from urllib.parse import urlsplit

from bot.core.consent import Consent, consented
from bot.core.errors import ChatError
from bot.core.recap.text import defuse_mentions

#: The longest bio, in characters.
BIO_LIMIT = 200
#: The longest link, in characters.
LINK_LIMIT = 500
#: The longest part of a page name taken from a person's name.
SLUG_LIMIT = 40
#: Characters that have no place in a bio (controls, bidirectional overrides, zero-width
#: joiners used to hide text) or anywhere in a link.
_INVISIBLE = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"})


class ProfileRefused(ChatError):
    """A profile change that cannot be made; the message says why (shown to the user)."""


class Visibility(StrEnum):
    """Whether a participant's profile page is published."""

    PUBLIC = "public"
    OFF = "off"


@dataclass(frozen=True)
class Profile:
    """A participant's profile as stored."""

    user_id: int
    public: bool
    bio: str
    link: str
    updated_at: datetime


def check_bio(text: str) -> str:
    """The bio as it will be stored: one line, white space collapsed, invisible characters
    dropped; :class:`ProfileRefused` when it is longer than :data:`BIO_LIMIT` characters."""
    visible = "".join(
        " " if c.isspace() else c
        for c in text
        if c.isspace() or unicodedata.category(c) not in _INVISIBLE
    )
    bio = " ".join(visible.split())
    if len(bio) > BIO_LIMIT:
        raise ProfileRefused(
            f"a bio is at most {BIO_LIMIT} characters; yours has {len(bio)}. Shorten it and "
            "try again."
        )
    return bio


def check_link(text: str) -> str:
    """The link as it will be stored; :class:`ProfileRefused` unless it is one http:// or
    https:// URL with a host, no user name or password, no spaces, at most
    :data:`LINK_LIMIT` characters."""
    link = text.strip()
    if not link:
        return ""
    if len(link) > LINK_LIMIT:
        raise ProfileRefused(f"a link is at most {LINK_LIMIT} characters; yours has {len(link)}.")
    if any(c.isspace() or unicodedata.category(c) in _INVISIBLE for c in link):
        raise ProfileRefused("a link is one web address, without spaces: give just one link.")
    scheme = link.split(":", 1)[0].lower() if ":" in link else ""
    if scheme not in ("http", "https"):
        if scheme.isascii() and scheme.isalpha() and len(scheme) <= 20:
            refused = f"{scheme}: links are not allowed"
        else:
            refused = "https://example.org/about-me, for example"
        raise ProfileRefused(f"a link must start with https:// or http:// ({refused}).")
    try:
        parts = urlsplit(link)
        host = parts.hostname
        parts.port  # noqa: B018 - raises for a port that is not a number
    except ValueError:
        raise ProfileRefused("that link is not a valid web address.") from None
    if not host or not parts.netloc:
        raise ProfileRefused("a link needs a site: https://example.org/about-me, for example.")
    if parts.username is not None or parts.password is not None:
        raise ProfileRefused("a link may not carry a user name or password.")
    return link


def change_profile(
    current: Profile | None,
    user_id: int,
    visibility: Visibility,
    bio: str | None,
    link: str | None,
    now: datetime,
) -> Profile:
    """The profile after ``/chat profile``: the visibility chosen, and the bio and link given
    (checked), or the stored ones when not given."""
    return Profile(
        user_id=user_id,
        public=visibility is Visibility.PUBLIC,
        bio=check_bio(bio) if bio is not None else (current.bio if current else ""),
        link=check_link(link) if link is not None else (current.link if current else ""),
        updated_at=now,
    )


@consented
@dataclass(frozen=True, slots=True)
class PublicProfile:
    """A profile that may be published: its person did not opt out, was not forgotten since,
    and has a name. ``page`` is its file in the archive (``people/<slug>.html``)."""

    user_id: int
    name: str
    bio: str
    link: str
    page: str


def _still_safe(link: str) -> str:
    """A stored link checked again before it is published (a row written by hand or by an
    older version must not become a ``javascript:`` link): the link, or "" when refused."""
    try:
        return check_link(link)
    except ProfileRefused:
        return ""


def slug(name: str) -> str:
    """``maria-lopez``: a person's name as part of a file name (ASCII letters and digits,
    hyphens); ``person`` when nothing of it is left."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    words = re.findall(r"[a-z0-9]+", folded)
    text = "-".join(words)[:SLUG_LIMIT].strip("-")
    return text or "person"


def public_profiles(
    profiles: Iterable[Profile], names: Mapping[int, str], consent: Consent
) -> list[PublicProfile]:
    """The profiles that get a page, each with its own page name (two people with the same
    name: the one who joined first, by user id, keeps the plain name; the next gets ``-2``
    …), by user id."""
    chosen = [
        p
        for p in sorted(profiles, key=lambda p: p.user_id)
        if p.public
        and consent.named(p.user_id)
        and consent.kept(p.user_id, p.updated_at)
        and names.get(p.user_id)
    ]
    taken: set[str] = set()
    published = []
    for profile in chosen:
        base = slug(names[profile.user_id])
        name, number = base, 1
        while name in taken:
            number += 1
            name = f"{base}-{number}"
        taken.add(name)
        published.append(
            PublicProfile(
                user_id=profile.user_id,
                name=defuse_mentions(names[profile.user_id]),
                bio=defuse_mentions(profile.bio),
                link=_still_safe(profile.link),
                page=f"people/{name}.html",
            )
        )
    return published
