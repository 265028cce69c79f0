"""boards.yaml: topic boards validated like chat files, each problem at its line with the fix;
nothing loads from a file with errors; it is never read as a chat file."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from bot.chatfile import load_chats
from bot.chatfile.boards import load_board_file, load_board_text
from bot.core.boards import MAX_BOARDS, BoardSpec

GOOD = """\
boards:
  - name: Career tips
    description: Interviews,   resumes and first jobs
    keywords: [Interview, résumé, first job]
  - name: Classroom tech
    keywords: edtech, chromebook
"""


def test_a_good_file_gives_its_boards() -> None:
    loaded = load_board_text(GOOD, "boards.yaml")
    assert loaded.problems == []
    assert loaded.specs == [
        BoardSpec("Career tips", "Interviews, resumes and first jobs",
                  ("interview", "resume", "first job")),
        BoardSpec("Classroom tech", "", ("edtech", "chromebook")),
    ]  # fmt: skip


def test_each_problem_names_its_line_field_and_fix() -> None:
    text = """\
boards:
  - name: Career tips
    keywords: [interview]
  - name: career  TIPS
  - name: Everything
    keywords: [http, www]
  - name: "#EdChat"
  - descripton: no name
  - name: Fine
    keywords: {a: 1}
"""
    loaded = load_board_text(text, "chats/boards.yaml")
    assert loaded.specs == []  # nothing loads from a file with errors
    shown = [str(p) for p in loaded.problems]
    assert any(s.startswith("chats/boards.yaml:4:") and "line 2" in s for s in shown), shown
    assert any(s.startswith("chats/boards.yaml:6:") and "match nearly every" in s for s in shown)
    assert any(s.startswith("chats/boards.yaml:7:") and "pick a name without #" in s
               for s in shown)  # fmt: skip
    assert any(s.startswith("chats/boards.yaml:8:") and "did you mean 'description'" in s
               for s in shown)  # fmt: skip
    assert any(s.startswith("chats/boards.yaml:10:") and "boards[6].keywords" in s
               for s in shown)  # fmt: skip


def test_syntax_errors_empty_files_and_too_many_boards() -> None:
    broken = load_board_text("boards:\n  - name: [unclosed\n", "boards.yaml")
    assert broken.has_errors
    assert "YAML syntax error" in str(broken.problems[0])
    empty = load_board_text("", "boards.yaml")
    assert "the file is empty" in str(empty.problems[0])
    many = "boards:\n" + "".join(f"  - name: Board {n}\n" for n in range(MAX_BOARDS + 1))
    too_many = load_board_text(many, "boards.yaml")
    assert too_many.specs == []
    [problem] = too_many.problems
    assert problem.line == MAX_BOARDS + 2
    assert f"at most {MAX_BOARDS} boards" in problem.message


def test_boards_yaml_is_not_a_chat_file(tmp_path: Path) -> None:
    (tmp_path / "boards.yaml").write_text(GOOD)
    chats = load_chats([tmp_path], datetime(2027, 1, 1, tzinfo=UTC))
    assert [p.file for p in chats.problems] == [str(tmp_path)]  # only "no chat files"
    loaded = load_board_file(tmp_path)
    assert [spec.name for spec in loaded.specs] == ["Career tips", "Classroom tech"]
    assert not load_board_file(tmp_path / "none").exists
