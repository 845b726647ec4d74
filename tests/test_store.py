"""The SQLite store: WAL, one answer per question, completions logged once, readable tables."""

from __future__ import annotations

from bot.quiz import Plan
from bot.store import Store
from tests.conftest import NOW


def _session(store: Store, bank, telegram_id: int = 7):
    store.touch_user(telegram_id, "Saule", NOW)
    module = bank.modules["onboarding"]
    return store.start_session(telegram_id, module.id, module.track, Plan.draw(module, 3), NOW)


def test_the_database_is_in_wal_mode(store):
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_tables_a_coordinator_can_read(store):
    assert {"users", "quiz_sessions", "answers", "completions"} <= set(store.db.table_names())


def test_starting_twice_resumes_the_same_attempt(store, bank):
    first = _session(store, bank)
    assert _session(store, bank).id == first.id
    assert store.db["quiz_sessions"].count == 1


def test_an_answer_is_recorded_once(store, bank):
    session = _session(store, bank)
    question = session.plan.questions[0]
    assert store.record_answer(session.id, 0, question, "Code p. 3", 1, True, NOW)
    assert not store.record_answer(session.id, 0, question, "Code p. 3", 0, False, NOW)
    rows = list(store.db["answers"].rows)
    assert [(r["question_id"], r["option"], r["correct"], r["answered_at"]) for r in rows] == [
        (question, "1", 1, "2026-11-23T09:00:00+00:00")
    ]


def test_an_answer_for_a_position_the_attempt_left_is_refused(store, bank):
    session = _session(store, bank)
    assert store.advance(session.id, 0, NOW)
    assert not store.advance(session.id, 0, NOW)
    assert not store.record_answer(session.id, 0, session.plan.questions[0], "", 0, True, NOW)


def test_a_completion_is_logged_once_and_shows_in_results(store, bank):
    session = _session(store, bank)
    assert store.complete(session.id, 9, 14, True, NOW)
    assert not store.complete(session.id, 9, 14, True, NOW)
    assert store.db["completions"].count == 1
    result = store.results(7)["onboarding"]
    assert (result.best_score, result.max_score, result.passed_at, result.in_progress) == (
        9,
        14,
        "2026-11-23T09:00:00+00:00",
        False,
    )


def test_state_survives_reopening_the_file(tmp_path, bank):
    path = tmp_path / "ethics.db"
    first = Store(path)
    session = _session(first, bank)
    first.record_answer(session.id, 0, session.plan.questions[0], "", 2, False, NOW)
    first.close()
    again = Store(path).open_session(7)
    assert again.id == session.id and again.answers == {session.plan.questions[0]: 2}
