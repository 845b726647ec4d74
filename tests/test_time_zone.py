"""One time zone setting (config.yml bot.time_zone) decides every calendar day: "today" in the
screens, the day a pass counts for in the cycle, reminders' working hours and the reports."""

from __future__ import annotations

import asyncio
from datetime import date, datetime, timezone

from bot.config import load_settings
from bot.conversation import Conversation, User
from bot.coordinators import Coordination
from bot.cycle import CyclePolicy, ReminderPolicy
from bot.quiz import Plan
from bot.reminders import Reminders

# 03:00 UTC on Monday 23 November 2026: 08:00 that Monday in Almaty, 22:00 on Sunday in New York
EARLY = datetime(2026, 11, 23, 3, 0, tzinfo=timezone.utc)
ALMATY, NEW_YORK = CyclePolicy(), CyclePolicy(time_zone="America/New_York")


def _pass_refresher(store, bank, telegram_id: int, at: datetime) -> None:
    for module in bank.track("refresher"):
        session = store.start_session(telegram_id, module.id, module.track, Plan.draw(module, 1), at)
        store.complete(session.id, len(module.questions), len(module.questions), True, at)


def test_the_default_is_almaty_and_config_yml_can_change_it(tmp_path):
    assert load_settings({}).cycle.time_zone == "Asia/Almaty"
    config = tmp_path / "config.yml"
    config.write_text("bot:\n  time_zone: America/New_York\n")
    assert load_settings({}, config).cycle.time_zone == "America/New_York"


def test_a_pass_counts_for_the_local_day_of_the_setting(store, bank):
    store.touch_user(7, "Ақбота", EARLY)
    _pass_refresher(store, bank, 7, EARLY)
    refresher = [m.id for m in bank.track("refresher")]
    assert store.refresh_cycle(7, refresher, [], ALMATY, EARLY).completed_on == date(2026, 11, 23)
    assert store.refresh_cycle(7, refresher, [], NEW_YORK, EARLY).completed_on == date(2026, 11, 22)


def test_today_in_the_progress_screen_follows_the_setting(store, bank):
    store.touch_user(8, "Ақбота", EARLY)
    store.record_training(8, date(2024, 1, 1), "seminar", EARLY)  # due 2027-01-01
    texts = {}
    for policy in (ALMATY, NEW_YORK):
        conversation = Conversation(bank, store, "en", lambda: EARLY, policy=policy)
        conversation.refresh_cycle(8)
        outcome = asyncio.run(conversation.command(User(8, "Ақбота", "en"), "progress"))
        texts[policy.time_zone] = "\n".join(reply.text for reply in outcome.replies)
    assert "Next due on 1 January 2027 (39 days left)" in texts["Asia/Almaty"]  # today is 23 November
    assert "Next due on 1 January 2027 (40 days left)" in texts["America/New_York"]  # still 22 November


def test_reminders_go_out_in_working_hours_of_the_setting(store, bank):
    store.touch_user(9, "Ақбота", EARLY)
    store.record_training(9, date(2023, 12, 1), "seminar", EARLY)  # due 2026-12-01: the 30-day stage
    nine_am_in_new_york = datetime(2026, 11, 23, 14, 0, tzinfo=timezone.utc)  # 19:00 in Almaty
    found = {}
    for policy in (ALMATY, NEW_YORK):
        Conversation(bank, store, "en", lambda: EARLY, policy=policy).refresh_cycle(9)
        reminders = Reminders(
            bank, store, ReminderPolicy(), policy, Coordination(store, bank, frozenset(), policy), "en"
        )
        found[policy.time_zone] = [(r.telegram_id, r.stage) for r in reminders.due(nine_am_in_new_york)]
    assert found == {"Asia/Almaty": [], "America/New_York": [(9, "d30")]}
