"""Upgrades in place: databases made by earlier releases (tests/fixtures) open with every row kept,
at the current schema version, with a backup beside them, and every command works on them."""

from __future__ import annotations

import shutil
import sqlite3
import stat
import subprocess
import sys
import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest

from bot.store import SCHEMA_VERSION, SchemaError, Store
from bot.store import migrations
from bot.config import ROOT
from tests.test_cli import _bot, _env

FIXTURES = Path(__file__).parent / "fixtures"
# release -> (its file, the user_version it has); see fixtures/README.md
RELEASES = {
    "1956560": ("schema-v0-1956560.db", 0),
    "15e27d9": ("schema-v1.db", 0),
    "356d22b": ("schema-v7.db", 7),
}
UPGRADABLE = sorted(release for release, (_, version) in RELEASES.items() if version < SCHEMA_VERSION)


@dataclass
class OldDatabase:
    path: Path
    version: int  # its user_version

    @property
    def backup(self) -> Path:
        return self.path.with_name(f"ethics.db.bak-v{self.version}")


def _rows(path: Path) -> dict[str, list[tuple]]:
    """Every row of every table, in the columns the old file had."""
    conn = sqlite3.connect(path)
    try:
        tables = [name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {table: sorted(conn.execute(f"SELECT * FROM [{table}]").fetchall(), key=repr) for table in tables}
    finally:
        conn.close()


def _old_columns(rows_before: dict[str, list[tuple]], path: Path) -> dict[str, list[tuple]]:
    """The same tables of the upgraded file, cut to the columns each had before (added ones come last)."""
    after = _rows(path)
    return {
        table: sorted((row[: len(old[0])] if old else row for row in after[table]), key=repr)
        for table, old in rows_before.items()
    }


def _copy(release: str, directory: Path) -> OldDatabase:
    file, version = RELEASES[release]
    shutil.copy(FIXTURES / file, directory / "ethics.db")
    return OldDatabase(directory / "ethics.db", version)


@pytest.fixture(params=sorted(RELEASES))
def old_database(request, tmp_path) -> OldDatabase:
    """A database of every release, the current one's included."""
    return _copy(request.param, tmp_path)


@pytest.fixture(params=UPGRADABLE)
def upgradable(request, tmp_path) -> OldDatabase:
    """A database of every release whose schema is older than this one's."""
    return _copy(request.param, tmp_path)


def test_every_release_of_a_schema_version_has_a_fixture():
    released = {version for _, version in RELEASES.values()}
    assert SCHEMA_VERSION in released, "keep a fixture of this release's schema (tests/fixtures/README.md)"
    for release, (file, version) in RELEASES.items():
        conn = sqlite3.connect(FIXTURES / file)
        assert conn.execute("PRAGMA user_version").fetchone()[0] == version, release
        conn.close()


def test_an_old_database_keeps_every_row_and_reaches_the_current_version(old_database):
    path = old_database.path
    before = _rows(path)
    assert sum(len(rows) for rows in before.values()) > 1000 and before["answers"]
    store = Store(path)
    try:
        assert store.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert {"employees", "invites", "coordinators", "reminders", "cycles"} <= set(store.db.table_names())
        assert {"completions_report", "answers_report", "servant_status"} <= set(store.db.view_names())
        assert store.db["users"].count == len(before["users"])
        assert {row["active"] for row in store.db["users"].rows} <= {0, 1}  # added columns have their defaults
    finally:
        store.close()
    assert _old_columns(before, path) == before


def _schema(path: Path) -> dict[str, object]:
    """Tables with their columns (name, type, default, primary key) and every index and view."""
    conn = sqlite3.connect(path)
    try:
        names = conn.execute("SELECT type, name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'").fetchall()
        columns = {
            name: {row[1:] for row in conn.execute(f"PRAGMA table_info([{name}])")}
            for kind, name in names
            if kind == "table"
        }
        return {"objects": sorted(names), "columns": columns}
    finally:
        conn.close()


def test_an_upgraded_database_has_the_schema_of_a_new_one(old_database, tmp_path):
    path = old_database.path
    Store(path).close()
    Store(tmp_path / "new.db").close()
    assert _schema(path) == _schema(tmp_path / "new.db")


def test_the_old_file_is_kept_beside_the_upgraded_one(upgradable):
    original = _rows(upgradable.path)
    Store(upgradable.path).close()
    assert _rows(upgradable.backup) == original
    assert stat.S_IMODE(upgradable.backup.stat().st_mode) == 0o600
    Store(upgradable.path).close()  # a second opening has nothing to do and copies nothing
    assert [p for p in upgradable.path.parent.iterdir() if ".bak" in p.name] == [upgradable.backup]


def test_every_command_works_on_the_upgraded_database_of_15e27d9(tmp_path):
    path = tmp_path / "ethics.db"
    shutil.copy(FIXTURES / "schema-v1.db", path)
    env = {"BOT_DB_PATH": str(path)}
    remind = _bot("remind", "--dry-run", "--now", "2027-03-01T10:00", **env)
    assert remind.returncode == 0, remind.stderr
    assert "reminders would be sent" in remind.stdout and "\tcycle\t" in remind.stdout
    report = _bot("report", "--language", "ru", **env)
    assert report.returncode == 0, report.stderr
    assert "Министерство юстиции Республики Казахстан" in report.stdout
    servant = _bot("servant", "--telegram-id", "100007919", "--hire-date", "2026-10-01", **env)
    assert servant.returncode == 0 and "onboarding due 2026-10-31" in servant.stdout, servant.stderr
    export = _bot("export", **env)
    assert export.returncode == 0, export.stderr
    assert len(export.stdout.splitlines()) == 1 + 90  # the header and every completion
    assert (tmp_path / "ethics.db.bak-v0").exists()


def test_every_command_works_on_the_upgraded_database_of_1956560(tmp_path):
    path = tmp_path / "ethics.db"
    shutil.copy(FIXTURES / "schema-v0-1956560.db", path)
    env = {"BOT_DB_PATH": str(path)}
    servant = _bot("servant", "--telegram-id", "100007919", "--hire-date", "2026-10-01", **env)
    assert servant.returncode == 0 and "onboarding due 2026-10-31" in servant.stdout, servant.stderr
    for command in (("remind", "--dry-run", "--now", "2027-03-01T10:00"), ("report",), ("export",)):
        result = _bot(*command, **env)
        assert result.returncode == 0 and "Traceback" not in result.stderr, (command, result.stderr)


def test_every_command_works_on_the_database_of_356d22b(tmp_path):
    """Schema 7: answers with their language, questions to the Commissioner, ratings, certificates."""
    path = _copy("356d22b", tmp_path).path
    env = {"BOT_DB_PATH": str(path)}
    conn = sqlite3.connect(path)
    valid, revoked = (
        conn.execute(f"SELECT code FROM certificates WHERE revoked_at IS {state} LIMIT 1").fetchone()[0]
        for state in ("NULL", "NOT NULL")
    )
    conn.close()
    verify = _bot("verify", valid, **env)
    assert verify.returncode == 0 and "Genuine certificate" in verify.stdout, verify.stderr
    assert _bot("verify", revoked, **env).returncode == 1
    commissioners = _bot("commissioner", "list", **env)
    assert commissioners.stdout == "900003\tАлматы қаласының әкімдігі\n", commissioners.stderr
    feedback = _bot("export", "--what", "feedback", **env)
    assert feedback.returncode == 0 and len(feedback.stdout.splitlines()) == 1 + 20, feedback.stderr
    items = _bot("report", "--items", **env)
    assert items.returncode == 0 and "languages: ru" in items.stdout, items.stderr
    remind = _bot("remind", "--dry-run", "--now", "2027-03-01T10:00", **env)
    assert remind.returncode == 0 and "reminders would be sent" in remind.stdout, remind.stderr
    assert not list(tmp_path.glob("*.bak-*"))  # nothing to upgrade, nothing copied


def test_a_reader_that_stops_early_ends_an_export_quietly(tmp_path):
    """`export | head` is what coordinators do: no traceback when head has had enough."""
    path = _copy("356d22b", tmp_path).path
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "export", "--what", "answers"],
        cwd=ROOT,
        env=_env(BOT_DB_PATH=str(path)),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout.readline().decode("utf-8-sig").startswith("employee_id,telegram_id,module_id")
    process.stdout.close()
    stderr = process.stderr.read().decode()
    assert process.wait(timeout=60) == 141 and stderr == ""


