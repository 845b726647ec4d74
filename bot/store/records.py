"""Coordinators' records: completion and answer logs streamed for export, and department reports."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta

from bot.store.base import Connection
from bot.xapi import ANSWER_FIELDS, COMPLETION_FIELDS

COMPLETION_COLUMNS = ("employee_id", "full_name", "department", "telegram_id", "module_id", "track",
                      "started_at", "completed_at", "score", "max_score", "passed", "cycle_due")
ANSWER_COLUMNS = ("employee_id", "telegram_id", "module_id", "question_id", "cite", "option", "correct",
                  "answered_at")
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
    department: str
    enrolled: int
    current: int
    overdue: int
    due_soon: int
    modules: dict[str, tuple[int, int, float | None]] = field(default_factory=dict)  # completed, passed, avg %


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
        view, moment = ("answers_report", "answered_at") if what == "answers" else ("completions_report", "completed_at")
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

    def department_reports(self, today: date, window_days: int, departments: tuple[str, ...] | None) -> list[DepartmentReport]:
        """Per department: servants enrolled, overdue, due within the window; per module completed, passed, average."""
        scope, in_scope = self._scope(departments)
        params: list[object] = [today.isoformat(), today.isoformat(), today.isoformat(),
                                (today + timedelta(days=window_days)).isoformat(), *in_scope]
        reports = {row[0]: DepartmentReport(row[0], row[1], *(n or 0 for n in row[2:])) for row in self.db.execute(
            f"SELECT COALESCE(department, '{NO_DEPARTMENT}') AS dept, COUNT(*), SUM(due_on >= ?), SUM(due_on < ?), "
            f"SUM(due_on >= ? AND due_on <= ?) FROM servant_status WHERE active = 1{scope} GROUP BY dept ORDER BY dept",
            params).fetchall()}
        for dept, module, completed, passed, average in self.db.execute(
            f"SELECT COALESCE(s.department, '{NO_DEPARTMENT}') AS dept, c.module_id, COUNT(DISTINCT c.telegram_id), "
            "COUNT(DISTINCT CASE WHEN c.passed THEN c.telegram_id END), AVG(100.0 * c.score / c.max_score) "
            "FROM completions AS c JOIN servant_status AS s ON s.telegram_id = c.telegram_id "
            "WHERE s.active = 1 GROUP BY dept, c.module_id").fetchall():
            if dept in reports:
                reports[dept].modules[module] = (completed, passed, average)
        return list(reports.values())

    def standing(self, today: date, window_days: int, departments: tuple[str, ...] | None) -> list[tuple[str, str, str, int]]:
        """Active servants overdue or due within the window: (name, department, due date, days left)."""
        scope, params = self._scope(departments)
        return self.db.execute(
            f"SELECT COALESCE(full_name, CAST(telegram_id AS TEXT)), COALESCE(department, '{NO_DEPARTMENT}'), due_on, "
            f"CAST(julianday(due_on) - julianday(?) AS INTEGER) FROM servant_status WHERE active = 1 AND due_on <= ?"
            f"{scope} ORDER BY due_on", [today.isoformat(), (today + timedelta(days=window_days)).isoformat(), *params],
        ).fetchall()

    @staticmethod
    def _scope(departments: tuple[str, ...] | None) -> tuple[str, list[object]]:
        if departments is None:
            return "", []
        return (f" AND COALESCE(department, '{NO_DEPARTMENT}') IN ({', '.join('?' * len(departments))})",
                list(departments))

    def overdue(self, today: date, departments: tuple[str, ...] | None) -> list[tuple[str | None, str, str, str]]:
        """Active servants past their due date: (employee id, name, department, due date), longest overdue first."""
        scope, params = self._scope(departments)
        params = [today.isoformat(), *params]
        return self.db.execute(
            f"SELECT employee_id, COALESCE(full_name, CAST(telegram_id AS TEXT)), COALESCE(department, '{NO_DEPARTMENT}'), "
            f"due_on FROM servant_status WHERE active = 1 AND due_on < ?{scope} ORDER BY due_on", params).fetchall()
