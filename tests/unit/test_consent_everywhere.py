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
from datetime import timedelta
from typing import Any

import pytest

import bot.archive
import bot.render
from bot.archive.entries import Entry, SharedResource, chat_series, merge_resources, share_places
from bot.archive.search_index import message_rows
from bot.core.consent import CONSENTED, Consent
from bot.core.personal import GivenReaction, PersonalData, StoredMessage
from bot.core.recap import Recap
from tests.unit.recap.generate import START
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


def _recap() -> Recap:
    talk = Talk(start=START)
    talk.say("ana", "A1: my network starts with my colleagues https://ana.example/pln")
    talk.say(OPTED_OUT_NAME, f"A1: {OPTED_OUT_WORDS} https://zed.example/notes", minute=11)
    forgotten = talk.say(FORGOTTEN_NAME, f"A1: {FORGOTTEN_WORDS} {FORGOTTEN_LINK}", minute=12)
    talk.say("ben", "A1: I agree with that", minute=13, reply_to=forgotten)
    talk.say("ana", f"A2: thanks {FORGOTTEN_NAME}", question=2, minute=20)
    consent = Consent(
        opted_out=frozenset({talk.user(OPTED_OUT_NAME)}),
        forgotten={talk.user(FORGOTTEN_NAME): START + timedelta(minutes=30)},
    )
    return talk.recap(consent=consent)


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
        Recap: recap,
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
