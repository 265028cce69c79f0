"""``CHATS_DIR/boards.yaml``: the topic boards moderators define in a file.

::

    boards:
      - name: Career tips
        description: Interviews, resumes and first jobs
        keywords: [interview, resume, first job]
      - name: Classroom tech
        keywords: edtech, chromebook

Validated like chat files: every problem names file:line:column, the field and the fix,
and nothing is loaded from a file with errors (the boards stored before stay as they were).
At most :data:`bot.core.boards.MAX_BOARDS` boards; names are unique (case and accents
folded); keywords that would match nearly every link are refused.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from bot.chatfile._yaml import STR, Problem, Report, mapping_entries, show, wrong
from bot.core.boards import (
    DESCRIPTION_LIMIT,
    MAX_BOARDS,
    BoardError,
    BoardSpec,
    check_name,
    name_key,
    parse_keywords,
)

__all__ = ["BoardFile", "load_board_file", "load_board_text"]

BOARD_FIELDS = ("name", "description", "keywords")
MAX_FILE_CHARS = 1_000_000


@dataclass
class BoardFile:
    """The boards of boards.yaml (none when it has errors), and every problem found."""

    path: str
    specs: list[BoardSpec] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    #: False when there is no boards.yaml (nothing to sync).
    exists: bool = True

    @property
    def has_errors(self) -> bool:
        """Whether any problem is an error."""
        return any(p.severity == "error" for p in self.problems)


def board_file_path(chats_dir: Path) -> Path | None:
    """``boards.yaml`` (or ``boards.yml``) at the top of ``chats_dir``, when there is one."""
    for name in ("boards.yaml", "boards.yml"):
        path = chats_dir / name
        if path.is_file():
            return path
    return None


def load_board_file(chats_dir: Path) -> BoardFile:
    """Read and validate the boards file of ``chats_dir`` (none: no boards, no problem)."""
    path = board_file_path(chats_dir)
    if path is None:
        return BoardFile(str(chats_dir / "boards.yaml"), exists=False)
    try:
        text = path.read_bytes()[: MAX_FILE_CHARS + 1].decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        report = Report(str(path))
        report.error(None, "", f"cannot read the file ({error}); save it as UTF-8 text")
        return BoardFile(str(path), problems=report.problems)
    return load_board_text(text, str(path))


def load_board_text(text: str, name: str) -> BoardFile:
    """Validate a boards file's text; ``name`` is used in messages."""
    report = Report(name)
    if len(text) > MAX_FILE_CHARS:
        report.error(None, "", "is over 1 MB; a boards file is a few kilobytes")
        return BoardFile(name, problems=report.problems)
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as error:
        problem = " ".join(p for p in (error.context, error.problem) if p) or "unreadable"
        report.error(
            error.problem_mark or error.context_mark,
            "",
            f"YAML syntax error: {problem}; check the indentation and quotes on this line",
        )
        return BoardFile(name, problems=report.problems)
    except yaml.YAMLError as error:
        report.error(None, "", f"is not valid YAML ({type(error).__name__})")
        return BoardFile(name, problems=report.problems)
    specs = _boards(report, root)
    if report.has_errors:
        return BoardFile(name, problems=report.problems)
    return BoardFile(name, specs=specs, problems=report.problems)


def _boards(report: Report, root: Node | None) -> list[BoardSpec]:
    example = "boards:\n  - name: Career tips\n    keywords: [interview, resume]"
    if root is None:
        report.error(None, "", f"the file is empty; expected a list of boards like\n{example}")
        return []
    if not isinstance(root, MappingNode):
        report.error(root, "", wrong(root, f"a mapping with a 'boards' list, like\n{example}"))
        return []
    entries = mapping_entries(report, root, "", ("boards",))
    if "boards" not in entries:
        if not report.has_errors:
            report.error(root, "boards", f"is missing; expected a list like\n{example}")
        return []
    node = entries["boards"][1]
    if not isinstance(node, SequenceNode):
        report.error(node, "boards", wrong(node, f"a list of boards like\n{example}"))
        return []
    if len(node.value) > MAX_BOARDS:
        report.error(
            node.value[MAX_BOARDS],
            f"boards[{MAX_BOARDS + 1}]",
            f"is one board too many: at most {MAX_BOARDS} boards; remove "
            f"{len(node.value) - MAX_BOARDS} of them",
        )
    specs: list[BoardSpec] = []
    first: dict[str, tuple[int, str]] = {}
    for number, item in enumerate(node.value[:MAX_BOARDS], 1):
        spec = _board(report, item, f"boards[{number}]")
        if spec is None:
            continue
        key = name_key(spec.name)
        if key in first:
            line, earlier = first[key]
            report.error(
                item,
                f"boards[{number}].name",
                f"{show(spec.name)} is the name of the board on line {line} ({show(earlier)}); "
                "give each board its own name",
            )
            continue
        first[key] = (item.start_mark.line + 1, spec.name)
        specs.append(spec)
    return specs


def _text(report: Report, node: Node, name: str, example: str) -> str | None:
    if not isinstance(node, ScalarNode) or node.tag != STR or not str(node.value).strip():
        report.error(node, name, wrong(node, f"text, e.g. {name.rsplit('.', 1)[-1]}: {example}"))
        return None
    return str(node.value)


def _board(report: Report, node: Node, prefix: str) -> BoardSpec | None:
    if not isinstance(node, MappingNode):
        report.error(node, prefix, wrong(node, "a board: name, description, keywords"))
        return None
    entries = mapping_entries(report, node, prefix + ".", BOARD_FIELDS)
    if "name" not in entries:
        report.error(node, prefix + ".name", "is missing; every board needs a name")
        return None
    ok = True
    name_node = entries["name"][1]
    name = _text(report, name_node, prefix + ".name", "Career tips")
    if name is not None:
        try:
            name = check_name(name)
        except BoardError as error:
            report.error(name_node, prefix + ".name", str(error))
            name = None
    ok = ok and name is not None
    description = ""
    if "description" in entries:
        value = _text(report, entries["description"][1], prefix + ".description", "Jobs")
        if value is None:
            ok = False
        elif len(value) > DESCRIPTION_LIMIT:
            report.error(
                entries["description"][1],
                prefix + ".description",
                f"is {len(value)} characters; at most {DESCRIPTION_LIMIT}, shorten it",
            )
            ok = False
        else:
            description = " ".join(value.split())
    keywords: tuple[str, ...] = ()
    if "keywords" in entries:
        keywords_node = entries["keywords"][1]
        raw = _keywords(report, keywords_node, prefix + ".keywords")
        if raw is None:
            ok = False
        else:
            try:
                keywords = parse_keywords(raw)
            except BoardError as error:
                report.error(keywords_node, prefix + ".keywords", str(error))
                ok = False
    if not ok or name is None:
        return None
    return BoardSpec(name, description, keywords)


def _keywords(report: Report, node: Node, name: str) -> list[str] | None:
    """A list of words, or one comma-separated text."""
    if isinstance(node, ScalarNode) and node.tag == STR:
        return str(node.value).split(",")
    if isinstance(node, SequenceNode):
        words: list[str] = []
        for item in node.value:
            if not isinstance(item, ScalarNode) or isinstance(item.value, list):
                report.error(item, name, wrong(item, "a word or phrase, e.g. interview"))
                return None
            words.append(str(item.value))
        return words
    report.error(node, name, wrong(node, "a list like [interview, resume] or 'interview, resume'"))
    return None
