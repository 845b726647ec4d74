"""Commissioners, questions to them, the dialogue drafts, and the anonymous reply addresses.

An anonymous question's row holds no Telegram id, name or department; the only way back to its
sender is one row of `anonymous_reply_chats` (a random token -> chat), which no report or export
reads and which is deleted once the answer is handed over, or after the retention period.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime

from bot.ask import ANONYMOUS, ANSWERED, OPEN, SPAM, reference
from bot.store.base import Connection, iso

QUESTION_COLUMNS = ("id", "ref", "mode", "sender_name", "department", "text", "status", "asked_on", "raised_on")


@dataclass(frozen=True)
class Question:
    """A question as a commissioner sees it (sender_name and department only when named)."""

    id: int
    ref: str
    mode: str
    sender_name: str | None
    department: str | None
    text: str
    status: str
    asked_on: str
    raised_on: str | None


@dataclass(frozen=True)
class Draft:
    """A servant's /ask dialogue in progress: the stage, the text so far, the mode chosen, and a
    random nonce that the dialogue's buttons carry, so an old button cannot act."""

    stage: str
    text: str | None
    mode: str | None
    nonce: str


def _in_scope(departments: tuple[str, ...] | None) -> tuple[str, list[str]]:
    """SQL and parameters keeping questions a coordinator or commissioner of `departments` may count:
    named ones of those departments and every question without a department."""
    if departments is None:
        return "1", []
    marks = ", ".join("?" * len(departments))
    return f"(department IS NULL OR department IN ({marks}))", list(departments)


