"""Summarise `rasa test nlu` results per held-out set and language: intent accuracy, macro F1,
response selection.

Usage: python scripts/nlu_report.py results   (after `scripts/rasa.sh evaluate` wrote results/nlu_*)
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

SETS = ("dev", "test")
LANGUAGES = ("kk", "ru", "en")


def _report(path: Path) -> dict[str, object]:
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def main(results: Path) -> int:
    print("| set | language | examples | intent accuracy | intent macro F1 | ask_code response accuracy |")
    print("|---|---|---|---|---|---|")
    for name in SETS:
        for lang in LANGUAGES:
            folder = results / f"nlu_{name}_{lang}"
            intents = _report(folder / "intent_report.json")
            responses = _report(folder / "response_selection_report.json")
            if not intents:
                print(f"| {name} | {lang} | no results in {folder} | | | |")
                continue
            macro = intents["macro avg"]
            accuracy = responses.get("accuracy")
            shown = f"{accuracy:.3f}" if isinstance(accuracy, float) else "n/a"
            print(
                f"| {name} | {lang} | {macro['support']} | {intents['accuracy']:.3f} "
                f"| {macro['f1-score']:.3f} | {shown} |"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1] if len(sys.argv) > 1 else "results")))
