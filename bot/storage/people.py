"""The people to learn from: profiles, and the answers that drew engagement.

**Profiles** are one row per person (``/chat profile``); a request to be forgotten deletes a
profile set before it (a trigger of migration 7).

**Engagement** (``/chat people``) reads only answers that drew something: a reaction
(``answers.reactions``) or a reply (the partial index ``answers_reply``). With a topic, the
candidates are the answers to questions that have the topic's words and the answers whose text
has them, found in ``answer_words``, an FTS5 index of the answers' text (words folded for case
and accents, matched at their start like the archive search). The index is filled here, off
the ingest path: before a search, rows stored since the last one are indexed, in chunks, each
in its own short transaction (see migration 7 for how edits and deletes keep it right).

The counting is one SQL statement over every candidate (each author's distinct reactors and
distinct repliers anywhere in their answers' reply chains, never their own, through the
consent filter's opt-outs and forget requests), so a topic that matches a hundred thousand
answers is not read out row by row: only the answers of the authors who may rank in the top
few are, and :func:`bot.core.people.find_people` ranks those exactly by the core's rules
(and checks each answer against the archive search's words rule).
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import datetime

from bot.core.engagement import CHAIN_DEPTH, ChatMessage, TopicClause, spaceless
from bot.core.people import EngagementRows, OccurrenceInfo
from bot.core.profiles import Profile
from bot.core.spec import ChatSpec
from bot.storage._convert import dt, ts
from bot.storage.answer_reads import answer_of
from bot.storage.answer_writes import PARTICIPANT
from bot.storage.db import Database, Row

#: Rows indexed per transaction when the topic index catches up.
INDEX_CHUNK = 20_000
#: An answer's (occurrence, question) as one number: occurrence * _PAIR + question.
_PAIR = 10_000
_IN_PAIRS = "a.occurrence_id * 10000 + a.question IN ({json_ints})"
#: ``LIMIT`` for no limit (PostgreSQL refuses SQLite's -1).
_NO_LIMIT = 1 << 62
#: Ids per ``IN (…)`` list (SQLite allows 32,766 parameters).
_CHUNK = 5_000
#: An answer that drew a reaction or a reply (the author's own included: the ranking leaves
#: them out), not deleted, not conversation or a takeaway.
_ENGAGED = """a.deleted = 0 AND a.source NOT IN ('conversation', 'takeaway')
    AND (a.reactions > 0 OR EXISTS (
        SELECT 1 FROM answers r WHERE r.reply_to = a.message_id AND r.deleted = 0))"""
_COLUMNS = "a.*, p.name"
#: Not by an author in ``unseen`` (a CTE of (user_id, until)): opted out (until NULL), or
#: forgotten for what they wrote up to ``until``.
_SHOWN = """NOT EXISTS (SELECT 1 FROM unseen u WHERE u.user_id = a.author_id
    AND (u.until IS NULL OR a.created_at <= u.until))"""
#: Not written by a forgotten person up to their request (people who opted out still count).
_KEPT = """NOT EXISTS (SELECT 1 FROM unseen u WHERE u.user_id = a.author_id
    AND u.until IS NOT NULL AND a.created_at <= u.until)"""


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
        self,
        occurrence_ids: Collection[int],
        clauses: Sequence[TopicClause] | None = None,
        *,
        hidden: Collection[int] = (),
        forgotten: Mapping[int, datetime] | None = None,
        limit: int | None = None,
    ) -> EngagementRows:
        """Engaged answers of ``occurrence_ids`` (with ``clauses``: those that may be on the
        topic), who reacted to them, and their reply chains.

        The counting happens in SQL, over every candidate, without reading them out: each
        author's distinct reactors and distinct repliers in their answers' chains, leaving out
        their own, the ``hidden`` authors (opted out) and what ``forgotten`` people wrote up to
        their request (as :class:`bot.core.consent.Consent` does). With ``limit``, only the
        answers of the authors who may be among the ``limit`` most engaged (every author whose
        count reaches the ``limit``-th highest, ties included) are read back, so the core ranks
        a handful of people exactly, however many answers matched."""
        if clauses is None:
            candidates = await self._candidates_in(occurrence_ids, hidden, forgotten, limit)
        else:
            await self.sync_topic_index()
            candidates = await self._candidates_on(
                occurrence_ids, clauses, hidden, forgotten, limit
            )
        message_ids = sorted(candidates)
        answers = []
        for chunk in _chunks(message_ids):
            rows = await self.db.fetchall(
                f"""SELECT {_COLUMNS} FROM answers a JOIN participants p ON p.user_id = a.author_id
                    WHERE a.message_id IN ({_marks(len(chunk))}) AND a.deleted = 0""",  # noqa: S608
                chunk,
            )
            answers += [answer_of(row) for row in rows]
        answers.sort(key=lambda a: (a.created_at, a.message_id, a.part))
        return EngagementRows(
            answers=tuple(answers),
            reactions=await self._reactors(message_ids),
            replies=tuple(await self._chains(message_ids)),
        )

    async def _candidates_in(
        self,
        occurrence_ids: Collection[int],
        hidden: Collection[int],
        forgotten: Mapping[int, datetime] | None,
        limit: int | None,
    ) -> set[int]:
        matched = f"""SELECT a.message_id, a.author_id FROM answers a
            WHERE a.occurrence_id IN ({self.db.dialect.json_ints}) AND {_ENGAGED} AND {_SHOWN}"""  # noqa: S608
        params: list[object] = [json.dumps(sorted(occurrence_ids))]
        return await self._candidates(matched, params, hidden, forgotten, limit)

    async def _candidates_on(
        self,
        occurrence_ids: Collection[int],
        clauses: Sequence[TopicClause],
        hidden: Collection[int],
        forgotten: Mapping[int, datetime] | None,
        limit: int | None,
    ) -> set[int]:
        scope = set(occurrence_ids)
        dialect = self.db.dialect
        in_pairs = _IN_PAIRS.format(json_ints=dialect.json_ints)
        selects: list[str] = []
        params: list[object] = []
        for clause in clauses:
            pairs = sorted(pair for pair in clause.pairs if pair[0] in scope)
            if not pairs:
                continue
            # An answer's (occurrence, question) as one number, looked up in a list SQLite
            # turns into an index once per statement.
            keys = json.dumps([occurrence * _PAIR + question for occurrence, question in pairs])
            indexed = [word for word in clause.words if not spaceless(word)]
            scanned = [word for word in clause.words if spaceless(word)]
            # Words written without spaces may be inside a word: the index cannot find them.
            # (PostgreSQL has instr from its migration 1.)
            inside = "".join(" AND instr(a.content, ?) > 0" for _ in scanned)
            if indexed:
                selects.append(
                    f"""SELECT a.message_id, a.author_id FROM {dialect.topic_from}
                        WHERE {dialect.topic_match} AND {in_pairs}
                          AND {_ENGAGED} AND {_SHOWN}{inside}"""  # noqa: S608
                )
                params += [dialect.topic_query(indexed), keys, *scanned]
            else:
                occurrences = json.dumps(sorted({occurrence for occurrence, _ in pairs}))
                selects.append(
                    f"""SELECT a.message_id, a.author_id FROM answers a
                        WHERE a.occurrence_id IN ({dialect.json_ints}) AND {in_pairs}
                          AND {_ENGAGED} AND {_SHOWN}{inside}"""  # noqa: S608
                )
                params += [occurrences, keys, *scanned]
        if not selects:
            return set()
        matched = " UNION ".join(selects)
        return await self._candidates(matched, params, hidden, forgotten, limit)

    async def _candidates(
        self,
        matched: str,
        params: list[object],
        hidden: Collection[int],
        forgotten: Mapping[int, datetime] | None,
        limit: int | None,
    ) -> set[int]:
        """The message ids of the matched answers of the authors who may rank in the top
        ``limit`` (all of them without a limit); ``matched`` selects (message_id, author_id)."""
        people: list[list[object]] = [[user, None] for user in sorted(set(hidden))]
        people += [[user, ts(until)] for user, until in sorted((forgotten or {}).items())]
        rows = await self.db.fetchall(
            f"""WITH RECURSIVE
            unseen(user_id, until) AS MATERIALIZED ({self.db.dialect.json_pairs}),
            matched(message_id, author_id) AS MATERIALIZED (
                SELECT DISTINCT message_id, author_id FROM ({matched}) AS found),
            chain(root, message_id, author_id, depth) AS (
                SELECT m.message_id, a.message_id, a.author_id, 1 FROM matched m
                JOIN answers a ON a.reply_to = m.message_id
                WHERE a.deleted = 0 AND {_KEPT}
                UNION
                SELECT c.root, a.message_id, a.author_id, c.depth + 1 FROM chain c
                JOIN answers a ON a.reply_to = c.message_id
                WHERE c.depth < {CHAIN_DEPTH} AND a.deleted = 0 AND {_KEPT}),
            counted(user_id, engaged) AS (
                SELECT m.author_id, COUNT(DISTINCT r.user_id) FROM matched m
                JOIN reactions r ON r.message_id = m.message_id AND r.user_id != m.author_id
                GROUP BY m.author_id
                UNION ALL
                SELECT m.author_id, COUNT(DISTINCT c.author_id) FROM chain c
                JOIN matched m ON m.message_id = c.root AND c.author_id != m.author_id
                GROUP BY m.author_id),
            scores(user_id, score) AS MATERIALIZED (
                SELECT c.user_id, SUM(c.engaged) FROM counted c
                JOIN participants p ON p.user_id = c.user_id AND p.name != ''
                GROUP BY c.user_id)
            SELECT m.message_id FROM matched m
            WHERE m.author_id IN (SELECT user_id FROM scores WHERE score >= (
                SELECT MIN(score) FROM (
                    SELECT score FROM scores ORDER BY score DESC LIMIT ?) AS top))""",  # noqa: S608
            [json.dumps(people), *params, _NO_LIMIT if limit is None else limit],
        )
        return {int(row[0]) for row in rows}

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
        if not self.db.dialect.lazy_topic_index:
            return indexed
        while True:
            async with self.db.transaction() as connection:
                cursor = await connection.execute(
                    "SELECT upto, (SELECT COALESCE(MAX(rowid), 0) FROM answers) FROM topic_index"
                )
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


def _profile(row: Row) -> Profile:
    return Profile(
        user_id=int(row["user_id"]),
        public=bool(row["public"]),
        bio=str(row["bio"]),
        link=str(row["link"]),
        updated_at=dt(row["updated_at"]),
    )
