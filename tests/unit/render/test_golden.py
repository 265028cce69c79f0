"""The sample chat's recap, as a learner keeps it: compared with a golden Markdown file.

The sample (``chats/samples/plnchat.yaml`` with its scripted answers) is played through
the real engine and collector on a real SQLite file with a virtual clock, so ids and
times are the same on every run. After a deliberate change, regenerate with
``UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/unit/render/test_golden.py``.
"""

from __future__ import annotations

import os
from pathlib import Path

from bot.render.markdown import render_markdown
from bot.runtime.recaps import load_recap
from bot.storage import SqliteStore
from tests.unit.recap.sample import play

GOLDEN = Path(__file__).parent / "golden" / "plnchat.md"


async def test_sample_chat_markdown_matches_the_golden_file(store: SqliteStore) -> None:
    played = await play(store)
    markdown = render_markdown(await load_recap(store, played.occurrence))
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.write_text(markdown, encoding="utf-8")
    expected = GOLDEN.read_text(encoding="utf-8")
    assert markdown == expected, (
        "the sample recap changed; if that is intended, regenerate with UPDATE_GOLDEN=1"
    )
    # What a learner looks for, spelled out so a regenerated golden cannot lose it silently.
    assert markdown.startswith("# PLN Chat: learning networks for educators #plnchat\n")
    assert "**Tuesday 12 January 2027, 20:00 CST (America/Chicago)** · 48 min" in markdown
    assert "\nHosts: elena  \n" in markdown
    # "answer with A1, A2... so people can follow along" is intro chatter, not an answer to Q2.
    assert "💬 **kwame**: Tip for newcomers: answer with A1, A2... so" in markdown
    for number in range(1, 6):
        assert f"\n## Q{number}: " in markdown
    assert "<https://www.edutopia.org/article/building-your-professional-learning-network>" in (
        markdown
    )
    assert "utm_source" not in markdown.split("## Reading list")[1].split("## Open questions")[0]
    assert "derek" not in markdown.lower()
