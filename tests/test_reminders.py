"""Training-cycle reminders with a fixed clock, delivered through the real Bot API client."""

from __future__ import annotations

import asyncio
import socket
from datetime import date, datetime, timedelta, timezone

import pytest
import pytest_asyncio
from telegram import Bot
from telegram.request import HTTPXRequest

from bot.conversation import Conversation
from bot.coordinators import Coordination
from bot.cycle import CyclePolicy, ReminderPolicy, add_years
from bot.locales import t
from bot.reminders import Reminders
from bot.store import SENDING, STALE_CLAIM, UNKNOWN, Store
from bot.telegram_app import TelegramSender, sending_bot
from tests.bot_api_stub import BotApiStub
from tests.conftest import TOKEN
from tests.test_cli import _bot

MONDAY_2PM = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)  # 14:00 in Almaty (UTC+5)
TODAY = date(2026, 11, 23)
POLICY = ReminderPolicy()


@pytest_asyncio.fixture
async def api():
    stub = BotApiStub().start()
    yield stub
    stub.stop()


@pytest_asyncio.fixture
async def sender(api):
    async with sending_bot(TOKEN, api.base_url, concurrency=30) as bot:
        yield TelegramSender(bot)


def _reminders(bank, store, coordinators=frozenset()) -> Reminders:
    coordination = Coordination(store, bank, frozenset(coordinators), CyclePolicy())
    return Reminders(bank, store, POLICY, CyclePolicy(), coordination, "ru")


def _servant(api, bank, store, telegram_id: int, trained_on: date, language: str = "en") -> None:
    """A servant who pressed Start, and whose last training makes the cycle due three years later."""
    api.know(telegram_id)
    store.touch_user(telegram_id, f"Servant {telegram_id}", MONDAY_2PM)
    store.set_language(telegram_id, language)
    store.record_training(telegram_id, trained_on, "seminar", MONDAY_2PM)
    Conversation(bank, store, "ru", lambda: MONDAY_2PM).refresh_cycle(telegram_id)


def _sent(api, telegram_id: int | None = None) -> list:
    return [
        c
        for c in api.calls
        if c.method == "sendMessage" and (telegram_id is None or c.params["chat_id"] == telegram_id)
    ]


def test_the_sql_stage_matches_the_policy(store):
    for policy in (POLICY, ReminderPolicy(days_before=(60, 14, 1), overdue_every_days=10)):
        for days_left in range(-45, 120):
            sql = store.db.execute(
                f"SELECT {store._stage_sql(policy)} FROM (SELECT ? AS days_left)", [days_left]
            ).fetchone()[0]
            assert sql == policy.stage(days_left), days_left


async def test_each_stage_fires_once_in_the_servants_language(bank, store, api, sender):
    due = TODAY + timedelta(days=95)
    _servant(api, bank, store, 11, add_years(due, -3))
    reminders = _reminders(bank, store)
    stages = []
    for day in range(0, 95 + 16):
        now = MONDAY_2PM + timedelta(days=day)
        for _ in range(2):  # a second sweep the same day sends nothing more
            report = await reminders.sweep(sender, now)
            stages += [r.stage for r in report.due] if report.sent else []
    assert stages == ["d90", "d30", "d7", "d0", "w1", "w2"]
    texts = [c.params["text"] for c in _sent(api, 11)]
    assert len(texts) == 6 and texts[0].startswith("⏰") and texts[-1].startswith("⚠️")
    assert all("Your ethics training" in text for text in texts)
    button = _sent(api, 11)[0].params["reply_markup"]["inline_keyboard"][0][0]
    assert button["callback_data"].startswith("mod:r")


async def test_a_renewed_cycle_stops_the_reminders(bank, store, api, sender):
    _servant(api, bank, store, 12, add_years(TODAY + timedelta(days=20), -3))
    reminders = _reminders(bank, store)
    assert (await reminders.sweep(sender, MONDAY_2PM)).sent == 1  # d30
    store.record_training(12, TODAY, "refresher at the Academy", MONDAY_2PM)
    Conversation(bank, store, "ru", lambda: MONDAY_2PM).refresh_cycle(12)
    for day in range(1, 60):
        assert (await reminders.sweep(sender, MONDAY_2PM + timedelta(days=day))).due == []
    assert len(_sent(api, 12)) == 1


@pytest.mark.parametrize(
    "local_time, sends",
    [
        (datetime(2026, 11, 23, 8, 59), False),
        (datetime(2026, 11, 23, 9, 0), True),
        (datetime(2026, 11, 23, 17, 59), True),
        (datetime(2026, 11, 23, 18, 0), False),
        (datetime(2026, 11, 28, 12, 0), False),
        (datetime(2026, 11, 29, 12, 0), False),  # Saturday, Sunday
    ],
)
async def test_reminders_go_out_only_in_working_hours(bank, store, api, sender, local_time, sends):
    _servant(api, bank, store, 13, add_years(TODAY + timedelta(days=10), -3))
    now = local_time.replace(tzinfo=timezone(timedelta(hours=5)))
    report = await _reminders(bank, store).sweep(sender, now)
    assert bool(report.sent) == sends and bool(_sent(api)) == sends


