"""Keyword alerts: what a member follows, how a message matches, when a digest is due.

Pure: no clock, no network, no disk. See :mod:`bot.core.alerts.terms` (parsing and
validation), :mod:`bot.core.alerts.matcher` (matching many alerts at once) and
:mod:`bot.core.alerts.digest` (delivery settings and when the next delivery is due).
"""

from bot.core.alerts.digest import (
    DigestMode,
    DigestSettings,
    next_delivery,
    parse_digest,
)
from bot.core.alerts.matcher import AlertIndex, FollowedAlert, matched_spans
from bot.core.alerts.terms import (
    MAX_ALERTS,
    AlertRefused,
    Keywords,
    check_room,
    fold,
    parse_keywords,
)

__all__ = [
    "MAX_ALERTS",
    "AlertIndex",
    "AlertRefused",
    "DigestMode",
    "DigestSettings",
    "FollowedAlert",
    "Keywords",
    "check_room",
    "fold",
    "matched_spans",
    "next_delivery",
    "parse_digest",
    "parse_keywords",
]
