"""The roster of employees, one-time invite codes that link a Telegram account, and coordinators."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

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


@dataclass(frozen=True)
class Invite:
    code: str
    expires_at: str


class InviteRefused(Exception):
    """A code that links nothing: `reason` is INVALID (unknown, used or revoked), EXPIRED, or
    LINKED (this Telegram account already belongs to `linked_to`)."""

    def __init__(self, reason: str, linked_to: Employee | None = None):
        super().__init__(reason)
        self.reason, self.linked_to = reason, linked_to


INVALID, EXPIRED, LINKED = "invalid", "expired", "linked"


class RosterStore(Connection):
    def upsert_employees(self, employees: Iterable[Employee], now: datetime) -> tuple[int, int]:
        """Insert or update by employee_id in one transaction; (inserted, updated). Links are kept."""
        inserted = updated = 0
        with self.transaction():
            for employee in employees:
                values = [getattr(employee, column) for column in ROSTER_COLUMNS]
                cursor = self.db.execute(
                    f"UPDATE employees SET {', '.join(f'{c} = ?' for c in ROSTER_COLUMNS[1:])}, updated_at = ? "
                    "WHERE employee_id = ?",
                    [*values[1:], iso(now), employee.employee_id],
                )
                if cursor.rowcount:
                    updated += 1
                    continue
                self.db.execute(
                    f"INSERT INTO employees ({', '.join(ROSTER_COLUMNS)}, imported_at, updated_at) "
                    f"VALUES ({', '.join('?' * len(ROSTER_COLUMNS))}, ?, ?)",
                    [*values, iso(now), iso(now)],
                )
                inserted += 1
        return inserted, updated

    def employees(self, department: str | None = None) -> list[Employee]:
        where, params = ("WHERE department = ?", [department]) if department else ("", [])
        rows = self.db.execute(
            f"SELECT {', '.join(ROSTER_COLUMNS)}, telegram_id FROM employees {where} ORDER BY department, employee_id",
            params,
        ).fetchall()
        return [Employee(*row) for row in rows]

    def employee_of(self, telegram_id: int) -> Employee | None:
        row = self.db.execute(
            f"SELECT {', '.join(ROSTER_COLUMNS)}, telegram_id FROM employees WHERE telegram_id = ?", [telegram_id]
        ).fetchone()
        return Employee(*row) if row else None

    # invites ------------------------------------------------------------------------------

    def invite(self, employee_id: str, now: datetime, valid_days: int, reissue: bool = False) -> Invite:
        """The employee's open, unexpired invite code, or a new one valid for `valid_days` (always new
        with `reissue`, revoking the old).

        Codes are 96 random bits, so nobody can claim another's record by guessing."""
        with self.transaction():
            if reissue:
                self._revoke(employee_id, now)
            row = self.db.execute(
                "SELECT code, expires_at FROM invites WHERE employee_id = ? AND used_at IS NULL "
                "AND revoked_at IS NULL AND expires_at > ? ORDER BY expires_at DESC",
                [employee_id, iso(now)],
            ).fetchone()
            if row:
                return Invite(*row)
            invite = Invite(secrets.token_urlsafe(12), iso(now + timedelta(days=valid_days)))
            self.db.execute(
                "INSERT INTO invites (code, employee_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
                [invite.code, employee_id, iso(now), invite.expires_at],
            )
            return invite

    def _revoke(self, employee_id: str, now: datetime) -> int:
        return self.db.execute(
            "UPDATE invites SET revoked_at = ? WHERE employee_id = ? AND used_at IS NULL AND revoked_at IS NULL",
            [iso(now), employee_id],
        ).rowcount

    def revoke_invites(self, employee_id: str, now: datetime) -> int:
        """Revoke the employee's open codes; how many were open."""
        with self.transaction():
            return self._revoke(employee_id, now)

    def claim_invite(self, code: str, telegram_id: int, now: datetime) -> Employee:
        """Link the Telegram account to the code's employee, once; InviteRefused for a used, revoked,
        unknown or expired code, or an account already linked to another employee."""
        with self.transaction():
            row = self.db.execute(
                "SELECT employee_id, expires_at FROM invites WHERE code = ? AND used_at IS NULL AND revoked_at IS NULL",
                [code],
            ).fetchone()
            if row is None:
                raise InviteRefused(INVALID)
            if row[1] <= iso(now):
                raise InviteRefused(EXPIRED)
            linked = self.employee_of(telegram_id)
            if linked is not None and linked.employee_id != row[0]:
                raise InviteRefused(LINKED, linked)
            self.db.execute(
                "UPDATE employees SET telegram_id = ?, updated_at = ? WHERE employee_id = ?",
                [telegram_id, iso(now), row[0]],
            )
            self.db.execute("UPDATE invites SET used_at = ?, used_by = ? WHERE code = ?", [iso(now), telegram_id, code])
        return self.employee_of(telegram_id)

    # coordinators ----------------------------------------------------------------------------

    def add_coordinator(
        self, telegram_id: int, departments: list[str], now: datetime, note: str = "", all_departments: bool = False
    ) -> None:
        """A coordinator of `departments`, or of every department with `all_departments`."""
        if not all_departments and not all(d.strip() for d in departments or [""]):
            raise ValueError("a coordinator needs named departments or all_departments")
        self.db.execute(
            "INSERT INTO coordinators (telegram_id, departments, all_departments, added_at, note) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT(telegram_id) DO UPDATE SET departments = excluded.departments, "
            "all_departments = excluded.all_departments, note = excluded.note",
            [telegram_id, "" if all_departments else "\n".join(departments), int(all_departments), iso(now), note],
        )

    def remove_coordinator(self, telegram_id: int) -> bool:
        return self.db.execute("DELETE FROM coordinators WHERE telegram_id = ?", [telegram_id]).rowcount == 1

    def coordinators(self) -> dict[int, tuple[str, ...] | None]:
        """Coordinators from the database: telegram id -> departments (None: every department)."""
        return {
            tid: None if every else tuple(filter(None, (deps or "").split("\n")))
            for tid, deps, every in self.db.execute(
                "SELECT telegram_id, departments, all_departments FROM coordinators"
            ).fetchall()
        }