def test_two_processes_opening_an_old_file_at_once_upgrade_it_once(upgradable):
    old_database = upgradable.path
    original = _rows(old_database)
    opened, errors = [], []

    def open_store() -> None:
        try:
            opened.append(Store(old_database))
        except Exception as error:  # noqa: BLE001 (collected for the assertion)
            errors.append(error)

    threads = [threading.Thread(target=open_store) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for store in opened:
        store.close()
    assert errors == [] and len(opened) == 4
    assert _rows(upgradable.backup) == original  # the file as it was, not half upgraded
    assert [p for p in old_database.parent.iterdir() if ".bak" in p.name] == [upgradable.backup]


def test_a_failing_migration_changes_nothing(old_database, monkeypatch):
    path, version = old_database.path, old_database.version

    def broken(db):
        db.execute("CREATE TABLE half_done (x)")
        raise RuntimeError("migration bug")

    before = _rows(path)
    monkeypatch.setattr(migrations, "MIGRATIONS", (*migrations.MIGRATIONS, broken))
    monkeypatch.setattr(migrations, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    with pytest.raises(RuntimeError, match="migration bug"):
        Store(path)
    assert _rows(path) == before
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == version
    conn.close()


def test_migrations_run_in_order_from_the_version_the_file_has(tmp_path, monkeypatch):
    path = tmp_path / "ethics.db"
    Store(path).close()
    ran = []
    monkeypatch.setattr(
        migrations, "MIGRATIONS", (*migrations.MIGRATIONS, lambda db: ran.append(2), lambda db: ran.append(3))
    )
    monkeypatch.setattr(migrations, "SCHEMA_VERSION", SCHEMA_VERSION + 2)
    Store(path).close()
    assert ran == [2, 3]
    assert (tmp_path / f"ethics.db.bak-v{SCHEMA_VERSION}").exists()


def test_a_new_database_is_current_private_and_needs_no_backup(tmp_path):
    path = tmp_path / "data" / "ethics.db"
    store = Store(path)
    store.touch_user(1, "Ерлан", datetime(2026, 11, 23))
    store.close()
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert [p.name for p in path.parent.iterdir() if ".bak" in p.name] == []
    for file in path.parent.iterdir():
        assert stat.S_IMODE(file.stat().st_mode) == 0o600, file


def test_a_database_from_a_newer_release_is_refused_in_one_line(tmp_path):
    path = tmp_path / "ethics.db"
    Store(path).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(SchemaError):
        Store(path)
    result = _bot("report", BOT_DB_PATH=str(path))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.strip().endswith(
        f"newer than this release knows ({SCHEMA_VERSION}); run a newer release or restore a backup."
    )
