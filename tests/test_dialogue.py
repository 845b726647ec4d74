"""Free text end to end: Telegram stand-in -> bot -> the real Rasa server -> the reply, in three languages."""

from __future__ import annotations

import httpx
import pytest

from bot.dialogue import FEATURE, Step
from bot.locales import count, t
from bot.nlu import RasaDialogue
from tests.conftest import buttons, right_letter_index, sent_messages

pytestmark = pytest.mark.rasa


def _track_text(bank, lang: str, key: str) -> str:
    """The module list's or the onboarding track's text: the course's name and the cycle length filled in."""
    return t(lang, key, course=bank.modules["onboarding"].short_title[lang], years=count(lang, "year", 3))


@pytest.mark.parametrize(
    "lang, text, topic",
    [
        ("en", "can I accept flowers from a citizen?", "gifts"),
        ("ru", "можно ли принять подарок от гражданина", "gifts"),
        ("kk", "әдеп жөніндегі уәкіл кім", "ethics_commissioner"),
        ("en", "my boss sends me to buy groceries for him", "colleagues"),
        ("kk", "azamattan syılyq alýǵa bola ma", "gifts"),  # Kazakh in Latin script
        ("ru", "nachalnik krichit na menya, chto delat", "colleagues"),  # Russian in transliteration
        ("ru", "можно ли взять служебную машину на выходные, съездить на дачу", "state_property"),
        ("en", "what is the ethical code and who does it apply to", "the_code"),
        ("kk", "мемлекеттік қызметші саяси партияның мүшесі бола ала ма", "neutrality"),
    ],
)
async def test_a_question_about_the_code_gets_the_cited_answer_and_a_practice_button(
    telegram_with_rasa, lang, text, topic
):
    bank = telegram_with_rasa.bank
    sent = sent_messages(await telegram_with_rasa.user(language_code=lang).send(text))
    assert sent[0].params["text"] == bank.topics[topic].answer[lang]
    assert buttons(sent[0]) == [
        (
            t(lang, "btn_practise", title=bank.modules[bank.topics[topic].module_id].short_title[lang]),
            f"mod:{bank.topics[topic].module_id}",
        )
    ]


@pytest.mark.parametrize(
    "lang, text, expected",
    [
        ("en", "hello good day", "say_greet"),
        ("ru", "спасибо большое", "say_thanks"),
        ("en", "are you a bot", "say_bot_challenge"),
        ("en", "how do i pay my property tax", "say_out_of_scope"),
        ("en", "write me a cover letter for a job application", "say_out_of_scope"),
        ("ru", "пошути", "say_out_of_scope"),
    ],
)
async def test_small_talk_is_answered_in_the_users_language(telegram_with_rasa, lang, text, expected):
    sent = sent_messages(await telegram_with_rasa.user(language_code=lang).send(text))
    assert sent[0].params["text"] == t(lang, expected)


async def test_intents_that_lead_to_features_run_them(telegram_with_rasa):
    user = telegram_with_rasa.user(language_code="en")
    quiz_list = sent_messages(await user.send("can we do a practice test"))[0]
    assert quiz_list.params["text"] == _track_text(telegram_with_rasa.bank, "en", "quiz_list")
    onboarding = sent_messages(await user.send("im a fresh hire"))[0]
    assert onboarding.params["text"] == _track_text(telegram_with_rasa.bank, "en", "onboarding_intro")
    resumed = sent_messages(await user.send("continue my test"))[0]
    assert resumed.params["text"] == _track_text(telegram_with_rasa.bank, "en", "quiz_list")
    progress = sent_messages(await user.send("how am i doing"))[0]
    assert progress.params["text"].startswith(t("en", "progress_title"))
    language = sent_messages(await user.send("pls change the lang"))[0]
    assert language.params["text"] == t("en", "language_choose")


@pytest.mark.parametrize(
    "lang, text",
    [
        ("ru", "хочу спросить уполномоченного по этике"),
        ("en", "I need advice from the ethics commissioner"),
        ("kk", "әдеп жөніндегі уәкілге сұрақ қойғым келеді"),
    ],
)
async def test_wanting_to_ask_the_ethics_commissioner_leads_to_the_ask_feature(rasa_server, lang, text):
    dialogue = RasaDialogue(rasa_server.url, rasa_server.token, timeout=2.0)
    try:
        assert await dialogue.respond(7001, text, lang) == (Step(FEATURE, "ask"),)
    finally:
        await dialogue.close()


async def test_a_question_during_a_quiz_is_answered_and_the_quiz_goes_on(telegram_with_rasa):
    harness = telegram_with_rasa
    user = harness.user(language_code="ru")
    await user.press("go:onboarding")
    sent = sent_messages(await user.send("можно ли принять подарок от гражданина"))
    assert sent[0].params["text"] == harness.bank.topics["gifts"].answer["ru"]
    assert (
        sent[1]
        .params["text"]
        .startswith(
            t(
                "ru",
                "question_header",
                title=harness.bank.modules["onboarding"].title["ru"],
                n=1,
                total=len(harness.bank.modules["onboarding"].questions),
            )
        )
    )
    right = right_letter_index(harness.store, harness.bank, user.id)
    calls = await user.send(["первый", "второй", "третий", "четвертый"][right] + " вариант")
    edit = next(c for c in calls if c.method == "editMessageText")  # the question became its feedback
    assert t("ru", "right") in edit.params["text"]


async def test_rasa_going_away_and_coming_back(telegram_with_rasa, rasa_server):
    user = telegram_with_rasa.user(language_code="kk")
    rasa_server.stop()
    try:
        down = sent_messages(await user.send("сыйлық алуға бола ма"))
        assert down[0].params["text"] == t("kk", "say_unavailable") and buttons(down[0])
        calls = await user.press("quiz", message=user.last_bot_message())
        menu = [c for c in calls if c.method == "editMessageText"]  # the menu replaced in place
        assert menu[0].params["text"] == _track_text(telegram_with_rasa.bank, "kk", "quiz_list")
    finally:
        rasa_server.start()
    back = sent_messages(await user.send("азаматтан гүл алуға бола ма"))
    assert back[0].params["text"] == telegram_with_rasa.bank.topics["gifts"].answer["kk"]


def test_the_rasa_server_offers_only_the_bots_channel_and_only_with_the_token(rasa_server):
    bearer = {"Authorization": f"Bearer {rasa_server.token}"}
    message = {"sender": "7002", "message": "hello", "metadata": {"language": "en"}}
    with httpx.Client(base_url=rasa_server.url, timeout=5) as client:
        assert client.get("/webhooks/bot/status", headers=bearer).json()["ready"] is True
        assert client.post("/webhooks/bot/webhook", json=message, headers=bearer).status_code == 200
        for headers in ({}, {"Authorization": "Bearer not-the-token"}, {"Authorization": rasa_server.token}):
            assert client.post("/webhooks/bot/webhook", json=message, headers=headers).status_code == 401
            assert client.get("/webhooks/bot/status", headers=headers).status_code == 401
        # Rasa's own HTTP API (--enable-api) is off: not even the token opens it.
        assert client.get("/status", params={"token": rasa_server.token}).status_code == 404
        assert (
            client.post("/model/parse", json={"text": "hello"}, params={"token": rasa_server.token}).status_code == 404
        )
        assert client.post("/webhooks/rest/webhook", json=message).status_code == 404
