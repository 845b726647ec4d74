"""Fixtures: a fixed clock, a fresh SQLite file, the repo's quiz banks, a small bank on disk,
and the real python-telegram-bot Application wired to a loopback Bot API stand-in."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator, Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
import yaml
from telegram.ext import Application

from bot.ask import AskPolicy
from bot.config import ROOT, Webhook
from bot.content import Bank, load_bank
from bot.conversation import Conversation
from bot.dialogue import Dialogue
from bot.nlu import RasaDialogue
from bot.quiz import Attempt
from bot.review import REVIEW, review_module
from bot.store import INTERACTIVE_BUSY_SECONDS, Store
from bot.telegram_app import TYPING, build_application, webhook_options
from tests.bot_api_stub import BotApiStub, Call
from tests.rasa_server import RasaServer

TOKEN = "123456:TEST-TOKEN"
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)


class Clock:
    """A clock that only moves when a test moves it."""

    def __init__(self, now: datetime = NOW):
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    store = Store(tmp_path / "ethics.db")
    yield store
    store.close()


@pytest.fixture(scope="session")
def bank() -> Bank:
    """The repository's own quiz banks: the content users meet."""
    return load_bank(ROOT / "quizzes")


def text3(en: str) -> dict[str, str]:
    return {"kk": f"{en} (kk)", "ru": f"{en} (ru)", "en": en}


def write_code_index(directory: Path) -> None:
    """A code.yml with one chapter and its one point, "Code p. 3", for small test banks."""
    directory.mkdir(parents=True, exist_ok=True)
    index = {
        "chapters": [{"id": "code:1-general", "title": text3("General provisions")}],
        "points": [
            {
                "id": "Code p. 3",
                "chapter": "code:1-general",
                "summary": text3("Acquaint in writing"),
                "label": text3("Ethical Code, para. 3"),
            }
        ],
    }
    (directory / "code.yml").write_text(yaml.safe_dump(index, allow_unicode=True), encoding="utf-8")


def small_bank_files(directory: Path) -> Path:
    """A valid two-module bank in `directory`, for tests that break it on purpose."""
    write_code_index(directory)
    for module_id, track in (("basics", "onboarding"), ("refresh", "refresher")):
        module = {
            "id": module_id,
            "title": text3(module_id.title()),
            "short_title": text3(module_id.title()),
            "track": track,
            "pass_mark": 0.5,
            "card": text3("What the Code says"),
            "questions": [
                {
                    "id": f"{module_id}-{n}",
                    "cite": ["Code p. 3"],
                    "scenario": text3(f"Scenario {n}"),
                    "options": [{"text": text3("Right"), "correct": True}, {"text": text3("Wrong")}],
                    "explanation": text3("Because"),
                }
                for n in (1, 2)
            ],
        }
        (directory / f"{module_id}.yml").write_text(yaml.safe_dump(module, allow_unicode=True), encoding="utf-8")
    return directory


@pytest.fixture
def conversation(bank: Bank, store: Store, clock: Clock) -> Conversation:
    seeds = itertools.count(1)
    return Conversation(bank, store, "ru", clock, seed=lambda: next(seeds))


def current_attempt(store: Store, bank: Bank, telegram_id: int) -> Attempt:
    """The user's open attempt as the engine sees it."""
    session = store.open_session(telegram_id)
    assert session is not None, "no quiz in progress"
    module = (
        review_module(bank, session.plan.questions) if session.module_id == REVIEW else bank.modules[session.module_id]
    )
    return Attempt(module, session.plan, session.position, dict(session.answers))


def right_letter_index(store: Store, bank: Bank, telegram_id: int) -> int:
    """The displayed position of the right option of the current question."""
    attempt = current_attempt(store, bank, telegram_id)
    return attempt.option_order(attempt.current).index(attempt.current.correct_index)


class TelegramUser:
    """A person in a private chat with the bot, speaking through the stand-in's updates.

    With the in-process `application` an exchange ends when the bot has processed the update;
    against a bot in another process it ends once the bot has been quiet for a while.
    """

    def __init__(
        self,
        api: BotApiStub,
        telegram_id: int,
        language_code: str | None,
        first_name: str = "Aigerim",
        application: Application | None = None,
        group: int | None = None,
    ):
        self.api, self.id, self.application = api, telegram_id, application
        self.chat = (
            {"id": group, "type": "group", "title": "Department chat"}
            if group
            else {"id": telegram_id, "type": "private"}
        )
        self.profile = {"id": telegram_id, "is_bot": False, "first_name": first_name}
        if language_code:
            self.profile["language_code"] = language_code
        self._message_ids = itertools.count(10_000)

    async def _exchange(self, update: dict[str, Any], done: Any) -> list[Call]:
        """Deliver an update and wait (off the event loop, where the bot runs) for its effects."""
        before = len(self.api.calls)
        update_id = self.api.push(update)
        if self.application is not None:
            await asyncio.to_thread(self.api.wait_fetched, update_id)
            await self.application.update_queue.join()
            typing = self.application.bot_data.get(TYPING, set())
            while typing:  # typed text is answered in its own task
                await asyncio.gather(*list(typing), return_exceptions=True)
        else:
            await asyncio.to_thread(self.api.wait_for, lambda calls: done(calls[before:]))
            await asyncio.to_thread(self.api.settle, 1.5)
        return self.api.calls[before:]

    def _message(self, **content: Any) -> dict[str, Any]:
        return {
            "message_id": next(self._message_ids),
            "date": 1_790_000_000,
            "from": self.profile,
            "chat": self.chat,
            **content,
        }

    async def send(self, text: str) -> list[Call]:
        """Type a message (a /command included); return the bot's calls in reply."""
        entities = (
            [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}] if text.startswith("/") else []
        )
        update = {"message": self._message(text=text, **({"entities": entities} if entities else {}))}
        return await self._exchange(update, lambda calls: any(c.method == "sendMessage" for c in calls))

    async def send_other(self, **content: Any) -> list[Call]:
        """Send a non-text message (sticker, photo, voice)."""
        return await self._exchange(
            {"message": self._message(**content)}, lambda calls: any(c.method == "sendMessage" for c in calls)
        )

    async def edit(self, text: str) -> list[Call]:
        update = {"edited_message": {**self._message(text=text), "edit_date": 1_790_000_100}}
        return await self._exchange(update, lambda calls: any(c.method == "sendMessage" for c in calls))

    async def press(self, data: str, message: dict[str, Any] | None = None, query_id: str | None = None) -> list[Call]:
        """Press an inline button carrying `data` on `message` (the bot's last message by default)."""
        message = message or self.last_bot_message()
        query_id = query_id or f"q{next(self._message_ids)}"
        update = {
            "callback_query": {
                "id": query_id,
                "from": self.profile,
                "chat_instance": "ci",
                "data": data,
                "message": message,
            }
        }
        return await self._exchange(
            update,
            lambda calls: any(
                c.method == "answerCallbackQuery" and c.params.get("callback_query_id") == query_id for c in calls
            ),
        )

    def last_bot_message(self, with_buttons: bool = True) -> dict[str, Any]:
        """The bot's latest message in this chat (with buttons), or an old one it can no longer edit."""
        messages = [
            m
            for m in self.api.messages.values()
            if m["chat"]["id"] == self.chat["id"] and (m.get("reply_markup") or not with_buttons)
        ]
        return messages[-1] if messages else {"message_id": 1, "date": 0, "chat": self.chat}


