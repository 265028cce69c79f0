"""The chat file's ``suggestions`` setting: where /chat suggest posts suggestions to upvote,
every validation path with its line, and its round trip through storage and export."""

from __future__ import annotations

from dataclasses import replace

from bot.chatfile.dump import dump_chat
from bot.chatfile.form import check_form, form_of
from bot.core.spec import ChatSpec, SuggestionsSpec
from tests.unit.test_chatfile import BASE, NOW, chat, load, only, where


def test_post_in_chooses_the_channel_and_defaults_to_the_chat() -> None:
    default = load(BASE)
    moderators = load(
        chat("moderator_channel: 1190538217764921777\nsuggestions:\n  post_in: moderators\n")
    )
    assert default.problems == moderators.problems == []
    assert default.spec is not None
    assert moderators.spec is not None
    assert default.spec.suggestions == SuggestionsSpec("chat")
    assert default.spec.suggestions_channel == 1187423950213476372
    assert moderators.spec.suggestions_channel == 1190538217764921777
    # Stored and exported, it comes back the same; a chat without it keeps its stored form.
    assert ChatSpec.from_json(moderators.spec.to_json()) == moderators.spec
    assert "suggestions" not in default.spec.to_json()
    exported = load(dump_chat(moderators.spec))
    assert exported.spec is not None
    assert exported.spec.suggestions == moderators.spec.suggestions


def test_every_mistake_is_named_with_its_line() -> None:
    wrong_place = only(load(chat("suggestions:\n  post_in: everywhere\n")))
    assert (wrong_place.line, wrong_place.field) == (11, "suggestions.post_in")
    assert "use chat or moderators" in wrong_place.message
    assert where(load(chat("suggestions: moderators\n"))) == [(10, 14, "suggestions", "error")]
    unknown = only(load(chat("suggestions:\n  post_at: chat\n")))
    assert (unknown.line, unknown.field) == (11, "suggestions.post_at")
    assert "post_in" in unknown.message


def test_the_discord_form_keeps_sets_and_checks_it() -> None:
    spec = load(chat("suggestions:\n  post_in: moderators\n")).spec
    assert spec is not None
    form = form_of(spec)
    assert form.suggestions == "moderators"
    # An edit of other fields keeps it; /host set changes it; a wrong value names the field.
    kept = check_form(replace(form, title="Renamed"), spec.id, NOW, base=spec)
    assert kept.spec is not None
    assert kept.spec.suggestions.post_in == "moderators"
    back = check_form(replace(form, suggestions="chat"), spec.id, NOW, base=spec)
    assert back.spec is not None
    assert back.spec.suggestions == SuggestionsSpec()
    wrong = check_form(replace(form, suggestions="nowhere"), spec.id, NOW, base=spec)
    assert wrong.spec is None
    assert str(wrong.problems[0]).startswith("suggestions")
    new = check_form(replace(form_of(load(BASE).spec or spec), suggestions=""), "x1", NOW)
    assert new.spec is not None
    assert new.spec.suggestions == SuggestionsSpec()
