"""Coordinators: who they are, which departments they see, and what their commands produce.

Coordinators come from BOT_COORDINATOR_IDS (every department) and from the database (added by
the command line, for named departments or explicitly for all). Everyone else is not permitted
and learns nothing about the records. Their commands live in one table, COMMAND_TABLE: name,
handler and help text, so a listed command cannot lack a handler.
"""

from __future__ import annotations

import asyncio
import io
import os
import tempfile
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from bot import export
from bot.ask_views import counts_text
from bot.certificate import CODE_SHOWN, verification_text
from bot.content import Bank
from bot.cycle import CyclePolicy
from bot.feedback import CHAT_COMMENT_LENGTH, CHAT_COMMENTS, feedback_text
from bot.items import COLUMNS as ITEM_COLUMNS
from bot.items import DEFAULT_MIN_ATTEMPTS, Item, analyse
from bot.items import row as item_row
from bot.locales import count, parse_date, t
from bot.replies import File, Outcome, Reply
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
from bot.store import Store
from bot.store.items import ItemFilters
from bot.store.records import Filters, RecordStore

ALL = None  # the scope of a coordinator who sees every department


def item_analysis(store: Store, bank: Bank, filters: ItemFilters, min_attempts: int) -> list[Item]:
    """Every question answered in a first attempt within the filters, with its figures and flags."""
    return [analyse(sums, bank, min_attempts) for sums in store.item_sums(filters)]


class NotPermitted(Exception):
    """The user is not a coordinator."""


@dataclass(frozen=True)
class Request:
    """One coordinator command as the conversation hands it over."""

    lang: str
    today: date
    scope: tuple[str, ...] | None
    args: str = ""


def _period(args: str) -> tuple[date | None, date | None]:
    """The dates after /export: none, a start, or a start and an end (29.11.2026 or ISO); ValueError otherwise."""
    parts = args.split()
    if len(parts) > 2:
        raise ValueError(args)
    days: list[date | None] = [parse_date(part) for part in parts]
    return tuple((days + [None, None])[:2])


def _csv_file(name: str, columns: tuple[str, ...], rows: Iterable[tuple], caption: str) -> File:
    """A small table as a CSV document (UTF-8 with BOM, so Excel shows Cyrillic right)."""
    buffer = io.StringIO(newline="")
    export.write_table(columns, rows, buffer)
    return File(name, buffer.getvalue().encode("utf-8-sig"), caption)


