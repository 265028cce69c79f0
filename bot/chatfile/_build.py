"""From a chat file's YAML tree to a ChatSpec: which fields exist and how each is read.

Helpers for :mod:`bot.chatfile`. Problems go to a :class:`Report`; nothing
raises for bad input. Checks involving several fields are in
:mod:`bot.chatfile._checks`.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from bot.chatfile._checks import REPEAT_HELP, check_last_call, check_repeat_options, check_schedule
from bot.chatfile._fields import (
    read_count,
    read_duration,
    read_hashtag,
    read_slug,
    read_snowflake,
    read_text,
    read_url,
)
from bot.chatfile._poll import check_poll_windows, read_poll
from bot.chatfile._time import read_start, read_timezone, read_until
from bot.chatfile._yaml import Report, is_null, mapping_entries, read_list, wrong
from bot.core.spec import (
    DISCORD_MESSAGE_LIMIT,
    SUGGESTIONS_POST_IN,
    ChatSpec,
    QuestionSpec,
    RecapSpec,
    SuggestionsSpec,
)
from bot.core.texts import poll_question

#: Required fields, with what each one is (for "missing" messages).
REQUIRED = {
    "id": "a short unique name like careerchat",
    "title": "the chat's title",
    "hashtag": 'the chat\'s hashtag in quotes, like "#careerchat"',
    "channel": "the id of the Discord channel to post in",
    "timezone": "the chat's time zone, like America/Phoenix",
    "start": "the local date and time of the (first) chat, like 2026-12-01 19:00",
    "questions": "a list of questions",
}
OPTIONAL = (
    "guild",
    "repeat",
    "until",
    "count",
    "reminders",
    "intro",
    "question_interval",
    "last_call",
    "closing",
    "late_answers",
    "max_late",
    "recap",
    "moderator_channel",
    "hosts",
    "guests",
    "suggestions",
)
FIELDS = (*REQUIRED, *OPTIONAL)
QUESTION_FIELDS = ("text", "after", "image", "poll")
RECAP_FIELDS = ("channel", "prompts")
SUGGESTIONS_FIELDS = ("post_in",)

#: Intro, closing and recap prompts leave room for the hashtag and mentions.
LONG_TEXT_LIMIT = DISCORD_MESSAGE_LIMIT - 100
#: Discord's limit for an embed title.
TITLE_LIMIT = 256

_NUMBERED = re.compile(r"[Qq]\d+\s*[:.)-]")

Reader = Callable[[Report, Node, str], Any]


@dataclass
class Built:
    """What one file yielded: the spec when it has no errors, and its id for cross-file checks."""

    spec: ChatSpec | None
    chat_id: str | None
    id_node: Node | None


def build_spec(root: Node, report: Report, source: str, now: datetime) -> Built:
    """Read every field of a chat file's top-level node, reporting all problems."""
    if not isinstance(root, MappingNode):
        report.error(
            root,
            "",
            "the file " + wrong(root, "a mapping of fields (id: ..., title: ...)"),
        )
        return Built(None, None, None)
    entries = mapping_entries(report, root, "", FIELDS)
    for name, what in REQUIRED.items():
        if name not in entries:
            report.error(root, name, f"required field is missing; expected {what}")
    nodes = {name: value for name, (_key, value) in entries.items()}
    values = _read_fields(report, nodes)
    bad = {n for n, node in nodes.items() if n not in values and _counts(n, node)}
    bad |= check_repeat_options(report, nodes, values)
    check_last_call(report, nodes, values, bad)
    check_schedule(report, nodes, values, bad, now)
    spec = None if report.has_errors else ChatSpec(**values, source=source)
    if spec is not None:
        check_poll_windows(report, nodes.get("questions"), spec)
    return Built(spec, values.get("id"), nodes.get("id"))


def _counts(name: str, node: Node) -> bool:
    """Whether a field was really given: an empty optional field means its default."""
    return name in REQUIRED or not is_null(node)


