"""The stand-in's polls, driven by the real discord.py client (in-process): creation and its
limits, votes and vote events (with and without the polls intent), the voters endpoint, the end
by the author and the POLL_RESULT message, and Send Polls."""

from __future__ import annotations

import asyncio
import datetime as dt

import discord
import pytest

from tests.e2e.standin import ApiError, Perm, StandIn, ops, polls
from tests.e2e.test_standin import Scene, make_client, running, scene, text_channel

__all__ = ["scene"]  # the fixture, shared with test_standin

WAIT = 5.0


def _poll(multiple: bool = False, hours: int = 2) -> discord.Poll:
    poll = discord.Poll("Q1: Which fern? #plantchat", dt.timedelta(hours=hours), multiple=multiple)
    for option in ("Boston", "Maidenhair", "Staghorn"):
        poll.add_answer(text=option)
    return poll


async def test_a_poll_is_posted_with_its_answers_expiry_and_empty_results(scene: Scene) -> None:
    async with running(make_client(), scene.standin) as client:
        channel = text_channel(client, scene.channel)
        message = await channel.send(poll=_poll())
        assert message.poll is not None
        assert message.poll.question == "Q1: Which fern? #plantchat"
        assert [a.text for a in message.poll.answers] == ["Boston", "Maidenhair", "Staghorn"]
        assert [a.id for a in message.poll.answers] == [1, 2, 3]
        assert message.poll.duration == dt.timedelta(hours=2)
        assert not message.poll.multiple
        assert not message.poll.is_finalised()
        assert message.poll.total_votes == 0
        stored = scene.standin.message(message.id)["poll"]
        assert stored["results"] == {"is_finalized": False, "answer_counts": []}
        assert stored["layout_type"] == 1


@pytest.mark.parametrize(
    ("field", "body"),
    [
        ("poll.question.text", {"question": {"text": "x" * 301}}),
        ("poll.answers", {"answers": []}),
        ("poll.answers", {"answers": [{"poll_media": {"text": str(i)}} for i in range(11)]}),
        ("poll.answers.0.poll_media.text", {"answers": [{"poll_media": {"text": "y" * 56}}]}),
        ("poll.duration", {"duration": 0}),
        ("poll.duration", {"duration": 769}),
        ("poll.duration", {"duration": 1.5}),
    ],
)
async def test_a_poll_beyond_discord_limits_is_refused(
    scene: Scene, field: str, body: dict[str, object]
) -> None:
    request = {
        "question": {"text": "Q1: ok?"},
        "answers": [{"poll_media": {"text": "yes"}}],
        "duration": 1,
    } | body
    async with running(make_client(), scene.standin) as client:
        with pytest.raises(discord.HTTPException) as caught:
            await client.http.send_message(scene.channel.id, params=_params({"poll": request}))
        assert caught.value.status == 400
        assert caught.value.code == 50035
        assert field in str(scene.standin.requests[-1].response["errors"])
        assert not [m for m in scene.standin.messages(scene.channel) if "poll" in m]


def _params(payload: dict[str, object]) -> discord.http.MultipartParameters:
    return discord.http.MultipartParameters(payload=payload, multipart=None, files=None)


async def test_votes_and_unvotes_reach_a_client_with_the_polls_intent(scene: Scene) -> None:
    standin = scene.standin
    async with running(make_client(), standin) as client:
        message = await text_channel(client, scene.channel).send(poll=_poll())
        events: list[tuple[str, int, int]] = []

        async def added(p: discord.RawPollVoteActionEvent) -> None:
            events.append(("add", p.user_id, p.answer_id))

        async def removed(p: discord.RawPollVoteActionEvent) -> None:
            events.append(("remove", p.user_id, p.answer_id))

        client.on_raw_poll_vote_add = added  # type: ignore[attr-defined]
        client.on_raw_poll_vote_remove = removed  # type: ignore[attr-defined]
        await standin.vote(message, scene.alice, 1)
        await standin.vote(message, scene.bob, 2)
        # Single choice: alice's vote for 3 replaces her vote for 1.
        await standin.vote(message, scene.alice, 3)
        await standin.unvote(message, scene.bob, 2)
        await standin.wait_for(lambda: len(events) == 5, WAIT)
        assert events == [
            ("add", scene.alice.id, 1),
            ("add", scene.bob.id, 2),
            ("remove", scene.alice.id, 1),
            ("add", scene.alice.id, 3),
            ("remove", scene.bob.id, 2),
        ]
        cached = client.get_partial_messageable(scene.channel.id).get_partial_message(message.id)
        fetched = await cached.fetch()
        assert fetched.poll is not None
        assert {a.id: a.vote_count for a in fetched.poll.answers} == {1: 0, 2: 0, 3: 1}
        assert standin.poll_votes(message) == {1: [], 2: [], 3: [scene.alice.id]}


