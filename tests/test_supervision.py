"""Never leak, never go deaf: a refused token is one line without the token, a token refused while
polling ends the process non-zero (for the supervisor), and no log record can carry the token."""

from __future__ import annotations

import asyncio
import io
import logging
import signal
import subprocess
import sys
import time

import pytest

from bot import redact
from bot.config import ROOT
from tests.bot_api_stub import BotApiStub
from tests.conftest import TOKEN, TelegramUser
from tests.rasa_server import free_port
from tests.test_cli import _env

SECRET = TOKEN.split(":")[1]


def _start(api: BotApiStub | str, tmp_path, *args: str, **env: str) -> subprocess.Popen:
    """The bot's command line against the stand-in (or a base URL) with these extra settings, its
    output in bot.log."""
    log = open(tmp_path / "bot.log", "w")
    base_url = api if isinstance(api, str) else api.base_url
    return subprocess.Popen(
        [sys.executable, "-m", "bot", *args],
        cwd=ROOT,
        text=True,
        stdout=log,
        stderr=subprocess.STDOUT,
        env=_env(TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=base_url, BOT_DB_PATH=str(tmp_path / "bot.db"), **env),
    )


@pytest.mark.parametrize("status, description", [(401, "Unauthorized"), (404, "Not Found")])
@pytest.mark.parametrize("command", [("run", "--no-rasa"), ("remind",)])
def test_a_refused_token_is_one_line_without_the_token(tmp_path, command, status, description):
    api = BotApiStub().start()
    api.reject_token(status, description)
    try:
        process = _start(api, tmp_path, *command)
        assert process.wait(timeout=60) == 2
    finally:
        api.stop()
    output = (tmp_path / "bot.log").read_text()
    assert output == (
        f"error: the Bot API at {api.base_url} rejected the token ({description}): "
        "check TELEGRAM_BOT_TOKEN and TELEGRAM_API_BASE_URL\n"
    )


@pytest.mark.parametrize("status", [401, 404])
def test_a_token_refused_while_polling_ends_the_process_for_the_supervisor(tmp_path, status):
    api = BotApiStub().start()
    try:
        process = _start(api, tmp_path, "run", "--no-rasa")
        api.wait_polling()
        api.reject_token(status, "Unauthorized" if status == 401 else "Not Found")
        assert process.wait(timeout=60) == 1
    finally:
        if process.poll() is None:
            process.kill()
        api.stop()
    output = (tmp_path / "bot.log").read_text()
    assert "Application started" in output
    assert "the Bot API stopped accepting the token while polling; stopping" in output
    assert TOKEN not in output and SECRET not in output


def test_after_a_401_while_polling_the_restarted_bot_serves_again(tmp_path):
    """What systemd's Restart=on-failure does, as a loop: start again after a non-zero exit."""
    api = BotApiStub().start()
    user = TelegramUser(api, 31, "en")
    try:
        process = _start(api, tmp_path, "run", "--no-rasa")
        api.wait_polling()
        api.reject_token(401, "Unauthorized")
        assert process.wait(timeout=60) == 1
        api.rejection = None  # a new token in the environment file, or Telegram's hiccup over
        process = _start(api, tmp_path, "run", "--no-rasa")
        api.wait_polling()
        calls = asyncio.run(user.send("/help"))
        assert [c for c in calls if c.method == "sendMessage" and c.params["chat_id"] == 31]
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            process.wait(timeout=30)
        api.stop()


def test_a_bot_api_unreachable_at_start_is_waited_for(tmp_path):
    port = free_port()  # nothing listens there yet
    process = _start(f"http://127.0.0.1:{port}/bot", tmp_path, "run", "--no-rasa")
    api = None
    try:
        time.sleep(3)
        assert process.poll() is None, (tmp_path / "bot.log").read_text()
        api = BotApiStub(port).start()
        api.wait_polling(timeout=90)
    finally:
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=30) == 0
        if api is not None:
            api.stop()
    output = (tmp_path / "bot.log").read_text()
    assert "the Bot API is not reachable yet" in output and TOKEN not in output


def test_every_log_record_is_masked_even_through_handlers_added_later(monkeypatch):
    monkeypatch.setattr(logging, "_logRecordFactory", logging.getLogRecordFactory())
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    redact.install([TOKEN, "rasa-secret-token", None])
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    logger = logging.getLogger("a.library.added.later")
    logger.addHandler(handler)
    try:
        logger.warning("GET https://api.telegram.org/bot%s/getMe with %s", TOKEN, "rasa-secret-token")
        try:
            raise RuntimeError(f"The token `{TOKEN}` was rejected by the server.")
        except RuntimeError:
            logger.exception("failed")
        logger.error("only the secret half: %s", SECRET)
    finally:
        logger.removeHandler(handler)
    output = stream.getvalue()
    assert "bot***/getMe with ***" in output
    assert "The token `***` was rejected" in output and "Traceback" in output
    assert TOKEN not in output and SECRET not in output and "rasa-secret-token" not in output


def test_an_uncaught_traceback_is_masked(tmp_path):
    script = (
        "from bot import redact; redact.install(['123456:TEST-TOKEN']); raise SystemError('token 123456:TEST-TOKEN')"
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert "SystemError: token ***" in result.stderr and SECRET not in result.stderr
