"""Coordinators' command line: roster, invites, coordinators, exports and reports (thin commands)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from contextlib import nullcontext
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bot import export
from bot.cli import CommandError, database_files, parse_day, private_output, utcnow
from bot.ask_views import counts_text
from bot.config import Settings
from bot.content import Bank, load_bank
from bot.coordinators import item_analysis
from bot.feedback import feedback_text
from bot.conversation import Conversation
from bot.items import COLUMNS as ITEM_COLUMNS
from bot.items import report_text as item_report_text
from bot.items import row as item_row
from bot.report import (
    OVERDUE_COLUMNS,
    REPORT_COLUMNS,
    chart_title,
    completion_chart,
    overdue_rows,
    overdue_text,
    report_rows,
    report_text,
)
from bot.lrs import Delivery, Lrs, LrsError
from bot.roster import parse_roster
from bot.store import Store
from bot.store.items import ItemFilters
from bot.store.records import Filters
from bot.xapi import Statements


REPORT_COMMENTS = 5  # the latest comments per module `report` prints


def _store(settings: Settings) -> Store:
    return Store(settings.db_path, settings.cycle.years)


def roster_import(settings: Settings, args: argparse.Namespace) -> int:
    """Upsert employees from a CSV; report bad rows by line; --strict refuses the file on any."""
    path = Path(args.file)
    if not path.exists():
        raise CommandError(f"{path}: no such file")
    employees, problems = parse_roster(path.read_bytes())
    for problem in problems:
        print(f"{path.name}: {problem}", file=sys.stderr)
    if problems and (args.strict or not employees):
        print(f"{path.name}: nothing imported ({len(problems)} problem(s))", file=sys.stderr)
        return 1
    store = _store(settings)
    inserted, updated = store.upsert_employees(employees, utcnow())
    conversation = Conversation(
        load_bank(settings.quizzes_dir), store, settings.default_language, utcnow, policy=settings.cycle
    )
    for employee in store.employees():
        if employee.telegram_id is not None:  # linked servants: hire and training dates may have changed
            conversation.refresh_cycle(employee.telegram_id)
    print(f"{path.name}: {inserted} added, {updated} updated, {len(problems)} row(s) skipped")
    return 1 if problems else 0


def roster_invites(settings: Settings, args: argparse.Namespace) -> int:
    """Each employee's one-time code, deep link and expiry (unlinked employees only; --all with
    --reissue gives linked ones a new code too)."""
    if args.all and not args.reissue:
        raise CommandError("--all needs --reissue: a linked employee gets a new code only in place of the old ones")
    store, now = _store(settings), utcnow()
    bot = settings.bot_username or "<bot>"
    print("employee_id\tfull_name\tdepartment\tcode\tlink\texpires")
    for employee in store.employees(args.department):
        if employee.telegram_id is not None and not args.all:
            continue
        invite = store.invite(employee.employee_id, now, settings.invite_days, reissue=args.reissue)
        print(
            f"{employee.employee_id}\t{employee.full_name}\t{employee.department}\t{invite.code}\t"
            f"https://t.me/{bot}?start={invite.code}\t{invite.expires_at[:10]}"
        )
    return 0


def roster_revoke(settings: Settings, args: argparse.Namespace) -> int:
    """Revoke an employee's unused invite codes."""
    revoked = _store(settings).revoke_invites(args.employee_id, utcnow())
    print(f"{args.employee_id}: {revoked} code(s) revoked")
    return 0


def coordinator(settings: Settings, args: argparse.Namespace) -> int:
    """Add, remove or list coordinators kept in the database."""
    store = _store(settings)
    if args.action != "list" and args.telegram_id is None:
        raise CommandError(f"coordinator {args.action} needs --telegram-id")
    if args.action == "add":
        departments = [d.strip() for d in args.department or []]
        if "" in departments:
            raise CommandError("--department needs a name; for every department use --all-departments")
        if bool(departments) == args.all_departments:
            raise CommandError("coordinator add needs either --department NAME (repeatable) or --all-departments")
        store.add_coordinator(args.telegram_id, departments, utcnow(), args.note or "", args.all_departments)
    elif args.action == "remove" and not store.remove_coordinator(args.telegram_id):
        raise CommandError(f"{args.telegram_id} is not a coordinator in the database")
    for telegram_id in sorted(settings.coordinator_ids):
        print(f"{telegram_id}\tall departments\t(BOT_COORDINATOR_IDS)")
    for telegram_id, departments in sorted(store.coordinators().items()):
        print(f"{telegram_id}\t{'all departments' if departments is None else ', '.join(departments)}")
    return 0