def _read_fields(report: Report, nodes: dict[str, Node]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    # Questions last: their length check needs the hashtag.
    for name in sorted(nodes, key=lambda n: n == "questions"):
        node = nodes[name]
        if not _counts(name, node):
            continue
        if name == "questions":
            value = _read_questions(report, node, name, values.get("hashtag", ""))
        else:
            value = _READERS[name](report, node, name)
        if value is not None:
            values[name] = value
    return values


def _as_tuple(reader: Callable[..., list[Any] | None]) -> Reader:
    def read(report: Report, node: Node, name: str) -> tuple[Any, ...] | None:
        items = reader(report, node, name)
        return None if items is None else tuple(items)

    return read


def _read_ids(report: Report, node: Node, name: str) -> list[int] | None:
    user = partial(read_snowflake, what="Discord user id")
    return read_list(report, node, name, user, "[1187654321098765432]")


def _read_reminders(report: Report, node: Node, name: str) -> list[timedelta] | None:
    return read_list(report, node, name, read_duration, "[24h, 1h, 10m]")


def _read_repeat(report: Report, node: Node, name: str) -> str | None:
    return read_text(report, node, name, REPEAT_HELP.removeprefix("use "))


def _read_long_text(report: Report, node: Node, name: str) -> str | None:
    return read_text(report, node, name, "text", limit=LONG_TEXT_LIMIT)


# --- questions and recap --------------------------------------------------------


def _read_questions(
    report: Report, node: Node, name: str, hashtag: str
) -> tuple[QuestionSpec, ...] | None:
    if is_null(node) or (isinstance(node, SequenceNode) and not node.value):
        report.error(node, name, "is empty; a chat needs at least one question")
        return None
    if not isinstance(node, SequenceNode):
        report.error(
            node,
            name,
            wrong(node, "a list of questions, each on a line starting with '- '"),
        )
        return None
    read = [_read_question(report, item, n, hashtag) for n, item in enumerate(node.value, 1)]
    questions = [q for q in read if q is not None]
    return tuple(questions) if len(questions) == len(read) else None


def _read_question(report: Report, node: Node, number: int, hashtag: str) -> QuestionSpec | None:
    name = f"questions[{number}]"
    if isinstance(node, MappingNode):
        return _read_question_mapping(report, node, name, number, hashtag)
    text = read_text(report, node, name, "the question's text")
    if text is None or not _question_fits(report, node, name, number, text, hashtag):
        return None
    return QuestionSpec(text)


def _read_question_mapping(
    report: Report, node: MappingNode, name: str, number: int, hashtag: str
) -> QuestionSpec | None:
    if _misread_text(report, node, name):
        return None
    entries = mapping_entries(report, node, name + ".", QUESTION_FIELDS)
    nodes = {field: value for field, (_key, value) in entries.items()}
    if "text" not in nodes:
        report.error(node, name + ".text", "required field is missing; expected the question")
        return None
    text = read_text(report, nodes["text"], name + ".text", "the question's text")
    fits = text is not None and _question_fits(
        report, nodes["text"], name + ".text", number, text, hashtag
    )
    after = image = poll = None
    if "poll" in nodes and not is_null(nodes["poll"]):
        posted = poll_question(text or "", number, hashtag)
        poll = read_poll(report, nodes["poll"], name + ".poll", posted)
        fits = fits and poll is not None
    if "after" in nodes and not is_null(nodes["after"]):
        after = read_duration(report, nodes["after"], name + ".after")
        fits = fits and after is not None
    if "image" in nodes and not is_null(nodes["image"]):
        image = read_url(report, nodes["image"], name + ".image")
        fits = fits and image is not None
    return QuestionSpec(text, after, image, poll) if fits and text is not None else None


def _misread_text(report: Report, node: MappingNode, name: str) -> bool:
    """A plain question containing ': ' (or starting 'Q1:') is read by YAML as a mapping."""
    keys = [str(k.value) for k, _ in node.value if isinstance(k, ScalarNode)]
    if len(keys) != 1 or difflib.get_close_matches(keys[0].lower(), QUESTION_FIELDS, cutoff=0.6):
        return False
    if _NUMBERED.fullmatch(keys[0] + ":"):
        message = (
            f"starts with {keys[0] + ':'!r}, which YAML reads as a field name; leave the "
            "number out (the bot adds it) or put the whole question in quotes"
        )
    else:
        message = (
            "contains ': ', so YAML reads it as 'name: value'; put the whole question "
            "in quotes, or write it as text: ..."
        )
    report.error(node, name, message)
    return True


def _question_fits(
    report: Report, node: Node, name: str, number: int, text: str, hashtag: str
) -> bool:
    """Posted as 'Q3: text #hashtag', the question must fit in one Discord message."""
    prefix, suffix = f"Q{number}: ", f" {hashtag}" if hashtag else ""
    total = len(prefix + text + suffix)
    if total > DISCORD_MESSAGE_LIMIT:
        report.error(
            node,
            name,
            f"is too long for one Discord message: {total:,} characters with the "
            f"{prefix!r} prefix and {suffix!r} suffix, over the limit of "
            f"{DISCORD_MESSAGE_LIMIT:,}; shorten it by {total - DISCORD_MESSAGE_LIMIT:,}",
        )
        return False
    if _NUMBERED.match(text):
        report.warning(
            node, name, f"starts with a number; the bot adds {prefix!r} itself, so leave it out"
        )
    return True


def _read_recap(report: Report, node: Node, name: str) -> RecapSpec | None:
    if not isinstance(node, MappingNode):
        report.error(node, name, wrong(node, "a mapping with channel and/or prompts"))
        return None
    nodes = {
        f: value
        for f, (_key, value) in mapping_entries(report, node, "recap.", RECAP_FIELDS).items()
    }
    channel: int | None = None
    prompts: list[str] | None = []
    if "channel" in nodes and not is_null(nodes["channel"]):
        channel = read_snowflake(report, nodes["channel"], "recap.channel", "Discord channel id")
    if "prompts" in nodes and not is_null(nodes["prompts"]):
        prompt = partial(read_text, what="a reflection question", limit=LONG_TEXT_LIMIT)
        prompts = read_list(
            report, nodes["prompts"], "recap.prompts", prompt, '["What will you try?"]'
        )
    channel_ok = channel is not None or "channel" not in nodes or is_null(nodes["channel"])
    return RecapSpec(channel, tuple(prompts)) if channel_ok and prompts is not None else None


def _read_suggestions(report: Report, node: Node, name: str) -> SuggestionsSpec | None:
    """``suggestions: {post_in: chat}``: where /chat suggest posts suggestions to upvote."""
    choices = " or ".join(SUGGESTIONS_POST_IN)
    if not isinstance(node, MappingNode):
        report.error(node, name, wrong(node, f"a mapping like {{post_in: chat}} ({choices})"))
        return None
    entries = mapping_entries(report, node, "suggestions.", SUGGESTIONS_FIELDS)
    if "post_in" not in entries or is_null(entries["post_in"][1]):
        return SuggestionsSpec()
    value_node = entries["post_in"][1]
    where = read_text(report, value_node, "suggestions.post_in", choices)
    if where is None:
        return None
    if where not in SUGGESTIONS_POST_IN:
        report.error(
            value_node,
            "suggestions.post_in",
            f"{where!r} is not a place to post suggestions; use {choices} (chat: the chat's "
            "channel; moderators: its moderator_channel)",
        )
        return None
    return SuggestionsSpec(post_in=where)


_READERS: dict[str, Reader] = {
    "id": read_slug,
    "title": partial(read_text, what="the chat's title", limit=TITLE_LIMIT),
    "hashtag": read_hashtag,
    "channel": partial(read_snowflake, what="Discord channel id"),
    "guild": partial(read_snowflake, what="Discord server (guild) id"),
    "timezone": read_timezone,
    "start": read_start,
    "repeat": _read_repeat,
    "until": read_until,
    "count": read_count,
    "reminders": _as_tuple(_read_reminders),
    "intro": _read_long_text,
    "question_interval": read_duration,
    "last_call": read_duration,
    "closing": _read_long_text,
    "late_answers": partial(read_duration, allow_zero=True),
    "max_late": partial(read_duration, allow_zero=True),
    "recap": _read_recap,
    "moderator_channel": partial(read_snowflake, what="Discord channel id"),
    "hosts": _as_tuple(_read_ids),
    "guests": _as_tuple(_read_ids),
    "suggestions": _read_suggestions,
}
