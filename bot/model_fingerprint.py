"""The fingerprint of what the dialogue model is trained from, so `doctor` can tell a stale model.

scripts/rasa.sh writes it next to the model after training (`python -m bot.model_fingerprint`);
it covers dialogues/data, the domain, the pipeline's own components and config.yml without its
`bot:` section (which Rasa ignores, so editing it retrains nothing).
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import yaml

from bot.config import ROOT

SOURCES = ("dialogues/data", "dialogues/domain.yml", "dialogues/components")
FINGERPRINT_FILE = "ethics.fingerprint"


def training_fingerprint(root: Path = ROOT) -> str:
    """A SHA-256 over the training sources' paths and contents."""
    digest = hashlib.sha256()
    files = sorted(
        f
        for source in SOURCES
        for f in ([root / source] if (root / source).is_file() else (root / source).rglob("*"))
        if f.is_file() and "__pycache__" not in f.parts
    )
    for file in files:
        digest.update(file.relative_to(root).as_posix().encode() + b"\0" + file.read_bytes() + b"\0")
    config = yaml.safe_load((root / "config.yml").read_text(encoding="utf-8")) or {}
    config.pop("bot", None)
    digest.update(yaml.safe_dump(config, sort_keys=True).encode())
    return digest.hexdigest()


if __name__ == "__main__":
    print(training_fingerprint(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT))
