"""Versioned schema changes, so a database made by any earlier release upgrades in place.

The file records its version in `PRAGMA user_version` (0: made before versioning). Version N is
reached by the N-th function of MIGRATIONS; a schema change is a new function appended to the
list, never an edit of an old one. Opening the store runs the pending ones in order, in one
transaction, after copying the file next to itself as `<name>.bak-v<old version>`.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path

import sqlite_utils

from bot.store.backup import backup_database, has_tables
from bot.store.base import Connection
from bot.store.schema import create_tables_v1, create_views


class SchemaError(Exception):
    """The database cannot be used by this release (it was made by a newer one); one line for a person."""


def v1_tables_of_15e27d9(db: sqlite_utils.Database) -> None:
    """Every table and index of version 1, and the columns older files lack (e.g. users.active,
    added after 1956560), with the defaults a fresh file has."""
    create_tables_v1(db)
    reference = sqlite_utils.Database(memory=True)
    create_tables_v1(reference)
    for table in reference.table_names():
        present = set(db[table].columns_dict)
        for column in reference[table].columns:
            if column.name not in present:
                default = "" if column.default_value is None else f" DEFAULT {column.default_value}"
                db.execute(f"ALTER TABLE [{table}] ADD COLUMN [{column.name}] {column.type}{default}")


def v2_answer_language(db: sqlite_utils.Database) -> None:
    """Each answer records the language it was given in, for item analysis's language split
    (earlier answers keep NULL: the analysis falls back to the servant's chosen language)."""
    db["answers"].add_column("language", str)


def v3_installation(db: sqlite_utils.Database) -> None:
    """A random id of this installation, kept for good: it namespaces the xAPI statement ids, so two
    installations sending to one Learning Record Store never mistake each other's records."""
    db["installation"].create({"id": str, "created_at": str}, pk="id")
    db.execute("INSERT INTO installation (id, created_at) VALUES (?, datetime('now'))", [str(uuid.uuid4())])


def v4_reachability_invites_scope(db: sqlite_utils.Database) -> None:
    """Oversight that misses nobody: reachability apart from membership, invite codes that expire, and
    an explicit "all departments" flag for coordinators.

    - users.unreachable_since: when Telegram refused a message with 403 (the person blocked the bot);
      cleared when they write again. Servants the earlier release deactivated for a refused reminder
      (a reminder 'blocked' at the moment of deactivation) are members again, unreachable since then.
    - invites.expires_at: codes issued before get created_at + 30 days.
    - coordinators.all_departments: 1 for coordinators stored with no departments (which meant all).
    """
    db["users"].add_column("unreachable_since", str)
    db.execute("""
        UPDATE users SET active = 1, unreachable_since = blocked_at, blocked_at = NULL
        WHERE active = 0 AND EXISTS (SELECT 1 FROM reminders AS r WHERE r.telegram_id = users.telegram_id
                                     AND r.status = 'blocked' AND r.sent_at = users.blocked_at)""")
    db["invites"].add_column("expires_at", str)
    db.execute(
        "UPDATE invites SET expires_at = strftime('%Y-%m-%dT%H:%M:%S+00:00', created_at, '+30 days') "
        "WHERE expires_at IS NULL"
    )
    db["coordinators"].add_column("all_departments", int, not_null_default=0)
    db.execute("UPDATE coordinators SET all_departments = 1 WHERE COALESCE(departments, '') = ''")


def v5_questions_to_the_commissioner(db: sqlite_utils.Database) -> None:
    """Ethics Commissioners, questions to them, the /ask dialogue and answer drafts, and the
    anonymous reply addresses, kept apart from the questions so that deleting one row forgets
    who asked."""
    db["commissioners"].create({"telegram_id": int, "departments": str, "added_at": str}, pk="telegram_id")
    db["questions"].create(
        {
            "id": int,
            "ref": str,
            "year": int,
            "number": int,
            "mode": str,
            "telegram_id": int,
            "sender_name": str,
            "department": str,
            "language": str,
            "text": str,
            "status": str,
            "asked_on": str,
            "raised_on": str,
            "reply_token": str,
            "answer": str,
            "answered_by": int,
            "closed_at": str,
        },
        pk="id",
    )
    db["questions"].create_index(["ref"], unique=True)
    db["questions"].create_index(["status", "asked_on"])
    db["anonymous_reply_chats"].create({"token": str, "chat_id": int, "language": str, "created_on": str}, pk="token")
    db["ask_drafts"].create(
        {"telegram_id": int, "stage": str, "text": str, "mode": str, "nonce": str, "updated_at": str}, pk="telegram_id"
    )
    db["answer_drafts"].create({"telegram_id": int, "question_id": int, "started_at": str}, pk="telegram_id")


def v6_feedback_and_certificates(db: sqlite_utils.Database) -> None:
    """Servants' ratings of each module attempt (with the wait for a comment, so it survives a
    restart), and the certificates of completion with what each certifies."""
    db["ratings"].create(
        {
            "session_id": int,
            "telegram_id": int,
            "module_id": str,
            "rating": int,
            "comment": str,
            "rated_at": str,
            "commented_at": str,
            "awaiting_comment": int,
        },
        pk="session_id",
        foreign_keys=[("session_id", "quiz_sessions"), ("telegram_id", "users")],
        defaults={"awaiting_comment": 0},
    )
    db["ratings"].create_index(["module_id", "rated_at"])
    db["ratings"].create_index(["telegram_id", "awaiting_comment"])
    db["certificates"].create(
        {
            "code": str,
            "telegram_id": int,
            "track": str,
            "issued_at": str,
            "revoked_at": str,
            "certifies": str,
        },
        pk="code",
        foreign_keys=[("telegram_id", "users")],
    )
    db["certificates"].create_index(["telegram_id", "track", "issued_at"])


def v7_question_on_screen(db: sqlite_utils.Database) -> None:
    """users.shown_session_id and users.shown_position: the question the servant was shown last, so
    that a typed answer goes to the quiz on screen, not to another open one (NULL: none shown since)."""
    db["users"].add_column("shown_session_id", int)
    db["users"].add_column("shown_position", int)


MIGRATIONS: tuple[Callable[[sqlite_utils.Database], None], ...] = (
    v1_tables_of_15e27d9,
    v2_answer_language,
    v3_installation,
    v4_reachability_invites_scope,
    v5_questions_to_the_commissioner,
    v6_feedback_and_certificates,
    v7_question_on_screen,
)
SCHEMA_VERSION = len(MIGRATIONS)


def schema_version(db: sqlite_utils.Database) -> int:
    return db.execute("PRAGMA user_version").fetchone()[0]


def backup_path(path: Path, version: int) -> Path:
    return path.with_name(f"{path.name}.bak-v{version}")


def upgrade(connection: Connection, cycle_years: int) -> int:
    """Bring the schema to SCHEMA_VERSION and recreate the views; the version the file had.

    Two processes opening an old file at once are safe: the backup and the migrations happen
    under the write lock, so the second waits for the first and then finds nothing left to do."""
    db = connection.db
    with connection.transaction():
        found = schema_version(db)
        if found > SCHEMA_VERSION:
            raise SchemaError(
                f"{connection.path}: schema version {found} is newer than this release knows "
                f"({SCHEMA_VERSION}); run a newer release or restore a backup."
            )
        if found < SCHEMA_VERSION and connection.path is not None and has_tables(db):
            # read through a second connection: WAL lets it see the file as it is while this one
            # holds the write lock (a backup read through the connection holding it never finishes)
            backup_database(connection.path, backup_path(connection.path, found))
        if found < SCHEMA_VERSION:  # views would stand in the way of changes to the columns they read
            for view in db.view_names():
                db.execute(f"DROP VIEW [{view}]")
        for version in range(found + 1, SCHEMA_VERSION + 1):
            MIGRATIONS[version - 1](db)
        if found < SCHEMA_VERSION:
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        create_views(db, cycle_years)
    return found