async def test_two_concurrent_sweeps_send_each_reminder_once(bank, tmp_path, api, sender):
    path = tmp_path / "shared.db"
    first, second = Store(path), Store(path)
    for telegram_id in range(100, 140):
        _servant(api, bank, first, telegram_id, add_years(TODAY + timedelta(days=5), -3))
    reports = await asyncio.gather(
        _reminders(bank, first).sweep(sender, MONDAY_2PM), _reminders(bank, second).sweep(sender, MONDAY_2PM)
    )
    assert sum(r.sent for r in reports) == 40, [r.summary() for r in reports]
    assert sorted(c.params["chat_id"] for c in _sent(api)) == list(range(100, 140))
    assert first.db.execute("SELECT COUNT(*) FROM reminders WHERE status = 'sent'").fetchone()[0] == 40
    first.close(), second.close()


async def test_a_servant_who_blocked_the_bot_stays_a_servant_and_hears_again_after_writing(bank, store, api, sender):
    _servant(api, bank, store, 14, add_years(TODAY + timedelta(days=30), -3))
    api.block(14)
    reminders = _reminders(bank, store)
    report = await reminders.sweep(sender, MONDAY_2PM)
    assert report.blocked == 1 and report.sent == 0
    user = store.db["users"].get(14)
    assert user["active"] == 1 and user["unreachable_since"] == "2026-11-23T09:00:00+00:00"
    for day in range(1, 40):  # the d7 and d0 stages come and go: nothing is sent to an unreachable servant
        assert (await reminders.sweep(sender, MONDAY_2PM + timedelta(days=day))).due == []
    assert len(_sent(api, 14)) == 1  # the one refused attempt
    api.unblock(14)
    store.touch_user(14, "Servant 14", MONDAY_2PM + timedelta(days=40))  # they write to the bot again
    assert store.db["users"].get(14)["unreachable_since"] is None
    report = await reminders.sweep(sender, MONDAY_2PM + timedelta(days=42))  # a Monday, 12 days overdue
    assert [r.stage for r in report.due] == ["w1"] and report.sent == 1


async def test_a_chat_telegram_does_not_know_is_released_not_deactivated(bank, store, api, sender):
    _servant(api, bank, store, 22, add_years(TODAY + timedelta(days=30), -3))
    api.known_chats.discard(22)  # never pressed Start: "chat not found"
    reminders = _reminders(bank, store)
    report = await reminders.sweep(sender, MONDAY_2PM)
    assert report.retry == 1 and report.blocked == 0
    assert store.db["users"].get(22)["active"] == 1 and store.db["users"].get(22)["unreachable_since"] is None
    assert store.db["reminders"].count == 0  # released: the next sweep tries again
    api.know(22)
    assert (await reminders.sweep(sender, MONDAY_2PM + timedelta(hours=1))).sent == 1