async def test_multiple_choice_keeps_every_answer(scene: Scene) -> None:
    standin = scene.standin
    async with running(make_client(), standin) as client:
        message = await text_channel(client, scene.channel).send(poll=_poll(multiple=True))
        await standin.vote(message, scene.alice, 1, 3)
        await standin.vote(message, scene.bob, 3)
        fetched = await text_channel(client, scene.channel).fetch_message(message.id)
        assert fetched.poll is not None
        assert {a.id: a.vote_count for a in fetched.poll.answers} == {1: 1, 2: 0, 3: 2}
        assert fetched.poll.total_votes == 3


async def test_vote_events_need_the_polls_intent(scene: Scene) -> None:
    standin = scene.standin
    intents = discord.Intents.default()
    intents.polls = False
    client = discord.Client(intents=intents, guild_ready_timeout=0.05)
    async with running(client, standin) as connected:
        message = await text_channel(connected, scene.channel).send(poll=_poll())
        seen: list[object] = []

        async def added(p: discord.RawPollVoteActionEvent) -> None:
            seen.append(p)

        connected.on_raw_poll_vote_add = added  # type: ignore[attr-defined]
        await standin.vote(message, scene.alice, 1)
        await standin.say(scene.channel, scene.alice, "after the vote")
        await connected.wait_for("message", timeout=WAIT)
        await asyncio.sleep(0)
        assert seen == []
    assert standin.dispatched("MESSAGE_POLL_VOTE_ADD")  # sent, but not to that session


async def test_voters_endpoint_pages_with_after_and_limit(scene: Scene) -> None:
    standin = scene.standin
    users = [standin.add_user(f"voter{i}") for i in range(5)]
    for user in users:
        standin.add_member(scene.guild, user)
    async with running(make_client(), standin) as client:
        message = await text_channel(client, scene.channel).send(poll=_poll())
        for user in reversed(users):
            await standin.vote(message, user, 2)
        first = await client.http.get_poll_answer_voters(scene.channel.id, message.id, 2, limit=2)
        assert [int(u["id"]) for u in first["users"]] == [users[0].id, users[1].id]
        rest = await client.http.get_poll_answer_voters(
            scene.channel.id, message.id, 2, after=users[1].id, limit=100
        )
        assert [int(u["id"]) for u in rest["users"]] == [u.id for u in users[2:]]
        fetched = await text_channel(client, scene.channel).fetch_message(message.id)
        assert fetched.poll is not None
        answer = fetched.poll.get_answer(2)
        assert answer is not None
        voters = [u.id async for u in answer.voters()]
        assert sorted(voters) == sorted(u.id for u in users), (voters, [u.id for u in users])
        with pytest.raises(discord.HTTPException):
            await client.http.get_poll_answer_voters(scene.channel.id, message.id, 2, limit=101)


