"""What every command-line command shares: the error a person can fix, the clock, date parsing, and
safe output files."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, timezone
from pathlib import Path
from typing import IO


class CommandError(Exception):
    """Something the person running the command can fix; printed as one line, exit status 2."""


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def parse_day(text: str | None) -> date | None:
    """An ISO date from an option; None when the option was not given."""
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{text!r} is not a date such as 2026-11-23") from None


def database_files(db_path: Path) -> tuple[Path, ...]:
    """The database and the files SQLite keeps beside it: never an output."""
    return tuple(Path(f"{db_path}{suffix}") for suffix in ("", "-wal", "-shm", "-journal"))


@contextmanager
def private_output(path: Path, force: bool, protected: Iterable[Path], encoding: str | None = None) -> Iterator[IO]:
    """Open `path` for writing (text with `encoding`, else bytes), readable by its owner only and
    written atomically: a temporary file beside it, renamed over it at the end. An existing file
    needs `force`; the protected files (the database) are refused always."""
    target = path.resolve()
    if any(target == p.resolve() for p in protected):
        raise CommandError(f"{path} is the bot's database; choose another file")
    if path.exists() and not force:
        raise CommandError(f"{path} already exists; add --force to overwrite it")
    if not target.parent.is_dir():
        raise CommandError(f"{path.parent}: no such directory")
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    try:
        with os.fdopen(handle, "w", encoding=encoding, newline="") if encoding else os.fdopen(handle, "wb") as out:
            yield out
        os.replace(temporary, target)
    except BaseException:
        os.unlink(temporary)
        raise
