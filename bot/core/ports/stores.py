"""The stores: durable state, one small Protocol per use.

A backend (SQLite today) implements all of them, :class:`Store`; each part of the
runtime and the adapter asks only for the ports it uses, so a second backend needs
no change above it.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from typing import Protocol

from bot.core.answers import Answer
from bot.core.engagement import TopicClause
from bot.core.people import EngagementRows, OccurrenceInfo
from bot.core.personal import PersonalData
from bot.core.ports.records import (
    ChatDraft,
    EventLink,
    ForgetRequest,
    Lease,
    LiveRecap,
    Occurrence,
    PostRecord,
    RecapChanges,
)
from bot.core.ports.venue import PostRequest, PostResult
from bot.core.profiles import Profile, PublicProfile
from bot.core.recap import Recap
from bot.core.run import Record, Run
from bot.core.series import Series
from bot.core.spec import ChatSpec
from bot.core.writes import AnswerWrite, StoredVersion


class ChatStore(Protocol):
    """Chats as scheduled (from files or uploads)."""

    async def save_chat(self, spec: ChatSpec) -> bool:
        """Store or update a chat; True when it is new or its spec changed."""
        ...

    async def chat_specs(self, *, active_only: bool = True) -> list[ChatSpec]:
        """Every stored chat."""
        ...

    async def deactivate_chat(self, chat_id: str) -> None:
        """Mark a chat removed (its file was deleted); its history stays."""
        ...


class OccurrenceStore(Protocol):
    """Occurrences, their runs (plans) and timers, and their moderation timeline."""

    async def create_occurrence(self, spec: ChatSpec, run: Run) -> Run:
        """Store a planned occurrence and its timers; returns it with its id.

        Idempotent: the same chat and start returns the stored occurrence.
        """
        ...

    async def save_run(self, run: Run, records: Sequence[Record] = ()) -> None:
        """Persist a run's phase and steps, and timeline records, in one transaction."""
        ...

    async def replace_spec(self, occurrence_id: int, spec: ChatSpec) -> None:
        """Change the spec an occurrence that has not started will run with."""
        ...

    async def load_occurrence(self, occurrence_id: int) -> Occurrence:
        """An occurrence by id."""
        ...

    async def delete_occurrence(self, occurrence_id: int) -> None:
        """Drop an occurrence that has not started."""
        ...

    async def occurrences(
        self, *, chat_id: str | None = None, unfinished: bool = False
    ) -> list[Occurrence]:
        """Occurrences, oldest start first, optionally of one chat or only unfinished ones."""
        ...

    async def next_due(self, exclude: Collection[int] = ()) -> datetime | None:
        """The earliest due time of any waiting timer, leaving out ``exclude`` occurrences."""
        ...

    async def due_occurrences(self, now: datetime) -> list[int]:
        """Ids of occurrences with a timer due at ``now``."""
        ...


class PostStore(Protocol):
    """Posts: intent before, message id after (exactly once across crashes)."""

    async def record_intent(
        self, request: PostRequest, at: datetime, late: bool
    ) -> tuple[PostRecord, bool]:
        """Record that a post is about to be made; returns the record and whether it is new."""
        ...

    async def record_posted(
        self,
        occurrence_id: int,
        step_key: str,
        result: PostResult,
        at: datetime,
        *,
        live_as_of: datetime | None = None,
    ) -> None:
        """Record where a post landed; with ``live_as_of`` (a recap) also keep it live."""
        ...

    async def post(self, occurrence_id: int, step_key: str) -> PostRecord | None:
        """One post record of an occurrence, by step key."""
        ...

    async def posts(self, occurrence_id: int) -> list[PostRecord]:
        """Every post record of an occurrence."""
        ...


class AnswerStore(Protocol):
    """Participants' messages, keyed by Discord message id and part."""

    async def write_answers(self, writes: Sequence[AnswerWrite]) -> list[int]:
        """Apply a batch of writes in order, atomically; returns each write's row count."""
        ...

    async def upsert_answers(self, answers: Sequence[Answer]) -> None:
        """Store answers; the same message id and part is stored once, edits update it."""
        ...

    async def attribute_to_question(
        self, occurrence_id: int, question: int, message_id: int, thread_id: int | None
    ) -> int:
        """Attribute conversation stored before its question's message was known; returns
        how many stored parts changed."""
        ...

    async def answers(self, occurrence_id: int, *, include_deleted: bool = False) -> list[Answer]:
        """An occurrence's answers and conversation, in order."""
        ...

    async def message_occurrence(self, message_id: int) -> int | None:
        """The occurrence a stored message belongs to, if any."""
        ...


