"""The people to learn from: profiles, and the answers that drew engagement.

**Profiles** are one row per person (``/chat profile``); a request to be forgotten deletes a
profile set before it (a trigger of migration 7).

**Engagement** (``/chat people``) reads only answers that drew something: a reaction
(``answers.reactions``) or a reply (the partial index ``answers_reply``). With a topic, the
candidates come from ``answer_words``, an FTS5 index of the answers' text (words folded for
case and accents, matched at their start like the archive search). It is filled here, off the
ingest path: before a search, rows stored since the last one are indexed, in chunks, each in
its own short transaction (see migration 7 for how edits and deletes keep it right). The
caller checks every candidate against the exact rule (:func:`bot.core.engagement.mentions_all`),
so the index only has to never miss one.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Collection, Iterable, Sequence
from datetime import datetime

from bot.core.answers import Answer, AnswerSource
from bot.core.engagement import ChatMessage, TopicClause, fold, spaceless
from bot.core.people import EngagementRows, OccurrenceInfo
from bot.core.profiles import Profile
from bot.core.spec import ChatSpec
from bot.storage._convert import dt, dt_or_none, ts
from bot.storage.answer_writes import PARTICIPANT
from bot.storage.db import Database

#: Rows indexed per transaction when the topic index catches up.
INDEX_CHUNK = 20_000
#: Ids per ``IN (…)`` list (SQLite allows 32,766 parameters).
_CHUNK = 5_000
#: An answer that drew a reaction or a reply (the author's own included: the ranking leaves
#: them out), not deleted, not conversation or a takeaway.
_ENGAGED = """a.deleted = 0 AND a.source NOT IN ('conversation', 'takeaway')
    AND (a.reactions > 0 OR EXISTS (
        SELECT 1 FROM answers r WHERE r.reply_to = a.message_id AND r.deleted = 0))"""
_COLUMNS = "a.*, p.name"


def _answer(row: sqlite3.Row) -> Answer:
    return Answer(
        message_id=row["message_id"],
        part=row["part"],
        occurrence_id=row["occurrence_id"],
        channel_id=row["channel_id"],
        thread_id=row["thread_id"],
        author_id=row["author_id"],
        author_name=row["name"],
        question=row["question"],
        content=row["content"],
        source=AnswerSource(row["source"]),
        created_at=dt(row["created_at"]),
        edited_at=dt_or_none(row["edited_at"]),
        deleted=bool(row["deleted"]),
        reactions=row["reactions"],
        reply_to=row["reply_to"],
        late=bool(row["late"]),
    )


def _chunks(ids: Sequence[int]) -> Iterable[Sequence[int]]:
    for first in range(0, len(ids), _CHUNK):
        yield ids[first : first + _CHUNK]


def _marks(count: int) -> str:
    return ",".join("?" * count)


def fts_query(words: Iterable[str]) -> str:
    """An FTS5 query for answers that have every word at the start of one of theirs:
    ``"podcast"* AND "mentor"*``. Words of scripts written without spaces are left out (they
    may match inside a word, which the index cannot find; the caller scans for them)."""
    return " AND ".join(f'"{word.replace(chr(34), chr(34) * 2)}"*' for word in words)


class PeopleRepository:
    """Profiles, and the reads behind ``/chat people``."""

    db: Database

    async def save_profile(self, profile: Profile, name: str) -> None:
        """Store ``profile``, replacing the person's previous one; keep ``name`` as theirs."""
        async with self.db.transaction() as connection:
            await connection.execute(PARTICIPANT, (profile.user_id, name, ts(profile.updated_at)))
            await connection.execute(
                """INSERT INTO profiles (user_id, public, bio, link, updated_at)
                   VALUES (?, ?, ?, ?, ?)
                   ON CONFLICT(user_id) DO UPDATE SET public = excluded.public,
                       bio = excluded.bio, link = excluded.link, updated_at = excluded.updated_at""",
                (
                    profile.user_id,
                    int(profile.public),
                    profile.bio,
                    profile.link,
                    ts(profile.updated_at),
                ),
            )

    async def profile(self, user_id: int) -> Profile | None:
        """The person's profile, if they ever set one."""
        row = await self.db.fetchone("SELECT * FROM profiles WHERE user_id = ?", (user_id,))
        return None if row is None else _profile(row)

    async def profiles(self) -> list[Profile]:
        """Every stored profile, by user id."""
        rows = await self.db.fetchall("SELECT * FROM profiles ORDER BY user_id")
        return [_profile(row) for row in rows]

    async def occurrence_infos(self, *, since: datetime | None = None) -> list[OccurrenceInfo]:
        """Every occurrence (started at or after ``since``), oldest first, with what a search
        across chats shows of it. Each distinct spec is read once."""
        where, params = ("WHERE start_at >= ?", (ts(since),)) if since is not None else ("", ())
        rows = await self.db.fetchall(
            f"SELECT id, chat_id, start_at, spec_json FROM occurrences {where} "  # noqa: S608
            "ORDER BY start_at, id",
            params,
        )
        specs: dict[str, ChatSpec] = {}
        infos = []
        for occurrence_id, chat_id, start, spec_json in rows:
            spec = specs.get(spec_json)
            if spec is None:
                spec = specs[spec_json] = ChatSpec.from_json(spec_json)
            infos.append(
                OccurrenceInfo(
                    occurrence_id=int(occurrence_id),
                    chat_id=str(chat_id),
                    title=spec.title,
                    timezone=spec.timezone,
                    start=dt(start),
                    questions=tuple(q.text for q in spec.questions),
                    guild_id=spec.guild,
                )
            )
        return infos

    async def engagement_rows(
        self, occurrence_ids: Collection[int], clauses: Sequence[TopicClause] | None = None
    ) -> EngagementRows:
        """Engaged answers of ``occurrence_ids`` (with ``clauses``: those that may be on the
        topic), who reacted to them, and their reply chains."""
        scope = set(occurrence_ids)
        if clauses is None:
            answers = await self._engaged_in(sorted(scope))
        else:
            answers = []
            for clause in clauses:
                answers += await self._engaged_on(clause, scope)
        unique = {(a.message_id, a.part): a for a in answers}
        answers = sorted(unique.values(), key=lambda a: (a.created_at, a.message_id, a.part))
        message_ids = sorted({a.message_id for a in answers})
        return EngagementRows(
            answers=tuple(answers),
            reactions=await self._reactors(message_ids),
            replies=tuple(await self._chains(message_ids)),
        )

    async def _engaged_in(self, occurrence_ids: Sequence[int]) -> list[Answer]:
        found: list[Answer] = []
        for chunk in _chunks(occurrence_ids):
            rows = await self.db.fetchall(
                f"""SELECT {_COLUMNS} FROM answers a JOIN participants p ON p.user_id = a.author_id
                    WHERE a.occurrence_id IN ({_marks(len(chunk))}) AND {_ENGAGED}""",  # noqa: S608
                chunk,
            )
            found += [_answer(row) for row in rows]
        return found

    async def _engaged_on(self, clause: TopicClause, scope: set[int]) -> list[Answer]:
        """The engaged answers of the clause's pairs (within ``scope``) that may have all of its
        words: the index finds the words it can; words written without spaces are scanned for."""
        pairs = {pair for pair in clause.pairs if pair[0] in scope}
        if not pairs:
            return []
        indexed = [word for word in clause.words if not spaceless(word)]
        scanned = [word for word in clause.words if spaceless(word)]
        occurrences = sorted({occurrence for occurrence, _ in pairs})
        if indexed:
            await self.sync_topic_index()
            rows = await self.db.fetchall(
                f"""SELECT {_COLUMNS} FROM answer_words w
                    JOIN answers a ON a.rowid = w.rowid
                    JOIN participants p ON p.user_id = a.author_id
                    WHERE answer_words MATCH ? AND {_ENGAGED}""",  # noqa: S608 (constants only)
                (fts_query(indexed),),
            )
            found = [_answer(row) for row in rows]
        else:
            found = await self._engaged_in(occurrences)
        return [
            a
            for a in found
            if (a.occurrence_id, a.question or 0) in pairs
            and all(word in fold(a.content) for word in scanned)
        ]

    async def _reactors(self, message_ids: Sequence[int]) -> dict[int, frozenset[int]]:
        reactors: dict[int, set[int]] = {}
        for chunk in _chunks(message_ids):
            rows = await self.db.fetchall(
                f"SELECT DISTINCT message_id, user_id FROM reactions "  # noqa: S608
                f"WHERE message_id IN ({_marks(len(chunk))})",
                chunk,
            )
            for message_id, user_id in rows:
                reactors.setdefault(int(message_id), set()).add(int(user_id))
        return {message_id: frozenset(users) for message_id, users in reactors.items()}

    async def _chains(self, message_ids: Sequence[int]) -> list[ChatMessage]:
        """Every message (not deleted) replying to one of ``message_ids``, to those replies,
        and so on."""
        found: list[ChatMessage] = []
        seen = set(message_ids)
        frontier = list(message_ids)
        while frontier:
            following: list[int] = []
            for chunk in _chunks(frontier):
                rows = await self.db.fetchall(
                    f"""SELECT DISTINCT message_id, author_id, reply_to, created_at FROM answers
                        WHERE reply_to IN ({_marks(len(chunk))}) AND deleted = 0""",  # noqa: S608
                    chunk,
                )
                for message_id, author_id, reply_to, created_at in rows:
                    found.append(
                        ChatMessage(int(message_id), int(author_id), int(reply_to), dt(created_at))
                    )
                    if message_id not in seen:
                        seen.add(message_id)
                        following.append(int(message_id))
            frontier = following
        return found

    async def sync_topic_index(self) -> int:
        """Index the answers stored since the last search; returns how many rows."""
        indexed = 0
        while True:
            async with self.db.transaction() as connection:
                async with connection.execute(
                    "SELECT upto, (SELECT COALESCE(MAX(rowid), 0) FROM answers) FROM topic_index"
                ) as cursor:
                    row = await cursor.fetchone()
                assert row is not None
                upto, newest = int(row[0]), int(row[1])
                if upto >= newest:
                    return indexed
                end = min(newest, upto + INDEX_CHUNK)
                await connection.execute(
                    """INSERT INTO answer_words (rowid, content)
                       SELECT rowid, content FROM answers WHERE rowid > ? AND rowid <= ?""",
                    (upto, end),
                )
                await connection.execute("UPDATE topic_index SET upto = ?", (end,))
                indexed += end - upto


def _profile(row: sqlite3.Row) -> Profile:
    return Profile(
        user_id=int(row["user_id"]),
        public=bool(row["public"]),
        bio=str(row["bio"]),
        link=str(row["link"]),
        updated_at=dt(row["updated_at"]),
    )
