"""The README's run command starts the bot and the Rasa server together and stops both."""

from __future__ import annotations

import os
import signal
import subprocess
import time

import pytest

from bot.config import ROOT
from tests.bot_api_stub import BotApiStub
from tests.conftest import TOKEN
from tests.rasa_server import RasaServer

pytestmark = pytest.mark.rasa


def test_run_starts_bot_and_rasa_and_ctrl_c_stops_both(tmp_path, rasa_server):
    api = BotApiStub().start()
    rasa = RasaServer(tmp_path / "unused.log")  # only for its free port and readiness check
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": api.base_url,
        "BOT_DB_PATH": str(tmp_path / "bot.db"),
        "RASA_URL": rasa.url,
        "RASA_AUTH_TOKEN": rasa.token,
        "RASA_LOG": str(tmp_path / "rasa.log"),
    }
    process = subprocess.Popen(
        [str(ROOT / "scripts" / "run.sh")],
        cwd=ROOT,
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        api.wait_polling(timeout=60)  # the bot serves at once ...
        deadline = time.monotonic() + 300
        while not rasa.ready():  # ... and Rasa comes up beside it
            assert time.monotonic() < deadline, (tmp_path / "rasa.log").read_text()[-2000:]
            time.sleep(1)
        os.killpg(process.pid, signal.SIGINT)  # Ctrl-C in the terminal
        assert process.wait(timeout=60) in (0, 130)
        deadline = time.monotonic() + 30
        while rasa.ready() and time.monotonic() < deadline:
            time.sleep(0.5)
        assert not rasa.ready()
        leftover = subprocess.run(
            ["pgrep", "-f", f"--port {rasa.url.rsplit(':', 1)[1]}"], capture_output=True, text=True
        )
        assert leftover.stdout == ""
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        api.stop()
