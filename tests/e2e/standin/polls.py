"""Polls as Discord (API v10) has them: creation limits, votes, vote events, voters, the end.

- A message is created with ``poll`` (a poll create request: ``question.text`` up to 300,
  1-10 ``answers`` each ``poll_media.text`` up to 55, ``duration`` in hours 1..768 (default
  24; discord.py sends a float such as ``2.0``), ``allow_multiselect``, ``layout_type`` 1).
  Sending one needs Send Polls (1<<49) in the channel, else 403 50013.
- The message object carries ``poll``: ``answers`` with ``answer_id`` 1..n, ``expiry``, and
  ``results`` (``is_finalized`` and ``answer_counts`` with ``me_voted`` for the viewer, the bot).
- Users vote through the driver (bots cannot vote on Discord): a single-choice poll keeps one
  answer per user (voting for another removes the first, as the client's "remove vote" then
  vote does), a multiple-choice poll any number. Each vote and unvote sends
  MESSAGE_POLL_VOTE_ADD / MESSAGE_POLL_VOTE_REMOVE to sessions with GUILD_MESSAGE_POLLS
  (1<<24) that can see the channel. Voting on an ended poll fails with 520001.
- ``GET /channels/{c}/polls/{m}/answers/{a}``: ``{"users": [...]}`` in id order, ``after`` a
  user id, ``limit`` 1..100 (default 25).
- ``POST /channels/{c}/polls/{m}/expire``: only the poll's author (else 403 50005, as for an
  edit of someone else's message); a message without a poll is 520006.
- The poll ends at ``expiry`` (a timer) or when expired: results become final, the poll
  message gets a MESSAGE_UPDATE, and a POLL_RESULT message (type 46) by the poll's author,
  referencing it, carries the ``poll_result`` embed discord.py reads (``total_votes``,
  ``victor_answer_id``, ``victor_answer_votes``...).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from . import render
from .model import JSON, ApiError, Intent, Message, Perm, invalid_form, iso, snowflake_time

if TYPE_CHECKING:
    from .rest import Ctx, Reply, Router
    from .world import World

QUESTION_MAX = 300
ANSWER_MAX = 55
ANSWERS_MAX = 10
DURATION_MAX_HOURS = 768  # 32 days
POLL_RESULT = 46


@dataclass
class Poll:
    """A poll on a message: its answers, who voted for what, and whether it ended."""

    question: str
    answers: list[JSON]  # poll_media dicts, answer_id = index + 1
    expiry: datetime
    multiselect: bool = False
    layout_type: int = 1
    votes: dict[int, list[int]] = field(default_factory=dict)  # answer id -> user ids (in order)
    finalized: bool = False
    timer: asyncio.TimerHandle | None = None

    def counts(self) -> dict[int, int]:
        return {a: len(self.votes.get(a, [])) for a in range(1, len(self.answers) + 1)}

    def voters(self) -> set[int]:
        return {u for users in self.votes.values() for u in users}


def _duration_hours(raw: object) -> float:
    if raw is None:
        return 24.0
    if isinstance(raw, bool) or not isinstance(raw, int | float) or raw != int(raw):
        raise invalid_form("poll.duration", "Value is not int.", "NUMBER_TYPE_COERCE")
    if not 1 <= raw <= DURATION_MAX_HOURS:
        raise invalid_form(
            "poll.duration", f"int value should be between 1 and {DURATION_MAX_HOURS}."
        )
    return float(raw)


def create(body: JSON, created: datetime) -> Poll:
    """A Poll from a poll create request, refused as Discord refuses it (50035 Invalid Form)."""
    if not isinstance(body, dict):
        raise invalid_form("poll", "Must be an object.", "MODEL_TYPE_CONVERT")
    question = body.get("question") or {}
    text = str(question.get("text") or "") if isinstance(question, dict) else ""
    if not 1 <= len(text) <= QUESTION_MAX:
        raise invalid_form(
            "poll.question.text",
            f"Must be between 1 and {QUESTION_MAX} in length.",
            "BASE_TYPE_BAD_LENGTH",
        )
    answers = body.get("answers")
    if not isinstance(answers, list) or not 1 <= len(answers) <= ANSWERS_MAX:
        raise invalid_form(
            "poll.answers",
            f"Must be between 1 and {ANSWERS_MAX} in length.",
            "BASE_TYPE_BAD_LENGTH",
        )
    media: list[JSON] = []
    for i, answer in enumerate(answers):
        item = (answer or {}).get("poll_media") or {} if isinstance(answer, dict) else {}
        answer_text = str(item.get("text") or "")
        if not 1 <= len(answer_text) <= ANSWER_MAX:
            raise invalid_form(
                f"poll.answers.{i}.poll_media.text",
                f"Must be between 1 and {ANSWER_MAX} in length.",
                "BASE_TYPE_BAD_LENGTH",
            )
        out: JSON = {"text": answer_text}
        if item.get("emoji"):
            out["emoji"] = item["emoji"]
        media.append(out)
    hours = _duration_hours(body.get("duration"))
    layout = int(body.get("layout_type") or 1)
    if layout != 1:
        raise invalid_form("poll.layout_type", "Value must be one of {1}.", "ENUM_TYPE_COERCE")
    return Poll(
        question=text,
        answers=media,
        expiry=created + timedelta(hours=hours),
        multiselect=bool(body.get("allow_multiselect", False)),
        layout_type=layout,
    )


def payload(world: World, msg: Message) -> JSON:
    """The ``poll`` of a message object as the bot sees it (``me_voted`` is the bot's)."""
    poll = world.polls[msg.id]
    counts = poll.counts()
    return {
        "question": {"text": poll.question},
        "answers": [
            {"answer_id": i, "poll_media": media} for i, media in enumerate(poll.answers, 1)
        ],
        "expiry": iso(poll.expiry),
        "allow_multiselect": poll.multiselect,
        "layout_type": poll.layout_type,
        "results": {
            "is_finalized": poll.finalized,
            "answer_counts": [
                {"id": a, "count": n, "me_voted": world.bot.id in poll.votes.get(a, [])}
                for a, n in counts.items()
                if n or poll.finalized
            ],
        },
    }


def attach(world: World, msg: Message, body: JSON) -> None:
    """Hook of ``ops.post_message``: give ``msg`` its poll (validated) and start its timer."""
    poll = create(body, snowflake_time(msg.id))
    world.polls[msg.id] = poll
    delay = (poll.expiry - datetime.now(UTC)).total_seconds()
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return
    poll.timer = loop.call_later(max(0.0, delay), end, world, msg)


def _vote_event(world: World, event: str, msg: Message, user_id: int, answer_id: int) -> None:
    data: JSON = {
        "user_id": str(user_id),
        "channel_id": str(msg.channel_id),
        "message_id": str(msg.id),
        "answer_id": answer_id,
    }
    if msg.guild_id is not None:
        data["guild_id"] = str(msg.guild_id)
    intent = Intent.GUILD_MESSAGE_POLLS if msg.guild_id else Intent.DIRECT_MESSAGE_POLLS
    world.dispatch(event, data, intent, msg.channel_id)


def _poll_of(world: World, msg: Message) -> Poll:
    poll = world.polls.get(msg.id)
    if poll is None:
        raise ApiError(400, 520006, "Cannot expire a non-poll message")
    return poll


def vote(world: World, msg: Message, user_id: int, answer_ids: list[int]) -> None:
    """``user_id`` votes for ``answer_ids`` (a single-choice poll takes exactly one)."""
    poll = _poll_of(world, msg)
    if poll.finalized:
        raise ApiError(400, 520001, "Poll expired")
    if not answer_ids or any(not 1 <= a <= len(poll.answers) for a in answer_ids):
        raise ApiError(400, 10008, "Unknown answer")
    if not poll.multiselect:
        if len(answer_ids) != 1:
            raise invalid_form("answer_ids", "Must be 1 or fewer in length.")
        for answer_id, users in poll.votes.items():
            if user_id in users and answer_id != answer_ids[0]:
                unvote(world, msg, user_id, answer_id)
    for answer_id in answer_ids:
        users = poll.votes.setdefault(answer_id, [])
        if user_id not in users:
            users.append(user_id)
            _vote_event(world, "MESSAGE_POLL_VOTE_ADD", msg, user_id, answer_id)


def unvote(world: World, msg: Message, user_id: int, answer_id: int) -> None:
    poll = _poll_of(world, msg)
    if poll.finalized:
        raise ApiError(400, 520001, "Poll expired")
    users = poll.votes.get(answer_id, [])
    if user_id in users:
        users.remove(user_id)
        _vote_event(world, "MESSAGE_POLL_VOTE_REMOVE", msg, user_id, answer_id)


def _result_embed(poll: Poll) -> JSON:
    counts = poll.counts()
    fields: list[JSON] = [
        {"name": "poll_question_text", "value": poll.question, "inline": False},
        {"name": "total_votes", "value": str(len(poll.voters())), "inline": False},
    ]
    best = max(counts.values(), default=0)
    winners = [a for a, n in counts.items() if n == best]
    if best and len(winners) == 1:  # Discord names no victor on a tie or without votes
        victor = winners[0]
        fields += [
            {"name": "victor_answer_id", "value": str(victor), "inline": False},
            {"name": "victor_answer_text", "value": poll.answers[victor - 1]["text"]},
            {"name": "victor_answer_votes", "value": str(best), "inline": False},
        ]
    return {"type": "poll_result", "fields": fields}


def end(world: World, msg: Message) -> None:
    """The poll ends (its time came, or its author expired it): final results, a MESSAGE_UPDATE
    of the poll message and the POLL_RESULT message in its channel."""
    from . import ops  # ops imports this module

    poll = world.polls.get(msg.id)
    if poll is None or poll.finalized or msg.deleted:
        return
    if poll.timer is not None:
        poll.timer.cancel()
    poll.finalized = True
    poll.expiry = min(poll.expiry, datetime.now(UTC))
    world.dispatch_message("MESSAGE_UPDATE", msg)
    channel = world.channels.get(msg.channel_id)
    if channel is None:
        return
    reference = {
        "type": 0,
        "message_id": str(msg.id),
        "channel_id": str(msg.channel_id),
        "guild_id": str(msg.guild_id),
    }
    body: JSON = {"content": "", "embeds": [_result_embed(poll)]}
    ops.post_message(
        world, channel, world.users[msg.author_id], body, type=POLL_RESULT, reference=reference
    )


def register(router: Router, world: World) -> None:
    """The poll routes (the bot is the caller)."""

    def poll_message(ctx: Ctx) -> Message:
        channel = world.channel(ctx.id("channel_id"))
        world.require(channel, Perm.READ_MESSAGE_HISTORY)
        return world.message(channel.id, ctx.id("message_id"))

    async def answer_voters(ctx: Ctx) -> Reply:
        msg = poll_message(ctx)
        poll = world.polls.get(msg.id)
        answer_id = ctx.id("answer_id")
        if poll is None or not 1 <= answer_id <= len(poll.answers):
            raise ApiError(404, 10008, "Unknown Message")
        try:
            limit = int(ctx.query.get("limit", "25"))
        except ValueError:
            raise invalid_form("limit", "Value is not int.") from None
        if not 1 <= limit <= 100:
            raise invalid_form("limit", "int value should be between 1 and 100.")
        users = sorted(poll.votes.get(answer_id, []))
        if (after := ctx.query.get("after")) is not None:
            users = [u for u in users if u > int(after)]
        return 200, {"users": [render.user_payload(world.users[u]) for u in users[:limit]]}

    async def expire(ctx: Ctx) -> Reply:
        msg = poll_message(ctx)
        _poll_of(world, msg)
        if msg.author_id != world.bot.id:
            raise ApiError(403, 50005, "Cannot edit a message authored by another user")
        end(world, msg)
        return 200, render.message_payload(world, msg)

    base = "/channels/{channel_id}/polls/{message_id}"
    router.add("GET", base + "/answers/{answer_id}", answer_voters)
    router.add("POST", base + "/expire", expire)
