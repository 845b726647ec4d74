"""The bot through python-telegram-bot's real HTTP stack, against the loopback Bot API stand-in."""

from __future__ import annotations

import pytest

from bot.conversation import COMMANDS
from bot.locales import LANGUAGES, t
from tests.conftest import buttons, current_attempt, right_letter_index, sent_messages, texts


async def test_commands_are_registered_for_each_language(telegram):
    registered = {
        c.params.get("language_code"): c.params["commands"] for c in telegram.api.calls if c.method == "setMyCommands"
    }
    for lang in LANGUAGES:
        assert [c["command"] for c in registered[lang]] == list(COMMANDS)
        assert registered[lang][0]["description"] == t(lang, "cmd_start")


@pytest.mark.parametrize(
    "code, lang", [("kk", "kk"), ("ru", "ru"), ("en", "en"), ("en-GB", "en"), ("de", "ru"), (None, "ru")]
)
async def test_start_greets_in_the_users_language_with_the_menu(telegram, code, lang):
    user = telegram.user(language_code=code, first_name="Dauren")
    sent = sent_messages(await user.send("/start"))
    assert sent[0].params["text"] == t(lang, "greeting", name="Dauren")
    assert ("📝" in buttons(sent[1])[0][0]) and ("quiz" in dict(map(reversed, buttons(sent[1]))))
    assert all(label for label, _ in buttons(sent[1]))


async def test_deep_link_opens_the_onboarding_track(telegram):
    sent = sent_messages(await telegram.user(language_code="ru").send("/start onboarding"))
    assert sent[0].params["text"] == t(
        "ru", "onboarding_intro", course=telegram.bank.modules["onboarding"].short_title["ru"]
    )
    assert "mod:onboarding" in [data for _, data in buttons(sent[0])]


async def test_quiz_lists_every_module_with_its_status(telegram):
    user = telegram.user()
    sent = sent_messages(await user.send("/quiz"))
    listed = [data for _, data in buttons(sent[0])]
    assert listed[:-1] == [f"mod:{m}" for m in sorted(telegram.bank.modules, key=lambda m: (m != "onboarding", m))]
    assert all(label.startswith("🆕") for label, _ in buttons(sent[0])[:-1])


def message_calls(calls: list) -> list:
    return [c for c in calls if c.method in ("sendMessage", "editMessageText", "editMessageReplyMarkup")]


async def test_a_whole_quiz_runs_to_its_summary_and_is_logged(telegram):
    user = telegram.user(language_code="en")
    module = telegram.bank.modules["onboarding"]
    await user.send("/quiz")
    await user.press("mod:onboarding")
    intro = user.last_bot_message()
    calls = await user.press("go:onboarding")
    (question,) = message_calls(calls)  # the module's intro becomes its first question
    assert question.method == "editMessageText" and int(question.params["message_id"]) == intro["message_id"]
    assert question.params["text"].startswith(
        t("en", "question_header", title=module.title["en"], n=1, total=len(module.questions))
    )
    wrong_once = False
    for n in range(len(module.questions)):
        attempt = current_attempt(telegram.store, telegram.bank, user.id)
        right = right_letter_index(telegram.store, telegram.bank, user.id)
        choice = (right + 1) % len(attempt.current.options) if not wrong_once else right
        wrong_once = True
        asked = user.last_bot_message()
        _, data = buttons(asked)[choice]
        calls = await user.press(data)
        feedback, *rest = message_calls(calls)  # one edit per answer: the question becomes its feedback
        assert feedback.method == "editMessageText" and int(feedback.params["message_id"]) == asked["message_id"]
        text = feedback.params["text"]
        chosen = attempt.current.options[attempt.option_order(attempt.current)[choice]].text["en"]
        assert attempt.current.scenario["en"] in text
        assert t("en", "your_answer", letter=f"{'ABCD'[choice]}) {chosen}") in text
        assert ("❌" if n == 0 else "✅") in text and t("en", "cited") in text
        if n < len(module.questions) - 1:
            assert rest == []
            next_calls = message_calls(await user.press(buttons(feedback)[0][1]))
            assert [c.method for c in next_calls] == ["sendMessage"]  # the next question; the feedback stays
            assert telegram.api.messages[asked["message_id"]]["text"] == text
    summary = sent_messages(calls)[0].params["text"]  # the summary, then the rating question
    total = len(module.questions)
    assert f"{total - 1}/{total}" in summary
    assert t("en", "passed", mark=80) in summary
    db = telegram.store.db
    assert db["answers"].count == total
    assert db.execute("SELECT SUM(correct) FROM answers").fetchone()[0] == total - 1
    completion = list(db["completions"].rows)
    assert len(completion) == 1 and completion[0]["passed"] == 1 and completion[0]["score"] == total - 1
    progress = sent_messages(await user.send("/progress"))[0].params["text"]
    assert f"{module.title['en']}: best {total - 1}/{total}, passed on 23 November 2026" in progress


