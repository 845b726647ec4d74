"""The roster of employees, one-time invite codes that link a Telegram account, and coordinators."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from bot.store.base import Connection, iso

ROSTER_COLUMNS = ("employee_id", "full_name", "department", "position", "hire_date", "last_training_date")


@dataclass(frozen=True)
class Employee:
    employee_id: str
    full_name: str
    department: str
    position: str
    hire_date: str | None
    last_training_date: str | None
    telegram_id: int | None = None


class RosterStore(Connection):
    def upsert_employees(self, employees: Iterable[Employee], now: datetime) -> tuple[int, int]:
        """Insert or update by employee_id in one transaction; (inserted, updated). Links are kept."""
        inserted = updated = 0
        with self.transaction():
            for employee in employees:
                values = [getattr(employee, column) for column in ROSTER_COLUMNS]
                cursor = self.db.execute(
                    f"UPDATE employees SET {', '.join(f'{c} = ?' for c in ROSTER_COLUMNS[1:])}, updated_at = ? "
                    "WHERE employee_id = ?", [*values[1:], iso(now), employee.employee_id])
                if cursor.rowcount:
                    updated += 1
                    continue
                self.db.execute(
                    f"INSERT INTO employees ({', '.join(ROSTER_COLUMNS)}, imported_at, updated_at) "
                    f"VALUES ({', '.join('?' * len(ROSTER_COLUMNS))}, ?, ?)", [*values, iso(now), iso(now)])
                inserted += 1
        return inserted, updated

    def employees(self, department: str | None = None) -> list[Employee]:
        where, params = ("WHERE department = ?", [department]) if department else ("", [])
        rows = self.db.execute(f"SELECT {', '.join(ROSTER_COLUMNS)}, telegram_id FROM employees {where} "
                               "ORDER BY department, employee_id", params).fetchall()
        return [Employee(*row) for row in rows]

    def employee_of(self, telegram_id: int) -> Employee | None:
        row = self.db.execute(f"SELECT {', '.join(ROSTER_COLUMNS)}, telegram_id FROM employees WHERE telegram_id = ?",
                              [telegram_id]).fetchone()
        return Employee(*row) if row else None

    # invites ------------------------------------------------------------------------------

    def invite(self, employee_id: str, now: datetime, reissue: bool = False) -> str:
        """The employee's open invite code, or a new one (always new with `reissue`, revoking the old).

        Codes are 96 random bits, so nobody can claim another's record by guessing."""
        with self.transaction():
            if reissue:
                self._revoke(employee_id, now)
            row = self.db.execute("SELECT code FROM invites WHERE employee_id = ? AND used_at IS NULL "
                                  "AND revoked_at IS NULL", [employee_id]).fetchone()
            if row:
                return row[0]
            code = secrets.token_urlsafe(12)
            self.db.execute("INSERT INTO invites (code, employee_id, created_at) VALUES (?, ?, ?)",
                            [code, employee_id, iso(now)])
            return code

    def _revoke(self, employee_id: str, now: datetime) -> int:
        return self.db.execute("UPDATE invites SET revoked_at = ? WHERE employee_id = ? AND used_at IS NULL "
                               "AND revoked_at IS NULL", [iso(now), employee_id]).rowcount

    def revoke_invites(self, employee_id: str, now: datetime) -> int:
        """Revoke the employee's open codes; how many were open."""
        with self.transaction():
            return self._revoke(employee_id, now)

    def claim_invite(self, code: str, telegram_id: int, now: datetime) -> Employee | None:
        """Link the Telegram account to the code's employee, once; None for a used, revoked or unknown code."""
        with self.transaction():
            row = self.db.execute("SELECT employee_id FROM invites WHERE code = ? AND used_at IS NULL "
                                  "AND revoked_at IS NULL", [code]).fetchone()
            if row is None:
                return None
            self.db.execute("UPDATE employees SET telegram_id = NULL WHERE telegram_id = ?", [telegram_id])
            self.db.execute("UPDATE employees SET telegram_id = ?, updated_at = ? WHERE employee_id = ?",
                            [telegram_id, iso(now), row[0]])
            self.db.execute("UPDATE invites SET used_at = ?, used_by = ? WHERE code = ?", [iso(now), telegram_id, code])
        return self.employee_of(telegram_id)

    # coordinators ----------------------------------------------------------------------------

    def add_coordinator(self, telegram_id: int, departments: list[str], now: datetime, note: str = "") -> None:
        """A coordinator limited to `departments` (all when empty)."""
        self.db.execute(
            "INSERT INTO coordinators (telegram_id, departments, added_at, note) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(telegram_id) DO UPDATE SET departments = excluded.departments, note = excluded.note",
            [telegram_id, "\n".join(departments), iso(now), note])

    def remove_coordinator(self, telegram_id: int) -> bool:
        return self.db.execute("DELETE FROM coordinators WHERE telegram_id = ?", [telegram_id]).rowcount == 1

    def coordinators(self) -> dict[int, tuple[str, ...]]:
        """Coordinators from the database: telegram id -> departments (empty: all)."""
        return {tid: tuple(filter(None, (deps or "").split("\n")))
                for tid, deps in self.db.execute("SELECT telegram_id, departments FROM coordinators").fetchall()}
