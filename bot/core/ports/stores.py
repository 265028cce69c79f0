"""The stores: durable state, one small Protocol per use.

A backend (SQLite today) implements all of them, :class:`Store`; each part of the
runtime and the adapter asks only for the ports it uses, so a second backend needs
no change above it.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from typing import Protocol

from bot.core.alerts import DigestSettings, FollowedAlert
from bot.core.alerts.records import (
    AlertMatch,
    AlertPerson,
    AlertsState,
    BlockKind,
    PendingDelivery,
)
from bot.core.alerts.terms import Keywords
from bot.core.answers import Answer
from bot.core.boards import Board, BoardSpec, BoardView, Save, SharedLink
from bot.core.cards import LinkCard
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
    PollRecord,
    PollTally,
    PostRecord,
    RecapChanges,
)
from bot.core.ports.venue import PostRequest, PostResult
from bot.core.profiles import Profile, PublicProfile
from bot.core.recap import Recap
from bot.core.run import Record, Run
from bot.core.series import Series
from bot.core.spec import ChatSpec
from bot.core.suggestions import Suggestion, SuggestionStatus
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


class PollStore(Protocol):
    """Polls the bot posted and their votes, by message, answer and user."""

    async def record_poll(self, poll: PollRecord) -> None:
        """Keep a posted poll (again: nothing changes)."""
        ...

    async def poll(self, message_id: int) -> PollRecord | None:
        """The poll posted as ``message_id``, if the bot posted one."""
        ...

    async def poll_tallies(self, occurrence_id: int) -> list[PollTally]:
        """The occurrence's polls with their votes, in the order they were opened."""
        ...

    async def polls_since(self, since: datetime) -> list[PollRecord]:
        """Polls opened since ``since``, or still not final: those to reconcile."""
        ...

    async def set_poll_vote(
        self, message_id: int, answer_id: int, user_id: int, voted: bool, at: datetime
    ) -> bool:
        """Record a vote (``voted``) or its removal; False when it changed nothing (a
        redelivered event) or the message is no poll of ours."""
        ...

    async def replace_poll_votes(
        self, message_id: int, votes: Mapping[int, Collection[int]], at: datetime
    ) -> bool:
        """Make the poll's votes exactly ``votes`` (answer id -> user ids, as Discord's voters
        endpoint lists them); False when they were so already."""
        ...

    async def finalize_poll(self, message_id: int, counts: Mapping[int, int], at: datetime) -> bool:
        """Discord ended the poll with these counts per answer id; False when known already."""
        ...

    async def polls_changed_at(self, occurrence_id: int) -> datetime | None:
        """When a vote or result of the occurrence's polls last changed (None: no polls)."""
        ...


# --- Link cards and boards (issue 16) --------------------------------------------------------


class CardStore(Protocol):
    """Link cards: Discord's unfurls of the links shared in chats."""

    async def save_cards(self, cards: Sequence[LinkCard]) -> int:
        """Store (or refresh) cards by (message, link); a card of a message sent before its
        author's forget request is refused. Returns how many were stored."""
        ...

    async def cards_for(self, urls: Collection[str]) -> dict[str, LinkCard]:
        """The newest card of each of these normalised links that has one."""
        ...

    async def message_cards(self, message_id: int) -> list[LinkCard]:
        """The cards of one message."""
        ...


class BoardStore(Protocol):
    """Boards (topic boards and the chat series' boards) and members' saves."""

    async def boards(self) -> list[Board]:
        """Every board: the chat series' boards, then topic boards, each by name."""
        ...

    async def create_board(self, spec: BoardSpec, *, created_by: int | None, at: datetime) -> Board:
        """Add a topic board; raises BoardExists or TooManyBoards (bot.core.boards)."""
        ...

    async def sync_file_boards(self, specs: Sequence[BoardSpec], at: datetime) -> None:
        """Make the boards from boards.yaml exactly ``specs``."""
        ...

    async def sync_series_boards(self, boards: Sequence[Board]) -> None:
        """Keep a board for each chat series."""
        ...

    async def save_link(self, save: Save) -> bool:
        """Record a save; False when it was saved there by that person already."""
        ...

    async def saves_of(self, user_id: int) -> list[Save]:
        """Everything one person saved, newest first."""
        ...

    async def board_saves(self) -> list[Save]:
        """Every save to a server board (never anyone's My saves)."""
        ...

    async def link_versions(self) -> dict[int, tuple[object, ...]]:
        """A version of each occurrence's stored messages (by occurrence id; the link cards'
        under 0): equal versions, the same reading list (boards cache them by it)."""
        ...


