"""Coordinators' records: completion and answer logs streamed for export, and department reports."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta

from bot.store.base import Connection
from bot.xapi import ANSWER_FIELDS, COMPLETION_FIELDS

COMPLETION_COLUMNS = (
    "employee_id",
    "full_name",
    "department",
    "telegram_id",
    "module_id",
    "track",
    "started_at",
    "completed_at",
    "score",
    "max_score",
    "passed",
    "cycle_due",
    "telegram_first_name",
)  # full_name is the roster's; the name chosen on Telegram comes last
ANSWER_COLUMNS = ("employee_id", "telegram_id", "module_id", "question_id", "cite", "option", "correct", "answered_at")
NO_DEPARTMENT = "—"


@dataclass(frozen=True)
class Filters:
    """Which rows an export or report covers; `departments=None` means every department."""

    since: date | None = None
    until: date | None = None
    departments: tuple[str, ...] | None = None
    module: str | None = None


@dataclass
class DepartmentReport:
    """One department's figures for /report."""

    department: str
    enrolled: int
    current: int
    overdue: int
    due_soon: int
    unreachable: int = 0  # blocked the bot: still counted, and shown
    self_registered: int = 0  # wrote to the bot but are not on the roster
    modules: dict[str, tuple[int, int, float | None]] = field(default_factory=dict)  # completed, passed, avg %


@dataclass(frozen=True)
class Servant:
    """A servant overdue or due soon, as coordinators' lists show them."""

    employee_id: str | None
    name: str
    department: str
    telegram_id: int | None
    due_on: str
    days_left: int
    unreachable_since: str | None
    on_roster: bool


