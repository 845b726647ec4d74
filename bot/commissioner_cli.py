"""Ethics Commissioners on the command line: add, remove, list (a thin command, as for coordinators)."""

from __future__ import annotations

import argparse

from bot.cli import CommandError, utcnow
from bot.config import Settings
from bot.store import Store


def commissioner(settings: Settings, args: argparse.Namespace) -> int:
    """Add, remove or list Ethics Commissioners kept in the database, for some departments or all."""
    store = Store(settings.db_path, settings.cycle.years)
    if args.action != "list" and args.telegram_id is None:
        raise CommandError(f"commissioner {args.action} needs --telegram-id")
    if args.action == "add" and not args.department and not args.all_departments:
        raise CommandError("commissioner add needs --department D (repeatable) or --all-departments")
    if args.department and args.all_departments:
        raise CommandError("--department and --all-departments: choose one")
    if args.action == "add":
        store.add_commissioner(args.telegram_id, args.department or [], utcnow())
    elif args.action == "remove" and not store.remove_commissioner(args.telegram_id):
        raise CommandError(f"{args.telegram_id} is not a commissioner in the database")
    for telegram_id in sorted(settings.ask.commissioner_ids):
        print(f"{telegram_id}\tall departments\t(BOT_COMMISSIONER_IDS)")
    for telegram_id, departments in sorted(store.commissioners().items()):
        print(f"{telegram_id}\t{', '.join(departments) or 'all departments'}")
    return 0


def add_commands(commands: argparse._SubParsersAction) -> None:
    """Register `commissioner` on the main parser."""
    parser = commands.add_parser("commissioner", help="add, remove or list Ethics Commissioners")
    parser.add_argument("action", choices=["add", "remove", "list"])
    parser.add_argument("--telegram-id", type=int)
    parser.add_argument("--department", action="append", help="questions of this department (repeatable)")
    parser.add_argument("--all-departments", action="store_true", help="questions of every department")
    parser.set_defaults(func=commissioner)
