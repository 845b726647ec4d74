"""A real Learning Record Store for tests: Ralph's LRS (.venv-lrs) on a free loopback port, file-system backend,
one basic-auth account; and a proxy in front of it that drops connections on demand."""

from __future__ import annotations

import json
import os
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx

from bot.config import ROOT
from tests.rasa_server import free_port

RALPH = ROOT / ".venv-lrs" / "bin"
USER, PASSWORD = "lrs-writer", "a long test secret"
# Ralph's own LRS app under uvicorn, as `ralph runserver -b fs` runs it, with one change: its file-system
# backend (meant for development) creates its file once and refuses every later write, so a second
# batch would always fail; here it appends, as its other backends store every batch.
SERVE = """
import sys, uvicorn
from ralph.backends.data.base import BaseOperationType
from ralph.backends.data.fs import FSDataBackend
FSDataBackend.default_operation_type = BaseOperationType.APPEND
uvicorn.run("ralph.api:app", host="127.0.0.1", port=int(sys.argv[1]), log_level="info")
"""


class Ralph:
    """`ralph runserver -b fs` with its auth file and data in `home`."""

    def __init__(self, home: Path):
        self.home, self.port = home, free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}/xAPI/"
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 60) -> Ralph:
        if not (RALPH / "ralph").exists():
            raise RuntimeError("Ralph is not installed: run `make .venv-lrs/.installed` (make test does)")
        self.home.mkdir(parents=True, exist_ok=True)
        hashed = subprocess.run(
            [
                str(RALPH / "python"),
                "-c",
                "import bcrypt, sys; print(bcrypt.hashpw(sys.argv[1].encode(), bcrypt.gensalt(4)).decode())",
                PASSWORD,
            ],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
        auth = self.home / "auth.json"
        auth.write_text(
            json.dumps(
                [
                    {
                        "username": USER,
                        "hash": hashed,
                        "scopes": ["all"],
                        "agent": {"mbox": "mailto:lrs-writer@example.kz"},
                    }
                ]
            )
        )
        (self.home / "data").mkdir(exist_ok=True)
        env = {
            **os.environ,
            "RALPH_APP_DIR": str(self.home),
            "RALPH_AUTH_FILE": str(auth),
            "RALPH_RUNSERVER_BACKEND": "fs",
            "RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH": str(self.home / "data"),
        }
        log = open(self.home / "ralph.log", "ab")
        self.process = subprocess.Popen(
            [str(RALPH / "python"), "-c", SERVE, str(self.port)],
            cwd=self.home,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        while not self._up():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"Ralph did not start; see {self.home / 'ralph.log'}")
            time.sleep(0.3)
        return self

    def _up(self) -> bool:
        try:
            return httpx.get(f"http://127.0.0.1:{self.port}/__heartbeat__", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    def statements(self) -> list[dict]:
        """Every statement the LRS holds, following its `more` links."""
        found, url = [], f"{self.endpoint}statements?limit=500"
        while url:
            body = (
                httpx.get(url, auth=(USER, PASSWORD), headers={"X-Experience-API-Version": "1.0.3"}, timeout=30)
                .raise_for_status()
                .json()
            )
            found += body["statements"]
            url = f"http://127.0.0.1:{self.port}{body['more']}" if body.get("more") else None
        return found

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)


class DroppingProxy:
    """Forwards to `target`, but closes the connection without an answer for the first `drops` requests."""

    def __init__(self, target: str, drops: int):
        self.target, self.drops, self.requests = target.rstrip("/"), drops, 0
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (the stdlib's name)
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                proxy.requests += 1
                if proxy.requests <= proxy.drops:
                    self.close_connection = True
                    self.connection.close()
                    return
                response = httpx.post(
                    proxy.target + self.path.replace("/xAPI", "", 1),
                    content=body,
                    timeout=30,
                    headers={k: v for k, v in self.headers.items() if k.lower() != "host"},
                )
                self.send_response(response.status_code)
                for key in ("Content-Type", "Content-Length"):
                    if key in response.headers:
                        self.send_header(key, response.headers[key])
                self.end_headers()
                self.wfile.write(response.content)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.endpoint = f"http://127.0.0.1:{self.server.server_address[1]}/xAPI/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