def export_log(settings: Settings, args: argparse.Namespace) -> int:
    """Stream the completion log (or --what answers) to a file or stdout, or as xAPI statements to an LRS."""
    if args.to_lrs and args.format != "xapi":
        raise CommandError("--to-lrs sends xAPI statements: add --format xapi")
    if args.to_lrs and args.output:
        raise CommandError("--to-lrs and --output: choose one")
    store = _store(settings)
    filters = Filters(
        parse_day(args.since), parse_day(args.until), tuple(args.department) if args.department else None, args.module
    )
    unit, per_row = ("statements", 2 if args.what == "completions" else 1) if args.format == "xapi" else ("rows", 1)
    total = store.count(args.what, filters) * per_row if sys.stderr.isatty() and (args.output or args.to_lrs) else 0
    if args.format == "xapi":
        statements = Statements(load_bank(settings.quizzes_dir), store.installation_id()).of(
            store.statement_rows(args.what, filters), args.what
        )
        if args.to_lrs:
            return _send_to_lrs(settings, args.to_lrs, statements, total)
    rows = {"answers": store.answer_log, "feedback": store.feedback_log}.get(args.what, store.completion_log)(filters)
    to_file = args.output not in (None, "-")
    encoding = "utf-8-sig" if args.format == "csv" else "utf-8"

    def progress(done: int) -> None:
        print(f"\r{done:,}/{total:,} {unit} ({100 * done // max(total, 1)}%)", end="", file=sys.stderr)

    target = (
        private_output(Path(args.output), args.force, database_files(settings.db_path), encoding)
        if to_file
        else nullcontext(sys.stdout)
    )
    with target as out:
        if not to_file and args.format == "csv":
            out.write("\ufeff")
        if args.format == "xapi":
            written = export.write_statements(statements, out, progress if total else None)
        else:
            written = export.write(rows, args.what, args.format, out, progress if total else None)
    if to_file:
        print(f"\r{written:,} {unit} written to {args.output}", file=sys.stderr)
    return 0


def _send_to_lrs(settings: Settings, endpoint: str, statements: Iterator[dict[str, object]], total: int) -> int:
    """POST the statements in batches; print sent / already present / failed; exit 1 if any failed."""

    def progress(delivery: Delivery) -> None:
        done = delivery.sent + delivery.present + delivery.failed
        print(f"\r{done:,}/{total:,} statements ({100 * done // max(total, 1)}%)", end="", file=sys.stderr)

    lrs = Lrs(endpoint, settings.lrs_user, settings.lrs_password)
    try:
        delivery = lrs.send(statements, progress if total else None)
    except LrsError as error:
        raise CommandError(str(error)) from None
    finally:
        lrs.close()
    if total:
        print(file=sys.stderr)
    for problem in delivery.problems:
        print(f"failed: {problem}", file=sys.stderr)
    print(f"{lrs.url}: {delivery.summary()}")
    return 1 if delivery.failed else 0


def report(settings: Settings, args: argparse.Namespace) -> int:
    """Per department and module: enrolled, completed, passed, average, overdue, due soon, unreachable;
    the overdue list; as text or (--format csv, with --overdue for the list) CSV; --chart PNG; with
    --items, the item analysis of every question instead."""
    store = _store(settings)
    bank = load_bank(settings.quizzes_dir)
    today = datetime.now(ZoneInfo(settings.cycle.time_zone)).date()
    scope = tuple(args.department) if args.department else None
    if args.items:
        return _item_report(settings, store, bank, args, scope)
    args.language = args.language or "en"
    not_servants = settings.coordinator_ids | frozenset(store.coordinators())
    reports = store.department_reports(today, settings.cycle.window_days, scope, not_servants)
    overdue = store.overdue(today, scope, not_servants)
    if args.format == "csv":
        sys.stdout.write("\ufeff")
        columns, rows = (
            (OVERDUE_COLUMNS, overdue_rows(overdue)) if args.overdue else (REPORT_COLUMNS, report_rows(reports, bank))
        )
        export.write_table(columns, rows, sys.stdout)
    else:
        if not args.overdue:
            print(report_text(reports, bank, args.language, settings.cycle.window_days))
            print()
        print(overdue_text(overdue, args.language))
        if not args.overdue:
            print()
            print(counts_text(args.language, store.question_counts(scope)))
            print()
            print(feedback_text(store.module_ratings(scope, REPORT_COMMENTS), bank, args.language))
    if args.chart:
        with private_output(Path(args.chart), args.force, database_files(settings.db_path)) as out:
            out.write(completion_chart(reports, chart_title(reports, args.language)))
        print(f"chart written to {args.chart}", file=sys.stderr)
    return 0


