"""Review of mistakes: wrong answers come back later until they are answered right (pure).

A Leitner schedule, simple and deterministic: a wrong answer puts the question in box 0, due a
day later; each right answer moves it up a box with a longer wait (3, then 7 days); a right answer
in the last box retires it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.content import Bank, Module
from bot.locales import LANGUAGES, t

REVIEW = "review"
WAIT_DAYS = (1, 3, 7)  # the wait before a question in box 0, 1, 2 comes back
SESSION_SIZE = 10


def next_review(box: int | None, correct: bool, now: datetime) -> tuple[int, datetime] | None:
    """The question's new (box, due time) after an answer; None when it leaves the review."""
    if not correct:
        return 0, now + timedelta(days=WAIT_DAYS[0])
    if box is None:
        return None  # never missed: nothing to review
    if box + 1 >= len(WAIT_DAYS):
        return None  # retired: answered right at the longest interval
    return box + 1, now + timedelta(days=WAIT_DAYS[box + 1])


def review_module(bank: Bank, question_ids: list[str] | tuple[str, ...]) -> Module:
    """A module made of the given questions (from any module), for one review session."""
    questions = tuple(q for q in (bank.question(qid) for qid in question_ids) if q is not None)
    return Module(
        id=REVIEW,
        title={lang: t(lang, "review_title") for lang in LANGUAGES},
        track=REVIEW,
        pass_mark=1.0,
        card={lang: "" for lang in LANGUAGES},
        questions=questions,
    )
