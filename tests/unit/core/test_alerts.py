"""Keyword alerts in the core: parsing and every validation error, matching (all terms,
case and accents, hashtags, phrases, whole words) across many alerts, highlighting, and
when a delivery is due (instant batching; daily at 08:00 local across a DST change)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from bot.core.alerts import (
    MAX_ALERTS,
    AlertIndex,
    AlertRefused,
    DigestMode,
    DigestSettings,
    FollowedAlert,
    check_room,
    matched_spans,
    next_delivery,
    parse_digest,
    parse_keywords,
)
from bot.core.alerts.digest import slot_at_or_after


def index(*texts: str) -> AlertIndex:
    return AlertIndex(
        FollowedAlert(id=n, guild_id=1, user_id=100 + n, keywords=parse_keywords(text))
        for n, text in enumerate(texts, start=1)
    )


def ids(found: list[FollowedAlert]) -> list[int]:
    return sorted(alert.id for alert in found)


def test_every_term_must_appear_case_and_accent_insensitive() -> None:
    alerts = index("#job Phoenix", "café", '"graphic design" remote')
    assert ids(alerts.match("New JOB in phoenix, apply now")) == [1]
    assert ids(alerts.match("#job #Phoenix")) == [1]
    assert ids(alerts.match("A job in Tucson")) == []
    assert ids(alerts.match("Meet at the CAFE")) == [2]
    assert ids(alerts.match("Meet at the Café")) == [2]
    assert ids(alerts.match("Remote: Graphic   Design lead")) == [3]
    assert ids(alerts.match("design graphic remote")) == []  # a phrase keeps its order


def test_whole_words_only_and_hashtags_without_the_hash() -> None:
    alerts = index("job", "#phoenix")
    assert ids(alerts.match("jobs everywhere")) == []
    assert ids(alerts.match("a #job")) == [1]
    assert ids(alerts.match("PHOENIX rising")) == [2]
    assert ids(alerts.match("phoenixes")) == []


def test_many_alerts_share_terms() -> None:
    texts = [f"job city{n}" for n in range(500)] + ["job"]
    alerts = index(*texts)
    assert ids(alerts.match("job in city7")) == [8, 501]
    assert ids(alerts.match("nothing here")) == []
    assert index().match("job") == []


def test_highlight_spans_in_the_original_text() -> None:
    text = "Hiring: #Job in PHŒNIX, graphic design"
    spans = matched_spans(text, [("job",), ("graphic", "design")])
    assert [text[a:b] for a, b in spans] == ["Job", "graphic design"]


def test_keywords_are_shown_and_keyed() -> None:
    parsed = parse_keywords('  #job   Phoenix "Graphic  Design" ')
    assert parsed.shown == '#job Phoenix "Graphic Design"'
    assert parsed.terms == {("job",), ("phoenix",), ("graphic", "design")}
    assert parse_keywords("phoenix JOB").key == parse_keywords("#job phoenix").key


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("x" * 101, "101 characters long; keep them to 100"),
        ("a b c d e f g h i", "9 keywords; an alert takes at most 8"),
        ('""', "quoted phrase is empty"),
        ('"a b c d e f g"', "has 7 words; keep a phrase to 6"),
        ("#job !!!", "`!!!` has no letter or digit"),
    ],
)
def test_every_validation_error_says_why(text: str, reason: str) -> None:
    with pytest.raises(AlertRefused, match=reason.replace("(", r"\(")):
        parse_keywords(text)


def test_at_most_25_alerts() -> None:
    check_room(MAX_ALERTS - 1)
    with pytest.raises(AlertRefused, match="already follow 25 alerts"):
        check_room(MAX_ALERTS)


@pytest.mark.parametrize(
    ("mode", "at", "zone", "reason"),
    [
        ("hourly", None, None, "not a digest mode"),
        ("daily", "8am", None, "not a time of day"),
        ("daily", "24:00", None, "not a time of day"),
        ("daily", "08:00", "Mars/Olympus", "not a time zone"),
        ("daily", "08:00", "../etc/passwd", "not a time zone"),
    ],
)
def test_digest_settings_errors(mode: str, at: str | None, zone: str | None, reason: str) -> None:
    with pytest.raises(AlertRefused, match=reason):
        parse_digest(mode, at, zone, DigestSettings())


def test_digest_settings_keep_what_is_not_given() -> None:
    first = parse_digest("daily", "07:30", "America/Phoenix", DigestSettings())
    assert first == DigestSettings(DigestMode.DAILY, time(7, 30), "America/Phoenix")
    assert parse_digest("weekly", None, None, first).zone == "America/Phoenix"


def test_instant_is_batched_at_most_once_a_minute() -> None:
    instant = DigestSettings()
    found = datetime(2026, 3, 1, 12, 0, 10, tzinfo=UTC)
    assert next_delivery(instant, found, None) == found
    last = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)
    assert next_delivery(instant, found, last) == last + timedelta(minutes=1)
    assert next_delivery(instant, found, last, refused=True) == last + timedelta(hours=1)


def test_daily_digest_at_0800_local_across_dst() -> None:
    """New York springs forward on 2026-03-08: 08:00 local is 13:00 UTC before, 12:00 after."""
    daily = DigestSettings(DigestMode.DAILY, time(8, 0), "America/New_York")
    found = datetime(2026, 3, 6, 20, 0, tzinfo=UTC)
    first = next_delivery(daily, found, None)
    assert first == datetime(2026, 3, 7, 13, 0, tzinfo=UTC)
    second = next_delivery(daily, first + timedelta(hours=2), first)
    assert second == datetime(2026, 3, 8, 12, 0, tzinfo=UTC)  # 08:00 EDT, one hour earlier
    autumn = next_delivery(daily, datetime(2026, 10, 31, 13, 0, tzinfo=UTC), None)
    assert autumn == datetime(2026, 11, 1, 13, 0, tzinfo=UTC)  # 08:00 EST after fall back
    # A digest time that passed while the bot was down is due at once (its slot is past).
    missed = next_delivery(daily, datetime(2026, 3, 7, 12, 0, tzinfo=UTC), None)
    assert missed == datetime(2026, 3, 7, 13, 0, tzinfo=UTC)


def test_weekly_digest_on_mondays() -> None:
    weekly = DigestSettings(DigestMode.WEEKLY, time(9, 0), "Europe/Paris")
    slot = slot_at_or_after(datetime(2026, 3, 25, 10, 0, tzinfo=UTC), weekly)  # a Wednesday
    assert slot == datetime(2026, 3, 30, 7, 0, tzinfo=UTC)  # Monday 09:00 CEST
    assert slot.astimezone(UTC).weekday() == 0


def test_long_messages_and_three_term_alerts() -> None:
    alerts = index("alpha beta gamma", "alpha beta", "#tag city")
    filler = " ".join(f"word{n}" for n in range(60))  # more terms than pairs are tried for
    assert ids(alerts.match(f"{filler} gamma beta alpha")) == [1, 2]
    assert ids(alerts.match("alpha and gamma and beta")) == [1, 2]
    assert ids(alerts.match("alpha gamma")) == []
    assert ids(alerts.match(f"{filler} #tag")) == []
