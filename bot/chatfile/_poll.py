"""A question's ``poll:`` mapping: options, multiple, duration, within Discord's poll limits.

    questions:
      - text: Which fern would you start with?
        poll: {options: [Boston, Maidenhair, Staghorn], multiple: false, duration: 2h}

Every Discord limit is checked here with the line to fix: 1 to 10 options, each up to 55
characters, no option twice, the question as posted (``Q3: text #hashtag``) up to 300
characters, and a duration of whole hours from 1 hour to 32 days (without one, the bot ends the
poll when the recap is posted). :func:`check_poll_windows` warns about a poll whose duration
keeps it open past the recap (after the late-answer window).
"""

from __future__ import annotations

from datetime import timedelta
from functools import partial

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from bot.chatfile._fields import read_text
from bot.chatfile._yaml import BOOL, Report, construct, is_null, mapping_entries, show, wrong
from bot.core.spec import (
    POLL_DURATION_MAX,
    POLL_DURATION_MIN,
    POLL_OPTION_LIMIT,
    POLL_OPTIONS_MAX,
    POLL_QUESTION_LIMIT,
    ChatSpec,
    DurationError,
    PollSpec,
    format_duration,
    parse_duration,
)

POLL_FIELDS = ("options", "multiple", "duration")


def read_poll(report: Report, node: Node, name: str, posted_question: str) -> PollSpec | None:
    """Read ``questionsN.poll``; ``posted_question`` is the question as the poll shows it."""
    if not isinstance(node, MappingNode):
        report.error(node, name, wrong(node, "a mapping like {options: [yes, no], duration: 2h}"))
        return None
    nodes = {
        f: value
        for f, (_key, value) in mapping_entries(report, node, name + ".", POLL_FIELDS).items()
    }
    ok = True
    if len(posted_question) > POLL_QUESTION_LIMIT:
        report.error(
            node,
            name,
            f"the poll's question is {len(posted_question):,} characters as posted "
            f"({show(posted_question)} with its label and hashtag), over Discord's limit of "
            f"{POLL_QUESTION_LIMIT}; shorten the question by {len(posted_question) - POLL_QUESTION_LIMIT}",
        )
        ok = False
    options = _read_options(report, nodes.get("options"), node, name + ".options")
    multiple = _read_multiple(report, nodes.get("multiple"), name + ".multiple")
    duration = _read_poll_duration(report, nodes.get("duration"), name + ".duration")
    if not ok or options is None or multiple is None or duration is None:
        return None
    return PollSpec(tuple(options), multiple, duration or None)


def _read_options(report: Report, node: Node | None, parent: Node, name: str) -> list[str] | None:
    if node is None:
        report.error(parent, name, "required field is missing; expected a list of 1 to 10 options")
        return None
    if not isinstance(node, SequenceNode):
        report.error(node, name, wrong(node, "a list of 1 to 10 options like [yes, no]"))
        return None
    if not node.value:
        report.error(node, name, "is an empty list; a poll needs 1 to 10 options like [yes, no]")
        return None
    if len(node.value) > POLL_OPTIONS_MAX:
        report.error(
            node,
            name,
            f"has {len(node.value)} options; a Discord poll takes at most {POLL_OPTIONS_MAX}",
        )
        return None
    read = partial(read_text, what="the option's text")
    options: list[str] = []
    seen: dict[str, int] = {}
    ok = True
    for number, child in enumerate(node.value, 1):
        item = f"{name}[{number}]"
        text = read(report, child, item)
        if text is None:
            ok = False
            continue
        if len(text) > POLL_OPTION_LIMIT:
            report.error(
                child,
                item,
                f"is {len(text)} characters; a poll option takes at most {POLL_OPTION_LIMIT}, "
                f"shorten it by {len(text) - POLL_OPTION_LIMIT}",
            )
            ok = False
        key = text.casefold()
        if key in seen:
            report.error(child, item, f"{show(text)} repeats option {seen[key]}; each option once")
            ok = False
        seen.setdefault(key, number)
        options.append(text)
    return options if ok else None


def _read_multiple(report: Report, node: Node | None, name: str) -> bool | None:
    if node is None or is_null(node):
        return False
    if isinstance(node, ScalarNode) and node.tag == BOOL:
        try:
            return bool(construct(node))
        except ValueError:
            pass
    report.error(node, name, wrong(node, "true (members may pick several options) or false"))
    return None


_UNTIL_RECAP = timedelta(0)  # read: no duration given (the bot ends the poll with the recap)


def _read_poll_duration(report: Report, node: Node | None, name: str) -> timedelta | None:
    if node is None or is_null(node):
        return _UNTIL_RECAP
    if not isinstance(node, ScalarNode) or node.tag != "tag:yaml.org,2002:str":
        raw = str(node.value) if isinstance(node, ScalarNode) else ""
        hint = f"use {raw}h" if raw.isdigit() else "use 2h or 1d"
        report.error(node, name, f"{wrong(node, 'a duration in hours like 2h or 1d')}; {hint}")
        return None
    try:
        value = parse_duration(node.value)
    except (DurationError, OverflowError):
        report.error(node, name, f"{show(node.value)} is not a duration; use 2h or 1d")
        return None
    if not POLL_DURATION_MIN <= value <= POLL_DURATION_MAX:
        report.error(
            node,
            name,
            f"{show(node.value)} is outside Discord's poll durations; use 1h to 32d (768h)",
        )
        return None
    if value % timedelta(hours=1):
        report.error(
            node,
            name,
            f"{show(node.value)} is not whole hours; Discord polls last whole hours, like "
            f"{format_duration(timedelta(hours=max(1, round(value / timedelta(hours=1)))))}",
        )
        return None
    return value


def check_poll_windows(report: Report, questions: Node | None, spec: ChatSpec) -> None:
    """Warn about a poll still open after the late-answer window, when the recap is posted."""
    if not isinstance(questions, SequenceNode):
        return
    recap_after = spec.run_length + spec.late_answers
    for number, question in enumerate(spec.questions, 1):
        if question.poll is None or question.poll.duration is None:
            continue  # ended by the bot with the recap
        closes = spec.question_offset(number) + question.poll.duration
        if closes <= recap_after:
            continue
        node = _poll_node(questions.value[number - 1])
        report.warning(
            node,
            f"questions[{number}].poll.duration",
            f"the poll closes {format_duration(closes - recap_after)} after the recap is posted "
            f"(end of the chat + late_answers); the recap is taken with its votes so far and "
            f"updated when Discord closes it. Use a duration up to "
            f"{_whole_hours(recap_after - spec.question_offset(number))} to have final results "
            f"in the first recap",
        )


def _poll_node(question: Node) -> Node:
    """The poll's ``duration`` node (else the poll, else the question): where to point."""
    found: Node = question
    if isinstance(question, MappingNode):
        for key, value in question.value:
            if isinstance(key, ScalarNode) and key.value == "poll":
                found = value
    if isinstance(found, MappingNode):
        for key, value in found.value:
            if isinstance(key, ScalarNode) and key.value == "duration":
                return value  # type: ignore[no-any-return]
    return found


def _whole_hours(delta: timedelta) -> str:
    hours = int(delta / timedelta(hours=1))
    return f"{hours}h" if hours >= 1 else "1h (shorter is not possible; lengthen late_answers)"
