"""Every interface string exists in kk, ru and en with the same placeholders; commands are documented."""

from __future__ import annotations

import string

import yaml

from bot.config import ROOT
from bot.conversation import COMMANDS
from bot.commissioners import COMMISSIONER_COMMANDS
from bot.coordinators import COORDINATOR_COMMANDS
from bot.dialogue import FEATURE, FEATURES, SAY, TOPIC
from bot.locales import LANGUAGES, strings, t
from bot.views import SAY_WITH_MENU, SAY_WITH_TEXT


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_string_exists_in_every_language():
    keys = {lang: set(strings(lang)) for lang in LANGUAGES}
    assert keys["kk"] == keys["ru"] == keys["en"]


def test_placeholders_match_across_languages():
    for key, english in strings("en").items():
        for lang in ("kk", "ru"):
            assert _placeholders(strings(lang)[key]) == _placeholders(english), (lang, key)


def test_every_command_is_in_help_and_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for lang in LANGUAGES:
        for name in COMMANDS + COORDINATOR_COMMANDS + COMMISSIONER_COMMANDS:
            assert t(lang, f"cmd_{name}")
            assert len(t(lang, f"cmd_{name}")) <= 256  # Telegram's limit for a command description
    for name in COMMANDS + COORDINATOR_COMMANDS + COMMISSIONER_COMMANDS:
        assert f"`/{name}" in readme


def test_every_reply_the_dialogue_model_can_choose_can_be_rendered(bank):
    domain = yaml.safe_load((ROOT / "dialogues" / "domain.yml").read_text(encoding="utf-8"))
    payloads = [variant["custom"] for variants in domain["responses"].values() for variant in variants]
    assert all(len(payload) == 1 for payload in payloads)
    chosen = {kind: {p[kind] for p in payloads if kind in p} for kind in (SAY, FEATURE, TOPIC)}
    assert chosen[SAY] <= set(SAY_WITH_TEXT + SAY_WITH_MENU) <= set(strings("en"))
    assert chosen[FEATURE] <= set(FEATURES)
    assert chosen[TOPIC] == set(bank.topics)
    assert sum(map(len, chosen.values())) == len(payloads)
