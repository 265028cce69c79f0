"""The stand-in unfurls links as Discord does, to the real discord.py client (in-process): a
MESSAGE_UPDATE some time after the message, adding link embeds and leaving the message
unedited, which history returns afterwards; links without preview data, in ``<...>`` or in
a message deleted meanwhile are not unfurled."""

from __future__ import annotations

import asyncio

import discord

from tests.e2e.standin import StandIn
from tests.e2e.test_standin import WAIT, Scene, make_client, running, scene, text_channel

__all__ = ["scene"]

ARTICLE = "https://ferns.example/care"


def _register(standin: StandIn) -> None:
    standin.unfurl(
        ARTICLE,
        title="Fern care",
        description="Water <b>weekly</b>",
        provider="Ferns Weekly",
        provider_url="https://ferns.example",
        thumbnail="https://ferns.example/fern.png",
    )


async def test_a_registered_link_gains_its_card_in_an_update_that_is_not_an_edit(
    scene: Scene,
) -> None:
    standin = scene.standin
    _register(standin)
    client = make_client()
    edits: list[tuple[discord.RawMessageUpdateEvent, asyncio.Future[None]]] = []
    got = asyncio.get_running_loop().create_future()

    @client.event
    async def on_raw_message_edit(payload: discord.RawMessageUpdateEvent) -> None:
        edits.append((payload, got))
        if not got.done():
            got.set_result(None)

    async with running(client, standin):
        sent = await standin.say(scene.channel, scene.alice, f"read {ARTICLE} and <{ARTICLE}x>")
        assert sent["embeds"] == []
        await asyncio.wait_for(got, WAIT)
        message = edits[0][0].message
        assert message.id == int(sent["id"])
        assert message.edited_at is None
        assert message.content == sent["content"]
        [embed] = message.embeds
        assert embed.type == "article"
        assert (embed.title, embed.url) == ("Fern care", ARTICLE)
        assert embed.description == "Water <b>weekly</b>"
        assert embed.provider.name == "Ferns Weekly"
        assert embed.provider.url == "https://ferns.example"
        assert embed.thumbnail.url == "https://ferns.example/fern.png"
        channel = text_channel(client, scene.channel)
        [read] = [m async for m in channel.history(limit=5)]
        assert read.edited_at is None
        assert [e.title for e in read.embeds] == ["Fern care"]
    assert len(edits) == 1


async def test_links_without_data_and_deleted_messages_are_not_unfurled(scene: Scene) -> None:
    standin = scene.standin
    _register(standin)
    client = make_client()
    updates: list[int] = []

    @client.event
    async def on_raw_message_edit(payload: discord.RawMessageUpdateEvent) -> None:
        updates.append(payload.message_id)

    async with running(client, standin):
        plain = await standin.say(scene.channel, scene.bob, "see https://unknown.example/page")
        gone = await standin.say(scene.channel, scene.bob, f"oops {ARTICLE}")
        await standin.delete(int(gone["id"]))
        await asyncio.sleep(standin.unfurls.delay * 3)
        assert updates == []
        assert standin.message(int(plain["id"]))["embeds"] == []
