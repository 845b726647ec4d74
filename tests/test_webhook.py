"""Webhook mode (BOT_WEBHOOK_URL): python-telegram-bot's own webhook server takes the updates the
Bot API stand-in POSTs to it, refuses a request without the secret, and everything polling does
works the same; polling stays the default."""

from __future__ import annotations

import asyncio
import logging
import signal
import socket
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from telegram import Bot
from telegram.error import Conflict

from bot.config import ROOT, WEBHOOK_SECRET, ConfigError, Webhook, load_settings
from bot.content import Bank
from bot.locales import t
from bot.telegram_app import WEBHOOK
from tests.bot_api_stub import BotApiStub
from tests.conftest import (
    TOKEN,
    Clock,
    TelegramHarness,
    TelegramUser,
    buttons,
    right_letter_index,
    running_bot,
    sent_messages,
    start_bot,
    stop_bot,
)
from tests.rasa_server import free_port
from tests.test_cli import _bot, _env
from tests.test_supervision import SECRET as TOKEN_SECRET
from tests.test_supervision import _start

HOOK_SECRET = "Qz7_kk-ru-en_webhook_secret_2026"
NAME = "Айгерім Нұрсұлтанқызы Жақыпбекова"


def _webhook(port: int | None = None, secret: str = HOOK_SECRET) -> Webhook:
    port = port or free_port()
    return Webhook(f"http://127.0.0.1:{port}/telegram/ethics-hook", "127.0.0.1", port, secret)


@pytest_asyncio.fixture
async def webhook_bot(bank: Bank, tmp_path: Path, clock: Clock) -> AsyncIterator[TelegramHarness]:
    """The bot in webhook mode against the stand-in, which delivers every pushed update by POST."""
    async for harness in running_bot(bank, tmp_path, clock, dialogue=None, webhook=_webhook()):
        yield harness


def _start_update(telegram_id: int, text: str = "/start") -> dict:
    chat = {"id": telegram_id, "type": "private"}
    return {
        "message": {
            "message_id": 7,
            "date": 1_790_000_000,
            "from": {"id": telegram_id, "is_bot": False, "first_name": NAME, "language_code": "kk"},
            "chat": chat,
            "text": text,
            "entities": [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}],
        }
    }


# the bot in webhook mode, in this process ------------------------------------------------


async def test_start_and_a_quiz_answer_are_answered_through_the_webhook_and_recorded(webhook_bot):
    api, store = webhook_bot.api, webhook_bot.store
    user = webhook_bot.user(9_001, language_code="kk", first_name=NAME)
    greeting = sent_messages(await user.send("/start"))
    assert greeting[0].params["text"] == t("kk", "greeting", name=NAME)
    await user.press("go:onboarding")
    question = user.last_bot_message()
    _, data = buttons(question)[right_letter_index(store, webhook_bot.bank, user.id)]
    calls = await user.press(data)
    (feedback,) = [c for c in calls if c.method == "editMessageText"]
    assert int(feedback.params["message_id"]) == question["message_id"] and "✅" in feedback.params["text"]
    assert [c.params["callback_query_id"] for c in calls if c.method == "answerCallbackQuery"]
    assert store.db["answers"].count == 1 and store.db.execute("SELECT correct FROM answers").fetchone() == (1,)
    assert api.webhook is not None and not api.updates  # delivered and confirmed, none left waiting


async def test_setwebhook_registers_the_url_and_the_secret_and_getupdates_is_refused(webhook_bot):
    webhook = webhook_bot.application.bot_data[WEBHOOK]
    (registered,) = [c for c in webhook_bot.api.calls if c.method == "setWebhook"]
    assert registered.params["url"] == webhook.url and registered.params["secret_token"] == HOOK_SECRET
    assert not [c for c in webhook_bot.api.calls if c.method == "deleteWebhook"]
    async with Bot(TOKEN, base_url=webhook_bot.api.base_url) as other:  # another instance polling
        with pytest.raises(Conflict, match="can't use getUpdates method while webhook is active"):
            await other.get_updates()