class AlertStore(Protocol):
    """Keyword alerts: followed keywords, members' settings, blocks, excluded channels,
    matches and deliveries (intent before the DM, its message id after)."""

    async def follow_alert(
        self, guild_id: int, user_id: int, keywords: Keywords, at: datetime
    ) -> FollowedAlert:
        """Store a member's new alert. Raises :class:`AlertRefused` when they already follow
        the same words or already follow the most alerts a member can."""
        ...

    async def alerts_of(self, user_id: int, guild_id: int | None = None) -> list[FollowedAlert]:
        """A member's alerts (in one server, or all), oldest first."""
        ...

    async def unfollow_alert(self, user_id: int, alert_id: int) -> FollowedAlert | None:
        """Drop a member's alert (its pending matches go with it); None if it is not theirs."""
        ...

    async def alert_person(self, user_id: int) -> AlertPerson:
        """A member's settings and delivery state (defaults when they never set any)."""
        ...

    async def save_alert_settings(
        self, user_id: int, settings: DigestSettings, at: datetime
    ) -> None:
        """Store a member's delivery settings; their next delivery is computed again."""
        ...

    async def set_alerts_paused(self, user_id: int, paused: bool, at: datetime) -> None:
        """Pause (nothing is matched for them meanwhile) or resume a member's alerts."""
        ...

    async def set_alert_block(
        self, user_id: int, kind: BlockKind, target_id: int, blocked: bool
    ) -> bool:
        """Block (or unblock) a member or channel for a member's alerts; False if unchanged."""
        ...

    async def alert_blocks_of(self, user_id: int) -> list[tuple[BlockKind, int]]:
        """What a member blocked."""
        ...

    async def set_alert_excluded(
        self, guild_id: int, channel_id: int, by: int, at: datetime, excluded: bool
    ) -> bool:
        """Exclude (or include again) a channel from alerts; False if unchanged."""
        ...

    async def excluded_channels(self, guild_id: int) -> list[int]:
        """The channels of a server excluded from alerts."""
        ...

    async def alerts_state(self, *, with_alerts: bool = True) -> AlertsState:
        """Everything the watcher keeps in memory (without the alerts themselves when
        ``with_alerts`` is False: only pauses, blocks and excluded channels)."""
        ...

    async def record_alert_matches(
        self,
        found: Sequence[AlertMatch],
        still: Mapping[int, Collection[int]],
        cursors: Mapping[int, tuple[int, int]],
    ) -> None:
        """In one transaction: store ``found`` (a message matched again keeps one row, with
        the newest text, and is not delivered twice), then withdraw the open matches of each
        message in ``still`` whose alert is not among its alert ids (a deleted message:
        none; an edit: the alerts it still matches), and move the backfill cursors
        (channel id -> (guild id, newest message id read))."""
        ...

    async def alert_cursors(self) -> dict[int, tuple[int, int]]:
        """Channel id -> (guild id, newest message id the watcher read there)."""
        ...

    async def unscheduled_alert_people(self) -> list[tuple[int, datetime]]:
        """Members with pending matches and no delivery time yet, with their oldest match's
        time."""
        ...

    async def oldest_pending_alert(self, user_id: int) -> datetime | None:
        """When a member's oldest pending match was found (None: nothing pending)."""
        ...

    async def schedule_alert_delivery(self, user_id: int, due_at: datetime | None) -> None:
        """Set when a member's pending matches are delivered next."""
        ...

    async def due_alert_people(self, now: datetime) -> list[int]:
        """Members whose delivery is due at ``now`` (paused ones wait), or who have a delivery
        begun and never finished (a crash), soonest first."""
        ...

    async def next_alert_due(self) -> datetime | None:
        """The soonest delivery time of any member who is not paused."""
        ...

    async def begin_alert_delivery(self, user_id: int, at: datetime) -> PendingDelivery | None:
        """The member's delivery to send now: one begun before and never finished
        (``resumed``), else a new one whose intent is recorded here with every pending
        match. None when nothing is pending."""
        ...

    async def finish_alert_delivery(
        self,
        delivery: PendingDelivery,
        *,
        outcome: str,
        at: datetime,
        dm_message_id: int | None = None,
        sent: Collection[tuple[int, int]] = (),
        unseen: Collection[tuple[int, int]] = (),
    ) -> None:
        """Record a delivery's result: ``sent`` (its DM's id), ``empty`` (nothing left to
        show) or ``refused`` (Discord refused the DM, 50007). ``sent`` and ``unseen`` are
        (message id, alert id) keys; the delivery's other matches wait for the next one
        (a refused delivery's all do). The member's due time is cleared (computed again)."""
        ...

    async def alert_deliveries_sent(self, user_id: int) -> list[tuple[int, int]]:
        """A member's sent deliveries: (delivery id, DM message id), oldest first."""


