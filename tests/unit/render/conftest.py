"""The sample chat played once per test module, and its recap in every format."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.core.recap import Recap
from bot.render.chart import render_chart
from bot.render.discord_post import DiscordMessage, render_discord
from bot.render.html_page import render_html
from bot.render.json_data import render_json
from bot.render.markdown import render_markdown
from bot.runtime.recaps import load_recap
from bot.storage import open_store
from tests.unit.recap.sample import PlayedChat, play


@dataclass(frozen=True)
class Rendered:
    """One recap in every format."""

    recap: Recap
    markdown: str
    html: str
    json: str
    discord: tuple[DiscordMessage, ...]
    chart: bytes

    @property
    def discord_text(self) -> str:
        """Every content and every embed string of the Discord messages, joined."""
        parts: list[str] = []
        for message in self.discord:
            parts.append(message.content)
            for embed in message.embeds:
                parts += [embed.get("title", ""), embed.get("description", "")]
                parts += [embed.get("footer", {}).get("text", "")]
                for field in embed.get("fields", []):
                    parts += [field["name"], field["value"]]
        return "\n".join(parts)

    def every_format(self) -> dict[str, str]:
        """Each text format by name."""
        return {
            "markdown": self.markdown,
            "html": self.html,
            "json": self.json,
            "discord": self.discord_text,
        }


def render_everything(recap: Recap) -> Rendered:
    """``recap`` in every format."""
    chart = render_chart(recap)
    return Rendered(
        recap=recap,
        markdown=render_markdown(recap),
        html=render_html(recap, chart),
        json=render_json(recap),
        discord=render_discord(recap),
        chart=chart,
    )


@dataclass(frozen=True)
class Sample:
    """The played sample chat and its rendered recap."""

    played: PlayedChat
    rendered: Rendered
    database: Path


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Sample:
    """The sample chat, played on a real SQLite file, recapped and rendered."""
    database = tmp_path_factory.mktemp("sample") / "bot.db"

    async def run() -> Sample:
        store = await open_store(database)
        try:
            played = await play(store)
            recap = await load_recap(store, played.occurrence)
        finally:
            await store.close()
        return Sample(played, render_everything(recap), database)

    return asyncio.run(run())
