"""Numbered schema migrations. The version applied is kept in PRAGMA user_version.

Append new migrations at the end; never edit one that has shipped.
"""

from __future__ import annotations

MIGRATIONS: list[str] = [
    # 1: moderator FAQ entries with full history, the missed-questions queue, feedback, per-server settings
    """
    CREATE TABLE faq_entries (
        guild_id   INTEGER NOT NULL,
        entry_id   TEXT    NOT NULL,
        status     TEXT    NOT NULL CHECK (status IN ('active', 'hidden', 'removed')),
        data       TEXT,              -- the entry as JSON (knowledge/ shape); NULL when only hiding a curated one
        version    INTEGER NOT NULL,
        updated_at TEXT    NOT NULL,
        updated_by TEXT    NOT NULL,
        PRIMARY KEY (guild_id, entry_id)
    );
    CREATE TABLE faq_history (
        id       INTEGER PRIMARY KEY,
        guild_id INTEGER NOT NULL,
        entry_id TEXT    NOT NULL,
        version  INTEGER NOT NULL,
        action   TEXT    NOT NULL,
        status   TEXT    NOT NULL,
        before   TEXT,
        after    TEXT,
        actor    TEXT    NOT NULL,
        at       TEXT    NOT NULL,
        UNIQUE (guild_id, entry_id, version)
    );
    CREATE TABLE missed_questions (
        id          INTEGER PRIMARY KEY,
        guild_id    INTEGER NOT NULL,
        question    TEXT    NOT NULL,
        reason      TEXT    NOT NULL,   -- declined, unsure, not_helpful
        entry_id    TEXT,
        confidence  REAL,
        asked_by    TEXT,
        asked_at    TEXT    NOT NULL,
        resolved_at TEXT,
        resolution  TEXT
    );
    CREATE INDEX missed_open ON missed_questions (guild_id, resolved_at, id);
    CREATE TABLE feedback (
        id       INTEGER PRIMARY KEY,
        guild_id INTEGER NOT NULL,
        entry_id TEXT    NOT NULL,
        user_id  TEXT    NOT NULL,
        helpful  INTEGER NOT NULL,
        question TEXT,
        at       TEXT    NOT NULL
    );
    CREATE TABLE guild_settings (
        guild_id INTEGER PRIMARY KEY,
        data     TEXT NOT NULL
    );
    """,
    # 2: scenario games. Times are the game clock's float seconds (epoch). A round keeps a JSON snapshot of
    # its scenario so that it can still be answered and revealed after a restart, even if the library changed.
    """
    CREATE TABLE games (
        id          INTEGER PRIMARY KEY,
        guild_id    INTEGER NOT NULL,
        channel_id  INTEGER NOT NULL,
        scope       TEXT    NOT NULL DEFAULT '',  -- '' for a channel game; the player's id for solo practice
        host_id     TEXT    NOT NULL,
        host_name   TEXT    NOT NULL,
        category    TEXT,
        difficulty  INTEGER,
        rounds      INTEGER NOT NULL CHECK (rounds BETWEEN 1 AND 10),
        seconds     INTEGER NOT NULL,
        speed_bonus INTEGER NOT NULL DEFAULT 0,
        practice    INTEGER NOT NULL DEFAULT 0,
        status      TEXT    NOT NULL CHECK (status IN ('open', 'finished', 'stopped')),
        started_at  REAL    NOT NULL,
        ended_at    REAL
    );
    CREATE UNIQUE INDEX games_one_open ON games (guild_id, channel_id, scope) WHERE status = 'open';
    CREATE INDEX games_guild ON games (guild_id, practice);
    CREATE TABLE game_players (
        game_id   INTEGER NOT NULL REFERENCES games (id),
        user_id   TEXT    NOT NULL,
        user_name TEXT    NOT NULL,
        joined_at REAL    NOT NULL,
        PRIMARY KEY (game_id, user_id)
    );
    CREATE TABLE game_rounds (
        id           INTEGER PRIMARY KEY,
        game_id      INTEGER NOT NULL REFERENCES games (id),
        number       INTEGER NOT NULL,
        scenario_id  TEXT    NOT NULL,
        scenario     TEXT    NOT NULL,
        category     TEXT    NOT NULL,
        factors      TEXT    NOT NULL,        -- JSON list, for personal stats by factor
        opened_at    REAL    NOT NULL,
        deadline     REAL,                    -- NULL: no timer (solo practice)
        closed_at    REAL,
        close_reason TEXT,                    -- time | all_answered | early | stopped
        UNIQUE (game_id, number)
    );
    CREATE INDEX game_rounds_open ON game_rounds (closed_at, deadline);
    CREATE TABLE game_answers (
        id           INTEGER PRIMARY KEY,
        round_id     INTEGER NOT NULL REFERENCES game_rounds (id),
        user_id      TEXT    NOT NULL,
        user_name    TEXT    NOT NULL,
        option_key   TEXT    NOT NULL,
        credit       TEXT    NOT NULL CHECK (credit IN ('correct', 'partial', 'wrong')),
        base         INTEGER NOT NULL,
        streak       INTEGER NOT NULL,        -- consecutive correct rounds in this game, this one included
        streak_bonus INTEGER NOT NULL,
        speed_bonus  INTEGER NOT NULL,
        points       INTEGER NOT NULL,
        answered_at  REAL    NOT NULL,
        UNIQUE (round_id, user_id)            -- one answer per player per round, whatever the concurrency
    );
    CREATE INDEX game_answers_user ON game_answers (user_id, answered_at);
    CREATE TABLE scenario_usage (
        guild_id    INTEGER NOT NULL,
        pool        TEXT    NOT NULL,         -- 'channel:<id>' or 'user:<id>' (practice)
        scenario_id TEXT    NOT NULL,
        used_at     REAL    NOT NULL,
        PRIMARY KEY (guild_id, pool, scenario_id)
    );
    """,
    # 3: messages an adapter posted and must find again after a restart (e.g. a round's message, to edit it)
    """
    CREATE TABLE posted_messages (
        kind       TEXT    NOT NULL,
        key        TEXT    NOT NULL,
        channel_id INTEGER NOT NULL,
        message_id INTEGER NOT NULL,
        PRIMARY KEY (kind, key)
    );
    """,
    # 4: every question asked, stored once: the buttons under its answer carry only its id (the text used to ride
    # in the embed's author line, cut at 256 characters). Missed questions and feedback point back to it.
    """
    CREATE TABLE asked (
        id       INTEGER PRIMARY KEY,
        guild_id INTEGER NOT NULL,
        question TEXT    NOT NULL,
        asked_by TEXT,
        asked_at TEXT    NOT NULL
    );
    ALTER TABLE missed_questions ADD COLUMN asked_id INTEGER REFERENCES asked (id);
    ALTER TABLE feedback ADD COLUMN asked_id INTEGER REFERENCES asked (id);
    """,
]
