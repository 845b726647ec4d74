"""Item analysis sums: each question's first-attempt answers folded in one SQL pass."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.items import ItemSums
from bot.store.base import Connection
from bot.store.quiz import COMPLETED
from bot.store.records import NO_DEPARTMENT
from bot.review import REVIEW


@dataclass(frozen=True)
class ItemFilters:
    """Which first attempts count: one module, completed since a day, answered in one language, departments."""

    module: str | None = None
    since: date | None = None
    language: str | None = None
    departments: tuple[str, ...] | None = None


class ItemStore(Connection):
    def item_sums(self, filters: ItemFilters) -> list[ItemSums]:
        """Per question: attempts, right answers, the rest score's sums, options chosen and the language split.

        A servant's first completed attempt at a module counts, every other one does not; the rest
        score is the attempt's score without the question itself. Grouping by question, option and
        language keeps the result small (a few rows per question) whatever the number of answers."""
        where, params = ["s.status = ?", "s.module_id != ?"], [COMPLETED, REVIEW]
        if filters.module:
            where.append("s.module_id = ?")
            params.append(filters.module)
        if filters.since:
            where.append("s.completed_at >= ?")
            params.append(filters.since.isoformat())
        if filters.departments is not None:
            where.append(f"COALESCE(e.department, '{NO_DEPARTMENT}') IN ({', '.join('?' * len(filters.departments))})")
            params += list(filters.departments)
        language = ""
        if filters.language:
            language = "WHERE language = ?"
            params.append(filters.language)
        rows = self.db.execute(
            f"""
            WITH first_attempts AS (
                SELECT MIN(id) AS session_id FROM quiz_sessions AS s
                WHERE {" AND ".join(where[:2])} GROUP BY telegram_id, module_id
            ), scored AS (
                SELECT s.module_id, a.question_id, CAST(a.option AS INTEGER) AS option, a.correct,
                       COALESCE(a.language, u.language, '?') AS language,
                       SUM(a.correct) OVER (PARTITION BY a.session_id) - a.correct AS rest
                FROM first_attempts AS f
                JOIN quiz_sessions AS s ON s.id = f.session_id
                JOIN answers AS a ON a.session_id = f.session_id
                JOIN users AS u ON u.telegram_id = s.telegram_id
                LEFT JOIN employees AS e ON e.telegram_id = s.telegram_id
                WHERE {" AND ".join(where)}
            )
            SELECT module_id, question_id, option, language, COUNT(*), SUM(correct), SUM(rest),
                   SUM(rest * rest), SUM(correct * rest)
            FROM scored {language} GROUP BY module_id, question_id, option, language""",
            params[:2] + params,
        ).fetchall()
        return _fold(rows)


def _fold(rows: list[tuple]) -> list[ItemSums]:
    """Add up the (question, option, language) groups into one ItemSums per question, in bank order of ids."""
    totals: dict[tuple[str, str], list] = {}
    for module_id, question_id, option, language, n, right, rest, squares, products in rows:
        entry = totals.setdefault((module_id, question_id), [0, 0, 0.0, 0.0, 0.0, {}, {}])
        entry[0] += n
        entry[1] += right
        entry[2] += rest
        entry[3] += squares
        entry[4] += products
        entry[5][option] = entry[5].get(option, 0) + n
        seen, hits = entry[6].get(language, (0, 0))
        entry[6][language] = (seen + n, hits + right)
    return [ItemSums(module_id, question_id, *values) for (module_id, question_id), values in sorted(totals.items())]
