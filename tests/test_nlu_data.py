"""The dialogue model's training data: every contract intent in every language, one label per
example, and topic keywords that point to their own topic."""

from __future__ import annotations

import re
from collections import Counter, defaultdict

import pytest
import yaml

from bot.config import ROOT
from bot.locales import LANGUAGES

NLU = ROOT / "dialogues" / "data" / "nlu"
INTENTS = ("greet", "goodbye", "thanks", "help", "start_quiz", "start_onboarding", "show_progress",
           "training_due", "change_language", "bot_challenge", "out_of_scope")
MIN_EXAMPLES = 20


def _blocks(name: str) -> list[dict]:
    return yaml.safe_load((NLU / name).read_text(encoding="utf-8"))["nlu"]


def _lines(block: dict) -> list[str]:
    return [line.strip()[2:] for line in block["examples"].splitlines() if line.strip().startswith("- ")]


def _examples(lang: str) -> list[tuple[str, str]]:
    return [(text, block["intent"]) for block in _blocks(f"{lang}.yml") if "intent" in block
            for text in _lines(block)]


def _keywords() -> dict[str, re.Pattern[str]]:
    """The lookup tables as RegexFeaturizer applies them (case-insensitive, no word boundaries)."""
    return {block["lookup"]: re.compile("|".join(map(re.escape, _lines(block))), re.IGNORECASE)
            for block in _blocks("keywords.yml")}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_intent_has_enough_examples_in_every_language(lang, bank):
    counts = Counter(intent for _, intent in _examples(lang))
    expected = INTENTS + tuple(f"ask_code/{topic}" for topic in bank.topics)
    assert set(counts) == set(expected)
    assert {intent: n for intent, n in counts.items() if n < MIN_EXAMPLES} == {}


def test_no_example_has_two_labels():
    labels: defaultdict[str, set[str]] = defaultdict(set)
    for lang in LANGUAGES:
        for text, intent in _examples(lang):
            labels[text.casefold()].add(intent)
    assert {text: found for text, found in labels.items() if len(found) > 1} == {}


def test_there_is_one_keyword_table_per_topic_with_specific_stems(bank):
    tables = {block["lookup"]: _lines(block) for block in _blocks("keywords.yml")}
    assert set(tables) == set(bank.topics)
    stems = [stem for table in tables.values() for stem in table]
    assert len(stems) == len(set(stems))
    assert [stem for stem in stems if len(stem) < 4 or stem != stem.lower()] == []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_keywords_fire_mostly_on_their_own_topic(lang):
    """Within a language, a topic's keywords match at least ten of its examples, and at least
    five times as many of them as of all other intents together."""
    examples = _examples(lang)
    for topic, pattern in _keywords().items():
        intent = f"ask_code/{topic}"
        own = sum(1 for text, label in examples if label == intent and pattern.search(text))
        other = sum(1 for text, label in examples if label != intent and pattern.search(text))
        assert own >= 10, (topic, own)
        assert own >= 5 * other, (topic, own, other)
