"""The only module that speaks SQL: schema, and every read and write of the bot's state.

The schema is meant to be read by coordinators with `sqlite-utils` or Datasette, so tables and
columns say what they hold and timestamps are ISO 8601 text in UTC.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import sqlite_utils

from bot.cycle import CyclePolicy, Dates, ReminderPolicy, servant_dates
from bot.quiz import Plan
from bot.review import next_review

IN_PROGRESS, COMPLETED = "in_progress", "completed"
SENDING, SENT, BLOCKED = "sending", "sent", "blocked"
STALE_CLAIM = timedelta(hours=1)  # a claim this old belongs to a sweep that died mid-send


def iso(moment: datetime) -> str:
    """A timestamp as stored: ISO 8601, UTC, whole seconds."""
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds")


@dataclass(frozen=True)
class Session:
    id: int
    telegram_id: int
    module_id: str
    plan: Plan
    position: int
    status: str
    answers: dict[str, int]


@dataclass(frozen=True)
class ModuleResult:
    """A servant's standing in one module, for menus and /progress."""

    module_id: str
    best_score: int | None = None
    max_score: int | None = None
    passed_at: str | None = None
    last_completed_at: str | None = None
    in_progress: bool = False


@dataclass(frozen=True)
class DueReminder:
    """One reminder a sweep should send: to whom, for which deadline and stage."""

    telegram_id: int
    kind: str  # "cycle", "onboarding" or "digest"
    due_on: str
    stage: str
    language: str | None


