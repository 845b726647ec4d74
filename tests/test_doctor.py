"""`python -m bot doctor` on a healthy set-up and on each kind of broken one: one line per check,
exit status 0 only when all pass, and never the token."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from bot.config import ROOT
from bot.model_fingerprint import training_fingerprint
from bot.store import SCHEMA_VERSION, Store
from tests.bot_api_stub import BotApiStub
from tests.conftest import TOKEN
from tests.rasa_server import free_port
from tests.test_cli import _env

RASA_TOKEN = "doctor-rasa-secret-0042"


class RasaStatusStandIn(ThreadingHTTPServer):
    """Answers the bot channel's GET /webhooks/bot/status as a server with a loaded model does, for the
    right token only."""

    daemon_threads = True

    def __init__(self) -> None:
        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                ok = self.path == "/webhooks/bot/status" and self.headers.get("Authorization") == f"Bearer {RASA_TOKEN}"
                answer = {"model_file": "ethics.tar.gz", "ready": True} if ok else {"status": "failure"}
                body = json.dumps(answer).encode()
                self.send_response(200 if ok else 401)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        super().__init__(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


@dataclass
class SetUp:
    api: BotApiStub
    rasa: RasaStatusStandIn
    db: Path
    models: Path
    env: dict[str, str]

    def doctor(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "bot", "doctor", "--models", str(self.models), *args],
            cwd=ROOT,
            env=_env(**self.env),
            capture_output=True,
            text=True,
            timeout=120,
        )


@pytest.fixture
def setup(tmp_path) -> Iterator[SetUp]:
    db = tmp_path / "data" / "ethics.db"
    Store(db).close()
    models = tmp_path / "models"
    models.mkdir()
    (models / "ethics.tar.gz").write_bytes(b"a trained model")
    (models / "ethics.fingerprint").write_text(training_fingerprint() + "\n")
    api, rasa = BotApiStub().start(), RasaStatusStandIn()
    env = {
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": api.base_url,
        "BOT_DB_PATH": str(db),
        "RASA_URL": rasa.url,
        "RASA_AUTH_TOKEN": RASA_TOKEN,
    }
    yield SetUp(api, rasa, db, models, env)
    api.stop()
    rasa.shutdown()
    rasa.server_close()


def _lines(result: subprocess.CompletedProcess[str]) -> dict[str, str]:
    assert TOKEN.split(":")[1] not in result.stdout + result.stderr and RASA_TOKEN not in result.stdout + result.stderr
    return {line.split(":")[0][6:]: line for line in result.stdout.splitlines()}


def test_a_healthy_set_up_passes_every_check(setup):
    result = setup.doctor()
    lines = _lines(result)
    assert result.returncode == 0, result.stdout
    assert list(lines) == ["settings", "database", "disk", "quiz banks", "Bot API", "Rasa server", "dialogue model"]
    assert all(line.startswith("ok    ") for line in lines.values())
    assert lines["Bot API"].endswith("answers getMe: @ethics_test_bot")
    assert (
        f"schema version {SCHEMA_VERSION}" in lines["database"] and "has loaded ethics.tar.gz" in lines["Rasa server"]
    )


def test_a_revoked_token_fails_the_bot_api_check_only(setup):
    setup.api.reject_token(401, "Unauthorized")
    result = setup.doctor()
    lines = _lines(result)
    assert result.returncode == 1
    assert lines["Bot API"] == (
        f"FAIL  Bot API: the Bot API at {setup.api.base_url} rejected the token "
        "(Unauthorized): check TELEGRAM_BOT_TOKEN and TELEGRAM_API_BASE_URL"
    )
    assert [name for name, line in lines.items() if line.startswith("FAIL")] == ["Bot API"]


def test_rasa_down_or_a_wrong_rasa_token_fails_the_rasa_check(setup):
    setup.env["RASA_URL"] = f"http://127.0.0.1:{free_port()}"
    lines = _lines(result := setup.doctor())
    assert result.returncode == 1 and lines["Rasa server"].startswith(
        f"FAIL  Rasa server: Rasa at {setup.env['RASA_URL']} does not answer"
    )
    setup.env.update(RASA_URL=setup.rasa.url, RASA_AUTH_TOKEN="not-the-token")
    lines = _lines(result := setup.doctor())
    assert result.returncode == 1 and "refused the auth token (401): check RASA_AUTH_TOKEN" in lines["Rasa server"]


def test_a_corrupted_database_fails_the_database_check(setup):
    data = bytearray(setup.db.read_bytes())
    data[4096 * 2 : 4096 * 4] = b"\xff" * (4096 * 2)
    setup.db.write_bytes(bytes(data))
    lines = _lines(result := setup.doctor())
    assert result.returncode == 1
    assert lines["database"].startswith(f"FAIL  database: {setup.db}: ")
    assert "integrity check failed" in lines["database"] or "not a usable SQLite database" in lines["database"]


def test_an_old_schema_a_full_disk_and_a_stale_model_each_fail(setup):
    conn = sqlite3.connect(setup.db)
    conn.execute("PRAGMA user_version = 0")
    conn.close()
    (setup.models / "ethics.fingerprint").write_text("0" * 64)
    lines = _lines(result := setup.doctor("--min-free-mb", str(10**12)))
    assert result.returncode == 1
    assert f"schema version 0, this release uses {SCHEMA_VERSION} (any command upgrades it" in lines["database"]
    assert lines["disk"].startswith("FAIL  disk: ")
    assert lines["dialogue model"] == (
        "FAIL  dialogue model: dialogues/ or config.yml changed since the model was trained: run `make train`"
    )


def test_settings_that_do_not_parse_are_one_failed_check(setup):
    setup.env["BOT_DEFAULT_LANGUAGE"] = "de"
    result = setup.doctor()
    assert result.returncode == 1
    assert result.stdout == "FAIL  settings: BOT_DEFAULT_LANGUAGE: 'de' is not one of kk, ru, en.\n"
