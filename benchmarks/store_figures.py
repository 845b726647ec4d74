"""Figures of the store and the coordinators' features, each as a table row with its detail line:

1. Reminder selection: one sweep's indexed query over 100,000 servants.
2. Delivery: reminders streamed through python-telegram-bot's rate limiter to a loopback Bot API
   stand-in (Telegram allows about 30 messages per second overall).
3. Export: `python -m bot export --what answers` of 100,000 and 1,000,000 answer rows, its time
   and peak memory (constant memory means the two peaks are about the same).
4. Item analysis (`report --items`) over 1,000,000 answers: first attempts picked out and summed
   per question in one SQL pass.
5. Coordinator lists: /overdue and /report (text, CSV and chart) for 5,000 servants in 500
   departments, and the chart's size against the Bot API's photo limits.
6. Certificate: rendering the refresher track's PDF (8 modules, QR code) in Kazakh, and its size.
"""

from __future__ import annotations

import asyncio
import os
import random
import subprocess
import struct
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from benchmarks.measure import Row, detail, median_ms
from bot.config import ROOT
from bot.content import load_bank
from bot.coordinators import Coordination
from bot.cycle import CyclePolicy, ReminderPolicy
from bot.reminders import Reminders
from bot.store import Store, iso
from bot.store.items import ItemFilters
from bot.telegram_app import TelegramSender, sending_bot
from tests.bot_api_stub import BotApiStub

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
        store.db.conn.executemany(
            "INSERT INTO users (telegram_id, first_name, language, created_at, last_seen_at) VALUES (?, ?, ?, ?, ?)",
            users,
        )
        store.db.conn.executemany(
            "INSERT INTO cycles (telegram_id, completed_on, due_on, updated_at) VALUES (?, ?, ?, ?)", cycles
        )


def selection(directory: Path) -> list[Row]:
    store = Store(directory / "bench.db")
    _populate(store, SERVANTS)
    policy = ReminderPolicy()
    ms, due = median_ms(lambda: store.due_reminders(NOW.date(), policy, NOW))
    plan = " ".join(
        row[-1]
        for row in store.db.execute(
            "EXPLAIN QUERY PLAN SELECT telegram_id FROM cycles WHERE due_on <= '2027-01-01'"
        ).fetchall()
    )
    detail(f"reminder selection over {SERVANTS:,} servants: {len(due):,} due, median {ms:.0f} ms ({plan})")
    store.close()
    return [Row(f"reminder selection, one sweep over {SERVANTS:,} servants ({len(due):,} due)", f"{ms:.0f} ms")]


async def delivery(directory: Path, count: int = 300) -> list[Row]:
    api = BotApiStub().start()
    store = Store(directory / "delivery.db")
    _populate(store, count)
    store.db.execute("UPDATE cycles SET due_on = ?", [(NOW.date() + timedelta(days=5)).isoformat()])
    bank = load_bank(ROOT / "quizzes")
    reminders = Reminders(
        bank, store, ReminderPolicy(), CyclePolicy(), Coordination(store, bank, frozenset(), CyclePolicy()), "ru"
    )
    api.know(*range(1, count + 1))  # the servants pressed Start
    try:
        async with sending_bot("1:BENCH", api.base_url, reminders.concurrency) as bot:
            start = time.perf_counter()
            report = await reminders.sweep(TelegramSender(bot), NOW)
            seconds = time.perf_counter() - start
    finally:
        api.stop()
        store.close()
    detail(
        f"delivery of {report.sent} reminders through the rate limiter: {seconds:.1f} s, "
        f"{report.sent / seconds:.1f} messages per second ({report.summary()})"
    )
    return [
        Row(
            f"delivery of {report.sent} reminders through the rate limiter",
            f"{seconds:.1f} s, {report.sent / seconds:.1f} messages a second",
        )
    ]