async def test_the_author_ends_a_poll_final_results_and_poll_result_message(
    scene: Scene,
) -> None:
    standin = scene.standin
    async with running(make_client(), standin) as client:
        channel = text_channel(client, scene.channel)
        message = await channel.send(poll=_poll())
        await standin.vote(message, scene.alice, 2)
        await standin.vote(message, scene.bob, 2)
        updated = client.wait_for(
            "raw_message_edit", check=lambda p: p.message_id == message.id, timeout=WAIT
        )
        result = client.wait_for(
            "message", check=lambda m: m.type == discord.MessageType.poll_result, timeout=WAIT
        )
        assert message.poll is not None
        ended = await message.poll.end()
        assert ended.is_finalised()
        edit = await updated
        assert edit.data["poll"]["results"]["is_finalized"] is True
        assert edit.data["poll"]["results"]["answer_counts"] == [
            {"id": 1, "count": 0, "me_voted": False},
            {"id": 2, "count": 2, "me_voted": False},
            {"id": 3, "count": 0, "me_voted": False},
        ]
        poll_result: discord.Message = await result
        assert poll_result.author.id == standin.bot.id
        assert poll_result.reference is not None
        assert poll_result.reference.message_id == message.id
        fields = {f.name: f.value for f in poll_result.embeds[0].fields}
        assert fields["total_votes"] == "2"
        assert fields["victor_answer_id"] == "2"
        assert fields["victor_answer_votes"] == "2"


async def test_voting_on_an_ended_poll_is_refused(scene: Scene) -> None:
    standin = scene.standin
    async with running(make_client(), standin) as client:
        message = await text_channel(client, scene.channel).send(poll=_poll())
        await standin.end_poll(message)
        with pytest.raises(ApiError) as refused:
            await standin.vote(message, scene.alice, 1)
        assert refused.value.code == 520001


async def test_only_the_author_may_end_a_poll(scene: Scene) -> None:
    standin = scene.standin
    async with running(make_client(), standin) as client:
        body = {"question": {"text": "Mine?"}, "answers": [{"poll_media": {"text": "yes"}}]}
        users_poll = await standin.say(scene.channel, scene.alice, "no poll here")
        with pytest.raises(discord.HTTPException) as not_poll:
            await client.http.end_poll(scene.channel.id, int(users_poll["id"]))
        assert not_poll.value.code == 520006
        alices = ops.post_message(
            standin.world, standin.channel(scene.channel), scene.alice, {"poll": body}
        )
        with pytest.raises(discord.Forbidden) as refused:
            await client.http.end_poll(scene.channel.id, alices.id)
        assert refused.value.code == 50005
        assert not standin.world.polls[alices.id].finalized


async def test_a_poll_ends_by_itself_at_its_expiry(scene: Scene) -> None:
    standin = scene.standin
    async with running(make_client(), standin) as client:
        message = await text_channel(client, scene.channel).send(poll=_poll(hours=1))
        poll = standin.world.polls[message.id]
        assert poll.timer is not None
        assert 3590 < poll.timer.when() - asyncio.get_running_loop().time() <= 3600
        result = client.wait_for(
            "message", check=lambda m: m.type == discord.MessageType.poll_result, timeout=WAIT
        )
        poll.timer.cancel()
        # The stand-in's own timer, brought forward: what runs at the expiry, not the driver's.
        msg = standin.world.messages[message.id]
        poll.timer = asyncio.get_running_loop().call_later(0.01, polls.end, standin.world, msg)
        await result
        assert standin.world.polls[message.id].finalized


async def test_without_send_polls_a_poll_is_missing_permissions(scene: Scene) -> None:
    standin = scene.standin
    standin.deny(scene.channel, Perm.SEND_POLLS)
    async with running(make_client(), standin) as client:
        channel = text_channel(client, scene.channel)
        assert channel.guild.me is not None
        assert not channel.permissions_for(channel.guild.me).send_polls
        with pytest.raises(discord.Forbidden) as refused:
            await channel.send(poll=_poll())
        assert refused.value.code == 50013
        await channel.send("plain text still goes")


async def test_the_poll_result_message_is_posted_even_for_a_poll_without_votes(
    standin: StandIn,
) -> None:
    guild = standin.add_guild("g")
    channel = standin.add_text_channel(guild, "c")
    msg = ops.post_message(
        standin.world,
        standin.channel(channel),
        standin.bot,
        {"poll": {"question": {"text": "Q?"}, "answers": [{"poll_media": {"text": "a"}}]}},
    )
    await standin.end_poll(msg)
    last = standin.messages(channel)[-1]
    assert last["type"] == 46
    fields = {f["name"]: f["value"] for f in last["embeds"][0]["fields"]}
    assert fields["total_votes"] == "0"
    assert "victor_answer_id" not in fields
