"""Dates and counts as each language writes them (pure): 29.11.2026, «5 дней», "1 day".

Templates receive finished phrases, so no template has to guess an ending after a number or a
date; Kazakh in particular cannot put a case suffix after a placeholder.
"""

from __future__ import annotations

import re
from datetime import date

# Month names: Russian in the genitive (29 ноября), Kazakh and English in the nominative.
MONTHS = {
    "kk": (
        "қаңтар",
        "ақпан",
        "наурыз",
        "сәуір",
        "мамыр",
        "маусым",
        "шілде",
        "тамыз",
        "қыркүйек",
        "қазан",
        "қараша",
        "желтоқсан",
    ),
    "ru": (
        "января",
        "февраля",
        "марта",
        "апреля",
        "мая",
        "июня",
        "июля",
        "августа",
        "сентября",
        "октября",
        "ноября",
        "декабря",
    ),
    "en": (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
}
LOCAL_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")


def format_date(day: date, lang: str, long: bool = False) -> str:
    """A calendar date for a screen: 29.11.2026 in kk and ru (in a sentence, when `long`:
    «29 ноября 2026 г.», «2026 жылғы 29 қараша»), "29 November 2026" in English."""
    month = MONTHS[lang][day.month - 1]
    if lang == "en":
        return f"{day.day} {month} {day.year}"
    if not long:
        return f"{day.day:02d}.{day.month:02d}.{day.year}"
    if lang == "ru":
        return f"{day.day} {month} {day.year} г."
    return f"{day.year} жылғы {day.day} {month}"


def parse_date(text: str) -> date:
    """A date typed by a person: the local form 29.11.2026 or ISO 2026-11-29; ValueError otherwise."""
    match = LOCAL_DATE.match(text.strip())
    if match:
        day, month, year = map(int, match.groups())
        return date(year, month, day)
    return date.fromisoformat(text.strip())


def plural_index(lang: str, n: int) -> int:
    """Which form of a noun follows the number n: Russian one / few / many (1, 2–4, 5–20 and
    their tens: 21 день, 22 дня, 25 дней), English one / other, Kazakh always the singular."""
    n = abs(n)
    if lang == "ru":
        if n % 10 == 1 and n % 100 != 11:
            return 0
        return 1 if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14 else 2
    if lang == "en":
        return 0 if n == 1 else 1
    return 0


def counted(n: int, forms: str, lang: str) -> str:
    """The number with its noun, `forms` being the noun's forms separated by "|" in the order of
    `plural_index` ("день|дня|дней", "day|days", "күн")."""
    choices = forms.split("|")
    return f"{n} {choices[min(plural_index(lang, n), len(choices) - 1)]}"
