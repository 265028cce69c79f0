"""The recap in Discord: a short message naming every question, embeds within every limit,
continuation messages when it does not fit one message."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import timedelta

from bot.core.recap import Revision, Takeaway, build_recap
from bot.core.spec import QuestionSpec
from bot.render import discord_limits as limits
from bot.render.discord_limits import embed_length, group_embeds, message_problems
from bot.render.discord_post import DiscordMessage, render_discord
from tests.unit.recap.generate import START, big_spec, crowd, finished_run
from tests.unit.render.conftest import Sample


def _assert_within_limits(messages: tuple[DiscordMessage, ...]) -> None:
    for number, message in enumerate(messages, start=1):
        assert message_problems(message.content, message.embeds) == [], f"message {number}"
    flattened = [embed for message in messages for embed in message.embeds]
    # The venue regroups the flattened embeds the same way the renderer planned them.
    assert [list(m.embeds) for m in messages if m.embeds] == group_embeds(flattened)


def _named_questions(messages: tuple[DiscordMessage, ...]) -> list[int]:
    content = "\n".join(message.content for message in messages)
    return [int(n) for n in re.findall(r"^Q(\d+): ", content, flags=re.MULTILINE)]


def test_a_crowded_chat_fits_every_limit_and_names_every_question() -> None:
    """3,000 answers from 1,000 participants to 8 long questions."""
    spec = big_spec(8)
    recap = build_recap(spec, finished_run(spec), crowd(spec, 3000, 1000))
    messages = render_discord(recap)

    _assert_within_limits(messages)
    assert _named_questions(messages) == list(range(1, 9))
    first = messages[0].content
    assert len(first) <= limits.MESSAGE
    assert f"<t:{int(START.timestamp())}:F>" in first
    assert "3,000 answers from 1,000 participants" in first
    titles = [e["title"] for m in messages for e in m.embeds]
    assert [t.split(":")[0] for t in titles[:8]] == [f"Q{n}" for n in range(1, 9)]
    assert any(t.startswith("📚 Reading list") for t in titles)
    assert any(t.startswith("❓ Still open") for t in titles)
    reading = next(e for m in messages for e in m.embeds if e["title"].startswith("📚"))
    assert reading["description"].endswith("more in the transcript.")


def test_a_crowded_updated_chat_with_200_takeaways_fits_every_limit() -> None:
    """3,000 answers to 8 long questions, a revision with large counts, and 200 long
    takeaways (to both prompts and to none): every message within Discord's limits, the
    revision line in the first message, every question named, the takeaways cut with a
    pointer to the transcript."""
    spec = big_spec(8)
    takeaways = [
        Takeaway(
            number % 3,
            20_000 + number,
            f"reader{number}",
            f"Takeaway {number}: " + "what I will carry into my classroom next week " * 8,
            START + timedelta(hours=2, seconds=number),
        )
        for number in range(200)
    ]
    recap = build_recap(spec, finished_run(spec), crowd(spec, 3000, 1000), takeaways=takeaways)
    revision = Revision(12, START + timedelta(hours=3), 1234, 567, 89, 200)
    messages = render_discord(replace(recap, revision=revision))

    _assert_within_limits(messages)
    first = messages[0].content
    assert len(first) <= limits.MESSAGE
    assert (
        f"*Updated <t:{int(revision.at.timestamp())}:R>: +1,234 late answers, 567 edited, "
        "89 removed, 200 takeaways*"
    ) in first
    assert _named_questions(messages) == list(range(1, 9))
    (embed,) = [e for m in messages for e in m.embeds if e["title"] == "💡 Takeaways"]
    assert [f["name"] for f in embed["fields"]] == [
        "Prompt 1: What will you try first?",
        "Prompt 2: Who will you follow?",
        "Other takeaways",
    ]
    assert all(f["value"].endswith("more in the transcript.") for f in embed["fields"])


def test_sixty_long_questions_are_all_named_across_messages() -> None:
    """When even shortened question lines do not fit 2,000 characters, the list goes on in
    the next message rather than leaving a question out."""
    spec = big_spec(
        60,
        questions=tuple(
            QuestionSpec(f"Long question {n} " + "about teaching and learning " * 60)
            for n in range(1, 61)
        ),
    )
    recap = build_recap(spec, finished_run(spec), crowd(spec, 600, 200))
    messages = render_discord(recap)

    _assert_within_limits(messages)
    assert _named_questions(messages) == list(range(1, 61))
    assert len(messages) > 1
    assert all(len(m.embeds) <= limits.EMBEDS_PER_MESSAGE for m in messages)


def test_question_texts_are_shortened_only_as_much_as_needed() -> None:
    """Short questions stay whole; only the long one is cut to make the list fit."""
    spec = big_spec(
        3,
        questions=(
            QuestionSpec("Short one?"),
            QuestionSpec("x" * 1990),
            QuestionSpec("Another short one?"),
        ),
    )
    recap = build_recap(spec, finished_run(spec), [])
    content = render_discord(recap)[0].content
    assert "Q1: Short one? — 0 answers from 0 people" in content
    assert "Q3: Another short one? — 0 answers from 0 people" in content
    assert "Q2: xxxx" in content
    assert "…" in content
    assert len(content) <= limits.MESSAGE


def test_group_embeds_respects_ten_embeds_and_six_thousand_characters() -> None:
    small = [{"title": f"e{n}", "description": "x" * 10} for n in range(23)]
    assert [len(group) for group in group_embeds(small)] == [10, 10, 3]
    big = [{"title": "t", "description": "x" * 2500} for _ in range(5)]
    groups = group_embeds(big)
    assert [len(group) for group in groups] == [2, 2, 1]
    assert all(sum(embed_length(e) for e in group) <= limits.EMBEDS_TOTAL for group in groups)


def test_the_sample_recap_in_discord(sample: Sample) -> None:
    """What the channel sees after the sample chat: the question list, then embeds."""
    messages = sample.rendered.discord
    _assert_within_limits(messages)
    first = messages[0].content
    assert first.startswith("📋 Recap of PLN Chat: learning networks for educators #plnchat")
    assert "112 answers from 25 participants (all here for the first time), 7 late" in first
    assert (
        "Q1: Who or what is in your PLN today, and how did it start? — 23 answers from 22 people"
    ) in first
    assert (
        "📎 The full transcript (Markdown and HTML) and the activity chart are attached." in first
    )
    titles = [e["title"] for m in messages for e in m.embeds]
    assert titles[-4:] == [
        "📚 Reading list: 12 links",
        "❓ Still open: 6 questions nobody answered yet",
        "🪞 Reflect",
        "💡 Takeaways",
    ]
    q1 = messages[0].embeds[0]
    assert q1["fields"][0] == {
        "name": "Themes",
        "value": "facebook group (3) · group (9) · teachers (12) · grad school (2) · met (3)",
        "inline": False,
    }
