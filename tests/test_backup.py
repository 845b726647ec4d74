"""Backups made while answers are being written, restored with every row the backup held; damaged
or newer files are refused and the database stays as it was; every file is owner-only."""

from __future__ import annotations

import sqlite3
import stat
import threading
from datetime import timedelta

from bot.quiz import Plan
from bot.store import SCHEMA_VERSION, Store
from tests.conftest import NOW
from tests.test_cli import _bot


def _count(path, table: str = "answers") -> int:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
    finally:
        conn.close()


def _answer_all(store: Store, bank, servants: range, stop: threading.Event) -> None:
    """Servants answering whole modules, one transaction per answer, as the running bot would."""
    module = bank.modules["onboarding"]
    for telegram_id in servants:
        if stop.is_set():
            return
        now = NOW + timedelta(minutes=telegram_id)
        store.touch_user(telegram_id, "Жанұзақова Әсемгүл Серікқызы", now)
        session = store.start_session(telegram_id, module.id, module.track, Plan.draw(module, telegram_id), now)
        for position, question_id in enumerate(session.plan.questions):
            store.record_answer(session.id, position, question_id, "Code p. 3", 0, position % 3 == 0, now)
            store.advance(session.id, position, now)


def test_a_backup_taken_while_answers_are_written_restores_what_it_held(tmp_path, bank):
    db_path = tmp_path / "ethics.db"
    store = Store(db_path)
    _answer_all(store, bank, range(1, 11), threading.Event())  # something before the writer starts
    stop = threading.Event()
    writer = threading.Thread(target=_answer_all, args=(store, bank, range(11, 400), stop))
    writer.start()
    try:
        result = _bot("backup", str(tmp_path / "nightly.db"), BOT_DB_PATH=str(db_path))
    finally:
        stop.set()
        writer.join()
    assert result.returncode == 0, result.stderr
    backup = tmp_path / "nightly.db"
    held = _count(backup)
    assert _count(db_path) >= held >= 10 * len(bank.modules["onboarding"].questions)
    conn = sqlite3.connect(backup)
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    # one moment: every answer's attempt is there, and each attempt is at its last answer or the next
    assert conn.execute(
        "SELECT COUNT(*) FROM answers WHERE session_id NOT IN (SELECT id FROM quiz_sessions)"
    ).fetchone() == (0,)
    assert conn.execute(
        "SELECT COUNT(*) FROM quiz_sessions AS q WHERE "
        "(SELECT COUNT(*) FROM answers WHERE session_id = q.id) - position NOT IN (0, 1)"
    ).fetchone() == (0,)
    conn.close()
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    users_before = _count(db_path, "users")
    store.close()

    result = _bot("restore", str(backup), BOT_DB_PATH=str(db_path))
    assert result.returncode == 0, result.stderr
    assert _count(db_path) == held and _count(db_path, "users") <= users_before
    kept = [p for p in tmp_path.iterdir() if ".before-restore-" in p.name]
    assert len(kept) == 1 and _count(kept[0], "users") == users_before
    assert stat.S_IMODE(kept[0].stat().st_mode) == 0o600
    assert f"restored {backup} (schema version {SCHEMA_VERSION})" in result.stdout


def test_a_corrupted_backup_is_refused_and_the_database_kept(tmp_path, bank):
    db_path = tmp_path / "ethics.db"
    store = Store(db_path)
    _answer_all(store, bank, range(1, 40), threading.Event())
    store.close()
    assert _bot("backup", str(tmp_path / "good.db"), BOT_DB_PATH=str(db_path)).returncode == 0
    damaged = tmp_path / "damaged.db"
    data = bytearray((tmp_path / "good.db").read_bytes())
    data[4096 * 3 : 4096 * 6] = b"\x07" * (4096 * 3)  # pages of a table's b-tree overwritten
    damaged.write_bytes(bytes(data))
    garbage = tmp_path / "notes.txt"
    garbage.write_text("not a database at all\n" * 300)
    before = _count(db_path)
    for bad, reason in (
        (damaged, "integrity check failed"),
        (garbage, "not a usable SQLite database"),
        (tmp_path / "missing.db", "no such file"),
    ):
        result = _bot("restore", str(bad), BOT_DB_PATH=str(db_path))
        assert result.returncode == 2, result.stdout
        assert result.stderr.startswith("error: not restored: ") and reason in result.stderr, result.stderr
        assert len(result.stderr.splitlines()) == 1
    assert _count(db_path) == before
    assert not [p for p in tmp_path.iterdir() if ".before-restore-" in p.name]


def test_a_backup_from_a_newer_release_is_refused(tmp_path):
    db_path = tmp_path / "ethics.db"
    Store(db_path).close()
    newer = tmp_path / "newer.db"
    conn = sqlite3.connect(newer)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.execute("CREATE TABLE users (telegram_id INTEGER PRIMARY KEY)")
    conn.close()
    result = _bot("restore", str(newer), BOT_DB_PATH=str(db_path))
    assert result.returncode == 2 and "is newer than this release knows" in result.stderr
