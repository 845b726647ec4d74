"""Many servants at once: chats in parallel and each in order, one model call per user, a busy or
full database and expired button presses answered, through the real python-telegram-bot stack."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from typing import Any

import pytest_asyncio

from bot.dialogue import SAY, Step
from bot.locales import t
from bot.telegram_app import CONVERSATION
from tests.conftest import TelegramHarness, TelegramUser, buttons, right_letter_index, running_bot

EXPIRED = "Bad Request: query is too old and response timeout expired or query ID is invalid"


class HeldDialogue:
    """A dialogue model that answers only when the test lets it, like a Rasa server under load."""

    def __init__(self) -> None:
        self.release = asyncio.Event()
        self.asked: list[str] = []

    async def respond(self, sender: int, text: str, language: str) -> tuple[Step, ...]:
        self.asked.append(text)
        await self.release.wait()
        return (Step(SAY, "say_fallback"),)


@pytest_asyncio.fixture
async def held(bank, tmp_path, clock) -> AsyncIterator[tuple[TelegramHarness, HeldDialogue]]:
    dialogue = HeldDialogue()
    try:
        async for harness in running_bot(bank, tmp_path, clock, dialogue):
            yield harness, dialogue
    finally:
        dialogue.release.set()


def _message(user: TelegramUser, text: str, message_id: int) -> dict[str, Any]:
    return {
        "message": {
            "message_id": message_id,
            "date": 1_790_000_000,
            "from": user.profile,
            "chat": user.chat,
            "text": text,
        }
    }


def _press(user: TelegramUser, data: str, message: dict[str, Any], query_id: str) -> dict[str, Any]:
    return {
        "callback_query": {
            "id": query_id,
            "from": user.profile,
            "chat_instance": "ci",
            "data": data,
            "message": message,
        }
    }


async def _until(harness: TelegramHarness, predicate: Any) -> list:
    return await asyncio.to_thread(harness.api.wait_for, predicate, 5.0)


def _sent_to(calls: list, chat_id: int, text: str) -> bool:
    return any(
        c.method == "sendMessage" and int(c.params["chat_id"]) == chat_id and c.params["text"] == text for c in calls
    )


async def test_a_button_is_answered_while_another_users_typed_text_waits_on_the_model(held):
    harness, dialogue = held
    typist, presser = harness.user(701), harness.user(702)
    harness.api.push(_message(typist, "can I accept flowers?", 1))
    await asyncio.to_thread(harness.api.wait_for, lambda _: dialogue.asked, 5.0)
    harness.api.push(_press(presser, "go:onboarding", {"message_id": 1, "date": 0, "chat": presser.chat}, "p"))
    await _until(harness, lambda calls: any(c.params.get("callback_query_id") == "p" for c in calls))
    await _until(
        harness, lambda calls: any(c.method == "sendMessage" and int(c.params["chat_id"]) == presser.id for c in calls)
    )  # the question, while the model still thinks
    assert harness.store.open_session(presser.id) is not None
    assert not dialogue.release.is_set()
    dialogue.release.set()
    await _until(harness, lambda calls: _sent_to(calls, typist.id, t("en", "say_fallback")))


async def test_a_second_typed_message_while_the_model_thinks_gets_one_moment(held):
    harness, dialogue = held
    user = harness.user(703)
    harness.api.push(_message(user, "can I accept flowers?", 1))
    harness.api.push(_message(user, "hello?", 2))
    await _until(harness, lambda calls: _sent_to(calls, user.id, t("en", "one_moment")))
    assert dialogue.asked == ["can I accept flowers?"]  # one model call in flight per user
    dialogue.release.set()
    await _until(harness, lambda calls: _sent_to(calls, user.id, t("en", "say_fallback")))
    await user.send("and now?")  # once answered, the next message goes to the model again
    assert dialogue.asked[-1] == "and now?"


async def test_a_slow_update_in_one_chat_does_not_hold_up_another_chat(telegram):
    conversation = telegram.application.bot_data[CONVERSATION]
    slow_user, quick = telegram.user(704), telegram.user(705)
    gate, button = asyncio.Event(), conversation.button

    async def slow_for_one(user, data):
        if user.telegram_id == slow_user.id:
            await gate.wait()
        return await button(user, data)

    conversation.button = slow_for_one
    telegram.api.push(_press(slow_user, "prog", {"message_id": 1, "date": 0, "chat": slow_user.chat}, "slow"))
    telegram.api.push(_press(quick, "prog", {"message_id": 1, "date": 0, "chat": quick.chat}, "quick"))
    await _until(
        telegram, lambda calls: any(c.method == "sendMessage" and int(c.params["chat_id"]) == quick.id for c in calls)
    )  # the progress screen, while the other waits
    assert not any(c.params.get("callback_query_id") == "slow" for c in telegram.api.calls)
    gate.set()
    await _until(telegram, lambda calls: any(c.params.get("callback_query_id") == "slow" for c in calls))


async def test_one_users_quick_presses_are_handled_in_order(telegram):
    user = telegram.user(706)
    await user.send("/language")
    picker = user.last_bot_message()
    telegram.api.push(_press(user, "lang:kk", picker, "first"))
    telegram.api.push(_press(user, "help", picker, "second"))
    calls = await _until(telegram, lambda calls: sum(c.method == "editMessageText" for c in calls) == 2)
    mine = [
        (c.method, c.params.get("callback_query_id"))
        for c in calls
        if c.method in ("answerCallbackQuery", "editMessageText")
    ]
    # each press's answer and edit go out together, the second press's only after the first's
    assert sorted(mine[:2], key=str) == [("answerCallbackQuery", "first"), ("editMessageText", None)]
    assert sorted(mine[2:], key=str) == [("answerCallbackQuery", "second"), ("editMessageText", None)]
    assert telegram.api.messages[picker["message_id"]]["text"].startswith(t("kk", "help", commands="")[:30])


async def test_an_expired_button_press_still_records_the_answer_and_shows_the_feedback(telegram):
    user = telegram.user(707)
    await user.press("go:onboarding")
    question = user.last_bot_message()
    right = right_letter_index(telegram.store, telegram.bank, user.id)
    telegram.api.fail("answerCallbackQuery", 400, EXPIRED)
    calls = await user.press(buttons(question)[right][1])
    (edit,) = [c for c in calls if c.method == "editMessageText"]
    assert int(edit.params["message_id"]) == question["message_id"] and "✅" in edit.params["text"]
    assert telegram.store.db["answers"].count == 1


async def test_a_database_locked_by_another_process_answers_temporarily_unavailable(telegram, tmp_path):
    user = telegram.user(708)
    await user.send("/start")
    other = sqlite3.connect(tmp_path / "bot.db", isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")  # an sqlite3 shell or a long job holding the write lock
    try:
        replies = [c.params["text"] for c in await user.send("/progress") if c.method == "sendMessage"]
        pressed = await user.press("go:onboarding")
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert replies == [t("en", "temporarily_unavailable")]
    notices = [c.params.get("text") for c in pressed if c.method == "answerCallbackQuery"]
    assert notices == [t("en", "temporarily_unavailable")]
    assert telegram.store.open_session(user.id) is None
    after = [c.params["text"] for c in await user.send("/progress") if c.method == "sendMessage"]
    assert after[0].startswith(t("en", "progress_title"))  # the lock gone, the bot is back


async def test_a_full_database_answers_temporarily_unavailable_and_records_nothing(telegram):
    user = telegram.user(709)
    await user.send("/start")
    db = telegram.store.db
    pages = db.execute("PRAGMA page_count").fetchone()[0]
    db.execute(f"PRAGMA max_page_count = {pages}")  # the disk is full: the file cannot grow by one page
    try:
        newcomer = telegram.user(710, first_name="Нұрмағамбетова-Константинопольская " * 200)  # needs new pages
        replies = [c.params["text"] for c in await newcomer.send("/start") if c.method == "sendMessage"]
        assert replies == [t("en", "temporarily_unavailable")]
        assert db.execute("SELECT COUNT(*) FROM users WHERE telegram_id = 710").fetchone()[0] == 0
    finally:
        db.execute("PRAGMA max_page_count = 4294967294")
    after = [c.params["text"] for c in await newcomer.send("/start") if c.method == "sendMessage"]
    assert t("en", "temporarily_unavailable") not in after  # space again: served as usual
    assert db.execute("SELECT COUNT(*) FROM users WHERE telegram_id = 710").fetchone()[0] == 1
