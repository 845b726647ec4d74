"""A bot in its own process polling its own loopback Bot API stand-in, and the users who press and
type through that stand-in, timed from the update's push to the bot's reply reaching the stand-in
(what a user sees).

The bot runs as a separate process, as in production, so that its memory is its own and the
stand-in (in the benchmark's process) does not take the bot's interpreter lock.
"""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.config import ROOT
from tests.bot_api_stub import BotApiStub, Call

TOKEN = "1:BENCH"
PROFILE_LANGUAGES = ("kk", "ru", "en")


@dataclass(frozen=True)
class Press:
    """A button a user can press now: its data, on the message that shows it."""

    user_id: int
    data: str
    message: dict[str, Any]


class Replies:
    """Follows the calls a bot makes to its stand-in from a mark on, without holding the stand-in's
    lock while reading them."""

    def __init__(self, bot: BotProcess) -> None:
        self.bot, self.api = bot, bot.api
        self.mark = len(bot.api.calls)

    def first_to(
        self, chats: set[int], methods: tuple[str, ...], timeout: float = 120.0, accept: Any = None
    ) -> dict[int, Call]:
        """The first successful call of `methods` to each of `chats` since the mark (that `accept`
        takes, if given)."""
        found: dict[int, Call] = {}
        index, deadline = self.mark, time.monotonic() + timeout
        while len(found) < len(chats):
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not self.bot.running():
                raise RuntimeError(
                    f"{len(chats) - len(found)} of {len(chats)} chats got no {methods} from {self.bot.name}"
                    f"{'' if self.bot.running() else ', whose process ended'}; see {self.bot.log_path}"
                )
            new = self.api.calls_after(index, min(remaining, 1.0))
            index += len(new)
            for call in new:
                chat = int(call.params.get("chat_id", 0))
                if (
                    call.method in methods
                    and call.status == 200
                    and chat in chats
                    and chat not in found
                    and (accept is None or accept(call))
                ):
                    found[chat] = call
        return found

    def since(self) -> list[Call]:
        return self.api.calls[self.mark :]


class BotProcess:
    """A bot started as `argv` with the stand-in's URL and token in its environment."""

    def __init__(self, name: str, argv: list[str], directory: Path, env: dict[str, str] | None = None) -> None:
        self.name, self.argv, self.directory = name, argv, directory
        self.api = BotApiStub().start()
        self.env = {
            **os.environ,
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_BASE_URL": self.api.base_url,
            "BOT_DB_PATH": str(directory / f"{name}.db"),
            **(env or {}),
        }
        self.process: subprocess.Popen | None = None
        self.started_at = 0.0
        self._ids = itertools.count(1)
        self._message_ids = itertools.count(1_000_000)  # the users' own messages

    @property
    def log_path(self) -> Path:
        return self.directory / f"{self.name}.log"

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start(self) -> BotProcess:
        """Start the process (its start is the time origin of `started_at`); returns at once."""
        with open(self.log_path, "ab") as log:
            self.started_at = time.monotonic()
            self.process = subprocess.Popen(self.argv, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        return self

    def ready(self, users: list[int]) -> list[Press]:
        """Bring each user to the screen with the button the benchmark presses; the press to make."""
        raise NotImplementedError

    def wait_polling(self) -> None:
        self.api.wait_polling(timeout=60)

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.api.stop()

    # users -------------------------------------------------------------------------------

    def new_users(self, count: int) -> list[int]:
        return [next(self._ids) for _ in range(count)]

    def profile(self, user_id: int) -> dict[str, Any]:
        language = PROFILE_LANGUAGES[user_id % len(PROFILE_LANGUAGES)]
        return {"id": user_id, "is_bot": False, "first_name": f"Сотрудник {user_id}", "language_code": language}

    def push_press(self, press: Press) -> float:
        """The user presses; returns the moment the update was queued."""
        update = {
            "callback_query": {
                "id": f"q{press.user_id}-{time.monotonic_ns()}",
                "from": self.profile(press.user_id),
                "chat_instance": "ci",
                "data": press.data,
                "message": press.message,
            }
        }
        pushed = time.monotonic()
        self.api.push(update)
        return pushed

    def push_text(self, user_id: int, text: str, language: str | None = None) -> float:
        """The user types `text`; returns the moment the update was queued."""
        profile = {**self.profile(user_id), **({"language_code": language} if language else {})}
        message = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "from": profile,
            "chat": {"id": user_id, "type": "private"},
            "text": text,
        }
        pushed = time.monotonic()
        self.api.push({"message": message})
        return pushed

    def shown(self, user_id: int, accept: Any) -> dict[str, Any]:
        """The latest message in the user's chat that `accept` takes (as the stand-in holds it now)."""
        messages = [m for m in list(self.api.messages.values()) if m["chat"]["id"] == user_id and accept(m)]
        if not messages:
            raise LookupError(f"no such message in chat {user_id}")
        return messages[-1]


def python(*args: str) -> list[str]:
    """A command line run by this benchmark's own interpreter (the bot's environment)."""
    return [sys.executable, *args]


def buttons_of(message: dict[str, Any]) -> list[str]:
    """Callback data of every inline button on a message."""
    rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    return [button["callback_data"] for row in rows for button in row]