class BackfillReads(Protocol):
    """What backfill compares with a channel's history."""

    async def last_message_id(
        self, occurrence_id: int, channel_id: int, thread_id: int | None = None
    ) -> int | None:
        """The newest stored message of an occurrence in a channel or thread."""
        ...

    async def stored_versions(self, occurrence_id: int) -> dict[int, StoredVersion]:
        """Where each stored message of an occurrence was sent, and which version is stored."""
        ...

    async def reactions_of(self, occurrence_id: int) -> dict[int, set[tuple[int, str]]]:
        """The stored reactions (user, emoji) of each message of an occurrence."""
        ...


class ParticipantStore(Protocol):
    """Participants and their consent."""

    async def set_opt_out(self, user_id: int, name: str, opted_out: bool, at: datetime) -> None:
        """Record that a user opted out of (or back in to) being named and quoted."""
        ...

    async def opted_out(self) -> set[int]:
        """Users who opted out."""
        ...

    async def participant_names(self, user_ids: Collection[int]) -> dict[int, str]:
        """The names users last posted under."""
        ...

    async def first_timers(self, occurrence_id: int, chat_id: str, start: datetime) -> set[int]:
        """Users whose first answer in the chat was in this occurrence."""
        ...

    async def forget_user(
        self, user_id: int, at: datetime, *, by_moderator: bool = False
    ) -> ForgetRequest:
        """Forget a person as of ``at``: a durable request; everything stored of theirs up to
        then is deleted and refused from then on, their consent kept (see
        :class:`bot.core.writes.ForgetPerson`). Returns the request as applied."""
        ...

    async def forget_request(self, user_id: int) -> ForgetRequest | None:
        """The person's request to be forgotten, if they made one."""
        ...

    async def forgotten(self) -> dict[int, datetime]:
        """Everyone who asked to be forgotten, with the moment their request covers."""
        ...

    async def personal_data(self, user_id: int) -> PersonalData:
        """Everything stored about ``user_id`` (``/chat my-data``), nothing about others."""
        ...


class LiveRecapStore(Protocol):
    """Published recaps kept up to date, and what changed since they were published."""

    async def live_recap(self, occurrence_id: int) -> LiveRecap | None:
        """The occurrence's published recap, if it is kept up to date."""
        ...

    async def live_recaps(self, since: datetime) -> list[LiveRecap]:
        """Live recaps published since ``since``."""
        ...

    async def mark_recaps_dirty(self, occurrence_ids: Collection[int], at: datetime) -> None:
        """Note that the recaps of ``occurrence_ids`` have changes not shown yet."""
        ...

    async def recap_revised(
        self,
        occurrence_id: int,
        message_ids: Sequence[int],
        revision: int,
        at: datetime,
        shown_changes: int,
    ) -> None:
        """Record an update of a published recap (clears the mark if nothing came since)."""
        ...

    async def move_live_recap(self, occurrence_id: int, message_ids: Sequence[int]) -> None:
        """The recap was posted again: keep the new messages up to date."""
        ...

    async def end_live_recap(self, occurrence_id: int) -> None:
        """Stop updating the recap (its messages are gone)."""
        ...

    async def recap_changes(self, occurrence_id: int, as_of: datetime) -> RecapChanges:
        """What changed in an occurrence's answers since ``as_of``."""
        ...

    async def occurrences_of_messages(self, message_ids: Collection[int]) -> set[int]:
        """The occurrences that stored messages belong to."""
        ...


class EventLinkStore(Protocol):
    """Which guild scheduled event mirrors which occurrence."""

    async def event_link(self, occurrence_id: int) -> EventLink | None:
        """The event written for an occurrence, if any."""
        ...

    async def orphan_event_links(self) -> list[EventLink]:
        """Events whose occurrence is gone (dropped before a crash cancelled the event)."""
        ...

    async def delete_event_link(self, occurrence_id: int) -> None:
        """Forget an occurrence's event."""
        ...

    async def save_event_link(self, link: EventLink) -> None:
        """Store (or replace) an occurrence's event."""
        ...


# --- The Discord adapter's command syncs -----------------------------------------------------


class CommandSyncStore(Protocol):
    """What was last synced to each guild as its slash commands (a digest of the payload),
    so a restart syncs only when the commands changed (Discord rate-limits syncs)."""

    async def synced_commands(self, guild_id: int) -> str | None:
        """The digest of the commands last synced to ``guild_id`` (None: never synced)."""
        ...

    async def save_synced_commands(self, guild_id: int, digest: str, at: datetime) -> None:
        """Record that the commands with ``digest`` were synced to ``guild_id`` at ``at``."""
        ...


