"""Loading chat files: reading each file, parsing its YAML, and the checks across files.

One chat per file; the top level is a mapping of fields (see "Chat files" in the README).
Loading never raises for bad input: every problem in a file is collected as a
:class:`Problem` with its file, line and column, and a broken file never stops
the others from loading. ``now`` is always passed in (an aware UTC datetime) so
that results do not depend on when the code runs. The fields themselves are read
in :mod:`bot.chatfile._build`.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import yaml
from yaml.nodes import Node
from yaml.reader import ReaderError

from bot.chatfile._build import Built, build_spec
from bot.chatfile._yaml import Problem, Report
from bot.core.spec import ChatSpec

__all__ = [
    "ChatSet",
    "FileResult",
    "Problem",
    "load_chat_file",
    "load_chat_text",
    "load_chats",
]

#: A chat file is a few kilobytes; anything this big is not one, and parsing it
#: would only waste memory.
MAX_FILE_CHARS = 1_000_000
CHAT_SUFFIXES = (".yaml", ".yml")
#: At the top of CHATS_DIR these define topic boards (:mod:`bot.chatfile.boards`), not chats.
BOARD_FILES = ("boards.yaml", "boards.yml")


@dataclass
class FileResult:
    """One chat file: its spec when it has no errors, and every problem found in it."""

    path: str
    spec: ChatSpec | None
    problems: list[Problem]


@dataclass
class ChatSet:
    """Every file loaded by :func:`load_chats`, in path order."""

    results: list[FileResult]

    @property
    def specs(self) -> dict[str, ChatSpec]:
        """The valid chats (files without errors), by id."""
        return {r.spec.id: r.spec for r in self.results if r.spec is not None}

    @property
    def problems(self) -> list[Problem]:
        """Every problem of every file, errors and warnings."""
        return [p for r in self.results for p in r.problems]

    @property
    def has_errors(self) -> bool:
        """Whether any file has an error (warnings do not count)."""
        return any(p.severity == "error" for p in self.problems)


@dataclass
class _Loaded:
    """A file's result plus what cross-file checks need, even when the file has errors."""

    result: FileResult
    built: Built


def load_chat_text(text: str, name: str, now: datetime) -> FileResult:
    """Validate a chat file's text (an uploaded attachment); ``name`` is used in messages."""
    return _load_text(text, name, now).result


def load_chat_file(path: Path, now: datetime) -> FileResult:
    """Read and validate one chat file; unreadable or non-UTF-8 files become problems."""
    return _load_file(path, now).result


def load_chats(paths: Sequence[Path], now: datetime) -> ChatSet:
    """Load files and directories (every *.yaml and *.yml in them, recursively, sorted).

    Ids must be unique across all files: the second and later files with an id
    get an error naming the first, and no spec.
    """
    loaded: list[_Loaded] = []
    for path in _expand(paths):
        if isinstance(path, Problem):
            loaded.append(_Loaded(FileResult(path.file, None, [path]), Built(None, None, None)))
        else:
            loaded.append(_load_file(path, now))
    _check_unique_ids(loaded)
    return ChatSet([item.result for item in loaded])


# --- loading ----------------------------------------------------------------------


def _load_file(path: Path, now: datetime) -> _Loaded:
    name = str(path)
    report = Report(name)
    try:
        data = path.read_bytes()
    except OSError as error:
        report.error(None, "", f"cannot read the file ({error.strerror or error})")
        return _finish(report, Built(None, None, None))
    if len(data) > MAX_FILE_CHARS:
        report.error(None, "", f"is {len(data):,} bytes; a chat file must be under 1 MB")
        return _finish(report, Built(None, None, None))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        _report_bad_bytes(report, data, error.start)
        return _finish(report, Built(None, None, None))
    return _load_text(text, name, now)


def _load_text(text: str, name: str, now: datetime) -> _Loaded:
    report = Report(name)
    if len(text) > MAX_FILE_CHARS:
        report.error(None, "", f"is {len(text):,} characters; a chat file must be under 1 MB")
        return _finish(report, Built(None, None, None))
    root = _compose(text, report)
    if root is None:
        return _finish(report, Built(None, None, None))
    try:
        built = build_spec(root, report, name, now)
    except Exception as error:  # a bug must not stop the other files from loading
        report.error(root, "", f"internal error while checking this file: {error!r}")
        built = Built(None, None, None)
    return _finish(report, built)


