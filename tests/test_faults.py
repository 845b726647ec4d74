"""Faults in the middle of work: a crash between steps that belong together leaves neither, and a
typed answer goes to the question on screen."""

from __future__ import annotations

import pytest

from bot.conversation import User
from bot.locales import t
from bot.quiz import Attempt
from bot.roster import parse_roster
from bot.store import iso
from tests.conftest import NOW, current_attempt, right_letter_index

SERVANT = User(5101, "Гүлназ Сейітқазықызы Жұмабаева", "kk")
ROSTER = (
    "employee_id,full_name,department,position,hire_date,last_training_date\n"
    "E77,Гүлназ Сейітқазықызы Жұмабаева,Департамент государственных доходов,главный специалист,"
    "2024-02-12,2025-01-20\n"
)


class CycleStepFailed(Exception):
    """Stands for a crash between recording something and recomputing the cycle."""


def _fail_cycle_step(monkeypatch: pytest.MonkeyPatch, store) -> None:
    def crash(*args: object, **kwargs: object) -> None:
        raise CycleStepFailed

    monkeypatch.setattr(store, "refresh_cycle", crash)


async def _answer_all_but_last(conversation, store, bank) -> int:
    """Open the onboarding module and answer every question but the last; the session id."""
    await conversation.button(SERVANT, "go:onboarding")
    session = store.open_session(SERVANT.telegram_id)
    for position in range(len(current_attempt(store, bank, SERVANT.telegram_id).questions) - 1):
        await conversation.button(
            SERVANT, f"ans:{session.id}:{position}:{right_letter_index(store, bank, SERVANT.telegram_id)}"
        )
        await conversation.button(SERVANT, f"next:{session.id}:{position}")
    return session.id


async def test_a_completion_is_not_recorded_without_its_cycle(conversation, store, bank, monkeypatch):
    session_id = await _answer_all_but_last(conversation, store, bank)
    last = current_attempt(store, bank, SERVANT.telegram_id).position
    press = f"ans:{session_id}:{last}:{right_letter_index(store, bank, SERVANT.telegram_id)}"
    answers_before = store.db["answers"].count
    with monkeypatch.context() as patched:
        _fail_cycle_step(patched, store)
        with pytest.raises(CycleStepFailed):
            await conversation.button(SERVANT, press)
        assert store.db["completions"].count == 0 and store.db["cycles"].count == 0
        assert store.db["answers"].count == answers_before  # the last answer went with them: press again
        assert store.open_session(SERVANT.telegram_id).id == session_id
    outcome = await conversation.button(SERVANT, press)
    assert outcome.notice is None and store.db["completions"].count == 1
    assert store.db["cycles"].get(SERVANT.telegram_id)["updated_at"] == iso(NOW)  # recomputed with it


async def test_an_invite_is_not_claimed_without_its_cycle(conversation, store, monkeypatch):
    employees, problems = parse_roster(ROSTER.encode())
    assert problems == []
    store.upsert_employees(employees, NOW)
    code = store.invite("E77", NOW, 30).code
    with monkeypatch.context() as patched:
        _fail_cycle_step(patched, store)
        with pytest.raises(CycleStepFailed):
            await conversation.command(SERVANT, "start", code)
        assert store.employee_of(SERVANT.telegram_id) is None
        assert store.db.execute("SELECT used_at FROM invites WHERE code = ?", [code]).fetchone() == (None,)
    await conversation.command(SERVANT, "start", code)
    assert store.employee_of(SERVANT.telegram_id).employee_id == "E77"
    assert store.cycle(SERVANT.telegram_id).due_on is not None  # from the roster's last training date


def _right_letter(store, bank, session_id: int) -> str:
    session = store.session(session_id)
    module = bank.modules[session.module_id]
    attempt = Attempt(module, session.plan, session.position, dict(session.answers))
    return "ABCD"[attempt.option_order(attempt.current).index(attempt.current.correct_index)]


async def test_a_typed_answer_goes_to_the_quiz_on_screen_not_the_latest_one(conversation, store, bank, clock):
    await conversation.button(SERVANT, "go:onboarding")
    older = store.open_session(SERVANT.telegram_id)
    clock.advance(minutes=5)
    await conversation.button(SERVANT, "go:r2-gifts")
    newer = store.open_session(SERVANT.telegram_id)
    assert newer.id != older.id  # the latest open attempt, the one the old rule answered
    clock.advance(minutes=5)
    await conversation.button(SERVANT, "go:onboarding")  # back to the older quiz: its question on screen
    outcome = await conversation.text(SERVANT, f"{_right_letter(store, bank, older.id)}")
    assert outcome.replies == [] and t("kk", "right") in outcome.edit.text  # the question became its feedback
    assert [a["session_id"] for a in store.db["answers"].rows] == [older.id]
    assert store.session(newer.id).answers == {}


async def test_a_typed_letter_after_the_question_was_answered_answers_nothing_else(conversation, store, bank, clock):
    await conversation.button(SERVANT, "go:r2-gifts")
    newer = store.open_session(SERVANT.telegram_id)
    await conversation.button(SERVANT, "go:onboarding")
    older = store.open_session(SERVANT.telegram_id, "onboarding")
    await conversation.button(SERVANT, f"ans:{older.id}:0:0")  # answered by its button: feedback on screen
    outcome = await conversation.text(SERVANT, "B")
    assert outcome.replies[0].text == t("kk", "free_text_menu")  # not an answer to the other quiz
    assert [a["session_id"] for a in store.db["answers"].rows] == [older.id]
    assert store.session(newer.id).answers == {}
