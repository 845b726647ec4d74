"""Interface strings in Kazakh, Russian and English, one YAML file per language.

Strings are `str.format` templates; a test checks that every key exists in every language
with the same placeholders.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml

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


def pick_language(*candidates: str | None, default: str) -> str:
    """The first candidate that is one of ours (`ru-RU` counts as `ru`), else `default`."""
    for candidate in candidates:
        code = (candidate or "").lower().split("-")[0]
        if code in LANGUAGES:
            return code
    return default
