"""Consent everywhere: every renderer takes its people through the one consent filter.

The test finds every renderer (a public ``render_*`` function in :mod:`bot.render` and
:mod:`bot.archive`, and every module added there later), and checks two things:

* its input is a model marked :func:`bot.core.consent.consented` (built through
  :class:`bot.core.consent.Consent`), never raw stored messages;
* run on a chat where one participant opted out and another asked to be forgotten,
  its output never names or quotes either of them (the opted-out one is still counted).

A renderer added without the filter fails here: give it a consented model as input and,
if its input is new, a sample below.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import typing
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest

import bot.archive
import bot.render
from bot.archive.entries import Entry, SharedResource, chat_series, merge_resources, share_places
from bot.archive.people_pages import ProfilePage
from bot.archive.search_index import message_rows
from bot.core.boards import Board, BoardView, Save, assemble_board, shared_links
from bot.core.cards import card_from_unfurl
from bot.core.consent import CONSENTED, Consent
from bot.core.engagement import ChatMessage
from bot.core.people import EngagementRows, OccurrenceInfo, PeopleFound, find_people
from bot.core.personal import GivenReaction, PersonalData, StoredMessage
from bot.core.profiles import Profile, public_profiles
from bot.core.recap import Recap
from bot.core.recap.listings import with_cards
from bot.core.series import Series, SeriesOccurrence, build_series
from tests.unit.recap.generate import START, finished_run
from tests.unit.recap.talk import Talk

#: What the opted-out participant and the forgotten one wrote and are called.
OPTED_OUT_NAME, OPTED_OUT_WORDS = "Zebadiah", "quokkas-are-my-secret"
FORGOTTEN_NAME, FORGOTTEN_WORDS = "Fayette", "axolotl-confession"
FORGOTTEN_LINK = "https://forgotten.example/my-private-notes"


def _renderers() -> Iterator[tuple[str, Callable[..., Any]]]:
    for package in (bot.render, bot.archive):
        for info in pkgutil.walk_packages(package.__path__, f"{package.__name__}."):
            module = importlib.import_module(info.name)
            for name, function in inspect.getmembers(module, inspect.isfunction):
                if name.startswith("render_") and function.__module__ == module.__name__:
                    yield f"{module.__name__}.{name}", function


RENDERERS = sorted(_renderers())


def _types(annotation: Any) -> Iterator[type]:
    """``annotation`` and the types inside it (``Sequence[Entry]`` gives Sequence, Entry)."""
    origin = typing.get_origin(annotation)
    if origin is None:
        if isinstance(annotation, type):
            yield annotation
        return
    if isinstance(origin, type):
        yield origin
    for argument in typing.get_args(annotation):
        yield from _types(argument)


def _talk() -> tuple[Talk, Consent, dict[int, set[int]]]:
    """The chat: ana, ben and the two people to protect, each with engagement (reactions
    and replies) so that only consent keeps them out of the voices and the people found."""
    talk = Talk(start=START)
    ana = talk.say("ana", "A1: my network starts with my colleagues https://ana.example/pln")
    hidden = talk.say(OPTED_OUT_NAME, f"A1: {OPTED_OUT_WORDS} https://zed.example/notes", minute=11)
    forgotten = talk.say(FORGOTTEN_NAME, f"A1: {FORGOTTEN_WORDS} {FORGOTTEN_LINK}", minute=12)
    talk.say("ben", "A1: I agree with that", minute=13, reply_to=forgotten)
    talk.say("ana", f"A2: thanks {FORGOTTEN_NAME}", question=2, minute=20)
    talk.say("ben", "so true", answer=False, reply_to=hidden, minute=21)
    talk.say(OPTED_OUT_NAME, "agreed", answer=False, reply_to=ana, minute=22)
    consent = Consent(
        opted_out=frozenset({talk.user(OPTED_OUT_NAME)}),
        forgotten={talk.user(FORGOTTEN_NAME): START + timedelta(minutes=30)},
    )
    fans = {talk.user("ana"), talk.user("ben")}
    reactors = {ana: {talk.user("ben")}, hidden: fans, forgotten: fans}
    return talk, consent, reactors


def _recap() -> Recap:
    """The recap, its reading list with link cards (the two protected people's links have
    cards too: the cards must not bring their links back)."""
    talk, consent, reactors = _talk()
    recap = talk.recap(consent=consent, reactors=reactors)
    cards = {
        url: card
        for url, author in (
            ("https://ana.example/pln", talk.user("ana")),
            ("https://zed.example/notes", talk.user(OPTED_OUT_NAME)),
            (FORGOTTEN_LINK, talk.user(FORGOTTEN_NAME)),
        )
        if (
            card := card_from_unfurl(
                url,
                title=f"Card of {url}",
                description="A page",
                provider="Site",
                thumbnail=None,
                message_id=1,
                author_id=author,
                posted_at=START,
                seen_at=START,
            )
        )
    }
    assert "https://ana.example/pln" in {r.url for r in recap.resources}
    return replace(recap, resources=with_cards(recap.resources, cards))


def _names(talk: Talk) -> dict[int, str]:
    return {user: name for name, user in talk.people.items()}


def _people_found() -> PeopleFound:
    talk, consent, reactors = _talk()
    spec = talk.spec
    info = OccurrenceInfo(
        1, spec.id, spec.title, spec.timezone, START, tuple(q.text for q in spec.questions), 5
    )
    rows = EngagementRows(
        answers=tuple(a for a in talk.answers if a.is_answer),
        reactions={message: frozenset(users) for message, users in reactors.items()},
        replies=tuple(
            ChatMessage(a.message_id, a.author_id, a.reply_to, a.created_at)
            for a in talk.answers
            if a.reply_to is not None
        ),
    )
    return find_people(rows, (), {1: info}, consent, _names(talk))


def _series() -> Series:
    """Two occurrences with the same people: the two to protect would be returning voices."""
    first, consent, _ = _talk()
    second = Talk(start=START + timedelta(days=7), people=dict(first.people), next_id=9000)
    for name in ("ana", OPTED_OUT_NAME, FORGOTTEN_NAME):
        second.say(name, f"A1: {OPTED_OUT_WORDS} {FORGOTTEN_WORDS} again, {name}")
        second.say(name, f"A2: {OPTED_OUT_WORDS} {FORGOTTEN_WORDS}", question=2, minute=20)
    occurrences = [
        SeriesOccurrence(finished_run(talk.spec, talk.start, number), talk.spec, talk.answers)
        for number, talk in ((1, first), (2, second))
    ]
    # The forgotten person's request covers both occurrences.
    consent = Consent(consent.opted_out, {first.user(FORGOTTEN_NAME): START + timedelta(days=30)})
    return build_series(first.spec, occurrences, consent, _names(first))


def _profile_page(entry: Entry, recap: Recap) -> ProfilePage:
    """Everyone asked for a public profile; consent leaves ana's alone."""
    talk, consent, _ = _talk()
    profiles = [
        Profile(user, True, f"bio of {name}", "https://example.org/me", START)
        for name, user in talk.people.items()
    ]
    published = public_profiles(profiles, _names(talk), consent)
    assert [p.name for p in published] == ["ana", "ben"]
    page = ProfilePage(published[0])
    page.add(entry, recap)
    return page