# --- Questions suggested by members (issue 17, part B) ---------------------------------------


class SuggestionStore(Protocol):
    """Questions members suggest (``/chat suggest``), their review and their 👍 votes."""

    async def add_suggestion(
        self,
        chat_id: str,
        author_id: int,
        author_name: str,
        text: str,
        at: datetime,
        *,
        max_open: int,
    ) -> Suggestion | None:
        """Record an open suggestion, unless its author has ``max_open`` open ones for the
        chat already (None then)."""
        ...

    async def open_suggestions_of(self, chat_id: str, author_id: int) -> int:
        """How many open suggestions ``author_id`` has for the chat."""
        ...

    async def suggestion_posted(self, suggestion_id: int, channel_id: int, message_id: int) -> None:
        """Record the message members upvote the suggestion on."""
        ...

    async def suggestion(self, suggestion_id: int) -> Suggestion | None:
        """One suggestion by id (None: there is none, or its author was forgotten)."""
        ...

    async def suggestions(
        self, chat_id: str, statuses: Collection[SuggestionStatus]
    ) -> list[Suggestion]:
        """The chat's suggestions in ``statuses``, oldest first, with their votes."""
        ...

    async def suggestions_by(self, author_id: int) -> list[Suggestion]:
        """Every suggestion ``author_id`` made, oldest first."""
        ...

    async def decide_suggestion(
        self,
        suggestion_id: int,
        status: SuggestionStatus,
        by: int,
        at: datetime,
        *,
        position: int | None = None,
    ) -> bool:
        """Approve or reject an open suggestion; False when it is not open."""
        ...

    async def mark_suggestions_asked(
        self, suggestion_ids: Sequence[int], occurrence_id: int
    ) -> None:
        """The approved ``suggestion_ids`` are asked by ``occurrence_id`` (it started)."""
        ...

    async def vote_suggestion(self, message_id: int, user_id: int, up: bool, at: datetime) -> bool:
        """A 👍 added or removed on a message; True when it is a suggestion's and it changed."""
        ...

    async def suggestion_messages(self) -> dict[int, int]:
        """Open suggestions' messages by id, with their channel."""
        ...

    async def set_suggestion_votes(
        self, message_id: int, user_ids: Collection[int], at: datetime
    ) -> None:
        """The 👍 on a suggestion's message as Discord has them now."""
        ...

    async def withdrawn_suggestions(self) -> list[tuple[int, int, int]]:
        """(id, channel, message) of forgotten people's suggestions whose message is still
        to delete."""
        ...

    async def drop_suggestion(self, suggestion_id: int) -> None:
        """Delete a withdrawn suggestion for good (its message is gone)."""


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
    PollStore,
    CardStore,
    BoardStore,
    AlertStore,
    SuggestionStore,
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

    async def series(self, chat_id: str, changed: Collection[int] | None = None) -> Series:
        """The chat's community over its past occurrences (:func:`bot.core.series.build_series`);
        a reader called again may reuse what it read of the occurrences not in ``changed``
        (None: read them all again)."""
        ...

    async def boards(self, links: Sequence[SharedLink]) -> list[BoardView]:
        """Every server board with its cards: ``links`` (from the recaps) on the boards they
        match, and the saves to each board, savers named only through the consent filter
        (:func:`bot.core.boards.assemble_board`). Nobody's My saves."""
        ...
