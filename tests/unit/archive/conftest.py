"""The archive of two chats, built once from a real SQLite file."""

from __future__ import annotations

import asyncio
import json
import re
from dataclasses import dataclass
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from bot.archive import ArchiveReport
from tests.unit.archive.sample import TwoChats, build_sample_archive

_DATA_URI = re.compile(r"data:image/png;base64,[A-Za-z0-9+/=]+")


@dataclass(frozen=True)
class Built:
    """A written archive, the database it came from, and the ids stored."""

    out: Path
    database: Path
    chats: TwoChats
    report: ArchiveReport

    def text(self, name: str) -> str:
        """One file of the site as written."""
        return (self.out / name).read_text(encoding="utf-8")

    def files(self) -> list[str]:
        """Every file of the site (the manifest included), by path in the site."""
        return site_files(self.out)

    def pages(self) -> list[str]:
        """Every HTML page, by path in the site."""
        return sorted(path.relative_to(self.out).as_posix() for path in self.out.rglob("*.html"))

    def readable(self, name: str) -> str:
        """What a reader could get out of a file: HTML with entities decoded and the chart
        left out, the search index's JSON with its escapes decoded."""
        if name == "search-index.js":  # the whole index: its shards and chunks too
            return json.dumps(
                [search_data(self.out), *(search_part_files(self.out).values())],
                ensure_ascii=False,
            )
        text = self.text(name)
        return unescape(_DATA_URI.sub("data:", text))


def site_files(folder: Path) -> list[str]:
    """Every file under ``folder``, by path in it (``chats/plnchat.html``), sorted."""
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def search_index(text: str) -> Any:
    """The data ``search-index.js`` assigns to its global."""
    match = re.fullmatch(r"//[^\n]*\nwindow\.QACHAT_SEARCH = (.*);\n", text, flags=re.DOTALL)
    assert match is not None, text[:200]
    return json.loads(match.group(1))


def search_part_files(folder: Path) -> dict[str, Any]:
    """Every shard and chunk of the search index in ``folder``, by name, as its data."""
    parts = {}
    for path in sorted((folder / "search").glob("*.js")):
        match = re.fullmatch(
            r'QACHAT_SEARCH_LOADED\("([^"]+)",(.*)\);\n', path.read_text(), flags=re.DOTALL
        )
        assert match is not None, path
        assert f"{match.group(1)}.js" == path.name
        parts[match.group(1)] = json.loads(match.group(2))
    return parts


def search_data(folder: Path) -> Any:
    """The whole search index of the archive in ``folder`` as one object, the shape of
    schema 2: ``recaps`` (oldest first) and ``messages``, each ``[recap, anchor, question,
    author, text, flags(, profile)]``, in order."""
    data = search_index((folder / "search-index.js").read_text(encoding="utf-8"))
    parts = search_part_files(folder)
    rows = []
    for number, recap in enumerate(data["recaps"]):
        page = recap["page"].removesuffix(".html")
        chunks = (recap["count"] + data["per"] - 1) // data["per"]
        for chunk in range(chunks):
            rows += [[number, *row] for row in parts[f"m-{page}-{chunk}"]]
        assert len(rows) == recap["first"] + recap["count"]
    return data | {"messages": rows}


class Page(HTMLParser):
    """The parts of a page the tests check: links, sources, ids, scripts, CSP, style."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.sources: list[str] = []
        self.ids: set[str] = set()
        self.scripts: list[dict[str, str | None]] = []
        self.csp: list[str] = []
        self.styles: list[str] = []
        self.style_attributes = 0
        self._in_style = False
        self.feed(text)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if found.get("href") is not None:
            self.links.append(str(found["href"]))
        if found.get("src") is not None:
            self.sources.append(str(found["src"]))
        if found.get("id") is not None:
            self.ids.add(str(found["id"]))
        if "style" in found:
            self.style_attributes += 1
        if tag == "script":
            self.scripts.append(found)
        if tag == "meta" and (found.get("http-equiv") or "").lower() == "content-security-policy":
            self.csp.append(str(found.get("content")))
        self._in_style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.styles.append(data)


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The archive of the sample chat and the hostile edchat, charts included (tests read it,
    never change it)."""
    folder = tmp_path_factory.mktemp("archive")
    database = folder / "bot.db"
    out = folder / "site"
    chats, report = asyncio.run(build_sample_archive(database, out))
    return Built(out, database, chats, report)
