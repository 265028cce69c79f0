"""Forgetting a person, as statements of the answer write pipeline.

:func:`forget_plan` is the plan of one :class:`bot.core.writes.ForgetPerson`: it runs in
the batch's transaction, after the writes queued before it, so a message received just
before the request is stored and then deleted with the rest. The store's door that keeps
their older messages out afterwards is in :mod:`bot.storage.answer_writes` (the incoming
trigger and the reaction insert).
"""

from __future__ import annotations

from collections.abc import Generator, Sequence

from bot.core.writes import ForgetPerson
from bot.storage._convert import ts

#: Answers a published recap counted (see bot.storage.recaps).
_COUNTED = "a.deleted = 0 AND a.source NOT IN ('conversation', 'takeaway')"


def forget_plan(forget: ForgetPerson) -> Generator[tuple[str, Sequence[object]], int, int]:
    """Record the request, mark the published recaps that showed the person for an update
    (counting what goes), then delete their messages up to the request, their reactions and
    their name. Their consent (``participants.opted_out``) stays. Returns the message parts
    removed (the request row keeps the messages and recaps counted)."""
    user, at = forget.user_id, ts(forget.at)
    yield (
        """INSERT INTO forget_requests (user_id, requested_at, by_moderator) VALUES (?, ?, ?)
           ON CONFLICT(user_id) DO UPDATE SET
               requested_at = MAX(requested_at, excluded.requested_at),
               by_moderator = excluded.by_moderator""",
        (user, at, int(forget.by_moderator)),
    )
    if forget.by_moderator:
        yield (
            """INSERT INTO controls (occurrence_id, action, actor, at, detail)
               SELECT DISTINCT occurrence_id, 'erased on request', ?, ?,
                      'a participant''s messages, at their request'
               FROM answers WHERE author_id = ? AND created_at <= ?""",
            (forget.actor or "a moderator", at, user, at),
        )
    # The occurrences that showed them: their messages, or their reactions on others'.
    recaps = yield (
        f"""UPDATE live_recaps SET dirty_since = COALESCE(dirty_since, ?),
                changes = changes + 1, erased = erased + 1,
                erased_answers = erased_answers + (
                    SELECT COUNT(*) FROM answers a
                    WHERE a.occurrence_id = live_recaps.occurrence_id AND a.author_id = ?
                      AND a.created_at <= ? AND a.created_at <= live_recaps.as_of
                      AND {_COUNTED})
            WHERE ended = 0 AND occurrence_id IN (
                SELECT occurrence_id FROM answers WHERE author_id = ? AND created_at <= ?
                UNION SELECT a.occurrence_id FROM reactions r
                      JOIN answers a ON a.message_id = r.message_id WHERE r.user_id = ?)""",  # noqa: S608 (constants only)
        (at, user, at, user, at, user),
    )
    yield (
        """UPDATE forget_requests SET recaps = ?, messages = (
               SELECT COUNT(DISTINCT message_id) FROM answers
               WHERE author_id = ? AND created_at <= ?)
           WHERE user_id = ?""",
        (recaps, user, at, user),
    )
    yield (
        """UPDATE answers SET reactions = reactions - (
               SELECT COUNT(*) FROM reactions r
               WHERE r.message_id = answers.message_id AND r.user_id = ?)
           WHERE message_id IN (SELECT message_id FROM reactions WHERE user_id = ?)""",
        (user, user),
    )
    yield "DELETE FROM reactions WHERE user_id = ?", (user,)
    removed = yield (
        "DELETE FROM answers WHERE author_id = ? AND created_at <= ?",
        (user, at),
    )
    yield "UPDATE participants SET name = '' WHERE user_id = ?", (user,)
    yield "DELETE FROM chat_drafts WHERE user_id = ?", (user,)  # forms a moderator typed
    # Questions they suggested (their words and the name to credit) and their upvotes. One
    # posted for upvotes is kept as 'withdrawn', emptied, until the adapter has deleted its
    # message (bot.runtime.suggestions.Suggestions.sweep); an occurrence not yet started is
    # planned again without them.
    yield "DELETE FROM suggestion_votes WHERE user_id = ?", (user,)
    yield (
        """DELETE FROM suggestion_votes WHERE suggestion_id IN (
               SELECT id FROM suggestions WHERE author_id = ?)""",
        (user,),
    )
    yield "DELETE FROM suggestions WHERE author_id = ? AND message_id IS NULL", (user,)
    yield (
        """UPDATE suggestions SET status = 'withdrawn', text = '', author_name = ''
           WHERE author_id = ?""",
        (user,),
    )
    return removed
