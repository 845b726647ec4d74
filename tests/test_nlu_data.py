"""The dialogue model's training data: every contract intent in every language, one label per
example, topic keywords that point to their own topic and party words that tell citizens from
colleagues."""

from __future__ import annotations

import re
from collections import Counter, defaultdict

import pytest
import yaml

from bot.config import ROOT
from bot.locales import LANGUAGES

NLU = ROOT / "dialogues" / "data" / "nlu"
INTENTS = (
    "greet",
    "goodbye",
    "thanks",
    "help",
    "start_quiz",
    "start_onboarding",
    "show_progress",
    "training_due",
    "change_language",
    "bot_challenge",
    "out_of_scope",
    "ask_commissioner",
)
MIN_EXAMPLES = 20
# Intents whose examples name a topic as its own examples do: asking the Commissioner a question
# names the Commissioner as much as asking who the Commissioner is.
KINDRED = {"ethics_commissioner": ("ask_commissioner",)}


def _blocks(name: str) -> list[dict]:
    return yaml.safe_load((NLU / name).read_text(encoding="utf-8"))["nlu"]


def _lines(block: dict) -> list[str]:
    return [line.strip()[2:] for line in block["examples"].splitlines() if line.strip().startswith("- ")]


def _examples(lang: str) -> list[tuple[str, str]]:
    return [(text, block["intent"]) for block in _blocks(f"{lang}.yml") if "intent" in block for text in _lines(block)]


def _tables(name: str) -> dict[str, list[str]]:
    return {block["lookup"]: _lines(block) for block in _blocks(name)}


def _patterns(name: str) -> dict[str, re.Pattern[str]]:
    """A file's lookup tables as RegexFeaturizer applies them (case-insensitive, no word
    boundaries)."""
    return {table: re.compile("|".join(map(re.escape, stems)), re.IGNORECASE) for table, stems in _tables(name).items()}


def _hits(pattern: re.Pattern[str], examples: list[tuple[str, str]]) -> Counter[str]:
    """How many examples of each intent the pattern matches."""
    return Counter(intent for text, intent in examples if pattern.search(text))


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


def test_there_is_one_keyword_table_per_topic_and_one_per_party(bank):
    assert set(_tables("keywords.yml")) == set(bank.topics)
    assert set(_tables("parties.yml")) == {"party_public", "party_service"}


@pytest.mark.parametrize("name", ["keywords.yml", "parties.yml"])
def test_lookup_stems_are_unique_lowercase_and_specific(name):
    stems = [stem for table in _tables(name).values() for stem in table]
    assert len(stems) == len(set(stems))
    assert [stem for stem in stems if len(stem) < 4 or stem != stem.lower()] == []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_keywords_fire_mostly_on_their_own_topic(lang):
    """Within a language, a topic's keywords match at least ten of its examples, and at least
    five times as many of them as of all other intents together (kindred intents aside)."""
    examples = _examples(lang)
    for topic, pattern in _patterns("keywords.yml").items():
        hits = _hits(pattern, examples)
        own = hits.pop(f"ask_code/{topic}", 0)
        for kin in KINDRED.get(topic, ()):
            hits.pop(kin, None)
        assert own >= 10, (topic, own)
        assert own >= 5 * hits.total(), (topic, own, hits)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_party_words_tell_citizens_from_colleagues(lang):
    """Within a language, words for the public match at least ten questions about citizens and
    five times as many of them as of questions about colleagues; words for the service the
    other way round."""
    examples, patterns = _examples(lang), _patterns("parties.yml")
    for party, topic, other in (
        ("party_public", "citizens", "colleagues"),
        ("party_service", "colleagues", "citizens"),
    ):
        hits = _hits(patterns[party], examples)
        own, opposite = hits[f"ask_code/{topic}"], hits[f"ask_code/{other}"]
        assert own >= 10, (party, own)
        assert own >= 5 * opposite, (party, own, opposite)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_held_out_line_is_in_the_training_data(lang):
    """The evaluation sets measure wording the model never saw: not one of their lines may be trained on."""

    def norm(text: str) -> str:
        return " ".join(text.lower().split())

    trained = {norm(text) for text, _ in _examples(lang)}
    for held_out in ("dev", "test"):
        data = yaml.safe_load((ROOT / "dialogues" / "eval" / held_out / f"nlu_{lang}.yml").read_text(encoding="utf-8"))
        lines = [norm(line) for block in data["nlu"] for line in _lines(block)]
        assert lines and not [line for line in lines if line in trained], held_out
