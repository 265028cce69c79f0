"""Participants and their consent: names, opt-outs, first-timers, and forgetting."""

from __future__ import annotations

import json
from collections.abc import Collection
from datetime import datetime

from bot.core.boards import Save
from bot.core.personal import (
    Draft,
    GivenReaction,
    PersonalData,
    PollVote,
    StoredMessage,
    SuggestedQuestion,
)
from bot.core.ports.records import ForgetRequest
from bot.core.profiles import Profile
from bot.core.writes import ForgetPerson
from bot.storage._convert import dt, dt_or_none, ts
from bot.storage.answer_writes import PARTICIPANT, AnswerWriteRepository


class ParticipantRepository(AnswerWriteRepository):
    """Participants: the names they post under and whether recaps may name them. Forgetting
    one is a write of the answer pipeline (ordered with the messages queued before it)."""

    async def set_opt_out(self, user_id: int, name: str, opted_out: bool, at: datetime) -> None:
        """Whether the recap may quote or name this participant."""
        async with self.db.transaction() as connection:
            await connection.execute(PARTICIPANT, (user_id, name, ts(at)))
            await connection.execute(
                "UPDATE participants SET opted_out = ? WHERE user_id = ?", (int(opted_out), user_id)
            )

    async def participant_names(self, user_ids: Collection[int]) -> dict[int, str]:
        """The names these users last posted under, in any chat (those never seen are left
        out): hosts and guests who did not post in a chat are still named in its recap."""
        if not user_ids:
            return {}
        ids = sorted(set(user_ids))
        rows = await self.db.fetchall(
            f"SELECT user_id, name FROM participants WHERE user_id IN ({','.join('?' * len(ids))})",  # noqa: S608
            ids,
        )
        return {int(row[0]): str(row[1]) for row in rows if row[1]}

    async def opted_out(self) -> set[int]:
        """Ids of participants who opted out."""
        rows = await self.db.fetchall("SELECT user_id FROM participants WHERE opted_out = 1")
        return {int(row[0]) for row in rows}

    async def forget_user(
        self, user_id: int, at: datetime, *, by_moderator: bool = False
    ) -> ForgetRequest:
        """Forget a person as of ``at`` (see :class:`bot.core.writes.ForgetPerson`); returns
        the request as applied: how many messages and published recaps it touched."""
        await self.write_answers([ForgetPerson(user_id, at, by_moderator)])
        request = await self.forget_request(user_id)
        assert request is not None
        return request

    async def forget_request(self, user_id: int) -> ForgetRequest | None:
        """The person's request to be forgotten, if they made one."""
        row = await self.db.fetchone("SELECT * FROM forget_requests WHERE user_id = ?", (user_id,))
        if row is None:
            return None
        return ForgetRequest(
            user_id=int(row["user_id"]),
            requested_at=dt(row["requested_at"]),
            by_moderator=bool(row["by_moderator"]),
            messages=int(row["messages"]),
            recaps=int(row["recaps"]),
        )

    async def forgotten(self) -> dict[int, datetime]:
        """Everyone who asked to be forgotten, with the moment their request covers."""
        rows = await self.db.fetchall("SELECT user_id, requested_at FROM forget_requests")
        return {int(row[0]): dt(row[1]) for row in rows}

    async def first_timers(self, occurrence_id: int, chat_id: str, start: datetime) -> set[int]:
        """Participants who answered in this occurrence and in no earlier one of the chat.

        Reads the answers of this occurrence and of the chat's earlier occurrences only
        (through the occurrence index), so the cost follows the chat's own history, not
        the whole database.
        """
        rows = await self.db.fetchall(
            """SELECT author_id FROM answers
               WHERE occurrence_id = ? AND deleted = 0
                 AND source NOT IN ('conversation', 'takeaway')
               EXCEPT
               SELECT author_id FROM answers
               WHERE occurrence_id IN (
                       SELECT id FROM occurrences WHERE chat_id = ?
                         AND (start_at < ? OR (start_at = ? AND id < ?)))
                 AND source NOT IN ('conversation', 'takeaway')""",
            (occurrence_id, chat_id, ts(start), ts(start), occurrence_id),
        )
        return {int(row[0]) for row in rows}

    async def personal_data(self, user_id: int) -> PersonalData:
        """Everything stored about ``user_id`` and nothing about anyone else."""
        person = await self.db.fetchone(
            "SELECT name, first_seen, opted_out FROM participants WHERE user_id = ?", (user_id,)
        )
        request = await self.forget_request(user_id)
        rows = await self.db.fetchall(
            """SELECT a.*, o.chat_id, o.start_at FROM answers a
               JOIN occurrences o ON o.id = a.occurrence_id
               WHERE a.author_id = ? ORDER BY a.created_at, a.message_id, a.part""",
            (user_id,),
        )
        messages = tuple(
            StoredMessage(
                message_id=int(row["message_id"]),
                part=int(row["part"]),
                chat_id=str(row["chat_id"]),
                occurrence_start=dt(row["start_at"]),
                channel_id=int(row["channel_id"]),
                thread_id=row["thread_id"],
                question=row["question"],
                source=str(row["source"]),
                content=str(row["content"]),
                created_at=dt(row["created_at"]),
                edited_at=dt_or_none(row["edited_at"]),
                state=_STATES.get(int(row["deleted"]), "live"),
                late=bool(row["late"]),
            )
            for row in rows
        )
        reacted = await self.db.fetchall(
            """SELECT DISTINCT r.message_id, r.emoji, o.chat_id, o.start_at FROM reactions r
               JOIN answers a ON a.message_id = r.message_id
               JOIN occurrences o ON o.id = a.occurrence_id
               WHERE r.user_id = ? ORDER BY r.message_id, r.emoji""",
            (user_id,),
        )
        reactions = tuple(
            GivenReaction(int(row[0]), str(row[2]), dt(row[3]), str(row[1])) for row in reacted
        )
        typed = await self.db.fetchall(
            "SELECT chat_id, created_at, fields_json FROM chat_drafts WHERE user_id = ?"
            " ORDER BY id",
            (user_id,),
        )
        drafts = tuple(Draft(row[0], dt(row[1]), str(row[2])) for row in typed)
        row = await self.db.fetchone(
            "SELECT public, bio, link, updated_at FROM profiles WHERE user_id = ?", (user_id,)
        )
        profile = (
            Profile(user_id, bool(row[0]), str(row[1]), str(row[2]), dt(row[3]))
            if row is not None
            else None
        )
        voted = await self.db.fetchall(
            """SELECT v.message_id, v.answer_id, v.voted_at, p.text, p.options_json,
                      o.chat_id, o.start_at
               FROM poll_votes v
               JOIN polls p ON p.message_id = v.message_id
               JOIN occurrences o ON o.id = p.occurrence_id
               WHERE v.user_id = ? ORDER BY v.voted_at, v.message_id, v.answer_id""",
            (user_id,),
        )
        poll_votes = tuple(
            PollVote(
                message_id=int(row[0]),
                chat_id=str(row[5]),
                occurrence_start=dt(row[6]),
                question=str(row[3]),
                option=_option(str(row[4]), int(row[1])),
                voted_at=dt(row[2]),
            )
            for row in voted
        )
        saved = await self.db.fetchall(
            "SELECT * FROM board_saves WHERE user_id = ? ORDER BY saved_at, board_id, url",
            (user_id,),
        )
        saves = tuple(
            Save(
                board_id=int(row["board_id"]),
                user_id=user_id,
                url=str(row["url"]),
                message_id=int(row["message_id"]),
                channel_id=int(row["channel_id"]),
                guild_id=int(row["guild_id"]),
                saved_at=dt(row["saved_at"]),
                user_name=str(row["user_name"]),
            )
            for row in saved
        )
        suggested = await self.db.fetchall(
            """SELECT s.id, s.chat_id, s.text, s.created_at, s.status, s.message_id,
                      (SELECT COUNT(*) FROM suggestion_votes v WHERE v.suggestion_id = s.id)
               FROM suggestions s WHERE s.author_id = ? AND s.status <> 'withdrawn'
               ORDER BY s.created_at, s.id""",
            (user_id,),
        )
        suggestions = tuple(
            SuggestedQuestion(
                int(row[0]), str(row[1]), str(row[2]), dt(row[3]), str(row[4]), int(row[6]), row[5]
            )
            for row in suggested
        )
        return PersonalData(
            user_id=user_id,
            suggestions=suggestions,
            name=str(person["name"]) if person is not None else "",
            first_seen=dt(person["first_seen"]) if person is not None else None,
            opted_out=bool(person["opted_out"]) if person is not None else False,
            forget_requested_at=request.requested_at if request is not None else None,
            forget_by_moderator=request.by_moderator if request is not None else False,
            messages=messages,
            reactions=reactions,
            drafts=drafts,
            profile=profile,
            poll_votes=poll_votes,
            saves=saves,
        )


def _option(options_json: str, answer_id: int) -> str:
    """A poll option's text from its stored list (answer ids are 1-based)."""
    options = json.loads(options_json)
    return str(options[answer_id - 1]) if 0 < answer_id <= len(options) else str(answer_id)


#: ``answers.deleted`` as words.
_STATES = {0: "live", 1: "deleted", 2: "removed by an edit"}