class DraftStore(Protocol):
    """Chats being written in Discord, kept until they are valid (or a day old)."""

    async def save_draft(self, draft: ChatDraft) -> ChatDraft:
        """Store a draft; one with ``draft_id`` 0 is new and comes back with its id."""
        ...

    async def draft(self, draft_id: int) -> ChatDraft | None:
        """A draft by id (None when it was used up or dropped)."""
        ...

    async def delete_draft(self, draft_id: int) -> None:
        """Drop a draft (its chat was saved)."""
        ...

    async def delete_drafts_before(self, moment: datetime) -> int:
        """Drop the drafts started before ``moment``; returns how many."""
        ...


# --- The people to learn from: profiles, and who drew engagement ----------------------------


class PeopleStore(Protocol):
    """Participants' profiles (``/chat profile``), and what ``/chat people`` reads."""

    async def save_profile(self, profile: Profile, name: str) -> None:
        """Store ``profile`` (replacing the person's previous one); ``name`` is the name they
        use now, kept as their participant name."""
        ...

    async def profile(self, user_id: int) -> Profile | None:
        """The person's profile, if they ever set one."""
        ...

    async def profiles(self) -> list[Profile]:
        """Every stored profile, public or not, by user id."""
        ...

    async def occurrence_infos(self, *, since: datetime | None = None) -> list[OccurrenceInfo]:
        """Every occurrence (started at or after ``since``, when given) with its chat's title,
        time zone and questions, oldest first: light, for searching across chats."""
        ...

    async def engagement_rows(
        self,
        occurrence_ids: Collection[int],
        clauses: Sequence[TopicClause] | None = None,
        *,
        hidden: Collection[int] = (),
        forgotten: Mapping[int, datetime] | None = None,
        limit: int | None = None,
    ) -> EngagementRows:
        """Answers of ``occurrence_ids`` that drew a reaction or a reply from someone else,
        with who reacted to their messages and every message in their reply chains. With
        ``clauses`` (a topic, see :func:`bot.core.engagement.topic_clauses`) only the answers of
        a clause's pairs that may have all of its words (the caller checks the words: the store
        may return more, never fewer). ``hidden`` authors (opted out) are left out, and what
        ``forgotten`` people wrote up to their request; with ``limit``, only the answers of the
        authors who may rank among the ``limit`` most engaged by
        :func:`bot.core.engagement.rank_people` (every author whose engagement reaches the
        ``limit``-th highest)."""
        ...


# --- Several processes: leases on timed steps -------------------------------------------------


class LeaseStore(Protocol):
    """Leases: which process runs what is timed (see :mod:`bot.runtime.leases`).

    A claim is one atomic statement, so two processes claiming at once never both win."""

    async def claim_lease(
        self, name: str, owner: str, now: datetime, until: datetime, *, home: bool, create: bool
    ) -> bool:
        """Claim (or renew) ``name`` for ``owner`` until ``until``; True when ``owner`` holds it.

        It succeeds when ``owner`` already holds it or the holder's claim expired by ``now``;
        when nobody holds it, only with ``create``."""
        ...

    async def renew_leases(self, owner: str, until: datetime) -> int:
        """The heartbeat: extend every lease ``owner`` holds to ``until``; returns how many."""
        ...

    async def release_lease(self, name: str, owner: str) -> None:
        """Give ``name`` up, if ``owner`` holds it."""
        ...

    async def want_lease(self, name: str, owner: str) -> None:
        """Ask whoever holds ``name`` to hand it to ``owner`` (its home) after its step."""
        ...

    async def lease(self, name: str) -> Lease | None:
        """The lease on ``name``, if anyone holds (or held) it."""
        ...

    async def leases(self) -> list[Lease]:
        """Every lease, by name."""
        ...


class Store(
    ChatStore,
    OccurrenceStore,
    PostStore,
    AnswerStore,
    BackfillReads,
    ParticipantStore,
    LiveRecapStore,
    EventLinkStore,
    CommandSyncStore,
    DraftStore,
    PeopleStore,
    LeaseStore,
    Protocol,
):
    """Every port of durable state: what a storage backend implements, and what the
    composition root (:func:`bot.runtime.root.build_runtime`) is given."""

    async def close(self) -> None:
        """Close the store (the database connection)."""
        ...


class RecapReader(Protocol):
    """Recap models of past occurrences, for readers outside the runtime (the archive)."""

    async def archived(self) -> list[Occurrence]:
        """Past occurrences that have a recap, oldest first."""
        ...

    async def recap(self, occurrence: Occurrence) -> Recap:
        """The recap model of ``occurrence`` as storage has it now."""
        ...

    async def public_profiles(self) -> list[PublicProfile]:
        """The profiles that get a page (consent applied: see
        :func:`bot.core.profiles.public_profiles`)."""
        ...

    async def series(self, chat_id: str) -> Series:
        """The chat's community over its past occurrences (:func:`bot.core.series.build_series`)."""
        ...
