"""Coordinator tools: roster import, invite codes, roles, exports (CSV, JSON lines, xAPI), reports."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import os
import subprocess
import sys
from datetime import date, datetime, timedelta

import pytest

from bot.config import ROOT
from bot.conversation import Conversation, User
from bot.coordinators import COORDINATOR_COMMANDS
from bot.locales import LANGUAGES, t
from bot.quiz import Plan
from bot.roster import parse_roster
from bot.store import Store
from bot.store.records import ANSWER_COLUMNS, COMPLETION_COLUMNS
from bot.store.roster import EXPIRED, INVALID, LINKED, InviteRefused
from bot.telegram_app import sync_coordinator_menus
from tests.conftest import NOW

HEADER = "employee_id,full_name,department,position,hire_date,last_training_date"
ROSTER = f"""{HEADER}
E1,Әсел Нұрланқызы,Akimat,chief specialist,2020-01-15,2023-05-10
E2,Дәурен Серікұлы,Ministry,expert,2026-11-01,
E3,Olga Ivanova,Ministry,head of unit,2019-03-01,2025-02-01
"""


def _cli(*args: str, db, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "BOT_"))}
    environment.update(BOT_DB_PATH=str(db), TELEGRAM_BOT_USERNAME="ethics_bot", **env)
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=60
    )


def _complete(store: Store, bank, telegram_id: int, module_id: str, score: int, when: datetime) -> None:
    module = bank.modules[module_id]
    session = store.start_session(telegram_id, module_id, module.track, Plan.draw(module, 1), when)
    store.record_answer(session.id, 0, module.questions[0].id, "Code p. 3", 1, True, when)
    store.complete(session.id, score, len(module.questions), module.passes(score, len(module.questions)), when)


@pytest.fixture
def records(store, bank, clock):
    """E1 (Akimat) and E3 (Ministry) linked to Telegram with completions; E2 not linked; one self-registered user."""
    conversation = Conversation(bank, store, "en", clock, coordinator_ids=frozenset({900}))
    employees, problems = parse_roster(ROSTER.encode())
    assert problems == []
    store.upsert_employees(employees, NOW)
    for telegram_id, employee_id in ((101, "E1"), (103, "E3")):
        store.touch_user(telegram_id, employee_id, NOW)
        assert store.claim_invite(store.invite(employee_id, NOW, 30).code, telegram_id, NOW).employee_id == employee_id
    store.touch_user(104, "Self-registered", NOW)
    _complete(store, bank, 101, "onboarding", 13, NOW - timedelta(days=40))
    _complete(store, bank, 103, "onboarding", 7, NOW - timedelta(days=10))
    _complete(store, bank, 104, "r2-gifts", 10, NOW - timedelta(days=5))
    for telegram_id in (101, 103, 104):
        conversation.refresh_cycle(telegram_id)
    return conversation


# roster --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "encoding, delimiter", [("utf-8", ","), ("utf-8-sig", ";"), ("utf-8-sig", ","), ("utf-8", ";")]
)
def test_roster_parses_bom_and_both_delimiters(encoding, delimiter):
    data = ROSTER.replace(",", delimiter).encode(encoding)
    employees, problems = parse_roster(data)
    assert problems == []
    assert [(e.employee_id, e.full_name, e.hire_date, e.last_training_date) for e in employees] == [
        ("E1", "Әсел Нұрланқызы", "2020-01-15", "2023-05-10"),
        ("E2", "Дәурен Серікұлы", "2026-11-01", None),
        ("E3", "Olga Ivanova", "2019-03-01", "2025-02-01"),
    ]


def test_bad_rows_are_reported_by_line_and_the_rest_imports(tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text(
        f"{HEADER}\nE1,A,Akimat,x,2020-01-15,\nE2,,Akimat,x,,\nE3,C,Akimat,x,2026-02-30,\n"
        "E1,D,Akimat,x,,\nE5,E,Akimat,x,01.02.2024,\n",
        encoding="utf-8",
    )
    result = _cli("roster", "import", str(roster), db=tmp_path / "db.db")
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "roster.csv: line 3: empty full_name",
        "roster.csv: line 4: hire_date '2026-02-30' is not a date (2026-01-31 or 31.01.2026)",
        "roster.csv: line 5: employee_id E1 already on line 2",
    ]
    assert result.stdout == "roster.csv: 2 added, 0 updated, 3 row(s) skipped\n"
    store = Store(tmp_path / "db.db")
    assert [(e.employee_id, e.hire_date) for e in store.employees()] == [("E1", "2020-01-15"), ("E5", "2024-02-01")]


def test_strict_import_rejects_the_whole_file(tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text(f"{HEADER}\nE1,A,Akimat,x,,\nE2,,Akimat,x,,\n", encoding="utf-8")
    result = _cli("roster", "import", "--strict", str(roster), db=tmp_path / "db.db")
    assert result.returncode == 1 and "nothing imported" in result.stderr
    assert Store(tmp_path / "db.db").employees() == []


def test_import_is_idempotent_and_a_missing_column_is_named(tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    assert (
        _cli("roster", "import", str(roster), db=tmp_path / "db.db").stdout
        == "roster.csv: 3 added, 0 updated, 0 row(s) skipped\n"
    )
    assert (
        _cli("roster", "import", str(roster), db=tmp_path / "db.db").stdout
        == "roster.csv: 0 added, 3 updated, 0 row(s) skipped\n"
    )
    assert len(Store(tmp_path / "db.db").employees()) == 3
    roster.write_text("employee_id;full_name\nE1;A\n", encoding="utf-8")
    result = _cli("roster", "import", str(roster), db=tmp_path / "db.db")
    assert "line 1: missing column(s): department, position, hire_date, last_training_date" in result.stderr


# invites -------------------------------------------------------------------------------------


def _refused(store, code, telegram_id, now=NOW) -> str:
    with pytest.raises(InviteRefused) as refused:
        store.claim_invite(code, telegram_id, now)
    return refused.value.reason


def test_an_invite_code_works_once_and_can_be_revoked_and_reissued(store, bank, clock):
    employees, _ = parse_roster(ROSTER.encode())
    store.upsert_employees(employees, NOW)
    code = store.invite("E2", NOW, 30).code
    assert store.invite("E2", NOW, 30).code == code  # printing again shows the same open code
    assert len(code) >= 16
    assert store.claim_invite(code, 555, NOW).employee_id == "E2"
    assert _refused(store, code, 556) == INVALID  # used
    revoked = store.invite("E3", NOW, 30).code
    assert store.revoke_invites("E3", NOW) == 1 and _refused(store, revoked, 557) == INVALID
    fresh = store.invite("E3", NOW, 30, reissue=True).code
    assert fresh != revoked and store.claim_invite(fresh, 557, NOW).employee_id == "E3"
    assert _refused(store, "AAAAAAAAAAAAAAAA", 558) == INVALID  # a guess


def test_an_invite_code_expires_and_a_new_one_is_printed(store):
    employees, _ = parse_roster(ROSTER.encode())
    store.upsert_employees(employees, NOW)
    invite = store.invite("E2", NOW, 30)
    assert invite.expires_at == "2026-12-23T09:00:00+00:00"
    assert _refused(store, invite.code, 555, NOW + timedelta(days=30)) == EXPIRED
    renewed = store.invite("E2", NOW + timedelta(days=30), 30)
    assert renewed.code != invite.code and store.claim_invite(renewed.code, 555, NOW + timedelta(days=31))


def test_a_linked_account_cannot_take_another_employees_record(store):
    employees, _ = parse_roster(ROSTER.encode())
    store.upsert_employees(employees, NOW)
    store.claim_invite(store.invite("E2", NOW, 30).code, 555, NOW)
    other = store.invite("E3", NOW, 30).code
    with pytest.raises(InviteRefused) as refused:
        store.claim_invite(other, 555, NOW)
    assert refused.value.reason == LINKED and refused.value.linked_to.employee_id == "E2"
    assert store.employee_of(555).employee_id == "E2" and store.employees("Ministry")[1].telegram_id is None
    assert store.claim_invite(other, 556, NOW).employee_id == "E3"  # the code still works for its owner


async def test_a_servant_links_through_the_deep_link_and_gets_the_hire_date_cycle(telegram):
    employees, _ = parse_roster(ROSTER.encode())
    telegram.store.upsert_employees(employees, NOW)
    code = telegram.store.invite("E2", NOW, 30).code
    user = telegram.user(700, "ru")
    sent = [c for c in await user.send(f"/start {code}") if c.method == "sendMessage"]
    assert sent[0].params["text"] == t("ru", "invite_linked", name="Дәурен Серікұлы", department="Ministry")
    assert telegram.store.employee_of(700).employee_id == "E2"
    assert telegram.store.cycle(700).onboarding_due_on == date(2026, 12, 1)
    again = [c for c in await telegram.user(701, "en").send(f"/start {code}") if c.method == "sendMessage"]
    assert again[0].params["text"] == t("en", "invite_invalid")


def test_invites_command_prints_codes_and_links(tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    _cli("roster", "import", str(roster), db=tmp_path / "db.db")
    lines = _cli("roster", "invites", "--department", "Ministry", db=tmp_path / "db.db").stdout.splitlines()
    assert lines[0] == "employee_id\tfull_name\tdepartment\tcode\tlink\texpires"
    rows = [line.split("\t") for line in lines[1:]]
    assert [r[0] for r in rows] == ["E2", "E3"]
    assert all(r[4] == f"https://t.me/ethics_bot?start={r[3]}" for r in rows)
    assert all(r[5] == (date.today() + timedelta(days=30)).isoformat() for r in rows)  # invite_valid_days


# roles ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("command", COORDINATOR_COMMANDS)
async def test_coordinator_commands_are_not_permitted_for_others(records, command):
    outcome = await records.command(User(101, "Asel", "en"), command, "")
    assert [r.text for r in outcome.replies] == [t("en", "not_permitted")] and outcome.files == []


async def test_a_department_coordinator_sees_only_their_department(records, store):
    store.add_coordinator(950, ["Ministry"], NOW)
    outcome = await records.command(User(950, "Coordinator", "en"), "export", "")
    document = outcome.files[0].path
    rows = list(csv.reader(io.StringIO(document.read_text(encoding="utf-8-sig"))))
    assert document.stat().st_mode & 0o777 == 0o600
    document.unlink()
    assert rows[0] == list(COMPLETION_COLUMNS)
    assert [(r[0], r[2]) for r in rows[1:]] == [("E3", "Ministry")]
    report = (await records.command(User(950, "Coordinator", "en"), "report", "")).replies[0].text
    assert "Ministry" in report and "Akimat" not in report
    overdue = (await records.command(User(950, "Coordinator", "en"), "overdue", "")).replies[0].text
    assert "Akimat" not in overdue


async def test_env_coordinator_sees_everything_and_help_lists_their_commands(records):
    coordinator = User(900, "Lead", "en")
    export = await records.command(coordinator, "export", "")
    assert export.replies == [] and export.files[0].caption == t("en", "export_done", rows="3 rows")
    export.files[0].path.unlink()
    overdue = (await records.command(coordinator, "overdue", "")).replies[0].text
    assert overdue.splitlines() == [
        t("en", "overdue_title", count=1),
        "",
        t("en", "overdue_department", department="Akimat", count=1, unreachable=0),
        "• Әсел Нұрланқызы (E1): 10 May 2026",
    ]
    pressed = await records.button(coordinator, "help")  # the pressed message becomes the help
    for text in ((await records.command(coordinator, "help")).replies[0].text, pressed.edit.text):
        assert all(f"/{name}" in text for name in COORDINATOR_COMMANDS)
    plain = (await records.command(User(101, "Asel", "en"), "help")).replies[0].text
    assert not any(f"/{name}" in plain for name in COORDINATOR_COMMANDS)


async def test_coordinator_menu_is_registered_in_their_chat_only(bank, tmp_path, clock):
    from tests.conftest import BotApiStub, start_bot, stop_bot

    api = BotApiStub().start()
    store = Store(tmp_path / "bot.db")
    store.add_coordinator(951, [], NOW, all_departments=True)
    api.know(900, 951, 952)  # the coordinators pressed Start
    application = await start_bot(api, Conversation(bank, store, "ru", clock, coordinator_ids=frozenset({900})))
    try:
        scoped = [c for c in api.calls if c.method == "setMyCommands" and c.params.get("scope")]
        assert {c.params["scope"]["chat_id"] for c in scoped} == {900, 951}
        assert all(c.params["scope"]["type"] == "chat" for c in scoped)
        assert all(
            [x["command"] for x in c.params["commands"]][-len(COORDINATOR_COMMANDS) :] == list(COORDINATOR_COMMANDS)
            for c in scoped
        )
        public = [c for c in api.calls if c.method == "setMyCommands" and not c.params.get("scope")]
        assert public and all(
            not set(COORDINATOR_COMMANDS) & {x["command"] for x in c.params["commands"]} for c in public
        )

        # changed on the command line while the bot runs: the repeating job catches up
        store.add_coordinator(952, ["Akimat"], NOW)
        store.remove_coordinator(951)
        before = len(api.calls)
        application.job_queue.run_once(sync_coordinator_menus, 0)
        calls = (
            await asyncio.to_thread(
                api.wait_for,
                lambda calls: sum(c.method == "deleteMyCommands" for c in calls[before:]) == len(LANGUAGES) + 1,
            )
        )[before:]
        assert {c.params["scope"]["chat_id"] for c in calls if c.method == "setMyCommands"} == {952}
        assert {c.params["scope"]["chat_id"] for c in calls if c.method == "deleteMyCommands"} == {951}
    finally:
        await stop_bot(application)
        api.stop()


# exports -------------------------------------------------------------------------------------


def test_csv_export_has_the_contract_columns_and_a_bom(records, store, tmp_path):
    out = tmp_path / "log.csv"
    result = _cli("export", "--output", str(out), db=store_path(store))
    assert result.returncode == 0, result.stderr
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == [
        "employee_id",
        "full_name",
        "department",
        "telegram_id",
        "module_id",
        "track",
        "started_at",
        "completed_at",
        "score",
        "max_score",
        "passed",
        "cycle_due",
        "telegram_first_name",
    ]
    assert rows[1][:5] == ["E1", "Әсел Нұрланқызы", "Akimat", "101", "onboarding"]
    assert [r[4] for r in rows[1:]] == ["onboarding", "onboarding", "r2-gifts"]


def store_path(store: Store):
    return store.db.execute("PRAGMA database_list").fetchone()[2]


@pytest.mark.parametrize(
    "args, expected",
    [
        (["--since", "2026-11-10"], ["E3", ""]),
        (["--until", "2026-11-10"], ["E1"]),
        (["--department", "Akimat"], ["E1"]),
        (["--module", "r2-gifts"], [""]),
    ],
)
def test_export_filters(records, store, args, expected):
    result = _cli("export", "--format", "jsonl", *args, db=store_path(store))
    assert [json.loads(line)["employee_id"] or "" for line in result.stdout.splitlines()] == expected


def test_answers_export_and_xapi_statements(records, store, bank):
    answers = _cli("export", "--what", "answers", db=store_path(store)).stdout
    header = next(csv.reader(io.StringIO(answers.lstrip("\ufeff"))))
    assert header == list(ANSWER_COLUMNS)
    statements = [
        json.loads(line) for line in _cli("export", "--format", "xapi", db=store_path(store)).stdout.splitlines()
    ]
    assert [s["verb"]["id"].rsplit("/", 1)[1] for s in statements] == [
        "completed",
        "passed",
        "completed",
        "failed",
        "completed",
        "failed",
    ]  # 10 of the 14 gifts questions: below 75 %
    first = statements[1]
    assert first["actor"] == {
        "objectType": "Agent",
        "account": {"homePage": "https://t.me", "name": "101"},
        "name": "Әсел Нұрланқызы",
    }
    assert (
        first["result"]["success"] is True
        and first["result"]["score"]["raw"] == 13
        and first["result"]["score"]["max"] == len(bank.modules["onboarding"].questions)
    )
    assert first["object"]["id"].endswith("/modules/onboarding") and first["timestamp"].startswith("2026-10-14")
    answered = [
        json.loads(line)
        for line in _cli("export", "--what", "answers", "--format", "xapi", db=store_path(store)).stdout.splitlines()
    ]
    assert {s["verb"]["display"]["en-US"] for s in answered} == {"answered"} and answered[0]["result"] == {
        "success": True,
        "response": "B",
    }


async def test_export_and_report_arrive_in_telegram_as_files(bank, tmp_path, clock):
    from tests.conftest import running_bot

    async for harness in running_bot(bank, tmp_path, clock, None, coordinator_ids=frozenset({900})):
        harness.store.touch_user(104, "Self-registered", NOW)
        _complete(harness.store, bank, 104, "r2-gifts", 10, NOW - timedelta(days=5))
        coordinator = harness.user(900, "en")
        calls = await coordinator.send("/export 2026-11-01 2026-11-30")
        documents = [c for c in calls if c.method == "sendDocument"]
        assert len(documents) == 1
        data = documents[0].files["document"]
        assert data.startswith(b"\xef\xbb\xbf" + ",".join(COMPLETION_COLUMNS).encode())
        assert len(data.decode("utf-8-sig").splitlines()) == 2
        photos = [c for c in await coordinator.send("/report") if c.method == "sendPhoto"]
        assert photos[0].files["photo"].startswith(b"\x89PNG")
        refused = await harness.user(901, "en").send("/export")
        assert [c.method for c in refused] == ["sendMessage"] and refused[0].params["text"] == t("en", "not_permitted")
        bad = await coordinator.send("/export last-month")
        assert bad[0].params["text"] == t("en", "export_usage")