@pytest.mark.parametrize("secret", ["Qz7_kk-ru-en_webhook_secret_2025", None], ids=["wrong secret", "no secret"])
async def test_a_post_without_the_right_secret_gets_403_and_changes_nothing(webhook_bot, secret):
    api, store = webhook_bot.api, webhook_bot.store
    await asyncio.to_thread(api.settle)
    before = len(api.calls)
    assert await asyncio.to_thread(api.post_webhook, _start_update(9_002), secret) == 403
    await asyncio.to_thread(api.settle, 0.5)
    await webhook_bot.application.update_queue.join()
    assert api.calls[before:] == [] and store.db["users"].count == 0
    assert await asyncio.to_thread(api.post_webhook, _start_update(9_002)) == 200  # the same, as Telegram sends it
    await asyncio.to_thread(api.wait_for, lambda calls: any(c.params.get("chat_id") == 9_002 for c in calls[before:]))
    assert store.db["users"].count == 1


async def test_a_webhook_deleted_elsewhere_is_registered_again_by_the_watch_job(webhook_bot):
    api, application = webhook_bot.api, webhook_bot.application
    async with Bot(TOKEN, base_url=api.base_url) as other:  # e.g. a polling start with the same token
        await other.delete_webhook()
    assert api.webhook is None
    (job,) = application.job_queue.get_jobs_by_name(WEBHOOK)
    await job.run(application)
    assert api.webhook == (application.bot_data[WEBHOOK].url, HOOK_SECRET)
    calls = await webhook_bot.user(9_003).send("/help")
    assert sent_messages(calls)


async def test_a_delivery_error_telegram_reports_is_logged_once(webhook_bot, caplog):
    api, application = webhook_bot.api, webhook_bot.application
    api.webhook_error = (1_790_000_000, "Wrong response from the webhook: 502 Bad Gateway")  # the proxy was down
    (job,) = application.job_queue.get_jobs_by_name(WEBHOOK)
    with caplog.at_level(logging.WARNING, logger="bot.telegram_app"):
        await job.run(application)
        await job.run(application)
    assert [r.getMessage() for r in caplog.records if r.name == "bot.telegram_app"] == [
        "Telegram could not deliver to the webhook: Wrong response from the webhook: 502 Bad Gateway; "
        "0 update(s) waiting"
    ]


async def test_switching_back_to_polling_deletes_the_webhook_and_polls(conversation):
    api = BotApiStub().start()
    try:
        application = await start_bot(api, conversation, _webhook())
        await stop_bot(application)
        assert api.webhook is not None  # stopping leaves it: Telegram keeps updates for the next start
        application = await start_bot(api, conversation)
        try:
            assert api.webhook is None and [c.method for c in api.calls].count("deleteWebhook") == 1
            user = TelegramUser(api, 9_004, "ru", NAME, application=application)
            assert sent_messages(await user.send("/help"))
        finally:
            await stop_bot(application)
    finally:
        api.stop()


async def test_polling_stays_the_default_and_sets_no_webhook(telegram):
    await telegram.user().send("/help")
    methods = [c.method for c in telegram.api.calls]
    assert "setWebhook" not in methods and "deleteWebhook" in methods and telegram.api.webhook is None


# settings ----------------------------------------------------------------------------------


def test_webhook_settings_read_the_url_path_listen_address_and_secret():
    settings = load_settings(
        {
            "BOT_WEBHOOK_URL": "https://ethics.gov.example.kz:8443/telegram/ethics-hook/",
            "BOT_WEBHOOK_LISTEN": "[::1]:9443",
            "BOT_WEBHOOK_SECRET": HOOK_SECRET,
        }
    )
    webhook = settings.webhook
    assert (webhook.host, webhook.port, webhook.path, webhook.secret) == (
        "::1",
        9443,
        "/telegram/ethics-hook",
        HOOK_SECRET,
    )
    assert HOOK_SECRET in settings.secrets() and HOOK_SECRET not in repr(settings)
    assert load_settings({}).webhook is None  # polling


