"""One spelling for a word however it was typed: Cyrillic or Latin script, with or without the
Kazakh letters. Pure Python, so the bot's tests can check it without Rasa.

People write Kazakh in Cyrillic, in the 2021 Latin alphabet (á, ǵ, ń, ó, ú, ū, ı, q) and in
informal ASCII ("syilyq", "bola ma"), and often drop the Kazakh letters (ә→а, қ→к, ұ→у). Russian
comes in transliteration too ("mozhno li"). Folding all of them into one skeleton lets the
character n-grams of "сыйлық", "syılyq" and "siylik" meet.
"""

from __future__ import annotations

import unicodedata

# Letters whose decomposition would not give the sound (ş is sh, not s) or that have none (ı).
_LATIN = str.maketrans({"ş": "sh", "ç": "ch", "ı": "y"})
_CYRILLIC = str.maketrans(
    {
        "а": "a",
        "ә": "a",
        "б": "b",
        "в": "v",
        "г": "g",
        "ғ": "g",
        "д": "d",
        "е": "e",
        "ё": "e",
        "ж": "j",
        "з": "z",
        "и": "i",
        "й": "i",
        "і": "i",
        "к": "k",
        "қ": "k",
        "л": "l",
        "м": "m",
        "н": "n",
        "ң": "n",
        "о": "o",
        "ө": "o",
        "п": "p",
        "р": "r",
        "с": "s",
        "т": "t",
        "у": "u",
        "ұ": "u",
        "ү": "u",
        "ф": "f",
        "х": "h",
        "һ": "h",
        "ц": "ts",
        "ч": "ch",
        "ш": "sh",
        "щ": "sh",
        "ъ": "",
        "ы": "y",
        "ь": "",
        "э": "e",
        "ю": "yu",
        "я": "ya",
    }
)
# After the scripts meet: spellings that vary between transliterations, folded last.
_DIGRAPHS = (("zh", "j"), ("kh", "h"))
_VARIANTS = str.maketrans({"q": "k", "w": "u", "x": "h", "y": "i"})


def fold(word: str) -> str:
    """The word in lowercase ASCII-like Latin with variant spellings merged."""
    text = word.lower().translate(_LATIN)
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    text = unicodedata.normalize("NFC", text).translate(_CYRILLIC)
    for digraph, letter in _DIGRAPHS:
        text = text.replace(digraph, letter)
    return text.translate(_VARIANTS)
