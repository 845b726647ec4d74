"""Coordinators: who they are, which departments they see, and what their commands produce.

Coordinators come from BOT_COORDINATOR_IDS (every department) and from the database (added by
the command line, optionally limited to departments). Everyone else is not permitted and learns
nothing about the records.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

from bot import export
from bot.content import Bank
from bot.cycle import CyclePolicy
from bot.feedback import CHAT_COMMENT_LENGTH, CHAT_COMMENTS, feedback_text
from bot.items import DEFAULT_MIN_ATTEMPTS, Item, analyse, write_csv
from bot.locales import t
from bot.replies import File
from bot.report import completion_chart, overdue_text, report_text
from bot.store import Store
from bot.store.items import ItemFilters
from bot.store.records import Filters

COORDINATOR_COMMANDS = ("report", "overdue", "export", "items", "verify")
ALL = None  # the scope of a coordinator who sees every department


def item_analysis(store: Store, bank: Bank, filters: ItemFilters, min_attempts: int) -> list[Item]:
    """Every question answered in a first attempt within the filters, with its figures and flags."""
    return [analyse(sums, bank, min_attempts) for sums in store.item_sums(filters)]


class NotPermitted(Exception):
    """The user is not a coordinator."""


@dataclass(frozen=True)
class Coordination:
    store: Store
    bank: Bank
    env_ids: frozenset[int]
    policy: CyclePolicy
    item_min_attempts: int = DEFAULT_MIN_ATTEMPTS

    def ids(self) -> set[int]:
        return set(self.env_ids) | set(self.store.coordinators())

    def scope(self, telegram_id: int) -> tuple[str, ...] | None:
        """The departments the coordinator sees (None: all); NotPermitted for anyone else."""
        if telegram_id in self.env_ids:
            return ALL
        departments = self.store.coordinators().get(telegram_id)
        if departments is None:
            raise NotPermitted(telegram_id)
        return departments or ALL

    def report(self, lang: str, today: date, scope: tuple[str, ...] | None) -> tuple[str, File | None]:
        reports = self.store.department_reports(today, self.policy.window_days, scope)
        text = report_text(reports, self.bank, lang, self.policy.window_days)
        chart = File("completion.png", completion_chart(reports, t(lang, "chart_title")), t(lang, "chart_title"),
                     is_photo=True) if reports else None
        return text, chart

    def feedback(self, lang: str, scope: tuple[str, ...] | None) -> str:
        """The modules' ratings and latest comments within the coordinator's departments."""
        ratings = self.store.module_ratings(scope, CHAT_COMMENTS)
        return feedback_text(ratings, self.bank, lang, CHAT_COMMENT_LENGTH)

    def overdue(self, lang: str, today: date, scope: tuple[str, ...] | None) -> str:
        return overdue_text(self.store.overdue(today, scope), lang)

    def export_csv(self, filters: Filters) -> tuple[File, int]:
        """The completion log as a CSV document (UTF-8 with BOM, so Excel shows Cyrillic right)."""
        buffer = io.StringIO(newline="")
        rows = export.write(self.store.completion_log(filters), "completions", "csv", buffer)
        name = "completions" + "".join(f"_{d.isoformat()}" for d in (filters.since, filters.until) if d) + ".csv"
        return File(name, buffer.getvalue().encode("utf-8-sig")), rows

    def items_csv(self, scope: tuple[str, ...] | None) -> tuple[File, int]:
        """Item analysis of the coordinator's departments as a CSV document, and how many questions it holds."""
        items = item_analysis(self.store, self.bank, ItemFilters(departments=scope), self.item_min_attempts)
        buffer = io.StringIO(newline="")
        write_csv(items, buffer)
        return File("items.csv", buffer.getvalue().encode("utf-8-sig")), len(items)
