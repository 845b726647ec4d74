"""The database connection, transactions and shared conventions of the store."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

import sqlite_utils

from bot.store.backup import create_private


INTERACTIVE_BUSY_SECONDS = 0.5  # how long a chat update waits for another process's write lock
Unavailable = sqlite3.OperationalError  # a database locked by another process, full, or unreadable


def iso(moment: datetime) -> str:
    """A timestamp as stored: ISO 8601, UTC, whole seconds."""
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds")


class Connection:
    """An SQLite file in WAL mode, in autocommit mode with explicit transactions; a new file is
    readable by its owner only. `busy_timeout` is how long a write waits for another process's lock
    before raising Unavailable: long for command-line jobs, INTERACTIVE_BUSY_SECONDS for chats."""

    def __init__(self, path: Path | str, busy_timeout: float = 30):
        self.path = None if str(path) == ":memory:" else Path(path)
        if self.path is not None:
            self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            create_private(self.path)
        conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False, timeout=busy_timeout)
        self.db = sqlite_utils.Database(conn)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA foreign_keys=ON")
        self.db.execute("PRAGMA secure_delete=ON")  # a deleted anonymous reply address leaves no bytes behind

    def close(self) -> None:
        self.db.conn.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """BEGIN IMMEDIATE … COMMIT, rolled back on any error; inside another transaction a savepoint,
        so that a caller can join steps that must stand or fall together."""
        nested = self.db.conn.in_transaction
        self.db.execute("SAVEPOINT step" if nested else "BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.db.execute("ROLLBACK TO step" if nested else "ROLLBACK")
            if nested:
                self.db.execute("RELEASE step")
            raise
        self.db.execute("RELEASE step" if nested else "COMMIT")
