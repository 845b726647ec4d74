"""Users, quiz attempts, answers, completions and the review schedule."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from bot.quiz import Plan
from bot.review import next_review
from bot.store.base import Connection, iso

IN_PROGRESS, COMPLETED = "in_progress", "completed"


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


class QuizStore(Connection):
    # users -------------------------------------------------------------------------------

    def touch_user(self, telegram_id: int, first_name: str | None, now: datetime) -> None:
        """Create the user on first contact; keep the name and last-seen time current. Whoever writes
        can be reached again."""
        self.db.execute(
            "INSERT INTO users (telegram_id, first_name, created_at, last_seen_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(telegram_id) DO UPDATE SET first_name = excluded.first_name, "
            "last_seen_at = excluded.last_seen_at, unreachable_since = NULL",
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
        answers = dict(
            self.db.execute(
                "SELECT question_id, CAST(option AS INTEGER) FROM answers WHERE session_id = ?", [row[0]]
            ).fetchall()
        )
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

    def show_question(self, telegram_id: int, session_id: int, position: int) -> None:
        """Remember the question just put on the servant's screen, for typed answers."""
        self.db.execute(
            "UPDATE users SET shown_session_id = ?, shown_position = ? WHERE telegram_id = ?",
            [session_id, position, telegram_id],
        )

    def question_on_screen(self, telegram_id: int) -> tuple[Session, int] | None:
        """The open attempt whose question the servant was shown last, and that question's position;
        None when that attempt is finished. Before any was recorded (a database from an earlier
        release): the latest open attempt at its current question."""
        row = self.db.execute(
            "SELECT shown_session_id, shown_position FROM users WHERE telegram_id = ?", [telegram_id]
        ).fetchone()
        if row is None or row[0] is None:
            session = self.open_session(telegram_id)
            return None if session is None else (session, session.position)
        session = self._session("id = ? AND telegram_id = ? AND status = ?", [row[0], telegram_id, IN_PROGRESS])
        return None if session is None else (session, row[1])

    def start_session(self, telegram_id: int, module_id: str, track: str, plan: Plan, now: datetime) -> Session:
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

    def record_answer(
        self,
        session_id: int,
        position: int,
        question_id: str,
        cite: str,
        option: int,
        correct: bool,
        now: datetime,
        language: str | None = None,
    ) -> bool:
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
                "option, correct, answered_at, language) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [session_id, row[0], row[1], question_id, cite, str(option), int(correct), iso(now), language],
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
            self.db.execute("DELETE FROM reviews WHERE telegram_id = ? AND question_id = ?", [telegram_id, question_id])
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
        return [
            qid
            for (qid,) in self.db.execute(
                "SELECT question_id FROM reviews WHERE telegram_id = ? AND due_at <= ? ORDER BY due_at, question_id",
                [telegram_id, iso(now)],
            ).fetchall()
        ]

    def advance(self, session_id: int, position: int, now: datetime) -> bool:
        """Move from `position` to the next question; False if that already happened."""
        cursor = self.db.execute(
            "UPDATE quiz_sessions SET position = position + 1, updated_at = ? "
            "WHERE id = ? AND status = ? AND position = ?",
            [iso(now), session_id, IN_PROGRESS, position],
        )
        return cursor.rowcount == 1

    def complete(
        self, session_id: int, score: int, max_score: int, passed: bool, now: datetime, log: bool = True
    ) -> bool:
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
                module_id,
                previous.best_score,
                previous.max_score,
                previous.passed_at,
                previous.last_completed_at,
                in_progress=True,
            )
        return results
