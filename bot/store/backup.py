"""Consistent copies of the database, made and checked while the bot may be writing to it.

Copying only `ethics.db` with `cp` loses what is still in the WAL file; SQLite's online backup API
copies what a reader sees at one moment, WAL included. Every file made here is owner-only (0600).
"""

from __future__ import annotations

import os
import secrets
import sqlite3
from pathlib import Path

import sqlite_utils

PRIVATE = 0o600


def create_private(path: Path) -> None:
    """Create `path` empty and readable by its owner only, unless it exists (SQLite then fills it;
    its WAL and shared-memory files take the same permissions)."""
    os.close(os.open(path, os.O_CREAT | os.O_WRONLY, PRIVATE))


def has_tables(db: sqlite_utils.Database) -> bool:
    return bool(db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' LIMIT 1").fetchone())


class BadBackup(Exception):
    """A file that must not replace the database; the message says why, in one line."""


def check_file(path: Path) -> int:
    """The schema version of a database file that passes SQLite's integrity check."""
    if not path.is_file():
        raise BadBackup(f"{path}: no such file")
    conn = sqlite3.connect(path)
    try:
        try:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
        except sqlite3.DatabaseError as error:
            raise BadBackup(f"{path}: not a usable SQLite database ({error})") from None
        try:
            problems = [row[0] for row in conn.execute("PRAGMA integrity_check").fetchall()]
        except sqlite3.DatabaseError as error:
            problems = [str(error)]
    finally:
        conn.close()
    if problems != ["ok"]:
        raise BadBackup(f"{path}: integrity check failed: {'; '.join(problems[:3])}")
    return version


def backup_database(path: Path, target: Path) -> None:
    """A consistent, owner-only copy of the database at `path`, made while others may write to it;
    `target` is replaced at once when the copy is complete, so a crash never leaves half a backup."""
    if not path.is_file():
        raise BadBackup(f"{path}: no database here to back up")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f"{target.name}.partial-{os.getpid()}-{secrets.token_hex(4)}")
    create_private(partial)
    source, copy = sqlite3.connect(path, timeout=30), sqlite3.connect(partial)
    try:
        source.backup(copy)
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    finally:
        source.close()
        copy.close()
    os.replace(partial, target)


def restore_database(backup: Path, path: Path, newest: int, aside: Path) -> int:
    """Put a checked backup in place of the database at `path`, after copying the current one to
    `aside`; refuses a damaged file or one newer than schema version `newest`. Returns its version."""
    version = check_file(backup)
    if version > newest:
        raise BadBackup(f"{backup}: schema version {version} is newer than this release knows ({newest})")
    if path.is_file():
        backup_database(path, aside)
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        create_private(path)
    source, live = sqlite3.connect(backup), sqlite3.connect(path, timeout=30)
    try:
        source.backup(live)  # through SQLite's locks, so a reader never sees half a file
    finally:
        source.close()
        live.close()
    return version