def _board_view(recap: Recap) -> BoardView:
    """A topic board with the recap's links, saved by the protected people too (counted,
    never named) and a link only the forgotten person saved (never shown)."""
    talk, consent, _ = _talk()
    board = Board(3, "Networks", "Learning networks", ("network",), False, None, START)
    saves = [
        Save(3, talk.user(name), url, 1, 77, 1, START + timedelta(minutes=40), name)
        for name, url in (
            ("ben", "https://ana.example/pln"),
            (OPTED_OUT_NAME, "https://ana.example/pln"),
            (FORGOTTEN_NAME, "https://ana.example/pln"),
            (FORGOTTEN_NAME, FORGOTTEN_LINK),
            (OPTED_OUT_NAME, "https://zed.example/notes"),
        )
    ]
    view = assemble_board(board, shared_links(recap), saves, consent, _names(talk))
    [item] = view.items
    assert (item.url, item.saves, item.saved_by) == ("https://ana.example/pln", 3, ("ben",))
    return view


def _samples() -> dict[Any, Any]:
    recap = _recap()
    entry = Entry.of("edchat-2027-03-01.html", recap)
    resources = merge_resources(share_places(entry, recap))
    mine = PersonalData(
        user_id=101,
        name="ana",
        first_seen=START,
        opted_out=False,
        forget_requested_at=None,
        forget_by_moderator=False,
        messages=(
            StoredMessage(
                5001,
                0,
                "edchat",
                START,
                77,
                None,
                1,
                "prefix",
                "A1: mine",
                START,
                None,
                "live",
                False,
            ),
        ),
        reactions=(GivenReaction(5003, "edchat", START, "👍"),),
    )
    return {
        PersonalData: mine,
        PeopleFound: _people_found(),
        Series: _series(),
        ProfilePage: _profile_page(entry, recap),
        "guild_id": 1234,
        Recap: recap,
        BoardView: _board_view(recap),
        Entry: entry,
        SharedResource: resources,
        "entries": [entry],
        "series": chat_series([entry]),
        "resources": len(resources),
        "recaps": [(entry, message_rows(recap))],
        "chart": None,
        "attached": True,
    }


