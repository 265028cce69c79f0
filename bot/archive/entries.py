"""What the archive keeps of each recap once its page is written: the index entry, its
messages for the search index, and the resources it shared (merged across chats)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit

from bot.core.cards import LinkCard
from bot.core.consent import consented
from bot.core.recap import Header, Quote, Recap, Resource, Revision, Takeaway
from bot.core.recap.text import find_links, normalise_link
from bot.render.common import local


@consented
@dataclass(frozen=True, slots=True)
class Entry:
    """One recap in the archive: its page and what the index shows of it."""

    page: str
    header: Header
    questions: tuple[str, ...]
    #: The recap's reflection prompts (search results name the one a takeaway answers).
    prompts: tuple[str, ...] = ()
    #: What changed since the recap was first published (None: never updated).
    revision: Revision | None = None
    #: How many takeaways learners left in the recap's thread.
    takeaways: int = 0

    @classmethod
    def of(cls, page: str, recap: Recap) -> Entry:
        """The entry of ``recap``, written as ``page``."""
        return cls(
            page,
            recap.header,
            tuple(q.text for q in recap.questions),
            tuple(recap.prompts),
            recap.revision,
            len(recap.takeaways),
        )

    @property
    def sort_key(self) -> tuple[datetime, int]:
        """Oldest first; the index and the search show the reverse."""
        return (self.header.start, self.header.occurrence_id)


def short_date(header: Header) -> str:
    """``Tue 12 Jan 2027, 20:00 CST``: when a chat started, in its zone."""
    start = local(header.start, header.timezone)
    return f"{start:%a} {start.day} {start:%b %Y, %H:%M %Z}"


def day(header: Header) -> str:
    """``12 Jan 2027``: the local date a chat started."""
    start = local(header.start, header.timezone)
    return f"{start.day} {start:%b %Y}"


def anchor(message: Quote | Takeaway) -> str:
    """The id of a message on its recap page: ``m900000012-0`` (a takeaway: ``t900000012``)."""
    if isinstance(message, Takeaway):
        return f"t{message.message_id}"
    return f"m{message.message_id}-{message.part}"


def messages(recap: Recap) -> Iterator[Quote]:
    """Every message the recap page shows in a transcript, in page order."""
    yield from recap.before
    for question in recap.questions:
        yield from question.transcript


@dataclass(frozen=True, slots=True)
class Place:
    """Where a resource was shared: a recap, the model's resource there, and the message."""

    entry: Entry
    resource: Resource
    anchor: str


@consented
@dataclass(slots=True)
class SharedResource:
    """A link shared in one or more chats, listed once."""

    url: str
    places: list[Place] = field(default_factory=list)

    @property
    def host(self) -> str:
        """``edutopia.org``: the site, for readers scanning the list."""
        host = urlsplit(self.url).hostname or ""
        return host.removeprefix("www.")

    @property
    def first(self) -> Resource:
        """The earliest share (who is named, and the sentence shown)."""
        return self.places[0].resource

    @property
    def card(self) -> LinkCard | None:
        """Discord's preview of the link, from the latest chat that has one (the archive
        shows its title, provider and description; thumbnails are not shown, so a reader's
        browser never contacts the linked site)."""
        for place in reversed(self.places):
            if place.resource.card is not None:
                return place.resource.card
        return None

    @property
    def shares(self) -> int:
        """How often it was shared, in every chat."""
        return sum(place.resource.shares for place in self.places)

    @property
    def chats(self) -> list[str]:
        """The ids of the chats it was shared in, each once."""
        return list(dict.fromkeys(place.entry.header.chat_id for place in self.places))


def share_places(entry: Entry, recap: Recap) -> list[Place]:
    """The recap's resources, each with the anchor of the message that first shared it."""
    by_author: dict[tuple[int, datetime], list[Quote]] = {}
    for quote in messages(recap):
        if "://" in quote.text:
            by_author.setdefault((quote.author_id, quote.at), []).append(quote)
    places = []
    for resource in recap.resources:
        target = next(
            (
                anchor(quote)
                for quote in by_author.get((resource.shared_by_id, resource.at), [])
                if any(
                    normalise_link(link) == resource.url for _, _, link in find_links(quote.text)
                )
            ),
            f"q{resource.question}" if resource.question else "resources",
        )
        places.append(Place(entry, resource, target))
    return places


def merge_resources(places: Iterable[Place]) -> list[SharedResource]:
    """Every resource once, by normalised URL, with the places it was shared in time order;
    the most recently shared first."""
    merged: dict[str, SharedResource] = {}
    for place in places:
        merged.setdefault(place.resource.url, SharedResource(place.resource.url)).places.append(
            place
        )
    for shared in merged.values():
        shared.places.sort(key=lambda p: (p.entry.sort_key, p.resource.at))

    def recent_first(shared: SharedResource) -> tuple[float, int, float, str]:
        latest = shared.places[-1]
        start, occurrence = latest.entry.sort_key
        return (-start.timestamp(), -occurrence, latest.resource.at.timestamp(), shared.url)

    return sorted(merged.values(), key=recent_first)


def chat_series(entries: Sequence[Entry]) -> list[tuple[str, str]]:
    """``(chat id, "title #hashtag")`` of every chat in the archive (its latest title), by
    title: the choices of the "only from one chat" filters."""
    latest: dict[str, Header] = {}
    for entry in sorted(entries, key=lambda e: e.sort_key):
        latest[entry.header.chat_id] = entry.header
    return sorted(
        ((chat_id, f"{h.title} {h.hashtag}") for chat_id, h in latest.items()),
        key=lambda pair: (pair[1].casefold(), pair[0]),
    )