async def test_retry_after_is_honoured_and_nothing_is_lost(bank, store, api, sender):
    _servant(api, bank, store, 15, add_years(TODAY + timedelta(days=30), -3))
    api.fail("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1)
    report = await _reminders(bank, store).sweep(sender, MONDAY_2PM)
    assert report.sent == 1 and len(_sent(api, 15)) == 2  # refused once, delivered on the retry


async def test_a_reminder_that_keeps_failing_is_released_for_the_next_sweep(bank, store, api, sender):
    _servant(api, bank, store, 16, add_years(TODAY + timedelta(days=30), -3))
    for _ in range(4):  # more than the limiter's three retries
        api.fail("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1)
    reminders = _reminders(bank, store)
    assert (await reminders.sweep(sender, MONDAY_2PM)).retry == 1
    assert (await reminders.sweep(sender, MONDAY_2PM + timedelta(hours=1))).sent == 1


async def test_a_reminder_answered_after_the_client_gave_up_is_kept_not_resent(bank, store, api):
    _servant(api, bank, store, 18, add_years(TODAY + timedelta(days=30), -3))
    api.delay("sendMessage", 1.5)  # Telegram delivers it, but answers after the client's timeout
    reminders = _reminders(bank, store)
    async with Bot(TOKEN, base_url=api.base_url, request=HTTPXRequest(read_timeout=0.3)) as impatient:
        report = await reminders.sweep(TelegramSender(impatient), MONDAY_2PM)
    assert report.unknown == 1 and report.sent == report.retry == 0 and len(_sent(api, 18)) == 1
    assert store.db["reminders"].get(1)["status"] == UNKNOWN
    for hours in (1, 3, 26):
        assert (await reminders.sweep(TelegramSender(impatient), MONDAY_2PM + timedelta(hours=hours))).due == []
    assert len(_sent(api, 18)) == 1


async def test_a_claim_left_by_a_killed_sweep_is_never_resent(bank, store, api, sender):
    _servant(api, bank, store, 19, add_years(TODAY + timedelta(days=30), -3))
    reminders = _reminders(bank, store)
    (due,) = reminders.due(MONDAY_2PM)
    assert store.claim_reminder(due, MONDAY_2PM)  # kill -9 after the claim: perhaps sent, never marked
    assert (await reminders.sweep(sender, MONDAY_2PM + timedelta(minutes=10))).due == []
    assert store.db["reminders"].get(1)["status"] == SENDING
    later = await reminders.sweep(sender, MONDAY_2PM + STALE_CLAIM + timedelta(minutes=1))
    assert later.due == [] and _sent(api, 19) == []
    assert store.db["reminders"].get(1)["status"] == UNKNOWN  # settled: perhaps sent, kept


async def test_a_reminder_that_never_left_is_released_for_the_next_sweep(bank, store, api, sender):
    _servant(api, bank, store, 20, add_years(TODAY + timedelta(days=30), -3))
    reminders = _reminders(bank, store)
    with socket.socket() as probe:  # a port nothing listens on: refused before anything was sent
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    unreachable = Bot(TOKEN, base_url=f"http://127.0.0.1:{closed_port}/bot")
    report = await reminders.sweep(TelegramSender(unreachable), MONDAY_2PM)
    assert report.retry == 1 and store.db["reminders"].count == 0
    assert (await reminders.sweep(sender, MONDAY_2PM + timedelta(hours=1))).sent == 1


async def test_deactivated_servants_get_nothing(bank, store, api, sender):
    _servant(api, bank, store, 17, add_years(TODAY + timedelta(days=30), -3))
    store.set_active(17, False, MONDAY_2PM)
    assert (await _reminders(bank, store).sweep(sender, MONDAY_2PM)).due == []


async def test_new_hire_gets_onboarding_deadline_and_a_cycle_from_the_hire_date(bank, store, api, sender, conversation):
    store.touch_user(18, "Aigerim", MONDAY_2PM)
    store.set_hire_date(18, TODAY - timedelta(days=25))
    conversation.refresh_cycle(18)
    dates = store.cycle(18)
    assert dates.onboarding_due_on == TODAY + timedelta(days=5)
    assert dates.due_on == add_years(TODAY - timedelta(days=25), 3)
    report = await _reminders(bank, store).sweep(sender, MONDAY_2PM)
    assert [(r.kind, r.stage) for r in report.due] == [("onboarding", "d7")]
    assert _sent(api, 18)[0].params["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "mod:onboarding"


async def test_coordinators_get_one_weekly_digest(bank, store, api, sender):
    _servant(api, bank, store, 19, add_years(TODAY - timedelta(days=10), -3))
    api.know(99, 98)  # the coordinators pressed Start
    reminders = _reminders(bank, store, coordinators={99})
    await reminders.sweep(sender, MONDAY_2PM)
    await reminders.sweep(sender, MONDAY_2PM + timedelta(hours=2))
    await reminders.sweep(sender, MONDAY_2PM + timedelta(days=1))
    digests = _sent(api, 99)
    assert len(digests) == 1
    assert (
        digests[0].params["text"].startswith(t("ru", "digest_title", overdue=1, soon=0))
        and "Servant 19" in digests[0].params["text"]
    )
    store.add_coordinator(98, ["Ministry"], MONDAY_2PM)  # a department coordinator sees only that department
    await reminders.sweep(sender, MONDAY_2PM + timedelta(days=7, hours=1))
    assert _sent(api, 98)[0].params["text"].startswith(t("ru", "digest_title", overdue=0, soon=0))
    await reminders.sweep(sender, MONDAY_2PM + timedelta(days=7))
    assert len(_sent(api, 99)) == 2


async def test_progress_shows_the_due_date_and_days_left(bank, store, api, conversation):
    _servant(api, bank, store, 20, date(2024, 3, 1), language="en")
    from bot.conversation import User

    text = (await conversation.command(User(20, "Olga", "en"), "progress")).replies[0].text
    assert "🗓 Training cycle: last completed on 1 March 2024. Next due on 1 March 2027 (98 days left)." in text


def test_the_dry_run_lists_and_sends_nothing(bank, tmp_path, api):
    store = Store(tmp_path / "bot.db")
    _servant(api, bank, store, 21, add_years(TODAY + timedelta(days=7), -3), language="kk")
    store.close()
    env = {"BOT_DB_PATH": str(tmp_path / "bot.db"), "TELEGRAM_API_BASE_URL": api.base_url, "TELEGRAM_BOT_TOKEN": TOKEN}
    result = _bot("remind", "--dry-run", "--now", "2026-11-23T14:00", **env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        f"21\tcycle\td7\tdue {add_years(TODAY + timedelta(days=7), 0)}\tkk",
        "dry run: 1 reminders would be sent; nothing was sent",
    ]
    assert api.calls == [] and Store(tmp_path / "bot.db").db["reminders"].count == 0
    sent = _bot("remind", "--now", "2026-11-23T14:00", **env)
    assert sent.stdout.startswith("due 1, sent 1"), sent.stderr
    assert [c.params["chat_id"] for c in api.calls if c.method == "sendMessage"] == [21]