def test_without_a_secret_each_run_gets_its_own_random_one():
    env = {"BOT_WEBHOOK_URL": "https://ethics.gov.example.kz/hook"}
    first, second = load_settings(env).webhook, load_settings(env).webhook
    assert first.secret != second.secret and WEBHOOK_SECRET.fullmatch(first.secret)
    assert (first.host, first.port) == ("127.0.0.1", 8080)


@pytest.mark.parametrize(
    "env, message",
    [
        (
            {"BOT_WEBHOOK_URL": "http://ethics.gov.example.kz/hook"},
            "BOT_WEBHOOK_URL: 'http://ethics.gov.example.kz/hook' must start with https:// "
            "(Telegram delivers only over TLS).",
        ),
        (
            {"BOT_WEBHOOK_URL": "https://ethics.gov.example.kz:8080/hook"},
            "BOT_WEBHOOK_URL: 'https://ethics.gov.example.kz:8080/hook' uses port 8080; "
            "Telegram delivers only to ports 443, 80, 88, 8443.",
        ),
        (
            {"BOT_WEBHOOK_URL": "ethics.gov.example.kz/hook"},
            "BOT_WEBHOOK_URL: 'ethics.gov.example.kz/hook' is not an https:// URL.",
        ),
        (
            {"BOT_WEBHOOK_URL": "https://ethics.gov.example.kz:44x/hook"},
            "BOT_WEBHOOK_URL: 'https://ethics.gov.example.kz:44x/hook' is not a URL.",
        ),
        (
            {"BOT_WEBHOOK_URL": "https://ethics.gov.example.kz/hook?x=1"},
            "BOT_WEBHOOK_URL: 'https://ethics.gov.example.kz/hook?x=1' may have a path of letters, digits "
            "and - _ . ~ / only, no query or fragment.",
        ),
        (
            {"BOT_WEBHOOK_URL": f"https://ethics.gov.example.kz/{TOKEN_SECRET}", "TELEGRAM_BOT_TOKEN": TOKEN},
            "BOT_WEBHOOK_URL: 'https://ethics.gov.example.kz/***' contains the bot token; the webhook secret "
            "protects the URL, choose another path.",
        ),
        (
            {"BOT_WEBHOOK_SECRET": "short"},
            "BOT_WEBHOOK_SECRET: expected 16 to 256 characters of A-Z, a-z, 0-9, _ and - (5 characters given, "
            "value not shown); leave it unset for a random one per run.",
        ),
        (
            {"BOT_WEBHOOK_SECRET": "секрет-вебхука-для-бота"},
            "BOT_WEBHOOK_SECRET: expected 16 to 256 characters of A-Z, a-z, 0-9, _ and - (23 characters given, "
            "value not shown); leave it unset for a random one per run.",
        ),
        ({"BOT_WEBHOOK_LISTEN": "8080"}, "BOT_WEBHOOK_LISTEN: '8080' is not host:port (e.g. 127.0.0.1:8080)."),
        (
            {"BOT_WEBHOOK_LISTEN": "0.0.0.0:70000"},
            "BOT_WEBHOOK_LISTEN: '0.0.0.0:70000' is not host:port (e.g. 127.0.0.1:8080).",
        ),
    ],
)
def test_a_bad_webhook_setting_is_one_clear_error(env, message):
    with pytest.raises(ConfigError) as error:
        load_settings(env)
    assert str(error.value) == message


def test_run_with_a_bad_webhook_url_says_so_in_one_line_and_exits_2(tmp_path):
    result = _bot(
        "run",
        "--no-rasa",
        TELEGRAM_BOT_TOKEN=TOKEN,
        BOT_DB_PATH=str(tmp_path / "x.db"),
        BOT_WEBHOOK_URL="http://x.kz/h",
    )
    assert result.returncode == 2
    assert (
        result.stderr
        == "error: BOT_WEBHOOK_URL: 'http://x.kz/h' must start with https:// (Telegram delivers only over TLS).\n"
    )


# the run command in webhook mode -----------------------------------------------------------


