"""Reminder sweeps: select what is due with one indexed query, then deliver at the rate limit.

Each reminder is claimed in the database before it is sent (a unique index on servant, deadline
and stage), so it goes out at most once even when two sweeps run at the same time, the Bot API
answers too late or the bot is killed mid-send: a lost reminder is made good by the next stage, a
duplicate cannot be taken back. The sender is an adapter (Telegram in production, anything in
tests) that reports each delivery as sent, blocked (the servant blocked the bot: marked
unreachable, still a servant, no reminders until they write again), retry (certainly not
delivered: released for the next sweep) or unknown (perhaps delivered: the claim is kept).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from bot import ask_views, views
from bot.ask import overdue_cutoff
from bot.content import Bank
from bot.coordinators import Coordination
from bot.cycle import CyclePolicy, ReminderPolicy
from bot.locales import pick_language
from bot.replies import Reply
from bot.store import BLOCKED, SENT, UNKNOWN, DueReminder, Store

RETRY = "retry"
DIGEST = "digest"


class Sender(Protocol):
    text_limit: int  # the longest message the channel takes, for the digest's cap

    async def send(self, telegram_id: int, reply: Reply) -> str:
        """Deliver one message; return SENT, BLOCKED, RETRY (certainly not delivered) or UNKNOWN."""


@dataclass
class SweepReport:
    """What a sweep found and did, for the log and the command line."""

    due: list[DueReminder] = field(default_factory=list)
    sent: int = 0
    blocked: int = 0
    retry: int = 0
    unknown: int = 0
    taken_elsewhere: int = 0

    def summary(self) -> str:
        return (
            f"due {len(self.due)}, sent {self.sent}, blocked {self.blocked}, "
            f"to retry {self.retry}, perhaps sent (kept, not resent) {self.unknown}, "
            f"taken by another sweep {self.taken_elsewhere}"
        )


@dataclass(frozen=True)
class Reminders:
    """Everything a sweep needs besides the clock and the sender."""

    bank: Bank
    store: Store
    policy: ReminderPolicy
    cycle_policy: CyclePolicy
    coordination: Coordination
    default_language: str
    concurrency: int = 30

    def due(self, now: datetime) -> list[DueReminder]:
        """Servants' reminders due now (in working hours of the time zone), and coordinators' weekly
        digests (on the first working day, each limited to the coordinator's departments)."""
        local = now.astimezone(ZoneInfo(self.cycle_policy.time_zone))
        if not self.policy.at_work(local):
            return []
        due = self.store.due_reminders(local.date(), self.policy, now)
        if local.weekday() == self.policy.working_days[0]:
            week = (local.date() - timedelta(days=local.weekday())).isoformat()
            digests = [
                DueReminder(c, DIGEST, week, "weekly", self.store.language(c)) for c in sorted(self.coordination.ids())
            ]
            due += [d for d in digests if not self.store.reminder_exists(d)]
        return due

    def render(self, reminder: DueReminder, now: datetime, text_limit: int) -> Reply:
        lang = pick_language(reminder.language, default=self.default_language)
        today = self.cycle_policy.local_day(now)
        if reminder.kind == DIGEST:
            scope = self.coordination.scope(reminder.telegram_id)
            standing = self.store.standing(
                today, self.cycle_policy.window_days, scope, frozenset(self.coordination.ids())
            )
            digest = views.digest(lang, standing, text_limit)
            return ask_views.with_unanswered(
                digest, lang, self.store.overdue_question_count(overdue_cutoff(today), scope)
            )
        ctx = views.Context(self.bank, self.store, reminder.telegram_id, lang, now, self.cycle_policy)
        return views.reminder(ctx, reminder.kind, date.fromisoformat(reminder.due_on))

    async def sweep(self, sender: Sender, now: datetime, dry_run: bool = False) -> SweepReport:
        """Send every due reminder once; with `dry_run`, only list them."""
        report = SweepReport(due=self.due(now))
        if dry_run:
            return report
        self.store.settle_stale_claims(now)
        limit = asyncio.Semaphore(self.concurrency)

        async def deliver(reminder: DueReminder) -> None:
            async with limit:
                if not self.store.claim_reminder(reminder, now):
                    report.taken_elsewhere += 1
                    return
                outcome = await sender.send(reminder.telegram_id, self.render(reminder, now, sender.text_limit))
                if outcome == BLOCKED:
                    self.store.mark_unreachable(reminder.telegram_id, now)
                    report.blocked += 1
                elif outcome == SENT:
                    report.sent += 1
                elif outcome == UNKNOWN:
                    report.unknown += 1
                else:
                    report.retry += 1
                self.store.finish_reminder(reminder, None if outcome == RETRY else outcome, now)

        await asyncio.gather(*(deliver(r) for r in report.due))
        return report
