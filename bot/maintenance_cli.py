"""Command line for whoever runs the bot: backup, restore and doctor (thin; the work is in the library)."""

from __future__ import annotations

import argparse
from pathlib import Path

from bot.cli import CommandError, utcnow
from bot.config import Settings
from bot.store import SCHEMA_VERSION, Store
from bot.store.backup import BadBackup, backup_database, restore_database


def backup(settings: Settings, args: argparse.Namespace) -> int:
    """Write a consistent copy of the database (safe while the bot runs)."""
    try:
        backup_database(settings.db_path, Path(args.file))
    except (BadBackup, OSError) as error:
        raise CommandError(str(error)) from None
    print(f"backed up {settings.db_path} to {args.file}")
    return 0


def restore(settings: Settings, args: argparse.Namespace) -> int:
    """Put a backup back after checking it; the database it replaces is kept beside it."""
    path = settings.db_path
    aside = path.with_name(f"{path.name}.before-restore-{utcnow():%Y%m%dT%H%M%SZ}")
    try:
        version = restore_database(Path(args.file), path, SCHEMA_VERSION, aside)
    except (BadBackup, OSError) as error:
        raise CommandError(f"not restored: {error}") from None
    Store(path, settings.cycle.years).close()  # upgrades a backup made by an earlier release
    kept = f"; the database it replaced is kept as {aside}" if aside.exists() else ""
    print(f"restored {args.file} (schema version {version}) to {path}{kept}")
    return 0


def add_commands(commands: argparse._SubParsersAction) -> None:
    """Register the maintenance commands on the main parser."""
    backuper = commands.add_parser("backup", help="write a consistent copy of the database")
    backuper.add_argument("file")
    backuper.set_defaults(func=backup)
    restorer = commands.add_parser("restore", help="check a backup and put it in place of the database")
    restorer.add_argument("file")
    restorer.set_defaults(func=restore)