@dataclass(frozen=True)
class Coordination:
    store: Store
    bank: Bank
    env_ids: frozenset[int]
    policy: CyclePolicy
    item_min_attempts: int = DEFAULT_MIN_ATTEMPTS

    def ids(self) -> set[int]:
        return set(self.env_ids) | set(self.store.coordinators())

    def scope(self, telegram_id: int) -> tuple[str, ...] | None:
        """The departments the coordinator sees (None: all); NotPermitted for anyone else."""
        if telegram_id in self.env_ids:
            return ALL
        coordinators = self.store.coordinators()
        if telegram_id not in coordinators:
            raise NotPermitted(telegram_id)
        return coordinators[telegram_id]

    async def report(self, request: Request) -> Outcome:
        """/report: per department and module, as text (or a CSV when long) and a chart."""
        reports = self.store.department_reports(
            request.today, self.policy.window_days, request.scope, frozenset(self.ids())
        )
        text = report_text(reports, self.bank, request.lang, self.policy.window_days)
        text += "\n\n" + counts_text(request.lang, self.store.question_counts(request.scope))
        rows = list(report_rows(reports, self.bank))
        table = _csv_file("report.csv", REPORT_COLUMNS, rows, t(request.lang, "list_as_file", rows=len(rows)))
        title = chart_title(reports, request.lang)
        chart = File("completion.png", completion_chart(reports, title), title, is_photo=True) if reports else None
        ratings = self.store.module_ratings(request.scope, CHAT_COMMENTS)
        feedback = [Reply(feedback_text(ratings, self.bank, request.lang, CHAT_COMMENT_LENGTH))] if ratings else []
        return Outcome([Reply(text, overflow=table if reports else None), *feedback], files=[chart] if chart else [])

    async def overdue(self, request: Request) -> Outcome:
        """/overdue: every overdue servant, reachable or not, grouped by department."""
        servants = self.store.overdue(request.today, request.scope, frozenset(self.ids()))
        table = _csv_file(
            "overdue.csv", OVERDUE_COLUMNS, overdue_rows(servants), t(request.lang, "list_as_file", rows=len(servants))
        )
        return Outcome([Reply(overdue_text(servants, request.lang), overflow=table if servants else None)])

    async def verify(self, request: Request) -> Outcome:
        """/verify CODE: whether a certificate's code is genuine and what it certifies."""
        code = request.args.strip()[:CODE_SHOWN]
        if not code:
            return Outcome([Reply(t(request.lang, "verify_usage"))])
        return Outcome([Reply(verification_text(self.store.certificate(code), code, self.bank, request.lang))])

    async def items(self, request: Request) -> Outcome:
        """/items: the item analysis of the coordinator's departments as a CSV document."""
        items = item_analysis(self.store, self.bank, ItemFilters(departments=request.scope), self.item_min_attempts)
        caption = t(request.lang, "items_done", count=len(items))
        return Outcome(files=[_csv_file("items.csv", ITEM_COLUMNS, map(item_row, items), caption)])

    async def export(self, request: Request) -> Outcome:
        """/export [since [until]]: the completion log as a CSV document, written off the event loop."""
        try:
            since, until = _period(request.args)
        except ValueError:
            return Outcome([Reply(t(request.lang, "export_usage"))])
        filters = Filters(since, until, request.scope)
        path, rows = await asyncio.to_thread(self.export_file, filters)
        name = "completions" + "".join(f"_{d.isoformat()}" for d in (since, until) if d) + ".csv"
        options = ([f"--since {since}"] if since else []) + ([f"--until {until}"] if until else [])
        options += [f'--department "{d}"' for d in request.scope or ()]
        command = " ".join(["python -m bot export", *options, f"--output {name}"])
        return Outcome(
            files=[
                File(
                    name,
                    caption=t(request.lang, "export_done", rows=count(request.lang, "row", rows)),
                    path=path,
                    oversize_note=t(request.lang, "export_too_big", command=command),
                )
            ]
        )

    def export_file(self, filters: Filters) -> tuple[Path, int]:
        """The completion log streamed to a temporary CSV file (owner-only) through a connection of
        its own, since it runs in a worker thread; the caller removes the file."""
        handle, name = tempfile.mkstemp(prefix="completions-", suffix=".csv")
        reader = RecordStore(self.store.path)
        try:
            with os.fdopen(handle, "w", encoding="utf-8-sig", newline="") as out:
                rows = export.write(reader.completion_log(filters), "completions", "csv", out)
        except BaseException:
            os.unlink(name)
            raise
        finally:
            reader.close()
        return Path(name), rows


@dataclass(frozen=True)
class CoordinatorCommand:
    """A coordinator's slash command: its name, what runs it, and its line in /help and the menu."""

    name: str
    handler: Callable[[Coordination, Request], Awaitable[Outcome]]
    help_key: str


COMMAND_TABLE: tuple[CoordinatorCommand, ...] = (
    CoordinatorCommand("report", Coordination.report, "cmd_report"),
    CoordinatorCommand("overdue", Coordination.overdue, "cmd_overdue"),
    CoordinatorCommand("export", Coordination.export, "cmd_export"),
    CoordinatorCommand("items", Coordination.items, "cmd_items"),
    CoordinatorCommand("verify", Coordination.verify, "cmd_verify"),
)
COORDINATOR_COMMANDS = tuple(command.name for command in COMMAND_TABLE)


def coordinator_command(name: str) -> CoordinatorCommand:
    """The table's entry for `name`; KeyError for any other name."""
    return {command.name: command for command in COMMAND_TABLE}[name]
