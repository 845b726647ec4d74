"""The real Rasa server for tests: trained from the repo's own data, started once per session."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time

import httpx

from bot.config import ROOT


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RasaServer:
    """`scripts/rasa.sh serve` on a free loopback port, with an auth token; can be stopped and restarted."""

    def __init__(self, log_path) -> None:
        self.url = f"http://127.0.0.1:{free_port()}"
        self.token = "test-rasa-token"
        self.log_path = log_path
        self.process: subprocess.Popen | None = None

    @staticmethod
    def train() -> None:
        """Train from dialogues/ and config.yml unless the model in models/ is up to date."""
        subprocess.run(
            [str(ROOT / "scripts" / "rasa.sh"), "train"],
            cwd=ROOT,
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=1800,
        )

    def start(self, timeout: float = 300) -> None:
        env = {**os.environ, "RASA_URL": self.url, "RASA_AUTH_TOKEN": self.token}
        log = open(self.log_path, "ab")
        self.process = subprocess.Popen(
            [str(ROOT / "scripts" / "rasa.sh"), "serve"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while not self.ready():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the Rasa server did not start; see {self.log_path}")
            time.sleep(1)

    def ready(self) -> bool:
        try:
            response = httpx.get(
                f"{self.url}/webhooks/bot/status", headers={"Authorization": f"Bearer {self.token}"}, timeout=2
            )
            return response.status_code == 200 and response.json().get("ready") is True
        except httpx.HTTPError:
            return False

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