async def test_double_tap_and_redelivered_update_record_one_answer(telegram):
    user = telegram.user()
    await user.press("go:onboarding")
    question = user.last_bot_message()
    (_, data), (_, second) = buttons(question)[:2]
    first = await user.press(data, message=question, query_id="same")
    again = await user.press(data, message=question, query_id="same")
    other = await user.press(second, message=question)
    assert len(message_calls(first)) == 1
    for calls in (again, other):
        assert message_calls(calls) == []
        answered = [c for c in calls if c.method == "answerCallbackQuery"]
        assert answered[0].params["text"] == t("en", "stale_button")
    assert telegram.store.db["answers"].count == 1


async def test_pressing_next_twice_moves_on_once(telegram):
    user = telegram.user()
    await user.press("go:onboarding")
    calls = await user.press(buttons(user.last_bot_message())[0][1])
    feedback = user.last_bot_message()
    next_data = buttons(message_calls(calls)[0])[0][1]
    await user.press(next_data, message=feedback)
    second = await user.press(next_data, message=feedback)
    assert message_calls(second) == []
    assert telegram.store.open_session(user.id).position == 1


@pytest.mark.parametrize(
    "data",
    [
        "ans:99999:0:0",
        "ans:1:0:9",
        "next:1:5",
        "ans:x:y:z",
        "mod:no-such-module",
        "go:no-such-module",
        "lang:de",
        "card",
        "",
        "💥" * 20,
    ],
)
async def test_forged_or_stale_buttons_change_nothing(telegram, data):
    owner, intruder = telegram.user(601), telegram.user(602)
    await owner.press("go:onboarding")
    before = telegram.store.db.execute("SELECT position FROM quiz_sessions").fetchall()
    calls = await intruder.press(data, message=owner.last_bot_message())
    assert message_calls(calls) == []
    assert [c.params.get("text") for c in calls if c.method == "answerCallbackQuery"] == [t("en", "stale_button")]
    assert telegram.store.db["answers"].count == 0
    assert telegram.store.db.execute("SELECT position FROM quiz_sessions").fetchall() == before


@pytest.mark.parametrize(
    "data",
    [
        "ans:99999999999999999999999:0:0",
        "ans:{session}:0:99999999999999999999",
        "next:{session}:1e400",
        "ans:{session}:-1:0",
        "ans:-{session}:0:0",
        "ans:{session}:0:-1",
        "next:{session}:-0",
        "ans:{session}:0:1_0",
        "ans:{session}:0:١",
        "next:{session}:0x0",
        "qa:99999999999999999999",
        "qs:-1",
        "rate:99999999999999999999:5",
        "rate:{session}:1e400",
        "rskip:-1",
    ],
)
async def test_forged_numbers_in_buttons_are_stale_never_an_error(telegram, caplog, data):
    user = telegram.user(621)
    await user.press("go:onboarding")
    session = telegram.store.open_session(user.id)
    calls = await user.press(data.format(session=session.id), message=user.last_bot_message())
    assert sent_messages(calls) == []
    assert [c.params.get("text") for c in calls if c.method == "answerCallbackQuery"] == [t("en", "stale_button")]
    assert telegram.store.db["answers"].count == 0 and telegram.store.open_session(user.id).position == 0
    assert [r for r in caplog.records if r.levelname in ("ERROR", "CRITICAL")] == []


