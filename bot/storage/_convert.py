"""Conversions between Python values and their stored form."""

from __future__ import annotations

from datetime import UTC, datetime


def ts(moment: datetime) -> str:
    """An aware datetime as fixed-width UTC ISO-8601 text (sorts like time)."""
    zone = moment.tzinfo
    if zone is not UTC:  # Discord's times are UTC already: one call per answer saved
        if zone is None:
            raise ValueError("naive datetimes are not stored; pass an aware UTC time")
        moment = moment.astimezone(UTC)
    return moment.isoformat(timespec="microseconds")


def ts_or_none(moment: datetime | None) -> str | None:
    """:func:`ts`, passing None through."""
    return None if moment is None else ts(moment)


def dt(text: str) -> datetime:
    """Stored text back to an aware UTC datetime."""
    return datetime.fromisoformat(text).astimezone(UTC)


def dt_or_none(text: str | None) -> datetime | None:
    """:func:`dt`, passing None through."""
    return None if text is None else dt(text)
