"""Versioned schema migrations. The schema version lives in ``PRAGMA user_version``.

Migrations only ever append: never edit a released one, add the next. Each is
applied in its own transaction together with the version bump, so a crash
mid-migration leaves the database at the previous version.

PostgreSQL runs the same numbers, translated by :mod:`bot.storage.pg_migrations` (portable
DDL needs nothing more; its docstring says what to add when a migration is not portable).
"""

from __future__ import annotations

MIGRATIONS: tuple[str, ...] = (
    # 1: the foundation: chats, occurrences with their durable timers, posts, answers.
    """
    CREATE TABLE chats (
        id          TEXT PRIMARY KEY,
        source      TEXT,                -- chat file path, NULL when scheduled by command
        spec_json   TEXT NOT NULL,
        spec_hash   TEXT NOT NULL,
        active      INTEGER NOT NULL DEFAULT 1,
        updated_at  TEXT NOT NULL
    );
    CREATE TABLE occurrences (
        id            INTEGER PRIMARY KEY,
        chat_id       TEXT NOT NULL REFERENCES chats(id) ON DELETE CASCADE,
        start_at      TEXT NOT NULL,     -- UTC ISO-8601
        phase         TEXT NOT NULL,
        paused_at     TEXT,
        spec_json     TEXT NOT NULL,     -- the spec this occurrence runs with
        created_at    TEXT NOT NULL,
        UNIQUE (chat_id, start_at)
    );
    CREATE INDEX occurrences_phase ON occurrences(phase);
    CREATE TABLE timers (
        occurrence_id INTEGER NOT NULL REFERENCES occurrences(id) ON DELETE CASCADE,
        step_key      TEXT NOT NULL,
        kind          TEXT NOT NULL,
        question      INTEGER,
        due_at        TEXT NOT NULL,
        status        TEXT NOT NULL,
        late          INTEGER NOT NULL DEFAULT 0,
        note          TEXT NOT NULL DEFAULT '',
        PRIMARY KEY (occurrence_id, step_key)
    );
    CREATE INDEX timers_due ON timers(status, due_at);
    CREATE TABLE posts (
        occurrence_id INTEGER NOT NULL REFERENCES occurrences(id) ON DELETE CASCADE,
        step_key      TEXT NOT NULL,
        channel_id    INTEGER NOT NULL,
        text          TEXT NOT NULL,
        intent_at     TEXT NOT NULL,
        message_id    INTEGER,
        thread_id     INTEGER,
        posted_at     TEXT,
        late          INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (occurrence_id, step_key)
    );
    CREATE INDEX posts_message ON posts(message_id);
    CREATE INDEX posts_thread ON posts(thread_id);
    CREATE TABLE participants (
        user_id     INTEGER PRIMARY KEY,
        name        TEXT NOT NULL,
        first_seen  TEXT NOT NULL,
        opted_out   INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE answers (
        message_id    INTEGER NOT NULL,
        part          INTEGER NOT NULL DEFAULT 0,
        occurrence_id INTEGER NOT NULL REFERENCES occurrences(id) ON DELETE CASCADE,
        channel_id    INTEGER NOT NULL,
        thread_id     INTEGER,
        author_id     INTEGER NOT NULL REFERENCES participants(user_id),
        question      INTEGER,           -- NULL: conversation, not an answer
        content       TEXT NOT NULL,
        source        TEXT NOT NULL,     -- thread | prefix | reply | conversation
        created_at    TEXT NOT NULL,
        edited_at     TEXT,
        deleted       INTEGER NOT NULL DEFAULT 0,
        reactions     INTEGER NOT NULL DEFAULT 0,
        reply_to      INTEGER,
        late          INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (message_id, part)
    );
    CREATE INDEX answers_occurrence ON answers(occurrence_id, question);
    CREATE INDEX answers_author ON answers(author_id);
    """,
    # 2: reactions per user (so a redelivered reaction event counts once) and the
    #    moderation timeline that the recap shows.
    """
    CREATE TABLE reactions (
        message_id  INTEGER NOT NULL,
        user_id     INTEGER NOT NULL,
        emoji       TEXT NOT NULL,
        PRIMARY KEY (message_id, user_id, emoji)
    );
    CREATE TABLE controls (
        id            INTEGER PRIMARY KEY,
        occurrence_id INTEGER NOT NULL REFERENCES occurrences(id) ON DELETE CASCADE,
        action        TEXT NOT NULL,
        actor         TEXT NOT NULL,
        at            TEXT NOT NULL,
        detail        TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX controls_occurrence ON controls(occurrence_id);
    """,
    # 3: each occurrence's Discord guild scheduled event (no foreign key: an event
    #    outlives a dropped occurrence until the adapter deletes it).
    """
    CREATE TABLE scheduled_events (
        occurrence_id INTEGER PRIMARY KEY,
        guild_id      INTEGER NOT NULL,
        event_id      INTEGER NOT NULL,
        start_at      TEXT NOT NULL,
        end_at        TEXT NOT NULL,
        status        TEXT NOT NULL
    );
    """,
    # 4: published recaps kept live: the messages a recap was posted as, so late answers,
    #    edits, deletes and takeaways can update it in place, and whether a change waits.
    """
    CREATE TABLE live_recaps (
        occurrence_id INTEGER PRIMARY KEY REFERENCES occurrences(id) ON DELETE CASCADE,
        channel_id    INTEGER NOT NULL,
        message_ids   TEXT NOT NULL,     -- the recap's messages in order, space-separated
        thread_id     INTEGER,           -- the reflection thread opened under it
        published_at  TEXT NOT NULL,
        as_of         TEXT NOT NULL,     -- the first version showed the answers sent by then
        shown_answers INTEGER NOT NULL,  -- ... and this many of them
        revision      INTEGER NOT NULL DEFAULT 0,
        updated_at    TEXT,
        dirty_since   TEXT,              -- a change not shown yet (NULL: up to date)
        changes       INTEGER NOT NULL DEFAULT 0,  -- counts changes (an update clears
                                                   -- dirty_since only if none came meanwhile)
        ended         INTEGER NOT NULL DEFAULT 0  -- 1: its messages are gone, stop updating
    );
    CREATE INDEX live_recaps_thread ON live_recaps(thread_id);
    """,
    # 5: forget-me as a durable record: a person's messages created up to requested_at are
    #    deleted and refused from then on (the store's door: see answer_writes); their
    #    consent (participants.opted_out) stays. Published recaps count the participants
    #    and answers removed at their request, for the "updated" line.
    """
    CREATE TABLE forget_requests (
        user_id       INTEGER PRIMARY KEY,
        requested_at  TEXT NOT NULL,
        by_moderator  INTEGER NOT NULL DEFAULT 0,
        messages      INTEGER NOT NULL DEFAULT 0,  -- removed by the last application
        recaps        INTEGER NOT NULL DEFAULT 0   -- published recaps marked for an update
    );
    ALTER TABLE live_recaps ADD COLUMN erased INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE live_recaps ADD COLUMN erased_answers INTEGER NOT NULL DEFAULT 0;
    """,
    # 6: the slash commands last synced to each guild (a digest of their payload), so a
    #    restart syncs only when the commands changed (Discord rate-limits syncs).
    """
    CREATE TABLE command_syncs (
        guild_id   INTEGER PRIMARY KEY,
        digest     TEXT NOT NULL,
        synced_at  TEXT NOT NULL
    );
    """,
    # 7: chats being written in Discord (/host new, /host edit): what the moderator typed,
    #    kept until it is a valid chat so a form with problems reopens filled in (a day at
    #    most; no foreign key: a draft for a new chat has no chat yet). AUTOINCREMENT: an
    #    id is never reused, so an old form or retry button can never open a newer draft.
    """
    CREATE TABLE chat_drafts (
        id          INTEGER PRIMARY KEY AUTOINCREMENT,
        guild_id    INTEGER NOT NULL,
        user_id     INTEGER NOT NULL,
        chat_id     TEXT,                -- the chat being edited; NULL for a new chat
        fields_json TEXT NOT NULL,       -- the form's fields as typed
        created_at  TEXT NOT NULL
    );
    CREATE INDEX chat_drafts_created ON chat_drafts(created_at);
    """,
    # 8: the people to learn from.
    #  * profiles: a participant's opt-in public page (/chat profile); a request to be
    #    forgotten deletes a profile set before it (the triggers), like everything else of theirs.
    #  * answers_reply: reply chains are walked from an answer to its replies (only rows that
    #    reply are indexed, so ordinary answers cost nothing more to store).
    #  * answer_words: full-text search over answers for /chat people topic:..., an FTS5 index
    #    of answers.content by rowid (words folded for case and accents). It is filled lazily,
    #    off the ingest path: rows up to topic_index.upto are indexed (bot.storage.people syncs
    #    the rest before a search); the triggers keep indexed rows right when an edit changes
    #    their text or a row is deleted (and lower the mark when the newest rows go, so a
    #    reused rowid is indexed again). VACUUM renumbers rowids: after one, empty topic_index
    #    and the index ('delete-all') and it is rebuilt at the next search.
    """
    CREATE TABLE profiles (
        user_id     INTEGER PRIMARY KEY,
        public      INTEGER NOT NULL DEFAULT 0,
        bio         TEXT NOT NULL DEFAULT '',
        link        TEXT NOT NULL DEFAULT '',
        updated_at  TEXT NOT NULL
    );
    CREATE TRIGGER forget_profile AFTER INSERT ON forget_requests BEGIN
        DELETE FROM profiles WHERE user_id = NEW.user_id AND updated_at <= NEW.requested_at;
    END;
    CREATE TRIGGER forget_profile_again AFTER UPDATE OF requested_at ON forget_requests BEGIN
        DELETE FROM profiles WHERE user_id = NEW.user_id AND updated_at <= NEW.requested_at;
    END;
    CREATE INDEX answers_reply ON answers(reply_to) WHERE reply_to IS NOT NULL;
    CREATE VIRTUAL TABLE answer_words USING fts5(
        content, content='answers', content_rowid='rowid',
        tokenize='unicode61 remove_diacritics 2'
    );
    CREATE TABLE topic_index (upto INTEGER NOT NULL);
    INSERT INTO topic_index (upto) VALUES (0);
    CREATE TRIGGER answer_words_edit AFTER UPDATE OF content ON answers
    WHEN OLD.content IS NOT NEW.content AND OLD.rowid <= (SELECT upto FROM topic_index)
    BEGIN
        INSERT INTO answer_words (answer_words, rowid, content)
        VALUES ('delete', OLD.rowid, OLD.content);
        INSERT INTO answer_words (rowid, content) VALUES (NEW.rowid, NEW.content);
    END;
    CREATE TRIGGER answer_words_delete AFTER DELETE ON answers
    WHEN OLD.rowid <= (SELECT upto FROM topic_index)
    BEGIN
        INSERT INTO answer_words (answer_words, rowid, content)
        VALUES ('delete', OLD.rowid, OLD.content);
        UPDATE topic_index SET upto = MIN(upto, (SELECT COALESCE(MAX(rowid), 0) FROM answers));
    END;
    """,
    # 9: link cards and boards (issue 16).
    #  * link_cards: Discord's unfurl of a link in a chat message, one row per (message,
    #    normalised link); reading lists show the newest card of each link. A forget-me
    #    deletes the cards of that person's messages sent before it (the triggers), and the
    #    store refuses them afterwards (bot.storage.cards).
    #  * boards: topic boards (from CHATS_DIR/boards.yaml or /board create) and the chat
    #    series' boards (chat_id set, kept in step with the chats). name_key is the folded name.
    #  * board_saves: a member saved a message's link to a board; board_id 0 is the member's
    #    own "My saves", never published. A forget-me deletes their My saves and the name kept
    #    with their saves (the triggers); their saves to server boards still count, unnamed.
    """
    CREATE TABLE link_cards (
        message_id  INTEGER NOT NULL,
        url         TEXT NOT NULL,
        author_id   INTEGER NOT NULL,
        posted_at   TEXT NOT NULL,
        title       TEXT NOT NULL,
        description TEXT NOT NULL,
        provider    TEXT NOT NULL,
        thumbnail   TEXT NOT NULL,
        seen_at     TEXT NOT NULL,
        PRIMARY KEY (message_id, url)
    );
    CREATE INDEX link_cards_url ON link_cards(url, seen_at);
    CREATE INDEX link_cards_author ON link_cards(author_id);
    CREATE TRIGGER forget_link_cards AFTER INSERT ON forget_requests BEGIN
        DELETE FROM link_cards WHERE author_id = NEW.user_id AND posted_at <= NEW.requested_at;
    END;
    CREATE TRIGGER forget_link_cards_again AFTER UPDATE OF requested_at ON forget_requests BEGIN
        DELETE FROM link_cards WHERE author_id = NEW.user_id AND posted_at <= NEW.requested_at;
    END;
    CREATE TABLE boards (
        id          INTEGER PRIMARY KEY,
        name        TEXT NOT NULL,
        name_key    TEXT NOT NULL UNIQUE,
        description TEXT NOT NULL DEFAULT '',
        keywords    TEXT NOT NULL DEFAULT '',
        from_file   INTEGER NOT NULL DEFAULT 0,
        chat_id     TEXT,                -- a chat series' board (named by its hashtag)
        created_by  INTEGER,
        created_at  TEXT NOT NULL
    );
    CREATE TABLE board_saves (
        board_id    INTEGER NOT NULL,
        user_id     INTEGER NOT NULL,
        user_name   TEXT NOT NULL DEFAULT '',  -- as they were called when they saved
        url         TEXT NOT NULL,
        message_id  INTEGER NOT NULL,
        channel_id  INTEGER NOT NULL,
        guild_id    INTEGER NOT NULL,
        saved_at    TEXT NOT NULL,
        PRIMARY KEY (board_id, user_id, url)
    );
    CREATE INDEX board_saves_user ON board_saves(user_id, saved_at);
    CREATE TRIGGER forget_board_saves AFTER INSERT ON forget_requests BEGIN
        DELETE FROM board_saves WHERE user_id = NEW.user_id AND board_id = 0
            AND saved_at <= NEW.requested_at;
        UPDATE board_saves SET user_name = '' WHERE user_id = NEW.user_id;
    END;
    CREATE TRIGGER forget_board_saves_again AFTER UPDATE OF requested_at ON forget_requests
    BEGIN
        DELETE FROM board_saves WHERE user_id = NEW.user_id AND board_id = 0
            AND saved_at <= NEW.requested_at;
        UPDATE board_saves SET user_name = '' WHERE user_id = NEW.user_id;
    END;
    """,
    # 10: polls (issue 17): each poll the bot posted (a poll question or /host poll; with
    #     reactions = 1 when it went out as text with numbered reactions, without Send Polls)
    #     and its votes keyed by message, answer and user. Voters are kept to count each vote
    #     once (events are redelivered, reconciled from Discord's voters endpoint) and are
    #     never shown; a forget-me deletes a person's votes. (Numbered 10: after main's 9, cards and boards,
    #     and before 11, suggestions.)
    """
    CREATE TABLE polls (
        message_id     INTEGER PRIMARY KEY,
        occurrence_id  INTEGER NOT NULL REFERENCES occurrences(id) ON DELETE CASCADE,
        channel_id     INTEGER NOT NULL,
        step_key       TEXT NOT NULL,
        question       INTEGER,
        text           TEXT NOT NULL,
        options_json   TEXT NOT NULL,
        multiple       INTEGER NOT NULL DEFAULT 0,
        reactions      INTEGER NOT NULL DEFAULT 0,
        end_with_recap INTEGER NOT NULL DEFAULT 0,
        opened_at      TEXT NOT NULL,
        expires_at     TEXT NOT NULL,
        finalized      INTEGER NOT NULL DEFAULT 0,
        final_counts_json TEXT,
        updated_at     TEXT NOT NULL
    );
    CREATE INDEX polls_occurrence ON polls(occurrence_id);
    CREATE INDEX polls_opened ON polls(opened_at);
    CREATE TABLE poll_votes (
        message_id  INTEGER NOT NULL REFERENCES polls(message_id) ON DELETE CASCADE,
        answer_id   INTEGER NOT NULL,
        user_id     INTEGER NOT NULL,
        voted_at    TEXT NOT NULL,
        PRIMARY KEY (message_id, answer_id, user_id)
    );
    CREATE INDEX poll_votes_user ON poll_votes(user_id);
    CREATE TRIGGER forget_poll_votes AFTER INSERT ON forget_requests BEGIN
        DELETE FROM poll_votes WHERE user_id = NEW.user_id;
    END;
    CREATE TRIGGER forget_poll_votes_again AFTER UPDATE OF requested_at ON forget_requests BEGIN
        DELETE FROM poll_votes WHERE user_id = NEW.user_id;
    END;
    """,
    # 11: questions suggested by members (/chat suggest) and their upvotes
    #    (a 👍 on the suggestion's message). status: open, approved, rejected, asked.
    #    position: where an approved one goes (before the file's question n; NULL: after
    #    them). occurrence_id: the occurrence that asked it (no foreign key: a suggestion
    #    asked stays asked). author_name: the name to credit (erased with the row when its
    #    author is forgotten). Numbered 11 for the merge: migrations 9 and 10 come from
    #    other branches, so the lead puts this one after them.
    """
    CREATE TABLE suggestions (
        id            INTEGER PRIMARY KEY,
        chat_id       TEXT NOT NULL REFERENCES chats(id) ON DELETE CASCADE,
        author_id     INTEGER NOT NULL,
        author_name   TEXT NOT NULL DEFAULT '',
        text          TEXT NOT NULL,
        status        TEXT NOT NULL DEFAULT 'open',
        created_at    TEXT NOT NULL,
        channel_id    INTEGER,
        message_id    INTEGER UNIQUE,
        position      INTEGER,
        decided_by    INTEGER,
        decided_at    TEXT,
        occurrence_id INTEGER
    );
    CREATE INDEX suggestions_chat ON suggestions(chat_id, status);
    CREATE INDEX suggestions_author ON suggestions(author_id);
    CREATE TABLE suggestion_votes (
        suggestion_id INTEGER NOT NULL REFERENCES suggestions(id) ON DELETE CASCADE,
        user_id       INTEGER NOT NULL,
        voted_at      TEXT NOT NULL,
        PRIMARY KEY (suggestion_id, user_id)
    );
    CREATE INDEX suggestion_votes_user ON suggestion_votes(user_id);
    """,
    # 12: keyword alerts and
    #    their digests.
    #  * alerts: what a member follows in a server (``key``: the folded terms, sorted, so
    #    the same words are one alert; ``shown``: as typed).
    #  * alert_people: a member's delivery settings (mode, local time, IANA zone), pause,
    #    and state: when pending matches are due, the last attempt, and when Discord last
    #    refused a DM (50007, closed DMs) so /alerts list can say why nothing arrived.
    #  * alert_blocks (a member or channel a member silenced), alert_excluded (channels a
    #    moderator excluded from alerts).
    #  * alert_matches: a message that matched an alert, keyed by message and alert (a
    #    redelivered or backfilled message is one match); state pending -> sending (in a
    #    delivery) -> sent, or withdrawn (deleted, or edited so it no longer matches) or
    #    unseen (the member could not view the channel at delivery: never shown or counted).
    #  * alert_deliveries: a DM about to be sent (intent, before) and the message it became
    #    (after), like a chat step, so a crash never sends one twice or skips one.
    #  * alert_cursors: the newest message read per channel, where backfill resumes.
    """
    CREATE TABLE alerts (
        id          INTEGER PRIMARY KEY,
        guild_id    INTEGER NOT NULL,
        user_id     INTEGER NOT NULL,
        key         TEXT NOT NULL,
        shown       TEXT NOT NULL,
        created_at  TEXT NOT NULL,
        UNIQUE (guild_id, user_id, key)
    );
    CREATE INDEX alerts_user ON alerts(user_id);
    CREATE TABLE alert_people (
        user_id       INTEGER PRIMARY KEY,
        paused        INTEGER NOT NULL DEFAULT 0,
        mode          TEXT NOT NULL DEFAULT 'instant',
        digest_time   TEXT NOT NULL DEFAULT '08:00',
        timezone      TEXT NOT NULL DEFAULT 'UTC',
        due_at        TEXT,
        last_attempt  TEXT,
        refused_at    TEXT,
        updated_at    TEXT NOT NULL
    );
    CREATE INDEX alert_people_due ON alert_people(due_at);
    CREATE TABLE alert_blocks (
        user_id     INTEGER NOT NULL,
        kind        TEXT NOT NULL,
        target_id   INTEGER NOT NULL,
        PRIMARY KEY (user_id, kind, target_id)
    );
    CREATE TABLE alert_excluded (
        channel_id   INTEGER PRIMARY KEY,
        guild_id     INTEGER NOT NULL,
        excluded_by  INTEGER NOT NULL,
        excluded_at  TEXT NOT NULL
    );
    CREATE TABLE alert_deliveries (
        id             INTEGER PRIMARY KEY,
        user_id        INTEGER NOT NULL,
        intent_at      TEXT NOT NULL,
        outcome        TEXT NOT NULL DEFAULT 'sending',
        dm_message_id  INTEGER,
        finished_at    TEXT
    );
    CREATE INDEX alert_deliveries_open ON alert_deliveries(user_id, outcome);
    CREATE TABLE alert_matches (
        message_id   INTEGER NOT NULL,
        alert_id     INTEGER NOT NULL REFERENCES alerts(id) ON DELETE CASCADE,
        user_id      INTEGER NOT NULL,
        guild_id     INTEGER NOT NULL,
        channel_id   INTEGER NOT NULL,
        thread_id    INTEGER,
        author_id    INTEGER NOT NULL,
        author_name  TEXT NOT NULL,
        content      TEXT NOT NULL,
        created_at   TEXT NOT NULL,
        found_at     TEXT NOT NULL,
        state        TEXT NOT NULL DEFAULT 'pending',
        delivery_id  INTEGER REFERENCES alert_deliveries(id),
        PRIMARY KEY (message_id, alert_id)
    );
    CREATE INDEX alert_matches_user ON alert_matches(user_id, state);
    CREATE INDEX alert_matches_delivery ON alert_matches(delivery_id);
    CREATE TABLE alert_cursors (
        channel_id  INTEGER PRIMARY KEY,
        guild_id    INTEGER NOT NULL,
        message_id  INTEGER NOT NULL
    );
    """,
    # 13: leases: which process runs a chat's timed steps (several processes sharing one
    #     database, see bot.runtime.leases). One row per leased thing (``occurrence:<id>``):
    #     its owner (a process), until when the claim holds unless renewed by the owner's
    #     heartbeat, whether the owner is the chat's home (its shard holds the chat's guild),
    #     and which home process asked for it back (a substitute hands it over after its step).
    """
    CREATE TABLE leases (
        name        TEXT PRIMARY KEY,
        owner       TEXT NOT NULL,
        home        INTEGER NOT NULL DEFAULT 0,
        expires_at  TEXT NOT NULL,
        claimed_at  TEXT NOT NULL,
        wanted_by   TEXT
    );
    CREATE INDEX leases_owner ON leases(owner);
    """,
)

#: The schema version this code expects.
LATEST_VERSION = len(MIGRATIONS)