def test_run_serves_the_webhook_end_to_end_and_sigterm_answers_everything_received(tmp_path):
    api, port, servants = BotApiStub().start(), free_port(), range(8_001, 8_061)
    url = f"http://127.0.0.1:{port}/telegram/ethics-hook"
    process = _start(api, tmp_path, "run", "--no-rasa", BOT_WEBHOOK_URL=url, BOT_WEBHOOK_LISTEN=f"127.0.0.1:{port}")
    try:
        api.wait_for(lambda calls: any(c.method == "setMyCommands" for c in calls), timeout=60)
        user = TelegramUser(api, 9_005, "ru", NAME)
        sent = sent_messages(asyncio.run(user.send("/start")))
        assert sent[0].params["text"] == t("ru", "greeting", name=NAME)
        last = max(api.push(_start_update(servant, "/progress")) for servant in servants)
        api.wait_fetched(last, timeout=30)  # all sixty taken by the bot's server (answered 200), some not yet handled
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=60) == 0
    finally:
        if process.poll() is None:
            process.kill()
        api.stop()
    assert {c.params["chat_id"] for c in api.calls if c.method == "sendMessage"} == {9_005, *servants}
    registered = [c.params for c in api.calls if c.method == "setWebhook"]
    secret = registered[0]["secret_token"]
    assert {p["url"] for p in registered} == {url} and {p["secret_token"] for p in registered} == {secret}
    assert WEBHOOK_SECRET.fullmatch(secret)  # a random one: BOT_WEBHOOK_SECRET is not set
    output = (tmp_path / "bot.log").read_text()
    assert f"serving updates through the webhook {url}, listening on 127.0.0.1:{port}" in output
    assert secret not in output and TOKEN_SECRET not in output and "Traceback" not in output


def test_a_token_refused_while_serving_the_webhook_ends_the_process_for_the_supervisor(tmp_path):
    api, port = BotApiStub().start(), free_port()
    url = f"http://127.0.0.1:{port}/telegram/ethics-hook"
    process = _start(api, tmp_path, "run", "--no-rasa", BOT_WEBHOOK_URL=url, BOT_WEBHOOK_LISTEN=f"127.0.0.1:{port}")
    try:
        api.wait_for(lambda calls: any(c.method == "setMyCommands" for c in calls), timeout=60)
        assert sent_messages(asyncio.run(TelegramUser(api, 9_005, "ru", NAME).send("/start")))  # serving
        api.reject_token(401, "Unauthorized")  # revoked in @BotFather while the bot runs
        api.push(_start_update(9_006, "/help"))  # delivered to the webhook; the reply is refused
        assert process.wait(timeout=60) == 1
    finally:
        if process.poll() is None:
            process.kill()
        api.stop()
    output = (tmp_path / "bot.log").read_text()
    assert "the Bot API stopped accepting the token while serving; stopping" in output
    assert TOKEN_SECRET not in output and "Traceback" not in output


REFUSALS = {  # what the Bot API refuses at start, and the one line `run` prints for it
    "revoked token": (
        lambda api: api.reject_token(401, "Unauthorized"),
        "error: the Bot API at {base_url} rejected the token (Unauthorized): "
        "check TELEGRAM_BOT_TOKEN and TELEGRAM_API_BASE_URL\n",
    ),
    "wrong base URL": (
        lambda api: api.reject_token(404, "Not Found"),
        "error: the Bot API at {base_url} rejected the token (Not Found): "
        "check TELEGRAM_BOT_TOKEN and TELEGRAM_API_BASE_URL\n",
    ),
    "webhook URL": (
        lambda api: api.fail(
            "setWebhook", 400, "Bad Request: bad webhook: Failed to resolve host: Name or service not known"
        ),
        "error: the Bot API refused the webhook https://ethics.gov.example.kz/hook (Bad webhook: failed to resolve "
        "host: name or service not known): check BOT_WEBHOOK_URL\n",
    ),
}