async def test_someone_elses_answer_button_is_refused(telegram):
    owner, intruder = telegram.user(611), telegram.user(612)
    await owner.press("go:onboarding")
    _, data = buttons(owner.last_bot_message())[0]
    calls = await intruder.press(data)
    assert message_calls(calls) == [] and telegram.store.db["answers"].count == 0


@pytest.mark.parametrize(
    "content",
    [
        {
            "sticker": {
                "file_id": "s",
                "file_unique_id": "s",
                "width": 512,
                "height": 512,
                "is_animated": False,
                "is_video": False,
                "type": "regular",
            }
        },
        {"photo": [{"file_id": "p", "file_unique_id": "p", "width": 90, "height": 90}]},
        {"voice": {"file_id": "v", "file_unique_id": "v", "duration": 3}},
        {"document": {"file_id": "d", "file_unique_id": "d", "file_name": "x.pdf"}},
    ],
)
async def test_non_text_messages_get_a_polite_reply(telegram, content):
    sent = sent_messages(await telegram.user(language_code="kk").send_other(**content))
    assert [c.params["text"] for c in sent] == [t("kk", "unsupported_message")]


async def test_edited_message_gets_a_polite_reply(telegram):
    sent = sent_messages(await telegram.user(language_code="ru").edit("исправил"))
    assert [c.params["text"] for c in sent] == [t("ru", "edited_message")]


async def test_over_long_text_is_declined_politely(telegram):
    sent = sent_messages(await telegram.user().send("a" * 4000))
    assert sent[0].params["text"] == t("en", "too_long", length="4000 characters", limit="1000 characters")


async def test_unknown_command_shows_help(telegram):
    sent = sent_messages(await telegram.user().send("/frobnicate"))
    assert sent[0].params["text"].startswith(t("en", "help", commands="")[:40])


async def test_language_choice_is_remembered(telegram):
    user = telegram.user(language_code="en")
    picker = sent_messages(await user.send("/language"))[0]
    assert [d for _, d in buttons(picker)] == ["lang:kk", "lang:ru", "lang:en"]
    picker = user.last_bot_message()
    (changed,) = message_calls(await user.press("lang:kk", message=picker))  # the picker becomes the menu
    assert int(changed.params["message_id"]) == picker["message_id"]
    assert changed.params["text"].startswith(t("kk", "language_set")) and buttons(changed)
    help_text = texts(await user.send("/help"))[0]
    assert help_text.startswith(t("kk", "help", commands="")[:30])


async def test_typed_letter_answers_and_stop_pauses(telegram):
    user = telegram.user(language_code="ru")
    await user.press("go:onboarding")
    question = user.last_bot_message()
    right = right_letter_index(telegram.store, telegram.bank, user.id)
    calls = await user.send(f"вариант {'ABCD'[right]}")
    (edit,) = message_calls(calls)  # the question becomes its feedback, as a press leaves it
    assert telegram.store.db["answers"].count == 1
    assert int(edit.params["message_id"]) == question["message_id"]
    assert f"{t('ru', 'your_answer', letter='ABCD'[right])}) " in edit.params["text"] and "✅" in edit.params["text"]
    assert [label for label, _ in buttons(telegram.api.messages[question["message_id"]])] == [t("ru", "btn_next")]
    paused = sent_messages(await user.send("хватит"))
    assert paused[0].params["text"] == t("ru", "quiz_paused")
    assert telegram.store.open_session(user.id) is not None


async def test_free_text_without_a_dialogue_model_points_to_the_menu(telegram):
    sent = sent_messages(await telegram.user().send("can I accept flowers?"))
    assert sent[0].params["text"] == t("en", "free_text_menu") and buttons(sent[0])
