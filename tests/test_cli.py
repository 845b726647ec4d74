"""The command line as a deployment meets it: exit codes, messages, and a kill -9 mid-quiz."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys

import yaml

from bot.config import ROOT
from bot.quiz import Attempt
from bot.store import Store
from tests.bot_api_stub import BotApiStub
from tests.conftest import TOKEN, TelegramUser, buttons, small_bank_files


def _env(**values: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "BOT_", "RASA_"))}
    env.update(values)
    return env


def _bot(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], cwd=ROOT, env=_env(**env), capture_output=True, text=True, timeout=60
    )


def test_run_without_a_token_says_so_in_one_line_and_exits_2(tmp_path):
    result = _bot("run", "--no-rasa", BOT_DB_PATH=str(tmp_path / "x.db"))
    assert result.returncode == 2
    assert result.stderr == "error: TELEGRAM_BOT_TOKEN is not set: export the token @BotFather gave you.\n"


def test_a_bad_setting_is_named(tmp_path):
    result = _bot("run", BOT_DEFAULT_LANGUAGE="de", TELEGRAM_BOT_TOKEN=TOKEN)
    assert result.returncode == 2 and "BOT_DEFAULT_LANGUAGE: 'de' is not one of kk, ru, en." in result.stderr


def test_the_bot_refuses_to_start_on_an_invalid_bank_and_says_why(tmp_path):
    small_bank_files(tmp_path)
    path = tmp_path / "basics.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    del data["questions"][0]["explanation"]["ru"]
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    for command in ("run", "validate"):
        result = _bot(command, TELEGRAM_BOT_TOKEN=TOKEN, BOT_QUIZZES_DIR=str(tmp_path))
        assert result.returncode == 2
        assert "basics.yml [basics-1] explanation.ru: missing or empty" in result.stderr
        assert "Traceback" not in result.stderr


def test_validate_passes_on_the_repository_and_reports_coverage():
    result = _bot("validate", "--coverage")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("ok: ")
    assert "law:gifts" in result.stdout and "Questions per module:" in result.stdout


def test_the_token_never_reaches_the_log(tmp_path):
    api = BotApiStub().start()
    try:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", "run", "--no-rasa"],
            cwd=ROOT,
            text=True,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            env=_env(
                TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=api.base_url, BOT_DB_PATH=str(tmp_path / "bot.db")
            ),
        )
        api.wait_polling()
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=30)
    finally:
        api.stop()
    assert "Application started" in output
    assert TOKEN not in output and TOKEN.split(":")[1] not in output


def test_a_quiz_killed_mid_way_resumes_at_the_same_question(tmp_path, bank):
    api = BotApiStub().start()
    db_path = tmp_path / "bot.db"
    env = _env(TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=api.base_url, BOT_DB_PATH=str(db_path))
    user = TelegramUser(api, 777, "en")

    def start() -> subprocess.Popen:
        before = len([c for c in api.calls if c.method == "setMyCommands"])
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", "run", "--no-rasa"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        api.wait_for(lambda calls: len([c for c in calls if c.method == "setMyCommands"]) > before, timeout=30)
        api.wait_polling()
        return process

    def stored_attempt() -> Attempt:
        store = Store(db_path)
        try:
            session = store.open_session(user.id)
            return Attempt(bank.modules[session.module_id], session.plan, session.position, dict(session.answers))
        finally:
            store.close()

    try:
        process = start()
        asyncio.run(user.press("go:onboarding"))
        asyncio.run(user.press(buttons(user.last_bot_message())[0][1]))
        asyncio.run(user.press(buttons(user.last_bot_message())[0][1]))  # Next
        asyncio.run(user.press(buttons(user.last_bot_message())[1][1]))  # answer question 2
        before_kill = stored_attempt()
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=10)

        process = start()
        calls = asyncio.run(user.press("go:onboarding", message=user.last_bot_message()))
        resumed = [c for c in calls if c.method in ("sendMessage", "editMessageText")][-1]
        assert [data for _, data in buttons(resumed)] == ["next:1:1"]  # the feedback of question 2, with Next
        calls = asyncio.run(user.press("next:1:1", message=api.messages[max(api.messages)]))
        question = [c for c in calls if c.method == "sendMessage"][-1].params["text"]
        after = stored_attempt()
        assert after.position == 2 and after.answers == before_kill.answers
        assert after.current.scenario["en"] in question
        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
        api.stop()


def test_sigterm_answers_every_update_already_fetched_and_confirms_them(tmp_path):
    """What the README promises for a stop by the service manager: nothing fetched is dropped."""
    api = BotApiStub().start()
    servants = range(8001, 8061)
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "run", "--no-rasa"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=_env(TELEGRAM_BOT_TOKEN=TOKEN, BOT_DB_PATH=str(tmp_path / "bot.db"), TELEGRAM_API_BASE_URL=api.base_url),
    )
    try:
        api.wait_for(lambda calls: any(c.method == "setMyCommands" for c in calls), timeout=30)
        api.wait_polling()
        last = 0
        for servant in servants:
            last = api.push(
                {
                    "message": {
                        "message_id": servant,
                        "date": 1_790_000_000,
                        "text": "/progress",
                        "entities": [{"type": "bot_command", "offset": 0, "length": 9}],
                        "from": {"id": servant, "is_bot": False, "first_name": "Нұрсұлтан"},
                        "chat": {"id": servant, "type": "private"},
                    }
                }
            )
        api.wait_fetched(last, timeout=30)  # all sixty in the bot's queue, confirmed by its next getUpdates
        process.send_signal(signal.SIGTERM)  # while most of them are still waiting to be handled
        assert process.wait(timeout=60) == 0
    finally:
        if process.poll() is None:
            process.kill()
        api.stop()
    answered = {c.params["chat_id"] for c in api.calls if c.method == "sendMessage"}
    assert answered == set(servants)
    assert api.offset > last  # confirmed: a restart does not get them again
