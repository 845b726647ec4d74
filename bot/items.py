"""Item analysis: which questions work, from servants' first attempts, as Moodle's quiz statistics show it (pure).

The store sums each question's answers in one pass (attempts, right answers, the rest of the
module's score and its products); this module turns the sums into the facility index, the
point-biserial discrimination index and flags with their reasons in words.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from bot.content import OPTION_LETTERS, Bank

TOO_EASY, TOO_HARD = 0.95, 0.25  # facility above / below which a question tells little
WEAK_DISCRIMINATION = 0.1  # below this the question hardly separates servants who know the Code
DEFAULT_MIN_ATTEMPTS = 30
COLUMNS = ("module_id", "question_id", "attempts", "facility", "discrimination", "options", "languages", "flags")


@dataclass(frozen=True)
class ItemSums:
    """One question's first-attempt answers summed in SQL: x is right (0/1), y the rest of the module's score."""

    module_id: str
    question_id: str
    attempts: int
    right: int  # Σx (= Σx², x being 0 or 1)
    rest: float  # Σy
    rest_squares: float  # Σy²
    right_rest: float  # Σxy
    options: dict[int, int] = field(default_factory=dict)  # original option index -> times chosen
    languages: dict[str, tuple[int, int]] = field(default_factory=dict)  # language -> (attempts, right)


@dataclass(frozen=True)
class Item:
    """A question's statistics and what they say about it."""

    sums: ItemSums
    facility: float | None
    discrimination: float | None
    flags: tuple[str, ...]
    right_index: int | None = None  # None: the question is no longer in the banks
    option_count: int = 0

    @property
    def too_few(self) -> bool:
        return self.facility is None


def point_biserial(sums: ItemSums) -> float | None:
    """Pearson's correlation between the item (0/1) and the rest score; None when either never varies."""
    n, sx, sy = sums.attempts, sums.right, sums.rest
    spread_x = n * sx - sx * sx
    spread_y = n * sums.rest_squares - sy * sy
    if spread_x <= 0 or spread_y <= 1e-9:
        return None
    return (n * sums.right_rest - sx * sy) / math.sqrt(spread_x * spread_y)


def _flags(
    sums: ItemSums, facility: float, discrimination: float | None, right_index: int, option_count: int
) -> tuple[str, ...]:
    flags = []
    if facility > TOO_EASY:
        flags.append(f"too easy: {facility:.0%} answer it right")
    if facility < TOO_HARD:
        flags.append(f"too hard: only {facility:.0%} answer it right")
    if discrimination is not None and discrimination < 0:
        flags.append(
            f"negative discrimination ({discrimination:.2f}): servants who do well on the rest "
            "of the module get it wrong more often than weak ones"
        )
    elif discrimination is not None and discrimination < WEAK_DISCRIMINATION:
        flags.append(
            f"near-zero discrimination ({discrimination:.2f}): it does not separate servants "
            "who know the Code from those who do not"
        )
    right_chosen = sums.options.get(right_index, 0)
    for index in range(option_count):
        if index == right_index:
            continue
        chosen = sums.options.get(index, 0)
        letter = OPTION_LETTERS[index]
        if chosen == 0:
            flags.append(f"option {letter} (wrong) is chosen by nobody: a useless distractor")
        elif chosen > right_chosen:
            flags.append(
                f"option {letter} (wrong) is chosen more often than the right one ({chosen} against {right_chosen})"
            )
    return tuple(flags)


def analyse(sums: ItemSums, bank: Bank, min_attempts: int = DEFAULT_MIN_ATTEMPTS) -> Item:
    """The item's figures, flagged only once it has at least `min_attempts` first attempts."""
    question = bank.question(sums.question_id)
    right, count = (question.correct_index, len(question.options)) if question else (None, max(sums.options) + 1)
    if sums.attempts < min_attempts:
        return Item(sums, None, None, (f"too few answers: {sums.attempts} of the {min_attempts} needed",), right, count)
    facility = sums.right / sums.attempts
    discrimination = point_biserial(sums)
    flags = (
        _flags(sums, facility, discrimination, right, count) if right is not None else ("no longer in the quiz banks",)
    )
    return Item(sums, facility, discrimination, flags, right, count)


def _options(item: Item) -> str:
    """How often each option (as written in the bank, A first; * the right one) was chosen: `A* 30 (71%) · B 12 (29%) · C 0`."""
    total = max(item.sums.attempts, 1)
    shown = []
    for index in range(item.option_count):
        chosen = item.sums.options.get(index, 0)
        star = "*" if index == item.right_index else ""
        shown.append(f"{OPTION_LETTERS[index]}{star} {chosen} ({chosen / total:.0%})")
    return " · ".join(shown)


def _languages(item: Item) -> str:
    return " · ".join(f"{lang} {right}/{n}" for lang, (n, right) in sorted(item.sums.languages.items()))


def row(item: Item) -> tuple[object, ...]:
    """The item as a CSV row in COLUMNS order."""
    return (
        item.sums.module_id,
        item.sums.question_id,
        item.sums.attempts,
        "" if item.facility is None else round(item.facility, 3),
        "" if item.discrimination is None else round(item.discrimination, 3),
        _options(item),
        _languages(item),
        "; ".join(item.flags),
    )


def report_text(items: list[Item], min_attempts: int) -> str:
    """A plain-text report: one block per question, flagged ones marked, with how to read it."""
    if not items:
        return "No first attempts to analyse yet."
    flagged = sum(1 for i in items if i.flags and not i.too_few)
    lines = [
        f"Item analysis: {len(items)} questions, first attempts only; {flagged} flagged; "
        f"questions with fewer than {min_attempts} attempts are not judged.",
        "facility = share right; discrimination = correlation with the rest of the module's score "
        "(above 0.3 good, below 0.1 weak); options as written in the bank.",
        "",
    ]
    for item in items:
        mark = "!" if item.flags and not item.too_few else " "
        facility = "–" if item.facility is None else f"{item.facility:.2f}"
        discrimination = "–" if item.discrimination is None else f"{item.discrimination:+.2f}"
        lines.append(
            f"{mark} {item.sums.module_id} {item.sums.question_id}: n={item.sums.attempts} "
            f"facility {facility} discrimination {discrimination}"
        )
        lines.append(f"    options: {_options(item)}   languages: {_languages(item)}")
        lines += [f"    - {flag}" for flag in item.flags]
    return "\n".join(lines)