@pytest.mark.parametrize("refusal", REFUSALS)
def test_a_refusal_at_start_in_webhook_mode_is_one_line_without_the_token_and_exit_2(tmp_path, refusal):
    refuse, line = REFUSALS[refusal]
    api = BotApiStub().start()
    refuse(api)
    try:
        process = _start(api, tmp_path, "run", "--no-rasa", BOT_WEBHOOK_URL="https://ethics.gov.example.kz/hook")
        assert process.wait(timeout=60) == 2
    finally:
        api.stop()
    assert (tmp_path / "bot.log").read_text() == line.format(base_url=api.base_url)


def test_a_listen_address_in_use_is_one_line_and_exit_2(tmp_path):
    api = BotApiStub().start()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        try:
            process = _start(
                api,
                tmp_path,
                "run",
                "--no-rasa",
                BOT_WEBHOOK_URL=f"http://127.0.0.1:{port}/hook",
                BOT_WEBHOOK_LISTEN=f"127.0.0.1:{port}",
            )
            assert process.wait(timeout=60) == 2
        finally:
            api.stop()
    output = (tmp_path / "bot.log").read_text()
    assert output.endswith(
        f"error: cannot listen on 127.0.0.1:{port} (Address already in use): check BOT_WEBHOOK_LISTEN\n"
    )
    assert "Traceback" not in output


# doctor -------------------------------------------------------------------------------------


def _doctor_webhook_line(api: BotApiStub, tmp_path: Path, url: str) -> str:
    """The doctor's webhook line (the other checks are tests/test_doctor.py's)."""
    result = subprocess.run(
        [sys.executable, "-m", "bot", "doctor", "--models", str(tmp_path)],
        cwd=ROOT,
        env=_env(
            TELEGRAM_BOT_TOKEN=TOKEN,
            TELEGRAM_API_BASE_URL=api.base_url,
            BOT_DB_PATH=str(tmp_path / "bot.db"),
            RASA_URL=f"http://127.0.0.1:{free_port()}",
            BOT_WEBHOOK_URL=url,
            BOT_WEBHOOK_SECRET=HOOK_SECRET,
        ),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1  # no Rasa, no model here
    assert HOOK_SECRET not in result.stdout + result.stderr and TOKEN_SECRET not in result.stdout
    (line,) = [line for line in result.stdout.splitlines() if line[6:].startswith("webhook:")]
    return line


async def _register(api: BotApiStub, url: str) -> None:
    """What `run` does at start: setWebhook with the URL and the secret."""
    async with Bot(TOKEN, base_url=api.base_url) as bot:
        await bot.set_webhook(url, secret_token=HOOK_SECRET)


def test_doctor_reports_the_registered_webhook_another_one_or_none(tmp_path):
    api, url = BotApiStub().start(), "https://ethics.gov.example.kz/hook"
    try:
        assert _doctor_webhook_line(api, tmp_path, url) == (
            f"FAIL  webhook: Telegram has no webhook registered, not to BOT_WEBHOOK_URL {url} "
            "(`run` registers it at start)"
        )
        asyncio.run(_register(api, "https://staging.example.kz/hook"))
        assert _doctor_webhook_line(api, tmp_path, url) == (
            "FAIL  webhook: Telegram delivers to 'https://staging.example.kz/hook', not to BOT_WEBHOOK_URL "
            f"{url} (`run` registers it at start)"
        )
        asyncio.run(_register(api, url))
        assert (
            _doctor_webhook_line(api, tmp_path, url)
            == f"ok    webhook: Telegram delivers to {url}; 0 update(s) waiting"
        )
    finally:
        api.stop()


def test_doctor_reports_telegrams_delivery_error_while_updates_wait(tmp_path):
    api, url = BotApiStub().start(), f"http://127.0.0.1:{free_port()}/hook"  # the bot is not listening
    try:
        asyncio.run(_register(api, url))
        api.push(_start_update(9_006))
        api.wait_for(lambda _: api.webhook_error is not None)
        line = _doctor_webhook_line(api, tmp_path, url)
    finally:
        api.stop()
    assert line.startswith(f"FAIL  webhook: Telegram cannot deliver to {url}: Connection refused (at ")
    assert line.endswith(" UTC); 1 update(s) waiting")
