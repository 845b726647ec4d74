"""A quiz attempt as a state machine: plan, answer, advance, score (pure).

The plan (question order and each question's option order) is drawn once per attempt and stored
with it, so a resumed attempt shows exactly what it showed before.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from bot.content import Module, Question


class StaleAction(Exception):
    """A button or answer that no longer applies to the attempt (already answered, moved on)."""


@dataclass(frozen=True)
class Plan:
    """Question ids in asking order and, per question, original option indices in display order."""

    questions: tuple[str, ...]
    options: dict[str, tuple[int, ...]]

    @classmethod
    def draw(cls, module: Module, seed: int) -> Plan:
        """A shuffled plan; the same seed always gives the same plan."""
        rng = random.Random(seed)
        order = [q.id for q in module.questions]
        rng.shuffle(order)
        options = {}
        for question in module.questions:
            indices = list(range(len(question.options)))
            rng.shuffle(indices)
            options[question.id] = tuple(indices)
        return cls(tuple(order), options)

    def to_json(self) -> dict[str, object]:
        return {"questions": list(self.questions), "options": {k: list(v) for k, v in self.options.items()}}

    @classmethod
    def from_json(cls, data: dict[str, object]) -> Plan:
        return cls(tuple(data["questions"]), {k: tuple(v) for k, v in data["options"].items()})


@dataclass(frozen=True)
class AnswerResult:
    question: Question
    chosen: int
    correct: bool


@dataclass
class Attempt:
    """One servant's pass through one module; `answers` maps question id to the chosen option."""

    module: Module
    plan: Plan
    position: int = 0
    answers: dict[str, int] = field(default_factory=dict)

    @property
    def questions(self) -> list[Question]:
        """The planned questions that still exist in the bank (an edited bank drops removed ones)."""
        found = (self.module.question(qid) for qid in self.plan.questions)
        return [q for q in found if q is not None]

    def option_order(self, question: Question) -> tuple[int, ...]:
        order = self.plan.options.get(question.id, ())
        if sorted(order) != list(range(len(question.options))):
            return tuple(range(len(question.options)))
        return order

    @property
    def current(self) -> Question | None:
        questions = self.questions
        return questions[self.position] if self.position < len(questions) else None

    @property
    def finished(self) -> bool:
        return self.current is None

    @property
    def awaiting_next(self) -> bool:
        """The current question is answered and the servant has not pressed Next yet."""
        current = self.current
        return current is not None and current.id in self.answers

    def answer(self, position: int, display_index: int) -> AnswerResult:
        """Answer the question at `position` with the option shown at `display_index`."""
        question = self.current
        if question is None or position != self.position or question.id in self.answers:
            raise StaleAction(question.id if question else "finished")
        order = self.option_order(question)
        if not 0 <= display_index < len(order):
            raise StaleAction(question.id)
        chosen = order[display_index]
        self.answers[question.id] = chosen
        return AnswerResult(question, chosen, chosen == question.correct_index)

    def advance(self, position: int) -> None:
        """Move past the answered question at `position`."""
        if position != self.position or not self.awaiting_next:
            raise StaleAction(str(position))
        self.position += 1

    def score(self) -> tuple[int, int]:
        """(right answers, questions) over the questions still in the bank."""
        questions = self.questions
        right = sum(self.answers.get(q.id) == q.correct_index for q in questions)
        return right, len(questions)

    def passed(self) -> bool:
        return self.module.passes(*self.score())
