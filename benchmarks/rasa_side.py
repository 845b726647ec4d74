"""The Rasa side of the benchmark: the questions servants type, a stand-in Rasa that answers slowly,
and a Rasa training from scratch timed exactly as `make train` runs it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import yaml

from bot.config import ROOT

SMALL_TALK = ("greet", "goodbye", "thanks")  # not questions: left out


def typed_questions(per_language: int) -> list[tuple[str, str]]:
    """(language, text) from the held-out test sets (lines never trained on), evenly spread over the
    intents, alternating kk, ru, en."""
    by_language = []
    for language in ("kk", "ru", "en"):
        data = yaml.safe_load((ROOT / "dialogues" / "eval" / "test" / f"nlu_{language}.yml").read_text("utf-8"))
        lines = [
            line[2:].strip()
            for block in data["nlu"]
            if block.get("intent") not in SMALL_TALK
            for line in block["examples"].splitlines()
            if line.startswith("- ")
        ]
        step = max(1, len(lines) // per_language)
        by_language.append([(language, text) for text in lines[::step][:per_language]])
    return [question for trio in zip(*by_language) for question in trio]


class SlowRasa:
    """Answers Rasa's REST channel after `delay` seconds (a Rasa server under load), and remembers
    when it held each message."""

    def __init__(self, delay: float = 1.8) -> None:
        self.delay = delay
        self.held: list[tuple[float, float]] = []  # (received, answered), time.monotonic
        self.pending = 0  # messages being held now
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (the stdlib's name)
                self._answer({"model_file": "slow.tar.gz"})

            def do_POST(self) -> None:  # noqa: N802
                received = time.monotonic()
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
                stand_in.pending += 1
                time.sleep(stand_in.delay)
                stand_in.held.append((received, time.monotonic()))
                stand_in.pending -= 1
                self._answer([{"recipient_id": body["sender"], "custom": {"say": "say_fallback"}}])

            def _answer(self, body: Any) -> None:
                payload = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def holding(self, moment: float) -> bool:
        """Whether a message was being held at `moment`."""
        return any(start <= moment <= end for start, end in self.held)

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def training_seconds() -> float:
    """`scripts/rasa.sh train` in a fresh checkout-like directory (no model, no Rasa cache), as on a
    clean machine; the shared models/ is not touched."""
    with tempfile.TemporaryDirectory(prefix="rasa-train-") as tmp:
        clean = Path(tmp)
        for name in ("bot", "dialogues", "quizzes", "scripts", ".venv", ".venv-rasa"):
            (clean / name).symlink_to(ROOT / name)
        shutil.copy(ROOT / "config.yml", clean / "config.yml")
        (clean / "models").mkdir()
        start = time.monotonic()
        subprocess.run(
            [str(clean / "scripts" / "rasa.sh"), "train"],
            cwd=clean,
            env={**os.environ, "RASA_TELEMETRY_ENABLED": "false"},
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        seconds = time.monotonic() - start
        if not (clean / "models" / "ethics.tar.gz").exists():
            raise RuntimeError("the training wrote no model")
        return seconds