class CommissionerStore(Connection):
    # commissioners -----------------------------------------------------------------------------

    def add_commissioner(self, telegram_id: int, departments: list[str], now: datetime) -> None:
        """A commissioner for `departments` (all when empty)."""
        self.db.execute(
            "INSERT INTO commissioners (telegram_id, departments, added_at) VALUES (?, ?, ?) "
            "ON CONFLICT(telegram_id) DO UPDATE SET departments = excluded.departments",
            [telegram_id, "\n".join(departments), iso(now)],
        )

    def remove_commissioner(self, telegram_id: int) -> bool:
        return self.db.execute("DELETE FROM commissioners WHERE telegram_id = ?", [telegram_id]).rowcount == 1

    def commissioners(self) -> dict[int, tuple[str, ...]]:
        """Commissioners from the database: telegram id -> departments (empty: all)."""
        return {
            tid: tuple(filter(None, (deps or "").split("\n")))
            for tid, deps in self.db.execute("SELECT telegram_id, departments FROM commissioners").fetchall()
        }

    # the servant's draft -------------------------------------------------------------------------

    def draft(self, telegram_id: int) -> Draft | None:
        row = self.db.execute(
            "SELECT stage, text, mode, nonce FROM ask_drafts WHERE telegram_id = ?", [telegram_id]
        ).fetchone()
        return Draft(*row) if row else None

    def save_draft(self, telegram_id: int, stage: str, text: str | None, mode: str | None, now: datetime) -> Draft:
        """Start or move the dialogue on, with a fresh nonce, so buttons of an earlier step go stale."""
        nonce = secrets.token_hex(4)
        self.db.execute(
            "INSERT INTO ask_drafts (telegram_id, stage, text, mode, nonce, updated_at) VALUES (?, ?, ?, ?, ?, ?) "
            "ON CONFLICT(telegram_id) DO UPDATE SET stage = excluded.stage, text = excluded.text, "
            "mode = excluded.mode, nonce = excluded.nonce, updated_at = excluded.updated_at",
            [telegram_id, stage, text, mode, nonce, iso(now)],
        )
        return Draft(stage, text, mode, nonce)

    def drop_draft(self, telegram_id: int) -> bool:
        return self.db.execute("DELETE FROM ask_drafts WHERE telegram_id = ?", [telegram_id]).rowcount == 1

    # questions -----------------------------------------------------------------------------------

    def submit_question(
        self, telegram_id: int, nonce: str, sender_name: str | None, department: str | None, language: str, today: date
    ) -> Question | None:
        """Turn the confirmed draft into a question, in one transaction; None if the draft is gone or
        its nonce differs (a stale button). An anonymous one keeps no trace of the sender beyond a
        reply token whose chat (and language, for the answer's frame) lives in a table of its own."""
        with self.transaction():
            row = self.db.execute(
                "SELECT text, mode FROM ask_drafts WHERE telegram_id = ? AND nonce = ? AND stage = 'confirm'",
                [telegram_id, nonce],
            ).fetchone()
            if row is None:
                return None
            text, mode = row
            self.db.execute("DELETE FROM ask_drafts WHERE telegram_id = ?", [telegram_id])
            number = self.db.execute(
                "SELECT COALESCE(MAX(number), 0) + 1 FROM questions WHERE year = ?", [today.year]
            ).fetchone()[0]
            token = secrets.token_urlsafe(24) if mode == ANONYMOUS else None
            named = mode != ANONYMOUS
            cursor = self.db.execute(
                "INSERT INTO questions (ref, year, number, mode, telegram_id, sender_name, department, language, "
                "text, status, asked_on, reply_token) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    reference(today.year, number),
                    today.year,
                    number,
                    mode,
                    telegram_id if named else None,
                    sender_name if named else None,
                    department if named else None,
                    language if named else None,
                    text,
                    OPEN,
                    today.isoformat(),
                    token,
                ],
            )
            if token is not None:
                self.db.execute(
                    "INSERT INTO anonymous_reply_chats (token, chat_id, language, created_on) VALUES (?, ?, ?, ?)",
                    [token, telegram_id, language, today.isoformat()],
                )
            return self.question(cursor.lastrowid)

    def question(self, question_id: int) -> Question | None:
        row = self.db.execute(
            f"SELECT {', '.join(QUESTION_COLUMNS)} FROM questions WHERE id = ?", [question_id]
        ).fetchone()
        return Question(*row) if row else None

    def open_questions(
        self, departments: tuple[str, ...] | None, asked_by: date | None = None, unraised: bool = False
    ) -> list[Question]:
        """Open questions a commissioner of `departments` (None: all) handles, oldest first; only those
        asked by `asked_by`, and only those not yet raised again, when asked."""
        where, params = _in_scope(departments)
        if asked_by is not None:
            where, params = f"{where} AND asked_on <= ?", [*params, asked_by.isoformat()]
        if unraised:
            where += " AND raised_on IS NULL"
        rows = self.db.execute(
            f"SELECT {', '.join(QUESTION_COLUMNS)} FROM questions WHERE status = ? AND {where} ORDER BY id",
            [OPEN, *params],
        ).fetchall()
        return [Question(*row) for row in rows]

    def mark_raised(self, question_ids: list[int], today: date) -> None:
        self.db.conn.executemany(
            "UPDATE questions SET raised_on = ? WHERE id = ?", [(today.isoformat(), qid) for qid in question_ids]
        )

    def close_question(
        self, question_id: int, status: str, by: int, now: datetime, answer: str | None = None
    ) -> tuple[int, str] | None:
        """Answer an open question (status ANSWERED) or close it as SPAM; the chat the answer goes to and
        its language (None if the question was no longer open, for spam, or when the anonymous reply
        address has expired). The anonymous reply row is deleted either way."""
        with self.transaction():
            row = self.db.execute(
                "SELECT telegram_id, language, reply_token FROM questions WHERE id = ? AND status = ?",
                [question_id, OPEN],
            ).fetchone()
            if row is None:
                return None
            telegram_id, language, token = row
            self.db.execute(
                "UPDATE questions SET status = ?, answer = ?, answered_by = ?, closed_at = ?, "
                "reply_token = NULL WHERE id = ?",
                [status, answer, by, iso(now), question_id],
            )
            if token is not None:
                chat = self.db.execute(
                    "SELECT chat_id, language FROM anonymous_reply_chats WHERE token = ?", [token]
                ).fetchone()
                self.db.execute("DELETE FROM anonymous_reply_chats WHERE token = ?", [token])
                telegram_id, language = chat if chat else (None, None)
        return (telegram_id, language) if telegram_id is not None and status == ANSWERED else None

    def forget_reply_chats(self, before: date) -> int:
        """Delete anonymous reply addresses made before `before` (the retention period); how many."""
        return self.db.execute("DELETE FROM anonymous_reply_chats WHERE created_on < ?", [before.isoformat()]).rowcount

    def question_counts(self, departments: tuple[str, ...] | None) -> list[tuple[str, str | None, int, int, int]]:
        """(month, department or None, asked, answered, closed as spam): counts only, never texts."""
        where, params = _in_scope(departments)
        return self.db.execute(
            f"SELECT substr(asked_on, 1, 7) AS month, department, COUNT(*), SUM(status = '{ANSWERED}'), "
            f"SUM(status = '{SPAM}') FROM questions WHERE {where} GROUP BY month, department "
            "ORDER BY month, department IS NULL, department",
            params,
        ).fetchall()

    def overdue_question_count(self, asked_by: date, departments: tuple[str, ...] | None) -> int:
        where, params = _in_scope(departments)
        return self.db.execute(
            f"SELECT COUNT(*) FROM questions WHERE status = ? AND asked_on <= ? AND {where}",
            [OPEN, asked_by.isoformat(), *params],
        ).fetchone()[0]

    # a commissioner writing an answer ---------------------------------------------------------------

    def start_answer(self, telegram_id: int, question_id: int, now: datetime) -> None:
        self.db.execute(
            "INSERT INTO answer_drafts (telegram_id, question_id, started_at) VALUES (?, ?, ?) "
            "ON CONFLICT(telegram_id) DO UPDATE SET question_id = excluded.question_id, "
            "started_at = excluded.started_at",
            [telegram_id, question_id, iso(now)],
        )

    def answering(self, telegram_id: int) -> int | None:
        row = self.db.execute("SELECT question_id FROM answer_drafts WHERE telegram_id = ?", [telegram_id]).fetchone()
        return row[0] if row else None

    def stop_answer(self, telegram_id: int) -> None:
        self.db.execute("DELETE FROM answer_drafts WHERE telegram_id = ?", [telegram_id])