def _arguments(function: Callable[..., Any], samples: dict[Any, Any]) -> dict[str, Any]:
    hints = typing.get_type_hints(function)
    arguments: dict[str, Any] = {}
    for name, parameter in inspect.signature(function).parameters.items():
        hint = hints.get(name)
        inner = [t for t in _types(hint) if t in CONSENTED and t is not hint]
        by_name = samples.get(name)
        if hint in samples:
            arguments[name] = samples[hint]
        elif name in samples and (typing.get_origin(hint) is None) == (
            not isinstance(by_name, list | tuple)
        ):
            arguments[name] = by_name
        elif inner:
            model = samples[inner[0]]
            arguments[name] = model if isinstance(model, list) else [model]
        elif parameter.default is inspect.Parameter.empty:
            pytest.fail(f"{function.__qualname__}: no sample for {name}: add one in _samples")
    return arguments


def test_the_renderers_are_found() -> None:
    names = {name.rsplit(".", 1)[1] for name, _ in RENDERERS}
    assert {"render_discord", "render_markdown", "render_html", "render_json"} <= names
    assert {"render_recap_page", "render_index", "render_search_index"} <= names


@pytest.mark.parametrize(("name", "renderer"), RENDERERS, ids=[n for n, _ in RENDERERS])
def test_every_renderer_takes_a_consented_model(name: str, renderer: Callable[..., Any]) -> None:
    hints = typing.get_type_hints(renderer)
    hints.pop("return", None)
    inputs = {t for annotation in hints.values() for t in _types(annotation)}
    assert inputs & CONSENTED, (
        f"{name} takes {sorted(t.__name__ for t in inputs)}: none of them is built through "
        "bot.core.consent.Consent (mark the model @consented only where its builder applies it)"
    )
    assert not {t.__name__ for t in inputs} & {"Answer", "StoredMessage"}, (
        f"{name} takes raw stored messages; render from a consented model"
    )


@pytest.mark.parametrize(("name", "renderer"), RENDERERS, ids=[n for n, _ in RENDERERS])
def test_no_renderer_names_or_quotes_the_opted_out_or_the_forgotten(
    name: str, renderer: Callable[..., Any]
) -> None:
    output = renderer(**_arguments(renderer, _samples()))
    if isinstance(output, bytes):  # a chart: no text to read
        return
    text = repr(output)
    for secret in (OPTED_OUT_NAME, OPTED_OUT_WORDS, FORGOTTEN_WORDS, FORGOTTEN_LINK):
        assert secret not in text, f"{name} shows {secret!r}"
    assert "zed.example" not in text  # the opted-out person's link is not theirs to share


def test_the_forgotten_are_not_counted_the_opted_out_are() -> None:
    recap = _recap()
    assert recap.header.participants == 3  # ana, zebadiah and ben; not fayette
    assert recap.header.opted_out == 1
    assert [v.name for v in recap.voices] == ["ana"]  # zebadiah's answer drew more: not named
    assert [p.name for p in _people_found().people] == ["ana"]
    series = _series()
    assert [row.participants for row in series.rows] == [3, 2]  # fayette never counted
    assert ([r.name for r in series.regulars], series.unnamed_regulars) == (["ana"], 1)
