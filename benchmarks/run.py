"""Benchmarks that print their figures (medians of repeated runs; these machines are shared and noisy).

    .venv/bin/python benchmarks/run.py            # or: make benchmark

1. Reminder selection: one sweep's indexed query over 100,000 servants.
2. Delivery: reminders streamed through python-telegram-bot's rate limiter to a loopback Bot API
   stand-in (Telegram allows about 30 messages per second overall).
"""

from __future__ import annotations

import asyncio
import random
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.cycle import CyclePolicy, ReminderPolicy  # noqa: E402
from bot.reminders import Reminders  # noqa: E402
from bot.content import load_bank  # noqa: E402
from bot.config import ROOT  # noqa: E402
from bot.store import Store, iso  # noqa: E402
from bot.telegram_app import TelegramSender, sending_bot  # noqa: E402
from tests.bot_api_stub import BotApiStub  # noqa: E402

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)  # a Monday, 14:00 in Almaty
SERVANTS = 100_000


def _populate(store: Store, servants: int) -> None:
    """Servants with due dates spread over seven years around today, a few already reminded."""
    rng = random.Random(1)
    today = NOW.date()
    users, cycles = [], []
    for telegram_id in range(1, servants + 1):
        due = today + timedelta(days=rng.randint(-365, 3 * 365 + 365))
        users.append((telegram_id, f"Servant {telegram_id}", rng.choice(["kk", "ru", "en"]), iso(NOW), iso(NOW)))
        cycles.append((telegram_id, (due - timedelta(days=3 * 365)).isoformat(), due.isoformat(), iso(NOW)))
    with store.transaction():
        store.db.conn.executemany("INSERT INTO users (telegram_id, first_name, language, created_at, last_seen_at) "
                                  "VALUES (?, ?, ?, ?, ?)", users)
        store.db.conn.executemany("INSERT INTO cycles (telegram_id, completed_on, due_on, updated_at) "
                                  "VALUES (?, ?, ?, ?)", cycles)


def _median_ms(action, runs: int = 7) -> tuple[float, object]:
    timings, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = action()
        timings.append((time.perf_counter() - start) * 1000)
    return statistics.median(timings), result


def selection(directory: Path) -> None:
    store = Store(directory / "bench.db")
    _populate(store, SERVANTS)
    policy = ReminderPolicy()
    ms, due = _median_ms(lambda: store.due_reminders("Asia/Almaty", NOW.date(), policy, NOW))
    plan = " ".join(row[-1] for row in store.db.execute(
        "EXPLAIN QUERY PLAN SELECT telegram_id FROM cycles WHERE due_on <= '2027-01-01'").fetchall())
    print(f"reminder selection over {SERVANTS:,} servants: {len(due):,} due, median {ms:.0f} ms ({plan})")
    store.close()


async def delivery(directory: Path, count: int = 300) -> None:
    api = BotApiStub().start()
    store = Store(directory / "delivery.db")
    _populate(store, count)
    store.db.execute("UPDATE cycles SET due_on = ?", [(NOW.date() + timedelta(days=5)).isoformat()])
    reminders = Reminders(load_bank(ROOT / "quizzes"), store, ReminderPolicy(), CyclePolicy(), frozenset(), "ru")
    try:
        async with sending_bot("1:BENCH", api.base_url, reminders.concurrency) as bot:
            start = time.perf_counter()
            report = await reminders.sweep(TelegramSender(bot), NOW)
            seconds = time.perf_counter() - start
    finally:
        api.stop()
        store.close()
    print(f"delivery of {report.sent} reminders through the rate limiter: {seconds:.1f} s, "
          f"{report.sent / seconds:.1f} messages per second ({report.summary()})")


def main() -> None:
    print(f"benchmarks on {date.today().isoformat()}, Python {sys.version.split()[0]}")
    with tempfile.TemporaryDirectory() as tmp:
        selection(Path(tmp))
        asyncio.run(delivery(Path(tmp)))


if __name__ == "__main__":
    main()
