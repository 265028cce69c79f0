"""The archive that publishes itself, through the real bot process (``python -m bot run`` with
``ARCHIVE_DIR`` and ``ARCHIVE_URL``), real discord.py and the loopback stand-in: the recap posted
in Discord links to its archive page; the page, the index and the search are published after
the recap and follow a late answer (the live recap's update); the search and a topic board's
page (boards.yaml) work in headless Chromium. A folder that cannot be written costs one log line per build, the bot keeps hosting,
and a later build publishes once the folder is fixed."""

from __future__ import annotations

import re
from pathlib import Path

from tests.browser.chromium import open_page
from tests.e2e.botproc import BotProcess, World, command, start_chat, wait_post, wait_thread

WAIT = 60.0
URL = "https://chats.example.org/archive"
FAILED = "archive: cannot write to ARCHIVE_DIR="
BOARDS_YAML = """\
boards:
  - name: Mentors
    description: Finding and being a mentor
    keywords: [mentors]
"""


def has(path: Path, text: str) -> bool:
    """True when the file exists and holds ``text``."""
    try:
        return text in path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return False


async def test_the_recap_is_published_linked_from_discord_and_searchable(
    world: World, bot: BotProcess, tmp_path: Path, chromium: str
) -> None:
    standin, (ana, ben, _) = world.standin, world.people
    site = tmp_path / "archive"
    bot.extra_env = {"ARCHIVE_DIR": str(site), "ARCHIVE_URL": URL}
    (bot.chats / "boards.yaml").write_text(BOARDS_YAML)
    await start_chat(world, bot, questions=1, interval="4s", last_call="1s", late="2s")
    question = await wait_post(world, "**Q1:**", within=WAIT)
    await standin.say(world.channel, ana, "A1: our class axolotl taught me patience")
    await standin.say(
        world.channel, ben, "A1: a newsletter about mentors https://mentoring.example.org/letter"
    )

    recap = await wait_post(world, "📋", within=WAIT)
    link = re.search(rf"In the archive: <{re.escape(URL)}/([a-z0-9-]+\.html)>", recap["content"])
    assert link is not None, recap["content"]
    page = site / link.group(1)
    await standin.wait_for(lambda: has(page, "our class axolotl taught me patience"), timeout=WAIT)
    # The index is written after the recaps' pages (at the end of the same build).
    await standin.wait_for(lambda: has(site / "index.html", link.group(1)), timeout=WAIT)

    found = open_page(chromium, tmp_path / "profile", site / "search.html", q="axolotl")
    assert found.policy_violations == []
    assert "1 message matches" in found.dom
    assert f'href="{link.group(1)}#m' in found.dom
    assert "our class <mark>axolotl</mark> taught me patience" in found.dom

    # The topic board gathered the link (its keywords match the message): its page is
    # published with the archive and its filter works in the browser.
    board = site / "boards" / "mentors.html"
    await standin.wait_for(lambda: has(board, "mentoring.example.org/letter"), timeout=WAIT)
    assert has(site / "boards" / "index.html", "mentors.html")
    shown = open_page(chromium, tmp_path / "profile", board, q="letter")
    assert shown.policy_violations == []
    assert "Showing all 1 resource." in shown.dom
    assert 'class="resource" hidden' not in shown.dom
    hidden = open_page(chromium, tmp_path / "profile", board, q="zzzunmatched")
    assert "No resource matches" in hidden.dom

    # A late answer: the live recap is edited, and the archive follows.
    thread = await wait_thread(world, question)
    await standin.say(thread, ben, "A late one: a zine library in the hallway")
    await standin.wait_for(lambda: has(page, "a zine library in the hallway"), timeout=WAIT)
    late = open_page(chromium, tmp_path / "profile", site / "search.html", q="zine")
    assert "1 message matches" in late.dom
    assert bot.log_count(FAILED) == 0


async def test_a_folder_that_cannot_be_written_is_logged_and_retried(
    world: World, bot: BotProcess, tmp_path: Path
) -> None:
    standin, (ana, _, _) = world.standin, world.people
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the archive's parent folder should be")
    site = blocker / "archive"
    bot.extra_env = {"ARCHIVE_DIR": str(site)}
    await start_chat(world, bot, questions=1, interval="4s", last_call="1s", late="2s")
    await wait_post(world, "**Q1:**", within=WAIT)
    await standin.say(world.channel, ana, "A1: an answer the archive cannot take yet")
    await wait_post(world, "📋", within=WAIT)
    await standin.wait_for(lambda: bot.log_count(FAILED) >= 2, timeout=WAIT)  # start + recap
    lines = [line for line in bot.log.read_text().splitlines() if "archive:" in line]
    assert all(FAILED in line and str(site) in line for line in lines), lines
    assert "Traceback" not in bot.log.read_text()

    # The bot keeps serving, and once the folder is fixed the next change publishes.
    blocker.unlink()
    answer = await command(world, ana, "profile", visibility="public")
    assert answer.ephemeral
    await standin.wait_for(lambda: has(site / "index.html", "End to end chat"), timeout=WAIT)
    assert bot.proc is not None
    assert bot.proc.returncode is None