def _finish(report: Report, built: Built) -> _Loaded:
    spec = None if report.has_errors else built.spec
    problems = sorted(report.problems, key=lambda p: (p.line, p.column))
    return _Loaded(FileResult(report.file, spec, problems), built)


def _compose(text: str, report: Report) -> Node | None:
    """The YAML node tree (which keeps line and column), or None after reporting why not."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        report.error(mark, "", _syntax_message(error))
        return None
    except ReaderError as error:
        _report_bad_character(report, text, error)
        return None
    except (yaml.YAMLError, RecursionError) as error:
        report.error(None, "", f"is not valid YAML ({type(error).__name__})")
        return None
    if root is None:
        report.error(
            None, "", "the file is empty; expected a chat: id, title, hashtag, channel, ..."
        )
    return root


def _syntax_message(error: yaml.MarkedYAMLError) -> str:
    problem = " ".join(part for part in (error.context, error.problem) if part) or "unreadable"
    if "'\\t'" in problem:
        hint = "indent with spaces; YAML does not allow tabs"
    elif "mapping values are not allowed" in problem:
        hint = "a value that contains ': ' must be in quotes"
    elif "expected a single document" in problem:
        hint = "write one chat per file (no '---' between chats)"
    else:
        hint = "check the indentation and quotes on this line and the one before"
    return f"YAML syntax error: {problem}; {hint}"


def _report_bad_character(report: Report, text: str, error: ReaderError) -> None:
    position = int(error.position)
    line = text.count("\n", 0, position)
    column = position - (text.rfind("\n", 0, position) + 1)
    mark = yaml.Mark(report.file, position, line, column, None, 0)
    character = chr(error.character) if isinstance(error.character, int) else error.character
    report.error(mark, "", f"contains a character YAML does not allow ({character!r}); remove it")


def _report_bad_bytes(report: Report, data: bytes, position: int) -> None:
    line = data.count(b"\n", 0, position)
    column = position - (data.rfind(b"\n", 0, position) + 1)
    mark = yaml.Mark(report.file, position, line, column, None, 0)
    report.error(mark, "", "is not UTF-8 text; save the file as UTF-8")


# --- several files ----------------------------------------------------------------


def _expand(paths: Sequence[Path]) -> list[Path | Problem]:
    """Files in argument order; a directory's chat files sorted; each file once."""
    found: list[Path | Problem] = []
    seen: set[Path] = set()
    for path in paths:
        files = _files_at(path)
        if isinstance(files, Problem):
            found.append(files)
            continue
        for file in files:
            key = _identity(file)
            if key not in seen:
                seen.add(key)
                found.append(file)
    return found


def _files_at(path: Path) -> list[Path] | Problem:
    try:
        if path.is_dir():
            files = _chat_files(path)
            if files:
                return files
            return Problem(str(path), 1, 1, "", "no *.yaml or *.yml files", "warning")
        if path.exists():
            return [path]
    except (OSError, ValueError) as error:  # a name too long, a NUL byte...
        return Problem(str(path), 1, 1, "", f"cannot read this path ({error})")
    return Problem(str(path), 1, 1, "", "no such file or directory")


def _identity(path: Path) -> Path:
    """The real path, so one file named two ways is loaded once."""
    try:
        return path.resolve()
    except (OSError, RuntimeError):  # a symlink loop; reading it reports the problem
        return path.absolute()


def _chat_files(directory: Path) -> list[Path]:
    files: list[Path] = []
    # os.walk does not follow symlinked directories, so a link loop cannot hang it.
    for root, dirs, names in os.walk(directory):
        dirs[:] = [d for d in dirs if not d.startswith(".")]  # skip .git and the like
        top = Path(root) == directory
        files += [
            Path(root, n) for n in names if _is_chat_file(n) and not (top and n in BOARD_FILES)
        ]
    return sorted(files)


def _is_chat_file(name: str) -> bool:
    return name.lower().endswith(CHAT_SUFFIXES) and not name.startswith(".")


def _check_unique_ids(loaded: list[_Loaded]) -> None:
    first: dict[str, str] = {}
    for item in loaded:
        chat_id = item.built.chat_id
        if chat_id is None:
            continue
        if chat_id not in first:
            first[chat_id] = item.result.path
            continue
        report = Report(item.result.path, item.result.problems)
        report.error(
            item.built.id_node,
            "id",
            f"{chat_id!r} is already the id of {first[chat_id]}; expected an id unique "
            "across all chat files",
        )
        item.result.problems.sort(key=lambda p: (p.line, p.column))
        item.result.spec = None
