"""Whether a pass measures knowledge of the Code: how test-wise guessing scores, and stories told twice (pure).

A bank can be valid yet passable without reading the scenarios: when the right option is always
the longest, or sits in the same place. `audit` plays each guessing strategy against every module
in every language and finds refresher scenarios that retell a scenario of another module.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass

from bot.content import Bank, Module, Question
from bot.locales import LANGUAGES

MAX_LONGEST_SHARE = 0.35  # the right option may be the longest in at most this share of a module's questions
NEAR_DUPLICATE = 0.21  # stem overlap of two scenarios (mean over languages) from which they tell one story
_WORD = re.compile(r"\w{4,}")


def _longest(question: Question, lang: str) -> int:
    lengths = [len(option.text[lang]) for option in question.options]
    return lengths.index(max(lengths))


def _shortest(question: Question, lang: str) -> int:
    lengths = [len(option.text[lang]) for option in question.options]
    return lengths.index(min(lengths))


STRATEGIES: dict[str, Callable[[Question, str], int]] = {
    "longest": _longest,
    "shortest": _shortest,
    "first": lambda question, lang: 0,
    "last": lambda question, lang: len(question.options) - 1,
}


@dataclass(frozen=True)
class ModuleAudit:
    """How one module fares in one language against every guessing strategy."""

    module: Module
    lang: str
    scores: dict[str, float]  # strategy -> share of questions it answers right
    longest_share: float  # share of questions whose right option is (one of) the longest

    def failures(self) -> list[str]:
        """What makes this module passable without knowing the Code, in words."""
        mark = self.module.pass_mark
        found = [
            f"always the {name} option scores {score:.0%}, the pass mark is {mark:.0%}"
            for name, score in self.scores.items()
            if score >= mark - 1e-9
        ]
        if self.longest_share > MAX_LONGEST_SHARE + 1e-9:
            found.append(
                f"the right option is the longest in {self.longest_share:.0%} of questions "
                f"(at most {MAX_LONGEST_SHARE:.0%})"
            )
        return found


def audit_module(module: Module, lang: str) -> ModuleAudit:
    questions = module.questions
    scores = {
        name: sum(pick(q, lang) == q.correct_index for q in questions) / len(questions)
        for name, pick in STRATEGIES.items()
    }
    longest = sum(
        len(q.options[q.correct_index].text[lang]) == max(len(o.text[lang]) for o in q.options) for q in questions
    )
    return ModuleAudit(module, lang, scores, longest / len(questions))


def _stems(text: str) -> set[str]:
    """Words of four letters or more cut to five: enough to meet Kazakh and Russian inflections."""
    return {word[:5] for word in _WORD.findall(text.lower())}


def similarity(a: Question, b: Question) -> float:
    """How much two scenarios share, as the mean over languages of their stems' Jaccard index."""
    shares = []
    for lang in LANGUAGES:
        first, second = _stems(a.scenario[lang]), _stems(b.scenario[lang])
        shares.append(len(first & second) / len(first | second) if first | second else 0.0)
    return sum(shares) / len(shares)


def near_duplicates(bank: Bank) -> list[tuple[str, str, float]]:
    """Pairs of questions from different modules that tell the same story, most similar first."""
    questions = [(module.id, question) for module in bank.modules.values() for question in module.questions]
    pairs = [(a.id, b.id, similarity(a, b)) for (ma, a), (mb, b) in itertools.combinations(questions, 2) if ma != mb]
    return sorted((p for p in pairs if p[2] >= NEAR_DUPLICATE), key=lambda p: -p[2])


def audit(bank: Bank) -> list[ModuleAudit]:
    """Every module in every language, onboarding first."""
    modules = sorted(bank.modules.values(), key=lambda m: (m.track != "onboarding", m.id))
    return [audit_module(module, lang) for module in modules for lang in LANGUAGES]


def audit_report(audits: list[ModuleAudit], duplicates: list[tuple[str, str, float]]) -> str:
    """The table `validate` prints: each strategy's score per module and language against the pass mark."""
    width = max(len(a.module.id) for a in audits)
    names = list(STRATEGIES)
    lines = [
        "Test-wise guessing (share right; each must stay below the pass mark):",
        f"{'module':<{width}} lang  {'pass':>5}" + "".join(f" {n:>8}" for n in names) + "  right=longest",
    ]
    for a in audits:
        cells = "".join(f" {a.scores[n]:>8.0%}" for n in names)
        flag = "  FAIL" if a.failures() else ""
        lines.append(
            f"{a.module.id:<{width}} {a.lang:<4}  {a.module.pass_mark:>5.0%}{cells}  {a.longest_share:>13.0%}{flag}"
        )
    lines.append("")
    if duplicates:
        lines.append(f"Near-duplicate scenarios across modules (similarity ≥ {NEAR_DUPLICATE}):")
        lines += [f"  {a} / {b}: {score:.2f}" for a, b, score in duplicates]
    else:
        lines.append("No near-duplicate scenarios across modules.")
    return "\n".join(lines)
