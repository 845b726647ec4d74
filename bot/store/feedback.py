"""Servants' ratings of the modules (1–5 with an optional comment), one per module attempt.

A rating belongs to a finished attempt (a quiz session) and can be changed until the servant
starts another attempt; the wait for a comment is kept here too, so it survives a restart.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from bot.store.base import iso
from bot.store.quiz import COMPLETED
from bot.store.records import Filters, RecordStore
from bot.xapi import RATING_FIELDS

FEEDBACK_COLUMNS = (
    "employee_id",
    "telegram_id",
    "department",
    "module_id",
    "track",
    "session_id",
    "rating",
    "comment",
    "rated_at",
)
FEEDBACK_VIEW = """(
    SELECT e.employee_id, r.telegram_id, e.department, r.module_id, q.track, r.session_id, r.rating, r.comment,
           r.rated_at, COALESCE((SELECT language FROM answers WHERE session_id = r.session_id
                                 ORDER BY id DESC LIMIT 1), u.language) AS language
    FROM ratings AS r
    JOIN quiz_sessions AS q ON q.id = r.session_id
    JOIN users AS u ON u.telegram_id = r.telegram_id
    LEFT JOIN employees AS e ON e.telegram_id = r.telegram_id)"""


@dataclass(frozen=True)
class ModuleRatings:
    """One module's ratings within a scope: how many of each score, and the latest comments."""

    module_id: str
    distribution: dict[int, int]
    comments: list[str]


class FeedbackStore(RecordStore):
    def rateable(self, telegram_id: int, session_id: int) -> str | None:
        """The module of the servant's finished attempt if it is still their latest at that module, else None."""
        row = self.db.execute(
            "SELECT module_id FROM quiz_sessions AS q WHERE id = ? AND telegram_id = ? AND status = ? AND NOT EXISTS "
            "(SELECT 1 FROM quiz_sessions WHERE telegram_id = q.telegram_id AND module_id = q.module_id AND id > q.id)",
            [session_id, telegram_id, COMPLETED],
        ).fetchone()
        return row[0] if row else None

    def rate(self, telegram_id: int, session_id: int, module_id: str, rating: int, now: datetime) -> str | None:
        """Store or change the attempt's rating and wait for a comment unless it has one; the comment so far."""
        with self.transaction():
            self.db.execute("UPDATE ratings SET awaiting_comment = 0 WHERE telegram_id = ?", [telegram_id])
            self.db.execute(
                "INSERT INTO ratings (session_id, telegram_id, module_id, rating, rated_at, awaiting_comment) "
                "VALUES (?, ?, ?, ?, ?, 1) ON CONFLICT(session_id) DO UPDATE SET rating = excluded.rating, "
                "rated_at = excluded.rated_at, awaiting_comment = ratings.comment IS NULL",
                [session_id, telegram_id, module_id, rating, iso(now)],
            )
            return self.db.execute("SELECT comment FROM ratings WHERE session_id = ?", [session_id]).fetchone()[0]

    def awaited_comment(self, telegram_id: int) -> int | None:
        """The attempt whose comment the bot waits for: rated last and no attempt started since."""
        row = self.db.execute(
            "SELECT session_id FROM ratings WHERE telegram_id = ? AND awaiting_comment = 1 AND session_id = "
            "(SELECT MAX(id) FROM quiz_sessions WHERE telegram_id = ?)",
            [telegram_id, telegram_id],
        ).fetchone()
        return row[0] if row else None

    def end_comment_wait(self, telegram_id: int, comment: str | None, now: datetime) -> None:
        """Keep the comment (None: skipped) and stop waiting."""
        self.db.execute(
            "UPDATE ratings SET comment = COALESCE(?, comment), commented_at = CASE WHEN ? IS NULL THEN commented_at "
            "ELSE ? END, awaiting_comment = 0 WHERE telegram_id = ? AND awaiting_comment = 1",
            [comment, comment, iso(now), telegram_id],
        )

    def module_ratings(self, departments: tuple[str, ...] | None, latest: int) -> list[ModuleRatings]:
        """Per rated module (within the departments; None: all): the distribution and the `latest` comments."""
        where, params = self._where(Filters(departments=departments), "rated_at")
        found: dict[str, ModuleRatings] = {}
        for module_id, rating, number in self.db.execute(
            f"SELECT module_id, rating, COUNT(*) FROM {FEEDBACK_VIEW}{where} GROUP BY module_id, rating",
            params,
        ).fetchall():
            found.setdefault(module_id, ModuleRatings(module_id, {n: 0 for n in range(1, 6)}, []))
            found[module_id].distribution[rating] = number
        for ratings in found.values():
            clauses = where + (" AND " if where else " WHERE ") + "module_id = ? AND comment IS NOT NULL"
            ratings.comments.extend(
                comment
                for (comment,) in self.db.execute(
                    f"SELECT comment FROM {FEEDBACK_VIEW}{clauses} ORDER BY rated_at DESC, session_id DESC LIMIT ?",
                    [*params, ratings.module_id, latest],
                ).fetchall()
            )
        return [found[m] for m in sorted(found)]

    def feedback_log(self, filters: Filters) -> Iterator[tuple]:
        """Ratings, oldest first, one row at a time."""
        return self._stream(FEEDBACK_VIEW, FEEDBACK_COLUMNS, "rated_at", filters)

    def count(self, what: str, filters: Filters) -> int:
        if what != "feedback":
            return super().count(what, filters)
        where, params = self._where(filters, "rated_at")
        return self.db.execute(f"SELECT COUNT(*) FROM {FEEDBACK_VIEW}{where}", params).fetchone()[0]

    def statement_rows(self, what: str, filters: Filters) -> Iterator[tuple]:
        """As RecordStore's, and for what='feedback' the ratings with their attempt's track and language."""
        if what != "feedback":
            return super().statement_rows(what, filters)
        return self._stream(FEEDBACK_VIEW, RATING_FIELDS, "rated_at", filters)
