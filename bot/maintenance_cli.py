"""Command line for whoever runs the bot: backup, restore and doctor (thin; the work is in the library)."""

from __future__ import annotations

import argparse
from pathlib import Path

from bot.cli import CommandError, utcnow
from bot.config import ROOT, Settings
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


def doctor(settings: Settings | None, args: argparse.Namespace) -> int:
    """One line per check; exit status 0 only when every check passes. Loads the settings itself,
    so that settings which do not parse are a failed check like any other."""
    from bot.doctor import checks

    failed = 0
    for check in checks(args.min_free_mb, Path(args.models)):
        print(check.line(), flush=True)
        failed += not check.ok
    return 1 if failed else 0


def add_commands(commands: argparse._SubParsersAction) -> None:
    """Register the maintenance commands on the main parser."""
    backuper = commands.add_parser("backup", help="write a consistent copy of the database")
    backuper.add_argument("file")
    backuper.set_defaults(func=backup)
    restorer = commands.add_parser("restore", help="check a backup and put it in place of the database")
    restorer.add_argument("file")
    restorer.set_defaults(func=restore)
    doctor_ = commands.add_parser("doctor", help="check settings, database, disk, quiz banks, Bot API, Rasa, model")
    doctor_.add_argument("--min-free-mb", type=int, default=500, help="free disk space wanted (default 500 MB)")
    doctor_.add_argument("--models", default=str(ROOT / "models"), help="where the trained model is (default models/)")
    doctor_.set_defaults(func=doctor, own_settings=True)