def _populate_answers(store: Store, rows: int) -> None:
    """Servants with quiz attempts and `rows` answers in all."""
    per_session = 10
    with store.transaction():
        store.db.conn.executemany(
            "INSERT INTO users (telegram_id, first_name, created_at, last_seen_at) VALUES (?, ?, ?, ?)",
            ((i, f"S{i}", iso(NOW), iso(NOW)) for i in range(1, rows // 100 + 2)),
        )
        store.db.conn.executemany(
            "INSERT INTO quiz_sessions (id, telegram_id, module_id, track, plan, position, status, started_at, updated_at) "
            "VALUES (?, ?, 'r2-gifts', 'refresher', '{}', 0, 'completed', ?, ?)",
            ((s, s // 10 + 1, iso(NOW), iso(NOW)) for s in range(rows // per_session)),
        )
        store.db.conn.executemany(
            "INSERT INTO answers (session_id, telegram_id, module_id, question_id, cite, option, correct, answered_at) "
            "VALUES (?, ?, 'r2-gifts', ?, 'ACL Art. 12(6)', '1', 1, ?)",
            (
                (
                    n // per_session,
                    n // per_session // 10 + 1,
                    f"gifts-{n % per_session:02d}",
                    iso(NOW - timedelta(seconds=rows - n)),
                )
                for n in range(rows)
            ),
        )


# Runs `python -m bot export --what answers --output FILE` and prints its own peak memory (KB).
PEAK_OF_EXPORT = """
import resource, runpy, sys
sys.argv = ["bot", "export", "--what", "answers", "--output", sys.argv[1]]
try:
    runpy.run_module("bot", run_name="__main__")
except SystemExit as end:
    if end.code:
        raise
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def export(directory: Path) -> list[Row]:
    figures = []
    for rows in (100_000, 1_000_000):
        path = directory / f"answers{rows}.db"
        store = Store(path)
        _populate_answers(store, rows)
        store.close()
        out = directory / f"answers{rows}.csv"  # the export refuses to overwrite a file
        env = {**os.environ, "BOT_DB_PATH": str(path)}
        start = time.perf_counter()
        measured = subprocess.run(
            [sys.executable, "-c", PEAK_OF_EXPORT, str(out)],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        seconds = time.perf_counter() - start
        peak = int(measured.stdout.split()[-1])
        lines = sum(1 for _ in out.open(encoding="utf-8-sig")) - 1
        detail(
            f"export of {lines:,} answer rows to CSV: {seconds:.1f} s ({lines / seconds:,.0f} rows/s), "
            f"peak memory of the export process {peak / 1024:.0f} MB"
        )
        figures.append(
            Row(f"export of {lines:,} answer rows to CSV", f"{seconds:.1f} s, peak memory {peak / 1024:.0f} MB")
        )
    return figures


def item_analysis_figure(path: Path, rows: int = 1_000_000, per_session: int = 10) -> list[Row]:
    """Item analysis where every answer is in a first attempt (the worst case): 100,000 servants, one module."""
    store, rng = Store(path), random.Random(2)
    sessions = rows // per_session
    with store.transaction():
        store.db.conn.executemany(
            "INSERT INTO users (telegram_id, first_name, created_at) VALUES (?, ?, ?)",
            ((i, f"S{i}", iso(NOW)) for i in range(sessions)),
        )
        store.db.conn.executemany(
            "INSERT INTO quiz_sessions (id, telegram_id, module_id, track, plan, position, status, started_at, "
            "updated_at) VALUES (?, ?, 'r2-gifts', 'refresher', '{}', 0, 'completed', ?, ?)",
            ((i, i, iso(NOW), iso(NOW)) for i in range(sessions)),
        )
        store.db.conn.executemany(
            "INSERT INTO answers (session_id, telegram_id, module_id, question_id, cite, option, correct, "
            "answered_at, language) VALUES (?, ?, 'r2-gifts', ?, 'ACL Art. 12(6)', ?, ?, ?, ?)",
            (
                (
                    n // per_session,
                    n // per_session,
                    f"gifts-{n % per_session:02d}",
                    str(option := rng.randrange(4)),
                    int(option == 0),
                    iso(NOW),
                    rng.choice(("kk", "ru", "en")),
                )
                for n in range(rows)
            ),
        )
    ms, sums = median_ms(lambda: store.item_sums(ItemFilters()), runs=3)
    answers = sum(s.attempts for s in sums)
    detail(f"item analysis of {answers:,} first-attempt answers ({len(sums)} questions): median {ms / 1000:.1f} s")
    store.close()
    return [Row(f"item analysis of {answers:,} answers, all in first attempts", f"{ms / 1000:.1f} s")]


def coordinator_lists(directory: Path, departments: int = 500, servants: int = 5_000) -> list[Row]:
    from telegram.constants import MessageLimit

    from bot.coordinators import Request
    from bot.replies import split_text
    from bot.store import Employee

    store = Store(directory / "lists.db")
    today = NOW.date()
    store.upsert_employees(
        [
            Employee(
                f"E{n}",
                f"Сотрудникова-Нұрланқызы Әйгерім {n}",
                f"Департамент №{n % departments}",
                "x",
                None,
                (today - timedelta(days=3 * 365 + n % 400 - 200)).isoformat(),
            )
            for n in range(servants)
        ],
        NOW,
    )
    bank = load_bank(ROOT / "quizzes")
    coordination = Coordination(store, bank, frozenset(), CyclePolicy())
    request = Request("ru", today, None)
    figures = []
    for name, command in (("/overdue", coordination.overdue), ("/report", coordination.report)):
        ms, outcome = median_ms(lambda: asyncio.run(command(request)))
        reply = outcome.replies[0]
        messages = len(split_text(reply.text, MessageLimit.MAX_TEXT_LENGTH))
        detail(
            f"{name} for {servants:,} servants in {departments} departments: median {ms:.0f} ms; text "
            f"{len(reply.text):,} characters ({messages} messages), CSV {reply.overflow.size:,} bytes"
        )
        figures.append(Row(f"`{name}` for {servants:,} servants in {departments} departments", f"{ms:.0f} ms"))
    chart = outcome.files[0].data
    width, height = struct.unpack(">II", chart[16:24])
    detail(
        f"chart of {departments} departments: {width}x{height} px, {len(chart):,} bytes "
        f"(limits: width + height 10,000, ratio 20, 10 MB)"
    )
    store.close()
    return figures


def certificate_figure() -> list[Row]:
    from bot.certificate import verification_target
    from bot.certificate_pdf import render
    from bot.store import IssuedCertificate

    bank = load_bank(ROOT / "quizzes")
    modules = [{"id": m.id, "score": 11, "max_score": 12, "passed_on": "2026-11-20"} for m in bank.track("refresher")]
    issued = IssuedCertificate(
        "Xq3_-k9ZpL2a",
        1,
        "refresher",
        iso(NOW),
        None,
        {
            "name": "Құрманғалиқызы Әйгерім Жұмабайқызы",
            "department": "Әділет министрлігі",
            "track": "refresher",
            "modules": modules,
            "due_on": "2029-11-20",
        },
    )
    target = verification_target(issued.code, "ethics_kz_bot")
    start = time.perf_counter()
    pdf = render(issued, bank, "kk", target)
    first = (time.perf_counter() - start) * 1000
    ms, pdf = median_ms(lambda: render(issued, bank, "kk", target))
    detail(
        f"certificate PDF ({len(modules)} modules, QR code): first {first:.0f} ms (imports and fonts), "
        f"then median {ms:.0f} ms, {len(pdf) / 1024:.0f} KiB"
    )
    return [
        Row(f"certificate PDF ({len(modules)} modules, QR code), Kazakh", f"first {first:.0f} ms, then {ms:.0f} ms")
    ]