class Store:
    """The bot's SQLite database (WAL mode), opened once per process."""

    def __init__(self, path: Path | str):
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False, timeout=30)
        self.db = sqlite_utils.Database(conn)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA foreign_keys=ON")
        self._create_schema()

    def close(self) -> None:
        self.db.conn.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """BEGIN IMMEDIATE … COMMIT, rolled back on any error."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def _create_schema(self) -> None:
        db = self.db
        db["users"].create({
            "telegram_id": int, "first_name": str, "language": str, "created_at": str,
            "last_seen_at": str, "hire_date": str, "time_zone": str, "active": int, "blocked_at": str,
        }, pk="telegram_id", defaults={"active": 1, "time_zone": "Asia/Almaty"}, if_not_exists=True)
        db["trainings"].create({
            "id": int, "telegram_id": int, "completed_on": str, "note": str, "recorded_at": str,
        }, pk="id", foreign_keys=[("telegram_id", "users")], if_not_exists=True)
        db["cycles"].create({
            "telegram_id": int, "completed_on": str, "due_on": str, "onboarding_due_on": str, "updated_at": str,
        }, pk="telegram_id", foreign_keys=[("telegram_id", "users")], if_not_exists=True)
        db["reminders"].create({
            "id": int, "telegram_id": int, "kind": str, "due_on": str, "stage": str, "status": str,
            "claimed_at": str, "sent_at": str,
        }, pk="id", if_not_exists=True)
        db["cycles"].create_index(["due_on"], if_not_exists=True)
        db["cycles"].create_index(["onboarding_due_on"], if_not_exists=True)
        db["reminders"].create_index(["telegram_id", "kind", "due_on", "stage"], unique=True, if_not_exists=True)
        db["quiz_sessions"].create({
            "id": int, "telegram_id": int, "module_id": str, "track": str, "plan": str,
            "position": int, "status": str, "started_at": str, "updated_at": str,
            "completed_at": str, "score": int, "max_score": int, "passed": int,
        }, pk="id", foreign_keys=[("telegram_id", "users")], if_not_exists=True)
        db["answers"].create({
            "id": int, "session_id": int, "telegram_id": int, "module_id": str,
            "question_id": str, "cite": str, "option": str, "correct": int, "answered_at": str,
        }, pk="id", foreign_keys=[("session_id", "quiz_sessions"), ("telegram_id", "users")],
            if_not_exists=True)
        db["completions"].create({
            "id": int, "session_id": int, "telegram_id": int, "module_id": str, "track": str,
            "score": int, "max_score": int, "passed": int, "started_at": str, "completed_at": str,
        }, pk="id", foreign_keys=[("session_id", "quiz_sessions"), ("telegram_id", "users")],
            if_not_exists=True)
        db["reviews"].create({
            "telegram_id": int, "question_id": str, "box": int, "due_at": str,
            "mistakes": int, "updated_at": str,
        }, pk=("telegram_id", "question_id"), foreign_keys=[("telegram_id", "users")], if_not_exists=True)
        db["reviews"].create_index(["telegram_id", "due_at"], if_not_exists=True)
        db["quiz_sessions"].create_index(["telegram_id", "status"], if_not_exists=True)
        db["answers"].create_index(["session_id", "question_id"], unique=True, if_not_exists=True)
        db["completions"].create_index(["session_id"], unique=True, if_not_exists=True)
        db["completions"].create_index(["telegram_id", "module_id"], if_not_exists=True)

    # users -------------------------------------------------------------------------------

    def touch_user(self, telegram_id: int, first_name: str | None, now: datetime) -> None:
        """Create the user on first contact; keep the name and last-seen time current."""
        self.db.execute(
            "INSERT INTO users (telegram_id, first_name, created_at, last_seen_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(telegram_id) DO UPDATE SET first_name = excluded.first_name, "
            "last_seen_at = excluded.last_seen_at",
            [telegram_id, first_name, iso(now), iso(now)],
        )

    def language(self, telegram_id: int) -> str | None:
        row = self.db.execute("SELECT language FROM users WHERE telegram_id = ?", [telegram_id]).fetchone()
        return row[0] if row else None

    def set_language(self, telegram_id: int, language: str) -> None:
        self.db.execute("UPDATE users SET language = ? WHERE telegram_id = ?", [language, telegram_id])

    # quiz sessions -----------------------------------------------------------------------

    def _session(self, where: str, params: list[object]) -> Session | None:
        row = self.db.execute(
            f"SELECT id, telegram_id, module_id, plan, position, status FROM quiz_sessions WHERE {where}",
            params,
        ).fetchone()
        if row is None:
            return None
        answers = dict(self.db.execute(
            "SELECT question_id, CAST(option AS INTEGER) FROM answers WHERE session_id = ?", [row[0]]
        ).fetchall())
        return Session(row[0], row[1], row[2], Plan.from_json(json.loads(row[3])), row[4], row[5], answers)

    def session(self, session_id: int) -> Session | None:
        return self._session("id = ?", [session_id])

    def open_session(self, telegram_id: int, module_id: str | None = None) -> Session | None:
        """The servant's unfinished attempt (at `module_id`, or their latest at any module)."""
        where = "telegram_id = ? AND status = ?"
        params: list[object] = [telegram_id, IN_PROGRESS]
        if module_id is not None:
            where += " AND module_id = ?"
            params.append(module_id)
        return self._session(where + " ORDER BY updated_at DESC, id DESC LIMIT 1", params)

    def start_session(self, telegram_id: int, module_id: str, track: str, plan: Plan,
                      now: datetime) -> Session:
        """Begin an attempt, or return the unfinished one at the same module."""
        with self.transaction():
            existing = self.open_session(telegram_id, module_id)
            if existing:
                return existing
            session_id = self.db.execute(
                "INSERT INTO quiz_sessions (telegram_id, module_id, track, plan, position, status, "
                "started_at, updated_at) VALUES (?, ?, ?, ?, 0, ?, ?, ?)",
                [telegram_id, module_id, track, json.dumps(plan.to_json()), IN_PROGRESS, iso(now), iso(now)],
            ).lastrowid
        return Session(session_id, telegram_id, module_id, plan, 0, IN_PROGRESS, {})

    def record_answer(self, session_id: int, position: int, question_id: str, cite: str,
                      option: int, correct: bool, now: datetime) -> bool:
        """Store one answer atomically; False if the attempt has moved on or it is already answered."""
        with self.transaction():
            row = self.db.execute(
                "SELECT telegram_id, module_id FROM quiz_sessions WHERE id = ? AND status = ? AND position = ?",
                [session_id, IN_PROGRESS, position],
            ).fetchone()
            if row is None:
                return False
            cursor = self.db.execute(
                "INSERT OR IGNORE INTO answers (session_id, telegram_id, module_id, question_id, cite, "
                "option, correct, answered_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [session_id, row[0], row[1], question_id, cite, str(option), int(correct), iso(now)],
            )
            if cursor.rowcount != 1:
                return False
            self.db.execute("UPDATE quiz_sessions SET updated_at = ? WHERE id = ?", [iso(now), session_id])
            self._reschedule(row[0], question_id, correct, now)
            return True

    def _reschedule(self, telegram_id: int, question_id: str, correct: bool, now: datetime) -> None:
        """Move the question through the review boxes (inside the answer's transaction)."""
        found = self.db.execute(
            "SELECT box FROM reviews WHERE telegram_id = ? AND question_id = ?", [telegram_id, question_id]
        ).fetchone()
        scheduled = next_review(found[0] if found else None, correct, now)
        if scheduled is None:
            self.db.execute("DELETE FROM reviews WHERE telegram_id = ? AND question_id = ?",
                            [telegram_id, question_id])
            return
        box, due = scheduled
        self.db.execute(
            "INSERT INTO reviews (telegram_id, question_id, box, due_at, mistakes, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(telegram_id, question_id) DO UPDATE SET "
            "box = excluded.box, due_at = excluded.due_at, updated_at = excluded.updated_at, "
            "mistakes = reviews.mistakes + excluded.mistakes",
            [telegram_id, question_id, box, iso(due), int(not correct), iso(now)],
        )

    def due_reviews(self, telegram_id: int, now: datetime) -> list[str]:
        """Question ids due for review, the longest-waiting first."""
        return [qid for (qid,) in self.db.execute(
            "SELECT question_id FROM reviews WHERE telegram_id = ? AND due_at <= ? ORDER BY due_at, question_id",
            [telegram_id, iso(now)],
        ).fetchall()]

    def advance(self, session_id: int, position: int, now: datetime) -> bool:
        """Move from `position` to the next question; False if that already happened."""
        cursor = self.db.execute(
            "UPDATE quiz_sessions SET position = position + 1, updated_at = ? "
            "WHERE id = ? AND status = ? AND position = ?",
            [iso(now), session_id, IN_PROGRESS, position],
        )
        return cursor.rowcount == 1

    def complete(self, session_id: int, score: int, max_score: int, passed: bool, now: datetime,
                 log: bool = True) -> bool:
        """Close the attempt and log the completion once (`log=False`: a review, not a module)."""
        with self.transaction():
            cursor = self.db.execute(
                "UPDATE quiz_sessions SET status = ?, completed_at = ?, updated_at = ?, score = ?, "
                "max_score = ?, passed = ? WHERE id = ? AND status = ?",
                [COMPLETED, iso(now), iso(now), score, max_score, int(passed), session_id, IN_PROGRESS],
            )
            if cursor.rowcount != 1 or not log:
                return cursor.rowcount == 1
            self.db.execute(
                "INSERT INTO completions (session_id, telegram_id, module_id, track, score, max_score, "
                "passed, started_at, completed_at) SELECT id, telegram_id, module_id, track, score, "
                "max_score, passed, started_at, completed_at FROM quiz_sessions WHERE id = ?",
                [session_id],
            )
            return True

    def results(self, telegram_id: int) -> dict[str, ModuleResult]:
        """Per module: best score, latest pass, latest completion, and whether an attempt is open."""
        results: dict[str, ModuleResult] = {}
        for module_id, best, max_score, passed_at, last in self.db.execute(
            "SELECT module_id, MAX(score), MAX(max_score), MAX(CASE WHEN passed THEN completed_at END), "
            "MAX(completed_at) FROM completions WHERE telegram_id = ? GROUP BY module_id",
            [telegram_id],
        ).fetchall():
            results[module_id] = ModuleResult(module_id, best, max_score, passed_at, last)
        for (module_id,) in self.db.execute(
            "SELECT DISTINCT module_id FROM quiz_sessions WHERE telegram_id = ? AND status = ?",
            [telegram_id, IN_PROGRESS],
        ).fetchall():
            previous = results.get(module_id, ModuleResult(module_id))
            results[module_id] = ModuleResult(
                module_id, previous.best_score, previous.max_score, previous.passed_at,
                previous.last_completed_at, in_progress=True,
            )
        return results

    # training cycle ----------------------------------------------------------------------

    def ensure_user(self, telegram_id: int, now: datetime) -> None:
        """A servant known by id before they ever wrote to the bot (set up by a coordinator)."""
        self.db.execute("INSERT OR IGNORE INTO users (telegram_id, created_at) VALUES (?, ?)",
                        [telegram_id, iso(now)])

    def record_training(self, telegram_id: int, day: date, note: str, now: datetime) -> None:
        """Training done elsewhere, recorded by a coordinator."""
        self.ensure_user(telegram_id, now)
        self.db.execute("INSERT INTO trainings (telegram_id, completed_on, note, recorded_at) VALUES (?, ?, ?, ?)",
                        [telegram_id, day.isoformat(), note, iso(now)])

    def set_hire_date(self, telegram_id: int, day: date | None) -> None:
        self.db.execute("UPDATE users SET hire_date = ? WHERE telegram_id = ?",
                        [day.isoformat() if day else None, telegram_id])

    def set_active(self, telegram_id: int, active: bool, now: datetime) -> None:
        """Deactivate (left the service, blocked the bot) or reactivate a servant."""
        self.db.execute("UPDATE users SET active = ?, blocked_at = ? WHERE telegram_id = ?",
                        [int(active), None if active else iso(now), telegram_id])

    def refresh_cycle(self, telegram_id: int, refresher: list[str], onboarding: list[str],
                      policy: CyclePolicy, now: datetime, zone: str = "Asia/Almaty") -> Dates:
        """Recompute and store the servant's cycle from passes, recorded training and hire date."""
        from zoneinfo import ZoneInfo
        local = ZoneInfo(zone)
        passes = {module: datetime.fromisoformat(at).astimezone(local).date() for module, at in self.db.execute(
            "SELECT module_id, MAX(completed_at) FROM completions WHERE telegram_id = ? AND passed GROUP BY module_id",
            [telegram_id]).fetchall()}
        trained, hired = self.db.execute(
            "SELECT (SELECT MAX(completed_on) FROM trainings WHERE telegram_id = ?), hire_date FROM users "
            "WHERE telegram_id = ?", [telegram_id, telegram_id]).fetchone()
        dates = servant_dates(passes, refresher, onboarding, trained and date.fromisoformat(trained),
                              hired and date.fromisoformat(hired), policy)
        self.db.execute(
            "INSERT INTO cycles (telegram_id, completed_on, due_on, onboarding_due_on, updated_at) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT(telegram_id) DO UPDATE SET completed_on = excluded.completed_on, due_on = excluded.due_on, "
            "onboarding_due_on = excluded.onboarding_due_on, updated_at = excluded.updated_at",
            [telegram_id, *(d and d.isoformat() for d in (dates.completed_on, dates.due_on, dates.onboarding_due_on)),
             iso(now)])
        return dates

    def cycle(self, telegram_id: int) -> Dates:
        row = self.db.execute("SELECT completed_on, due_on, onboarding_due_on FROM cycles WHERE telegram_id = ?",
                              [telegram_id]).fetchone() or (None, None, None)
        return Dates(*(value and date.fromisoformat(value) for value in row))

    # reminders ---------------------------------------------------------------------------

    @staticmethod
    def _stage_sql(policy: ReminderPolicy) -> str:
        """The SQL twin of ReminderPolicy.stage over `days_left` (a test keeps them equal)."""
        every = policy.overdue_every_days
        cases = [f"WHEN days_left < 0 AND -days_left >= {every} THEN 'w' || (-days_left / {every})"]
        cases += [f"WHEN days_left <= {d} THEN 'd{d}'" for d in sorted(policy.days_before)]
        return f"CASE {' '.join(cases)} END"

    def due_reminders(self, zone: str, today: date, policy: ReminderPolicy, now: datetime) -> list[DueReminder]:
        """Reminders due today for active servants in `zone` and not yet sent: one indexed query."""
        horizon = (today + timedelta(days=max(policy.days_before))).isoformat()
        rows = self.db.execute(f"""
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
                WHERE u.active = 1 AND COALESCE(u.time_zone, 'Asia/Almaty') = :zone
            ) AS due
            WHERE stage IS NOT NULL AND NOT EXISTS (
                SELECT 1 FROM reminders AS r WHERE r.telegram_id = due.telegram_id AND r.kind = due.kind
                AND r.due_on = due.due_on AND r.stage = due.stage
                AND NOT (r.status = '{SENDING}' AND r.claimed_at < :stale))
            ORDER BY due.due_on, due.telegram_id""",
            {"today": today.isoformat(), "horizon": horizon, "zone": zone, "stale": iso(now - STALE_CLAIM)},
        ).fetchall()
        return [DueReminder(*row) for row in rows]

    def claim_reminder(self, reminder: DueReminder, now: datetime) -> bool:
        """Take the reminder for sending; False if another sweep has it or sent it already.

        The unique index makes this safe across processes: two sweeps cannot both claim."""
        key = [reminder.telegram_id, reminder.kind, reminder.due_on, reminder.stage]
        with self.transaction():
            inserted = self.db.execute(
                "INSERT OR IGNORE INTO reminders (telegram_id, kind, due_on, stage, status, claimed_at) "
                "VALUES (?, ?, ?, ?, ?, ?)", [*key, SENDING, iso(now)]).rowcount
            if inserted:
                return True
            return self.db.execute(
                "UPDATE reminders SET claimed_at = ? WHERE telegram_id = ? AND kind = ? AND due_on = ? "
                "AND stage = ? AND status = ? AND claimed_at < ?",
                [iso(now), *key, SENDING, iso(now - STALE_CLAIM)]).rowcount == 1

    def reminder_exists(self, reminder: DueReminder, now: datetime) -> bool:
        """Whether the reminder was sent, or is being sent by a live sweep."""
        return self.db.execute(
            "SELECT 1 FROM reminders WHERE telegram_id = ? AND kind = ? AND due_on = ? AND stage = ? "
            "AND NOT (status = ? AND claimed_at < ?)",
            [reminder.telegram_id, reminder.kind, reminder.due_on, reminder.stage, SENDING,
             iso(now - STALE_CLAIM)]).fetchone() is not None

    def finish_reminder(self, reminder: DueReminder, status: str | None, now: datetime) -> None:
        """Mark the claimed reminder sent or blocked; `None` releases it for the next sweep."""
        key = [reminder.telegram_id, reminder.kind, reminder.due_on, reminder.stage]
        if status is None:
            self.db.execute("DELETE FROM reminders WHERE telegram_id = ? AND kind = ? AND due_on = ? AND stage = ? "
                            "AND status = ?", [*key, SENDING])
        else:
            self.db.execute("UPDATE reminders SET status = ?, sent_at = ? WHERE telegram_id = ? AND kind = ? "
                            "AND due_on = ? AND stage = ?", [status, iso(now), *key])

    def zones(self) -> list[str]:
        return [z for (z,) in self.db.execute(
            "SELECT DISTINCT COALESCE(time_zone, 'Asia/Almaty') FROM users WHERE active = 1").fetchall()]

    def standing(self, today: date, window_days: int) -> list[tuple[int, str | None, str, int]]:
        """Active servants overdue or due within the window: (id, name, due date, days left)."""
        horizon = (today + timedelta(days=window_days)).isoformat()
        return [row for row in self.db.execute(
            "SELECT c.telegram_id, u.first_name, c.due_on, CAST(julianday(c.due_on) - julianday(?) AS INTEGER) "
            "FROM cycles AS c JOIN users AS u ON u.telegram_id = c.telegram_id "
            "WHERE u.active = 1 AND c.due_on <= ? ORDER BY c.due_on", [today.isoformat(), horizon]).fetchall()]
