"""Interface strings in Kazakh, Russian and English, one YAML file per language.

Strings are `str.format` templates; a test checks that every key exists in every language
with the same placeholders. Counts and dates reach the templates as finished phrases (`count`,
`format_date`), so no template adds an ending to a placeholder.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml

from bot.locales.forms import counted, format_date, parse_date

__all__ = ["LANGUAGES", "LANGUAGE_NAMES", "count", "format_date", "parse_date", "pick_language", "strings", "t"]
LANGUAGES: tuple[str, ...] = ("kk", "ru", "en")
LANGUAGE_NAMES = {"kk": "Қазақша", "ru": "Русский", "en": "English"}
_DIR = Path(__file__).resolve().parent


@cache
def strings(lang: str) -> dict[str, str]:
    """All strings of one language, keyed by name."""
    return yaml.safe_load((_DIR / f"{lang}.yml").read_text(encoding="utf-8"))


def t(lang: str, key: str, **values: object) -> str:
    """The string `key` in `lang`, with `values` filled in."""
    return strings(lang)[key].format(**values)


def count(lang: str, noun: str, n: int) -> str:
    """The number n with the noun `noun_<noun>` of `lang` in the form that number asks for: «21 день»."""
    return counted(n, strings(lang)[f"noun_{noun}"], lang)


def pick_language(*candidates: str | None, default: str) -> str:
    """The first candidate that is one of ours (`ru-RU` counts as `ru`), else `default`."""
    for candidate in candidates:
        code = (candidate or "").lower().split("-")[0]
        if code in LANGUAGES:
            return code
    return default
