"""The ports: what the outer layers provide to the engine.

* :class:`Venue` is the only door to the platform (Discord, the rehearsal terminal,
  an in-memory venue in tests).
* The stores are durable state, one small Protocol per use (chats, occurrences,
  posts, answers, backfill reads, participants and consent, live recaps, scheduled
  events, command syncs, chat drafts, profiles and engagement, link cards and boards,
  keyword alerts, recap reads); :class:`Store` is all of them together, what a backend
  (SQLite by default) implements and what the composition root is given. Each part
  of the runtime and the adapter asks only for the ports it uses.
* :class:`Clock` is time; tests use a virtual one.
"""

from __future__ import annotations

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
from bot.core.ports.stores import (
    AlertStore,
    AnswerStore,
    BackfillReads,
    BoardStore,
    CardStore,
    ChatStore,
    CommandSyncStore,
    DraftStore,
    EventLinkStore,
    LeaseStore,
    LiveRecapStore,
    OccurrenceStore,
    ParticipantStore,
    PeopleStore,
    PollStore,
    PostStore,
    RecapReader,
    Store,
    SuggestionStore,
)
from bot.core.ports.venue import (
    Attachment,
    Clock,
    PollEnder,
    PollRequest,
    PostRequest,
    PostResult,
    Venue,
    VenueError,
)
from bot.core.writes import AnswerWrite, StoredVersion

__all__ = [
    "AlertStore",
    "AnswerStore",
    "AnswerWrite",
    "Attachment",
    "BackfillReads",
    "BoardStore",
    "CardStore",
    "ChatDraft",
    "ChatStore",
    "Clock",
    "CommandSyncStore",
    "DraftStore",
    "EventLink",
    "EventLinkStore",
    "ForgetRequest",
    "Lease",
    "LeaseStore",
    "LiveRecap",
    "LiveRecapStore",
    "Occurrence",
    "OccurrenceStore",
    "ParticipantStore",
    "PeopleStore",
    "PollEnder",
    "PollRecord",
    "PollRequest",
    "PollStore",
    "PollTally",
    "PostRecord",
    "PostRequest",
    "PostResult",
    "PostStore",
    "RecapChanges",
    "RecapReader",
    "Store",
    "StoredVersion",
    "SuggestionStore",
    "Venue",
    "VenueError",
]
