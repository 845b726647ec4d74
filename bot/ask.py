"""Questions to the Ethics Commissioner, the pure part: what a question may be, when it is overdue,
and a daily quota that counts questions without remembering who asked.

Nothing here touches Telegram or the database, so the rules are tested in milliseconds.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass, field
from datetime import date, timedelta

QUESTION_LIMIT = 2000  # characters in a question or an answer
OVERDUE_WORKING_DAYS = 3  # a question unanswered this many working days is raised again
NAMED, ANONYMOUS = "named", "anonymous"
OPEN, ANSWERED, SPAM = "open", "answered", "spam"


@dataclass(frozen=True)
class AskPolicy:
    """The deployment's settings for questions: commissioners from the environment, the daily
    quota per servant, and how long an anonymous reply address may be kept."""

    commissioner_ids: frozenset[int] = frozenset()
    questions_per_day: int = 5
    anonymous_reply_days: int = 90


def problem(text: str) -> str | None:
    """Why the text cannot be sent as a question (a locale key), or None when it can: it must hold
    words, not only spaces, emoji or punctuation, and stay within QUESTION_LIMIT."""
    if not any(ch.isalnum() for ch in text):
        return "ask_empty"
    if len(text) > QUESTION_LIMIT:
        return "ask_too_long"
    return None


def overdue_cutoff(today: date) -> date:
    """The latest day a question may have been asked and be overdue today: OVERDUE_WORKING_DAYS
    whole working days (Monday to Friday) lie between that day and today."""
    day, passed = today, 0
    while passed < OVERDUE_WORKING_DAYS:
        day -= timedelta(days=1)
        if day.weekday() < 5:
            passed += 1
    return day - timedelta(days=1)


def reference(year: int, number: int) -> str:
    """The number a servant and a commissioner quote, e.g. Q-2026-0042."""
    return f"Q-{year}-{number:04d}"


@dataclass
class Quota:
    """Questions per person per day, counted under a keyed hash whose key is drawn anew each day and
    never stored, so the counts cannot be turned back into Telegram ids; a restart starts afresh."""

    per_day: int
    _day: date | None = None
    _key: bytes = b""
    _counts: dict[bytes, int] = field(default_factory=dict)

    def _slot(self, telegram_id: int, today: date) -> bytes:
        if today != self._day:
            self._day, self._key, self._counts = today, secrets.token_bytes(32), {}
        return hmac.new(self._key, str(telegram_id).encode(), hashlib.sha256).digest()

    def allows(self, telegram_id: int, today: date) -> bool:
        """Whether one more question is within today's limit."""
        return self._counts.get(self._slot(telegram_id, today), 0) < self.per_day

    def take(self, telegram_id: int, today: date) -> None:
        """Count one question sent today."""
        slot = self._slot(telegram_id, today)
        self._counts[slot] = self._counts.get(slot, 0) + 1
