"""Summarise `rasa test nlu` results per language: intent accuracy, macro F1, response selection.

Usage: python scripts/nlu_report.py results   (after `scripts/rasa.sh evaluate` wrote results/nlu_*)
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def _report(path: Path) -> dict[str, object]:
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def main(results: Path) -> int:
    print("| language | examples | intent accuracy | intent macro F1 | ask_code response accuracy |")
    print("|---|---|---|---|---|")
    for lang in ("kk", "ru", "en"):
        intents = _report(results / f"nlu_{lang}" / "intent_report.json")
        responses = _report(results / f"nlu_{lang}" / "response_selection_report.json")
        if not intents:
            print(f"| {lang} | no results in {results / f'nlu_{lang}'} | | | |")
            continue
        macro = intents["macro avg"]
        accuracy = responses.get("accuracy")
        shown = f"{accuracy:.3f}" if isinstance(accuracy, float) else "n/a"
        print(f"| {lang} | {macro['support']} | {intents['accuracy']:.3f} | {macro['f1-score']:.3f} | {shown} |")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1] if len(sys.argv) > 1 else "results")))