def buttons(call_or_message: Call | dict[str, Any]) -> list[tuple[str, str]]:
    """(label, callback data) of every inline button in a sent message or a call."""
    markup = (
        call_or_message.params.get("reply_markup")
        if isinstance(call_or_message, Call)
        else call_or_message.get("reply_markup")
    )
    return [(b["text"], b["callback_data"]) for row in (markup or {}).get("inline_keyboard", []) for b in row]


def sent_messages(calls: list[Call]) -> list[Call]:
    return [c for c in calls if c.method == "sendMessage"]


def texts(calls: list[Call]) -> list[str]:
    return [c.params["text"] for c in calls if c.method == "sendMessage"]


class TelegramHarness:
    """The running bot: its stand-in API, its store and clock, and users to chat as."""

    def __init__(self, api: BotApiStub, store: Store, bank: Bank, clock: Clock, application: Application):
        self.api, self.store, self.bank, self.clock, self.application = api, store, bank, clock, application

    def user(self, telegram_id: int = 501, language_code: str | None = "en", **kwargs: Any) -> TelegramUser:
        return TelegramUser(self.api, telegram_id, language_code, application=self.application, **kwargs)


async def start_bot(api: BotApiStub, conversation: Conversation, webhook: Webhook | None = None) -> Application:
    """The bot as `serve` runs it: long polling, or its webhook server registered with the stand-in."""
    application = build_application(conversation, TOKEN, api.base_url, webhook=webhook)
    await application.initialize()
    await application.post_init(application)
    if webhook is None:
        await application.updater.start_polling(poll_interval=0.0, timeout=1)
    else:
        await application.updater.start_webhook(**webhook_options(webhook))
    await application.start()
    return application


async def stop_bot(application: Application) -> None:
    await application.updater.stop()
    await application.stop()
    await application.shutdown()


@pytest_asyncio.fixture
async def telegram(bank: Bank, tmp_path: Path, clock: Clock) -> AsyncIterator[TelegramHarness]:
    """The bot running against the stand-in, with the repo's quiz banks and no dialogue model."""
    async for harness in running_bot(bank, tmp_path, clock, dialogue=None):
        yield harness


async def running_bot(
    bank: Bank,
    tmp_path: Path,
    clock: Clock,
    dialogue: Dialogue | None,
    coordinator_ids: frozenset[int] = frozenset(),
    ask: AskPolicy = AskPolicy(),
    webhook: Webhook | None = None,
) -> AsyncIterator[TelegramHarness]:
    api = BotApiStub().start()
    store = Store(tmp_path / "bot.db", busy_timeout=INTERACTIVE_BUSY_SECONDS)
    seeds = itertools.count(7)
    conversation = Conversation(
        bank, store, "ru", clock, dialogue, coordinator_ids=coordinator_ids, seed=lambda: next(seeds), ask=ask
    )
    application = await start_bot(api, conversation, webhook)
    try:
        yield TelegramHarness(api, store, bank, clock, application)
    finally:
        await stop_bot(application)
        store.close()
        api.stop()


@pytest.fixture(scope="session")
def rasa_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RasaServer]:
    """The real Rasa server, trained if needed from dialogues/ and config.yml, once per test session."""
    RasaServer.train()
    server = RasaServer(tmp_path_factory.mktemp("rasa") / "rasa.log")
    server.start()
    yield server
    server.stop()


@pytest_asyncio.fixture
async def telegram_with_rasa(
    bank: Bank, tmp_path: Path, clock: Clock, rasa_server: RasaServer
) -> AsyncIterator[TelegramHarness]:
    """The bot against the Bot API stand-in, understanding free text through the real Rasa server."""
    dialogue = RasaDialogue(rasa_server.url, rasa_server.token, timeout=2.0)
    try:
        async for harness in running_bot(bank, tmp_path, clock, dialogue):
            yield harness
    finally:
        await dialogue.close()
