"""The quiz engine: plans are shuffled but stable, answers count once, scores and pass marks."""

from __future__ import annotations

import pytest

from bot.content import load_bank
from bot.quiz import Attempt, Plan, StaleAction
from tests.conftest import small_bank_files


@pytest.fixture
def module(tmp_path):
    return load_bank(small_bank_files(tmp_path)).modules["basics"]


def test_the_same_seed_gives_the_same_plan_and_plans_survive_json(bank):
    module = bank.modules["onboarding"]
    plan = Plan.draw(module, 42)
    assert plan == Plan.draw(module, 42)
    assert Plan.from_json(plan.to_json()) == plan
    assert sorted(plan.questions) == sorted(q.id for q in module.questions)
    assert any(Plan.draw(module, seed).questions != plan.questions for seed in range(5))


def test_answering_scores_and_passing(module):
    attempt = Attempt(module, Plan.draw(module, 1))
    right = attempt.option_order(attempt.current).index(attempt.current.correct_index)
    assert attempt.answer(0, right).correct
    attempt.advance(0)
    assert not attempt.answer(1, 1 - attempt.option_order(attempt.current).index(attempt.current.correct_index)).correct
    assert attempt.score() == (1, 2)
    assert attempt.passed()  # pass mark 0.5


def test_a_question_is_answered_once_and_moving_on_needs_an_answer(module):
    attempt = Attempt(module, Plan.draw(module, 1))
    with pytest.raises(StaleAction):
        attempt.advance(0)
    attempt.answer(0, 0)
    with pytest.raises(StaleAction):
        attempt.answer(0, 1)
    with pytest.raises(StaleAction):
        attempt.answer(1, 0)
    attempt.advance(0)
    with pytest.raises(StaleAction):
        attempt.advance(0)


def test_an_option_that_does_not_exist_is_refused(module):
    with pytest.raises(StaleAction):
        Attempt(module, Plan.draw(module, 1)).answer(0, 7)


def test_a_plan_naming_removed_questions_skips_them(module):
    plan = Plan(("gone", module.questions[1].id, module.questions[0].id), {"gone": (0, 1)})
    attempt = Attempt(module, plan)
    assert [q.id for q in attempt.questions] == [module.questions[1].id, module.questions[0].id]
    assert attempt.option_order(attempt.current) == (0, 1)