def _item_report(
    settings: Settings, store: Store, bank: Bank, args: argparse.Namespace, scope: tuple[str, ...] | None
) -> int:
    """Facility, discrimination, options chosen and flags per question, as text or (--csv) CSV."""
    if args.module and args.module not in bank.modules:
        raise CommandError(f"--module: {args.module!r} is not a module ({', '.join(sorted(bank.modules))})")
    filters = ItemFilters(args.module, parse_day(args.since), args.language, scope)
    items = item_analysis(store, bank, filters, settings.item_min_attempts)
    if args.format == "csv":
        sys.stdout.write("\ufeff")
        export.write_table(ITEM_COLUMNS, map(item_row, items), sys.stdout)
    else:
        print(item_report_text(items, settings.item_min_attempts))
    return 0


def add_commands(commands: argparse._SubParsersAction) -> None:
    """Register the coordinators' commands on the main parser."""
    roster = commands.add_parser("roster", help="import the roster, print or revoke invite codes")
    actions = roster.add_subparsers(dest="roster_command", required=True)
    importer = actions.add_parser("import", help="upsert employees from a CSV file")
    importer.add_argument("file")
    importer.add_argument("--strict", action="store_true", help="import nothing if any row is bad")
    importer.set_defaults(func=roster_import)
    invites = actions.add_parser("invites", help="print one-time invite codes and deep links")
    invites.add_argument("--department")
    invites.add_argument("--reissue", action="store_true", help="revoke open codes and issue new ones")
    invites.add_argument("--all", action="store_true", help="with --reissue: employees already linked too")
    invites.set_defaults(func=roster_invites)
    revoke = actions.add_parser("revoke", help="revoke an employee's unused codes")
    revoke.add_argument("employee_id")
    revoke.set_defaults(func=roster_revoke)

    coordinators = commands.add_parser("coordinator", help="add, remove or list coordinators")
    coordinators.add_argument("action", choices=["add", "remove", "list"])
    coordinators.add_argument("--telegram-id", type=int)
    coordinators.add_argument("--department", action="append", help="a department they see (repeatable)")
    coordinators.add_argument("--all-departments", action="store_true", help="they see every department")
    coordinators.add_argument("--note")
    coordinators.set_defaults(func=coordinator)

    exporter = commands.add_parser("export", help="write the completion log (or the answers)")
    exporter.add_argument("--what", choices=["completions", "answers", "feedback"], default="completions")
    exporter.add_argument("--format", choices=export.FORMATS, default="csv")
    exporter.add_argument("--since", help="from this ISO date")
    exporter.add_argument("--until", help="to this ISO date, inclusive")
    exporter.add_argument("--department", action="append")
    exporter.add_argument("--module")
    exporter.add_argument("--output", "-o", help="file to write, owner-only (default: stdout)")
    exporter.add_argument("--force", action="store_true", help="overwrite an existing --output file")
    exporter.add_argument(
        "--to-lrs",
        metavar="URL",
        help="with --format xapi: post the statements to the Learning "
        "Record Store whose xAPI endpoint is URL (credentials: BOT_LRS_USER, BOT_LRS_PASSWORD)",
    )
    exporter.set_defaults(func=export_log)

    reporter = commands.add_parser("report", help="department and module report, overdue list, chart")
    reporter.add_argument("--department", action="append")
    reporter.add_argument(
        "--language",
        choices=["kk", "ru", "en"],
        help="the report's language (default en); with --items: only answers given in it",
    )
    reporter.add_argument("--format", choices=["text", "csv"], default="text", help="csv: the table for a spreadsheet")
    reporter.add_argument("--overdue", action="store_true", help="only the overdue list")
    reporter.add_argument("--chart", help="also write a PNG chart of completion by department (owner-only)")
    reporter.add_argument("--force", action="store_true", help="overwrite an existing --chart file")
    reporter.add_argument("--items", action="store_true", help="item analysis: how each question performs")
    reporter.add_argument("--module", help="with --items: this module only")
    reporter.add_argument("--since", help="with --items: first attempts completed from this ISO date")
    reporter.set_defaults(func=report)
