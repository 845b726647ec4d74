"""Review of mistakes: a wrong answer comes back a day later, then after 3 and 7 days, until learned."""

from __future__ import annotations

from datetime import timedelta

from bot.conversation import User
from bot.locales import t
from bot.review import next_review
from tests.conftest import NOW, current_attempt, right_letter_index

USER = User(900, "Yerlan", "en")


def test_the_schedule_is_simple_and_deterministic():
    assert next_review(None, False, NOW) == (0, NOW + timedelta(days=1))
    assert next_review(None, True, NOW) is None
    assert next_review(0, True, NOW) == (1, NOW + timedelta(days=3))
    assert next_review(1, True, NOW) == (2, NOW + timedelta(days=7))
    assert next_review(2, True, NOW) is None
    assert next_review(2, False, NOW) == (0, NOW + timedelta(days=1))


def _labels(outcome):
    return [b.label for reply in outcome.replies for row in reply.buttons for b in row]


async def _answer_current(conversation, store, bank, right: bool):
    attempt = current_attempt(store, bank, USER.telegram_id)
    index = right_letter_index(store, bank, USER.telegram_id)
    session = store.open_session(USER.telegram_id)
    chosen = index if right else (index + 1) % len(attempt.current.options)
    return await conversation.button(USER, f"ans:{session.id}:{attempt.position}:{chosen}"), attempt.current.id


async def test_a_mistake_comes_back_later_until_answered_right(conversation, store, bank, clock):
    await conversation.button(USER, "go:onboarding")
    _, missed = await _answer_current(conversation, store, bank, right=False)
    assert store.due_reviews(USER.telegram_id, clock()) == []
    menu = await conversation.command(USER, "start")
    assert not any(label.startswith("🔁") for label in _labels(menu))

    clock.advance(days=1)
    menu = await conversation.command(USER, "start")
    assert t("en", "btn_review", count=1) in _labels(menu)
    for wait in (3, 7):
        outcome = await conversation.button(USER, "review")
        assert missed in [q.id for q in current_attempt(store, bank, USER.telegram_id).questions]
        outcome, _ = await _answer_current(conversation, store, bank, right=True)
        assert outcome.replies[-1].text.startswith("🔁")
        assert store.due_reviews(USER.telegram_id, clock()) == []
        clock.advance(days=wait)
        assert store.due_reviews(USER.telegram_id, clock()) == [missed]
    await conversation.button(USER, "review")
    await _answer_current(conversation, store, bank, right=True)
    clock.advance(days=30)
    assert store.due_reviews(USER.telegram_id, clock()) == []
    assert store.db["reviews"].count == 0
    assert store.db["completions"].count == 0  # reviews are not module completions


async def test_nothing_due_says_so(conversation):
    outcome = await conversation.button(USER, "review")
    assert outcome.replies == [] and outcome.edit.text == t("en", "review_none")
