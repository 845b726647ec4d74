"""The only package that speaks SQL: every read and write of the bot's state goes through Store.

The schema is meant to be read by coordinators with `sqlite-utils` or Datasette, so tables and
columns say what they hold and timestamps are ISO 8601 text in UTC.
"""

from __future__ import annotations

from pathlib import Path

from bot.store.base import INTERACTIVE_BUSY_SECONDS, Unavailable, iso
from bot.store.certificates import CertificateStore, IssuedCertificate
from bot.store.commissioners import CommissionerStore, Question
from bot.store.cycles import BLOCKED, SENDING, SENT, STALE_CLAIM, UNKNOWN, CycleStore, DueReminder
from bot.store.feedback import FeedbackStore, ModuleRatings
from bot.store.items import ItemStore
from bot.store.quiz import COMPLETED, IN_PROGRESS, ModuleResult, QuizStore, Session
from bot.store.records import RecordStore
from bot.store.roster import Employee, RosterStore
from bot.store.migrations import SCHEMA_VERSION, SchemaError, upgrade

__all__ = [
    "BLOCKED",
    "COMPLETED",
    "INTERACTIVE_BUSY_SECONDS",
    "IN_PROGRESS",
    "SENDING",
    "SENT",
    "STALE_CLAIM",
    "UNKNOWN",
    "DueReminder",
    "Employee",
    "IssuedCertificate",
    "ModuleRatings",
    "ModuleResult",
    "Question",
    "SCHEMA_VERSION",
    "SchemaError",
    "Session",
    "Store",
    "Unavailable",
    "iso",
]


class Store(
    QuizStore, CycleStore, RosterStore, FeedbackStore, RecordStore, ItemStore, CommissionerStore, CertificateStore
):
    """The bot's SQLite database (WAL mode), opened once per process and upgraded as it opens."""

    def __init__(self, path: Path | str, cycle_years: int = 3, busy_timeout: float = 30):
        super().__init__(path, busy_timeout)
        self.cycle_years = cycle_years
        try:
            upgrade(self, cycle_years)
        except BaseException:
            self.close()
            raise
