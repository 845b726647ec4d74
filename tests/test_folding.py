"""The dialogue model's spelling folding: one skeleton for a word in any script or typo, distinct
words kept apart."""

from __future__ import annotations

import pytest

from dialogues.components.folding import fold


@pytest.mark.parametrize(
    "spellings",
    [
        ("сыйлық", "СЫЙЛЫК", "syilyq", "syılyq", "siylik"),  # Kazakh letters dropped, Latin
        ("әріптес", "ариптес", "áriptes", "ariptes"),
        ("шешім", "şeşim", "sheshim"),
        ("ұнамайды", "унамайды", "ūnamaidy"),
        ("қағаз", "kağaz", "qagaz", "kagaz"),
        ("можно", "mozhno", "mojno"),  # Russian transliteration
        ("хабар", "xabar", "khabar", "habar"),
    ],
)
def test_spellings_of_one_word_fold_together(spellings):
    assert len({fold(s) for s in spellings}) == 1, {s: fold(s) for s in spellings}


def test_different_words_stay_apart():
    words = [
        "сыйлық",
        "сыйақы",
        "әріптес",
        "азамат",
        "басшы",
        "коллега",
        "подарок",
        "гражданин",
        "gift",
        "citizen",
        "colleague",
        "boss",
    ]
    assert len({fold(w) for w in words}) == len(words)


def test_folded_words_are_lowercase_latin():
    assert fold("Мемлекеттік ҚЫЗМЕТШІ") == "memlekettik kizmetshi"
