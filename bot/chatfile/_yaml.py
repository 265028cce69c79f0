"""The YAML side of chat files: problems with positions, and walking the node tree.

Chat files are read as a node tree (``yaml.compose``) rather than as plain
Python values because every node keeps its line and column, so each problem
can point at the exact place to fix. Readers in the sibling modules take a
:class:`Report` (which collects problems), the node and the dotted field
name; they return the value, or ``None`` after reporting what is wrong and
what is expected. Nothing here raises for bad input.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

from yaml.constructor import SafeConstructor
from yaml.error import Mark
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

T = TypeVar("T")

_TAG = "tag:yaml.org,2002:"
NULL, BOOL, INT, FLOAT, STR, TIMESTAMP, MERGE = (
    _TAG + name for name in ("null", "bool", "int", "float", "str", "timestamp", "merge")
)


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a chat file, with where it is (1-based line and column)."""

    file: str
    line: int
    column: int
    #: Dotted path such as ``questions[2].after``; "" for file-level problems.
    field: str
    #: What is wrong; what is expected.
    message: str
    severity: Literal["error", "warning"] = "error"

    def __str__(self) -> str:
        """``file:line:col: [warning: ]field: message``, the format editors can jump to."""
        where = f"{self.file}:{self.line}:{self.column}: "
        level = "warning: " if self.severity == "warning" else ""
        name = f"{self.field}: " if self.field else ""
        return f"{where}{level}{name}{self.message}"


@dataclass
class Report:
    """Collects the problems of one file."""

    file: str
    problems: list[Problem] = field(default_factory=list)

    def error(self, where: Node | Mark | None, name: str, message: str) -> None:
        """Record an error at a node (its start) or a mark."""
        self._add(where, name, message, "error")

    def warning(self, where: Node | Mark | None, name: str, message: str) -> None:
        """Record a warning: the chat still loads."""
        self._add(where, name, message, "warning")

    @property
    def has_errors(self) -> bool:
        """Whether any problem is an error."""
        return any(p.severity == "error" for p in self.problems)

    def _add(
        self,
        where: Node | Mark | None,
        name: str,
        message: str,
        severity: Literal["error", "warning"],
    ) -> None:
        mark = where.start_mark if isinstance(where, Node) else where
        line, column = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
        self.problems.append(Problem(self.file, line, column, name, message, severity))


# --- describing what was found ------------------------------------------------


def show(text: str, limit: int = 40) -> str:
    """A value quoted for a message, cut short so one bad line cannot flood the output."""
    return repr(text if len(text) <= limit else text[: limit - 3] + "...")


def describe(node: Node) -> str:
    """What a node is, in a moderator's words: 'a list', 'the number 90', ..."""
    if isinstance(node, SequenceNode):
        return "a list"
    if isinstance(node, MappingNode):
        return "a mapping (name: value pairs)"
    raw = show(str(node.value))
    kinds = {NULL: "nothing", BOOL: f"{raw} (true/false)", INT: f"the number {raw}"}
    kinds |= {FLOAT: f"the number {raw}", TIMESTAMP: f"the date {raw}"}
    return kinds.get(node.tag, f"the text {raw}")


def wrong(node: Node, expected: str) -> str:
    """'is <what was found>; expected <what should be there>' for a value of the wrong kind."""
    found = "is empty" if is_null(node) else f"is {describe(node)}"
    return f"{found}; expected {expected}"


def is_null(node: Node) -> bool:
    """Whether the node is YAML's null (an empty value, ``~`` or ``null``)."""
    return isinstance(node, ScalarNode) and node.tag == NULL


def construct(node: ScalarNode) -> Any:
    """The Python value of a scalar as YAML means it; ValueError when it has none.

    An explicit tag such as ``!!timestamp hello`` or ``!!int ""`` makes PyYAML
    fail in assorted ways; they all mean the same thing here.
    """
    try:
        return SafeConstructor().construct_object(node)
    except Exception as error:
        raise ValueError(str(error)) from error


# --- mappings and lists -------------------------------------------------------


def mapping_entries(
    report: Report, node: MappingNode, prefix: str, allowed: Collection[str]
) -> dict[str, tuple[ScalarNode, Node]]:
    """The mapping's fields by name, as (key node, value node).

    Reports unknown names (with a did-you-mean), repeated names and keys that
    are not plain text; those entries are left out.
    """
    entries: dict[str, tuple[ScalarNode, Node]] = {}
    for key, value in node.value:
        if not isinstance(key, ScalarNode):
            report.error(key, prefix.rstrip("."), "a field name must be plain text")
            continue
        name = str(key.value)
        if key.tag == MERGE:
            report.error(key, prefix + name, "'<<' merge keys are not supported; write fields out")
        elif name not in allowed:
            report.error(key, prefix + name, unknown_field(name, allowed))
        elif name in entries:
            first = entries[name][0].start_mark.line + 1
            report.error(key, prefix + name, f"is given twice (first on line {first}); keep one")
        else:
            entries[name] = (key, value)
    return entries


def unknown_field(name: str, allowed: Collection[str]) -> str:
    """'unknown field ...; did you mean ...?' or the list of fields that are allowed."""
    close = difflib.get_close_matches(name.lower(), list(allowed), n=1, cutoff=0.6)
    if close:
        return f"unknown field {show(name)}; did you mean {close[0]!r}?"
    return f"unknown field {show(name)}; expected one of: {', '.join(allowed)}"


def read_list(
    report: Report,
    node: Node,
    name: str,
    item: Callable[[Report, Node, str], T | None],
    example: str,
) -> list[T] | None:
    """A YAML list, each item read by ``item``; items are numbered from 1 in messages."""
    if not isinstance(node, SequenceNode):
        report.error(node, name, wrong(node, f"a list like {example}"))
        return None
    values = [item(report, child, f"{name}[{n}]") for n, child in enumerate(node.value, 1)]
    return None if any(v is None for v in values) else [v for v in values if v is not None]
