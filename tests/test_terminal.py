"""The terminal chat runs the same conversation, with buttons as numbered choices."""

from __future__ import annotations

import io

from bot.conversation import User
from bot.locales import t
from bot.terminal import chat


async def test_a_terminal_user_starts_a_quiz_and_answers_by_number(conversation, store, bank):
    lines = iter(["1", "1", "1", "3", "/progress"])  # Quizzes, onboarding, start, answer C

    def read() -> str:
        line = next(lines, None)
        if line is None:
            raise EOFError  # what input() raises at the end of input
        return line

    out = io.StringIO()
    await chat(conversation, User(5, "Nurlan", "en"), read=read, out=out)
    shown = out.getvalue()
    assert t("en", "greeting", name="Nurlan") in shown
    assert "  [1] " + t("en", "btn_quiz") in shown
    assert f"question 1 of {len(bank.modules['onboarding'].questions)}" in shown
    assert store.db["answers"].count == 1
    assert t("en", "progress_title") in shown and "⏳" in shown