class RecordStore(Connection):
    @staticmethod
    def _where(filters: Filters, moment: str) -> tuple[str, list[object]]:
        clauses, params = [], []
        if filters.since:
            clauses.append(f"{moment} >= ?")
            params.append(filters.since.isoformat())
        if filters.until:
            clauses.append(f"{moment} < ?")
            params.append((filters.until + timedelta(days=1)).isoformat())
        if filters.departments is not None:
            clauses.append(f"department IN ({', '.join('?' * len(filters.departments))})")
            params += list(filters.departments)
        if filters.module:
            clauses.append("module_id = ?")
            params.append(filters.module)
        return (" WHERE " + " AND ".join(clauses)) if clauses else "", params

    def _stream(self, view: str, columns: tuple[str, ...], moment: str, filters: Filters) -> Iterator[tuple]:
        where, params = self._where(filters, moment)
        yield from self.db.conn.execute(f"SELECT {', '.join(columns)} FROM {view}{where} ORDER BY {moment}", params)

    def count(self, what: str, filters: Filters) -> int:
        view, moment = (
            ("answers_report", "answered_at") if what == "answers" else ("completions_report", "completed_at")
        )
        where, params = self._where(filters, moment)
        return self.db.execute(f"SELECT COUNT(*) FROM {view}{where}", params).fetchone()[0]

    def completion_log(self, filters: Filters) -> Iterator[tuple]:
        """Completions, oldest first, one row at a time (constant memory whatever the size)."""
        return self._stream("completions_report", COMPLETION_COLUMNS, "completed_at", filters)

    def answer_log(self, filters: Filters) -> Iterator[tuple]:
        """Answers, oldest first, one row at a time."""
        return self._stream("answers_report", ANSWER_COLUMNS, "answered_at", filters)

    def statement_rows(self, what: str, filters: Filters) -> Iterator[tuple]:
        """The completion (or answer) log with what xAPI statements need besides the contract's columns:
        row ids for the statement ids, the attempt's times and the language."""
        if what == "answers":
            return self._stream("answers_report", ANSWER_FIELDS, "answered_at", filters)
        return self._stream("completions_report", COMPLETION_FIELDS, "completed_at", filters)

    def installation_id(self) -> uuid.UUID:
        """This installation's own random id (made by the schema migration that added it)."""
        return uuid.UUID(self.db.execute("SELECT id FROM installation").fetchone()[0])

    def department_reports(
        self,
        today: date,
        window_days: int,
        departments: tuple[str, ...] | None,
        not_servants: frozenset[int] = frozenset(),
    ) -> list[DepartmentReport]:
        """Per department: servants enrolled, current, overdue, due within the window, unreachable and
        self-registered; per module completed, passed, average."""
        scope, in_scope = self._scope(departments, not_servants)
        params: list[object] = [
            today.isoformat(),
            today.isoformat(),
            today.isoformat(),
            (today + timedelta(days=window_days)).isoformat(),
            *in_scope,
        ]
        reports = {
            row[0]: DepartmentReport(row[0], row[1], *(n or 0 for n in row[2:]))
            for row in self.db.execute(
                f"SELECT COALESCE(department, '{NO_DEPARTMENT}') AS dept, COUNT(*), SUM(due_on >= ?), SUM(due_on < ?), "
                "SUM(due_on >= ? AND due_on <= ?), SUM(unreachable_since IS NOT NULL), SUM(on_roster = 0) "
                f"FROM servant_status WHERE active = 1{scope} GROUP BY dept ORDER BY dept",
                params,
            ).fetchall()
        }
        for dept, module, completed, passed, average in self.db.execute(
            f"SELECT COALESCE(s.department, '{NO_DEPARTMENT}') AS dept, c.module_id, COUNT(DISTINCT c.telegram_id), "
            "COUNT(DISTINCT CASE WHEN c.passed THEN c.telegram_id END), AVG(100.0 * c.score / c.max_score) "
            "FROM completions AS c JOIN servant_status AS s ON s.telegram_id = c.telegram_id "
            "WHERE s.active = 1 GROUP BY dept, c.module_id"
        ).fetchall():
            if dept in reports:
                reports[dept].modules[module] = (completed, passed, average)
        return list(reports.values())

    def servants_due(
        self, today: date, until: date, departments: tuple[str, ...] | None, not_servants: frozenset[int] = frozenset()
    ) -> list[Servant]:
        """Servants (members, reachable or not) due on or before `until`, longest overdue first."""
        scope, params = self._scope(departments, not_servants)
        rows = self.db.execute(
            f"SELECT employee_id, COALESCE(full_name, CAST(telegram_id AS TEXT)), COALESCE(department, '{NO_DEPARTMENT}'), "
            "telegram_id, due_on, CAST(julianday(due_on) - julianday(?) AS INTEGER), unreachable_since, on_roster "
            f"FROM servant_status WHERE active = 1 AND due_on <= ?{scope} ORDER BY due_on, department, full_name",
            [today.isoformat(), until.isoformat(), *params],
        ).fetchall()
        return [Servant(*row[:7], bool(row[7])) for row in rows]

    def standing(
        self,
        today: date,
        window_days: int,
        departments: tuple[str, ...] | None,
        not_servants: frozenset[int] = frozenset(),
    ) -> list[Servant]:
        """Servants overdue or due within the window."""
        return self.servants_due(today, today + timedelta(days=window_days), departments, not_servants)

    def overdue(
        self, today: date, departments: tuple[str, ...] | None, not_servants: frozenset[int] = frozenset()
    ) -> list[Servant]:
        """Servants past their due date."""
        return self.servants_due(today, today - timedelta(days=1), departments, not_servants)

    @staticmethod
    def _scope(departments: tuple[str, ...] | None, not_servants: frozenset[int]) -> tuple[str, list[object]]:
        """The departments' condition, and coordinators who are not on the roster left out."""
        clause, params = "", []
        if departments is not None:
            clause = f" AND COALESCE(department, '{NO_DEPARTMENT}') IN ({', '.join('?' * len(departments))})"
            params = list(departments)
        if not_servants:
            clause += f" AND NOT (on_roster = 0 AND telegram_id IN ({', '.join('?' * len(not_servants))}))"
            params += sorted(not_servants)
        return clause, params
