"""Take a whole module through the Telegram stand-in, as a servant would, right or wrong on purpose."""

from __future__ import annotations

from tests.bot_api_stub import Call
from tests.conftest import TelegramHarness, TelegramUser, buttons, current_attempt, right_letter_index, sent_messages


async def finish_module(harness: TelegramHarness, user: TelegramUser, module_id: str, wrong: int = 0) -> list[Call]:
    """Start (or resume) the module and answer every question, the first `wrong` of them wrongly;
    the calls of the last answer (the feedback edit, summary, rating question, any certificate)."""
    await user.press(f"go:{module_id}")
    questions = len(harness.bank.modules[module_id].questions)
    for n in range(questions):
        right = right_letter_index(harness.store, harness.bank, user.id)
        options = len(current_attempt(harness.store, harness.bank, user.id).current.options)
        _, data = buttons(user.last_bot_message())[(right + 1) % options if n < wrong else right]
        calls = await user.press(data)
        if n < questions - 1:  # the question became its feedback, with Next under it
            feedback = next(c for c in calls if c.method == "editMessageText")
            await user.press(buttons(feedback)[0][1], message=user.last_bot_message())
    return calls


def rating_buttons(calls: list[Call]) -> list[tuple[str, str]]:
    """The 1–5 buttons of the rating question among the calls."""
    return next(buttons(c) for c in sent_messages(calls) if buttons(c) and buttons(c)[0][1].startswith("rate:"))
