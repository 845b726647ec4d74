"""Typed replies during a quiz: "B", "второй вариант", "2-ші" pick an option; "stop" pauses (pure).

Deterministic on purpose: an answer must never depend on a model's confidence.
"""

from __future__ import annotations

import re

_TOKEN = re.compile(r"\w+")
# Words that may surround the choice: "option B", "мой ответ 2", "екінші нұсқа", "2-ші".
_FILLER = {
    "option",
    "answer",
    "my",
    "is",
    "the",
    "i",
    "choose",
    "pick",
    "number",
    "no",
    "letter",
    "it",
    "s",
    "one",
    "think",
    "вариант",
    "ответ",
    "мой",
    "номер",
    "выбираю",
    "думаю",
    "это",
    "буква",
    "пункт",
    "нұсқа",
    "нуска",
    "нұсқасы",
    "нускасы",
    "жауап",
    "жауабы",
    "менің",
    "менин",
    "таңдаймын",
    "ші",
    "шы",
    "ши",
    "нші",
    "нши",
    "inshi",
    "shi",
    "nuska",
    "nusqa",
    "jauap",
    "zhauap",
}
_LETTERS = {
    "a": 0,
    "b": 1,
    "c": 2,
    "d": 3,
    # Cyrillic: the alphabet order and the letters that look like our Latin buttons.
    "а": 0,
    "б": 1,
    "в": 1,
    "с": 2,
    "г": 3,
    "д": 3,
}
_ORDINALS = (
    ("first", "перв", "бірінші", "біріншi", "бiрiншi", "бириншы", "birinshi", "birinşi"),
    ("second", "втор", "екінші", "екинши", "екiншi", "ekinshi", "ekinşi"),
    ("third", "трет", "үшінші", "ушинши", "үшiншi", "ushinshi", "üşinşi"),
    ("fourth", "четв", "четверт", "төртінші", "тортинши", "төртiншi", "tortinshi", "törtinşi"),
)
_STOP = {
    "stop",
    "pause",
    "quit",
    "exit",
    "стоп",
    "хватит",
    "пауза",
    "остановить",
    "прекратить",
    "тоқта",
    "токта",
    "тоқтат",
    "токтат",
    "тоқтату",
    "жетеді",
    "жетеди",
    "toqta",
    "tokta",
}


def _choice(token: str, count: int) -> int | None:
    if token.isdigit():
        index = int(token) - 1
    elif token in _LETTERS:
        index = _LETTERS[token]
    else:
        index = next((i for i, stems in enumerate(_ORDINALS) if token.startswith(stems)), -1)
    return index if 0 <= index < count else None


def option_choice(text: str, count: int) -> int | None:
    """The option (0-based) a short typed reply names, or None if it names none or several."""
    tokens = [t for t in _TOKEN.findall(text.lower()) if t not in _FILLER]
    if len(tokens) != 1 or len(text) > 40:
        return None
    return _choice(tokens[0], count)


def is_stop(text: str) -> bool:
    """A short reply that asks to pause the quiz ("stop", "хватит", "тоқта")."""
    tokens = _TOKEN.findall(text.lower())
    return 0 < len(tokens) <= 3 and any(t in _STOP for t in tokens)
