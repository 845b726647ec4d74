"""A whitespace tokenizer that gives each word of a message its folded spelling as its lemma, so
the count-vector featurizers (which read lemmas) see one spelling across scripts."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from dialogues.components.folding import fold


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False)
class FoldingTokenizer(WhitespaceTokenizer):
    """WhitespaceTokenizer; a message's words keep their text and offsets, lemmas are folded."""

    @classmethod
    def fingerprint_addon(cls, config: dict[str, Any]) -> str:
        """Retrain when this code or the folding changes, not only when the data or config.yml do."""
        source = b"".join((Path(__file__).parent / name).read_bytes() for name in ("folding.py", "tokenizer.py"))
        return hashlib.sha256(source).hexdigest()

    def tokenize(self, message: Message, attribute: str) -> list[Token]:
        tokens = super().tokenize(message, attribute)
        if attribute == TEXT:
            for token in tokens:
                token.lemma = fold(token.text)
        return tokens
