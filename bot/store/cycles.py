"""Training cycles, training recorded elsewhere, and reminders with their at-most-once claims."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot.cycle import CyclePolicy, Dates, ReminderPolicy, servant_dates
from bot.store.base import Connection, iso

SENDING, SENT, BLOCKED = "sending", "sent", "blocked"
UNKNOWN = "unknown"  # perhaps delivered (a timeout, a sweep killed mid-send): kept, never sent again
STALE_CLAIM = timedelta(hours=1)  # a claim still 'sending' this long belongs to a sweep that died mid-send


@dataclass(frozen=True)
class DueReminder:
    """One reminder a sweep should send: to whom, for which deadline and stage."""

    telegram_id: int
    kind: str  # "cycle", "onboarding" or "digest"
    due_on: str
    stage: str
    language: str | None


class CycleStore(Connection):
    # training cycle ----------------------------------------------------------------------

    def ensure_user(self, telegram_id: int, now: datetime) -> None:
        """A servant known by id before they ever wrote to the bot (set up by a coordinator)."""
        self.db.execute("INSERT OR IGNORE INTO users (telegram_id, created_at) VALUES (?, ?)", [telegram_id, iso(now)])

    def record_training(self, telegram_id: int, day: date, note: str, now: datetime) -> None:
        """Training done elsewhere, recorded by a coordinator."""
        self.ensure_user(telegram_id, now)
        self.db.execute(
            "INSERT INTO trainings (telegram_id, completed_on, note, recorded_at) VALUES (?, ?, ?, ?)",
            [telegram_id, day.isoformat(), note, iso(now)],
        )

    def set_hire_date(self, telegram_id: int, day: date | None) -> None:
        self.db.execute(
            "UPDATE users SET hire_date = ? WHERE telegram_id = ?", [day.isoformat() if day else None, telegram_id]
        )

    def set_active(self, telegram_id: int, active: bool, now: datetime) -> None:
        """End (left the service) or restore a servant's membership; only a coordinator does this."""
        self.db.execute(
            "UPDATE users SET active = ?, blocked_at = ? WHERE telegram_id = ?",
            [int(active), None if active else iso(now), telegram_id],
        )

    def mark_unreachable(self, telegram_id: int, now: datetime) -> None:
        """Telegram refused a message (blocked the bot): they stay a servant, shown as unreachable,
        and get no reminders until they write again."""
        self.db.execute(
            "UPDATE users SET unreachable_since = COALESCE(unreachable_since, ?) WHERE telegram_id = ?",
            [iso(now), telegram_id],
        )

    def refresh_cycle(
        self, telegram_id: int, refresher: list[str], onboarding: list[str], policy: CyclePolicy, now: datetime
    ) -> Dates:
        """Recompute and store the servant's cycle from passes, recorded training and hire date."""
        passes = {
            module: policy.local_day(datetime.fromisoformat(at))
            for module, at in self.db.execute(
                "SELECT module_id, MAX(completed_at) FROM completions WHERE telegram_id = ? AND passed GROUP BY module_id",
                [telegram_id],
            ).fetchall()
        }
        trained, on_roster, hired = self.db.execute(
            "SELECT (SELECT MAX(completed_on) FROM trainings WHERE telegram_id = :id), e.last_training_date, "
            "COALESCE(u.hire_date, e.hire_date) FROM users AS u LEFT JOIN employees AS e ON e.telegram_id = u.telegram_id "
            "WHERE u.telegram_id = :id",
            {"id": telegram_id},
        ).fetchone()
        trained = max(filter(None, (trained, on_roster)), default=None)
        dates = servant_dates(
            passes,
            refresher,
            onboarding,
            trained and date.fromisoformat(trained),
            hired and date.fromisoformat(hired),
            policy,
        )
        self.db.execute(
            "INSERT INTO cycles (telegram_id, completed_on, due_on, onboarding_due_on, updated_at) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT(telegram_id) DO UPDATE SET completed_on = excluded.completed_on, due_on = excluded.due_on, "
            "onboarding_due_on = excluded.onboarding_due_on, updated_at = excluded.updated_at",
            [
                telegram_id,
                *(d and d.isoformat() for d in (dates.completed_on, dates.due_on, dates.onboarding_due_on)),
                iso(now),
            ],
        )
        return dates

    def cycle(self, telegram_id: int) -> Dates:
        row = self.db.execute(
            "SELECT completed_on, due_on, onboarding_due_on FROM cycles WHERE telegram_id = ?", [telegram_id]
        ).fetchone() or (None, None, None)
        return Dates(*(value and date.fromisoformat(value) for value in row))

    # reminders ---------------------------------------------------------------------------

    @staticmethod
    def _stage_sql(policy: ReminderPolicy) -> str:
        """The SQL twin of ReminderPolicy.stage over `days_left` (a test keeps them equal)."""
        every = policy.overdue_every_days
        cases = [f"WHEN days_left < 0 AND -days_left >= {every} THEN 'w' || (-days_left / {every})"]
        cases += [f"WHEN days_left <= {d} THEN 'd{d}'" for d in sorted(policy.days_before)]
        return f"CASE {' '.join(cases)} END"

    def due_reminders(self, today: date, policy: ReminderPolicy, now: datetime) -> list[DueReminder]:
        """Reminders due today for active, reachable servants and not yet sent: one indexed query."""
        horizon = (today + timedelta(days=max(policy.days_before))).isoformat()
        rows = self.db.execute(
            f"""
            SELECT telegram_id, kind, due_on, stage, language FROM (
                SELECT k.telegram_id, k.kind, k.due_on, u.language,
                       {self._stage_sql(policy)} AS stage
                FROM (
                    SELECT telegram_id, 'cycle' AS kind, due_on,
                           CAST(julianday(due_on) - julianday(:today) AS INTEGER) AS days_left
                    FROM cycles WHERE due_on <= :horizon
                    UNION ALL
                    SELECT telegram_id, 'onboarding', onboarding_due_on,
                           CAST(julianday(onboarding_due_on) - julianday(:today) AS INTEGER)
                    FROM cycles WHERE onboarding_due_on <= :horizon
                ) AS k JOIN users AS u ON u.telegram_id = k.telegram_id
                WHERE u.active = 1 AND u.unreachable_since IS NULL
            ) AS due
            WHERE stage IS NOT NULL AND NOT EXISTS (
                SELECT 1 FROM reminders AS r WHERE r.telegram_id = due.telegram_id AND r.kind = due.kind
                AND r.due_on = due.due_on AND r.stage = due.stage)
            ORDER BY due.due_on, due.telegram_id""",
            {"today": today.isoformat(), "horizon": horizon},
        ).fetchall()
        return [DueReminder(*row) for row in rows]

    def claim_reminder(self, reminder: DueReminder, now: datetime) -> bool:
        """Take the reminder for sending; False if it was claimed before, by any sweep, ever.

        The unique index makes this safe across processes: two sweeps cannot both claim. A claim is
        only given back when the sender knows the message was not delivered (`finish_reminder`)."""
        return (
            self.db.execute(
                "INSERT OR IGNORE INTO reminders (telegram_id, kind, due_on, stage, status, claimed_at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [reminder.telegram_id, reminder.kind, reminder.due_on, reminder.stage, SENDING, iso(now)],
            ).rowcount
            == 1
        )

    def reminder_exists(self, reminder: DueReminder) -> bool:
        """Whether the reminder was claimed: sent, refused, perhaps sent, or being sent."""
        return (
            self.db.execute(
                "SELECT 1 FROM reminders WHERE telegram_id = ? AND kind = ? AND due_on = ? AND stage = ?",
                [reminder.telegram_id, reminder.kind, reminder.due_on, reminder.stage],
            ).fetchone()
            is not None
        )

    def finish_reminder(self, reminder: DueReminder, status: str | None, now: datetime) -> None:
        """Mark the claimed reminder sent, blocked or unknown; `None` (known not delivered) releases it
        for the next sweep."""
        key = [reminder.telegram_id, reminder.kind, reminder.due_on, reminder.stage]
        if status is None:
            self.db.execute(
                "DELETE FROM reminders WHERE telegram_id = ? AND kind = ? AND due_on = ? AND stage = ? AND status = ?",
                [*key, SENDING],
            )
        else:
            self.db.execute(
                "UPDATE reminders SET status = ?, sent_at = ? WHERE telegram_id = ? AND kind = ? "
                "AND due_on = ? AND stage = ?",
                [status, iso(now), *key],
            )

    def settle_stale_claims(self, now: datetime) -> int:
        """Claims left 'sending' by a sweep that died (kill -9, power loss) may have been delivered:
        mark them unknown, never send them again; how many."""
        return self.db.execute(
            "UPDATE reminders SET status = ? WHERE status = ? AND claimed_at < ?",
            [UNKNOWN, SENDING, iso(now - STALE_CLAIM)],
        ).rowcount
