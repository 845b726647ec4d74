"""Faults in the middle of work: a crash between steps that belong together leaves neither."""

from __future__ import annotations

import pytest

from bot.conversation import User
from bot.roster import parse_roster
from bot.store import iso
from tests.conftest import NOW, current_attempt, right_letter_index

SERVANT = User(5101, "Гүлназ Сейітқазықызы Жұмабаева", "kk")
ROSTER = ("employee_id,full_name,department,position,hire_date,last_training_date\n"
          "E77,Гүлназ Сейітқазықызы Жұмабаева,Департамент государственных доходов,главный специалист,"
          "2024-02-12,2025-01-20\n")


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
        await conversation.button(SERVANT, f"ans:{session.id}:{position}:{right_letter_index(store, bank, SERVANT.telegram_id)}")
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
