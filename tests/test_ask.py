"""Asking the Ethics Commissioner through the real python-telegram-bot stack and the Bot API
stand-in: the dialogue in three languages, named and anonymous, answers, the inbox, stale buttons,
limits, restarts, the daily raising, coordinators' counts, and anonymity checked end to end."""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import date
from pathlib import Path

import pytest
import pytest_asyncio

from bot.__main__ import main
from bot.ask import AskPolicy, Quota, overdue_cutoff
from bot.config import ConfigError, load_settings
from bot.content import Bank
from bot.conversation import Conversation
from bot.cycle import CyclePolicy, ReminderPolicy
from bot.dialogue import FEATURE, Step
from bot.locales import LANGUAGES, count, t
from bot.nlu import RasaDialogue
from bot.quiz import Plan
from bot.reminders import DIGEST, Reminders
from bot.store import DueReminder, Employee, Store
from bot.telegram_app import raise_questions
from tests.bot_api_stub import BotApiStub
from tests.conftest import NOW, Clock, TelegramUser, buttons, running_bot, sent_messages, start_bot, stop_bot, texts

COMMISSIONER, AKIMAT_COMMISSIONER, COORDINATOR = 9001, 9002, 9003
SERVANT, OTHER = 701, 702
AKIMAT, MINISTRY = "Алматы қаласының әкімдігі", "Министерство юстиции Республики Казахстан"
NAME = "Нұрсұлтанова Әйгерім Бақытжанқызы"
QUESTION = {
    "kk": "Әріптесім мердігер компаниядан сыйлық алды. Бұл туралы кімге хабарлауым керек?",
    "ru": "Мой руководитель просит меня забрать его детей из школы в рабочее время. Что мне делать?",
    "en": "A contractor offered me tickets to a concert after we signed the contract. May I accept?",
}
ANSWER = "Откажитесь и сообщите руководителю письменно; см. Этический кодекс, п. 12."


def roster(store: Store) -> None:
    """Three hundred employees with long Kazakh and Russian names; the servant and a colleague linked."""
    surnames = ["Нұрсұлтанова", "Жақыпбеков", "Кузнецова-Сейткалиева", "Әбдірахманов", "Ким"]
    employees = [
        Employee(
            f"E{n:04d}",
            f"{surnames[n % 5]} Тест {n} Бақытжанқызы",
            (AKIMAT, MINISTRY)[n % 2],
            "главный специалист",
            "2020-01-15",
            None,
        )
        for n in range(2, 300)
    ]
    employees += [
        Employee("E0001", NAME, AKIMAT, "главный специалист", "2020-01-15", None),
        Employee("E0000", "Сейткалиев Дәурен Серікұлы", MINISTRY, "эксперт", "2021-03-01", None),
    ]
    store.upsert_employees(employees, NOW)
    for telegram_id, employee_id in ((SERVANT, "E0001"), (OTHER, "E0000")):
        store.touch_user(telegram_id, "x", NOW)
        store.claim_invite(store.invite(employee_id, NOW, 30).code, telegram_id, NOW)


@pytest_asyncio.fixture
async def bot(bank: Bank, tmp_path: Path, clock: Clock):
    """The bot with one commissioner for every department (environment), one for the akimat
    (database), a coordinator, a quota of three questions a day, and the roster."""
    policy = AskPolicy(frozenset({COMMISSIONER}), questions_per_day=3)
    async for harness in running_bot(bank, tmp_path, clock, None, coordinator_ids=frozenset({COORDINATOR}), ask=policy):
        harness.store.add_commissioner(AKIMAT_COMMISSIONER, [AKIMAT], NOW)
        harness.api.know(COMMISSIONER, AKIMAT_COMMISSIONER, COORDINATOR)  # they pressed Start long ago
        roster(harness.store)
        yield harness


def to_chat(api: BotApiStub, chat_id: int, since: int = 0) -> list:
    return [c for c in sent_messages(api.calls[since:]) if c.params["chat_id"] == chat_id]


def own(calls: list, chat_id: int) -> list[str]:
    """The texts the bot sent to one chat among `calls`."""
    return [c.params["text"] for c in sent_messages(calls) if c.params["chat_id"] == chat_id]


def data_of(user: TelegramUser, label: str) -> str:
    """The callback data of the button labelled `label` on the bot's latest message to the user."""
    return dict(buttons(user.last_bot_message()))[label]


async def ask(user: TelegramUser, lang: str, text: str, mode: str) -> list:
    """The whole dialogue: /ask, the text, the mode, send; the calls of the last step."""
    assert texts(await user.send("/ask")) == [t(lang, "ask_intro", limit=count(lang, "character", 2000))]
    mode_screen = sent_messages(await user.send(text))[0]
    assert mode_screen.params["text"] == t(lang, "ask_mode")
    await user.press(data_of(user, t(lang, f"btn_ask_{mode}")))
    return await user.press(data_of(user, t(lang, "btn_ask_send")))


async def answer(commissioner: TelegramUser, ref: str, text: str = ANSWER) -> list:
    """Press Answer under the question `ref` in the commissioner's chat and type the answer."""
    notice = next(
        m
        for m in reversed(commissioner.api.messages.values())
        if m["chat"]["id"] == commissioner.id and ref in m.get("text", "") and m.get("reply_markup")
    )
    prompt = await commissioner.press(dict(buttons(notice))[t("ru", "btn_answer")], notice)
    assert texts(prompt) == [t("ru", "answer_prompt", ref=ref)]
    return await commissioner.send(text)


# the dialogue -----------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGUAGES)
async def test_a_named_question_reaches_the_departments_commissioners_and_the_answer_comes_back(bot, lang):
    servant, commissioner = bot.user(SERVANT, lang), bot.user(COMMISSIONER, "ru")
    await servant.send("/ask")
    await servant.send(QUESTION[lang])
    preview = sent_messages(await servant.press(data_of(servant, t(lang, "btn_ask_named"))))[0].params["text"]
    assert preview.startswith(t(lang, "ask_preview"))
    assert t(lang, "question_from", name=NAME, department=AKIMAT) in preview and QUESTION[lang] in preview
    before = len(bot.api.calls)
    sent = await servant.press(data_of(servant, t(lang, "btn_ask_send")))
    assert own(sent, SERVANT) == [t(lang, "ask_sent", ref="Q-2026-0001")]
    notices = {c.params["chat_id"]: c for c in sent_messages(bot.api.calls[before:]) if c.params["chat_id"] != SERVANT}
    assert set(notices) == {COMMISSIONER, AKIMAT_COMMISSIONER}
    assert notices[COMMISSIONER].params["text"] == "\n".join(
        [
            t("ru", "question_new", ref="Q-2026-0001"),
            t("ru", "question_from", name=NAME, department=AKIMAT),
            t("ru", "question_asked", date="23.11.2026"),
            "",
            QUESTION[lang],
        ]
    )
    assert buttons(notices[COMMISSIONER]) == [(t("ru", "btn_answer"), "qa:1"), (t("ru", "btn_spam"), "qs:1")]
    before = len(bot.api.calls)
    assert own(await answer(commissioner, "Q-2026-0001"), COMMISSIONER) == [t("ru", "answer_sent", ref="Q-2026-0001")]
    assert [c.params["text"] for c in to_chat(bot.api, SERVANT, before)] == [
        t(lang, "ask_answer", ref="Q-2026-0001", answer=ANSWER)
    ]
    assert texts(await commissioner.send("/inbox")) == [t("ru", "inbox_empty")]


@pytest.mark.parametrize("lang", LANGUAGES)
async def test_an_anonymous_question_shows_no_sender_and_the_answer_still_arrives(bot, lang):
    servant, commissioner = bot.user(SERVANT, lang), bot.user(COMMISSIONER, "ru")
    before = len(bot.api.calls)
    await ask(servant, lang, QUESTION[lang], "anonymous")
    preview = [
        c.params["text"] for c in to_chat(bot.api, SERVANT, before) if t(lang, "ask_preview") in c.params["text"]
    ]
    assert preview and t(lang, "question_anonymous") in preview[0] and NAME not in preview[0]
    notices = to_chat(bot.api, COMMISSIONER, before)
    assert [c.params["text"] for c in notices] == [
        "\n".join(
            [
                t("ru", "question_new", ref="Q-2026-0001"),
                t("ru", "question_anonymous"),
                t("ru", "question_asked", date="23.11.2026"),
                "",
                QUESTION[lang],
            ]
        )
    ]
    assert to_chat(bot.api, AKIMAT_COMMISSIONER, before), "a question without department reaches every commissioner"
    before = len(bot.api.calls)
    await answer(commissioner, "Q-2026-0001")
    assert [c.params["text"] for c in to_chat(bot.api, SERVANT, before)] == [
        t(lang, "ask_answer", ref="Q-2026-0001", answer=ANSWER)
    ]


async def test_empty_emoji_or_overlong_text_is_refused_and_the_dialogue_still_waits(bot):
    servant = bot.user(SERVANT, "en")
    await servant.send("/ask")
    assert texts(await servant.send("👍 🙏 ...")) == [t("en", "ask_empty", length="", limit="")]
    too_long = "Ә" * 2001
    assert texts(await servant.send(too_long)) == [
        t("en", "ask_too_long", length=count("en", "character", 2001), limit=count("en", "character", 2000))
    ]
    assert bot.store.draft(SERVANT).stage == "text"
    assert texts(await servant.send("stop")) == [t("en", "ask_cancelled")]
    assert bot.store.draft(SERVANT) is None
    assert texts(await servant.send("/ask")) and texts(
        await servant.send("  Может ли руководитель требовать подарки?  ")
    )
    assert bot.store.draft(SERVANT).text == "Может ли руководитель требовать подарки?"


async def test_another_command_or_button_leaves_the_text_step(bot):
    servant, commissioner = bot.user(SERVANT, "en"), bot.user(COMMISSIONER, "ru")
    await servant.send("/ask")
    await servant.send("/quiz")
    await servant.send("/ask")
    await servant.press("prog")
    for text in ("B", "can I accept flowers?"):
        assert texts(await servant.send(text)) == [t("en", "free_text_menu")]
    assert bot.store.draft(SERVANT) is None
    await ask(servant, "en", QUESTION["en"], "named")
    await commissioner.press("qa:1", commissioner.last_bot_message())
    await commissioner.send("/inbox")
    assert bot.store.answering(COMMISSIONER) is None and bot.store.question(1).status == "open"


async def test_cancel_sends_nothing(bot):
    servant = bot.user(SERVANT, "ru")
    await servant.send("/ask")
    await servant.send(QUESTION["ru"])
    await servant.press(data_of(servant, t("ru", "btn_ask_named")))
    before = len(bot.api.calls)
    assert texts(await servant.press(data_of(servant, t("ru", "btn_cancel")))) == [t("ru", "ask_cancelled")]
    assert not to_chat(bot.api, COMMISSIONER, before)
    assert bot.store.db.execute("SELECT COUNT(*) FROM questions").fetchone()[0] == 0


async def test_stale_and_forged_buttons_change_nothing(bot):
    servant = bot.user(SERVANT, "en")
    await servant.send("/ask")
    await servant.send(QUESTION["en"])
    mode_message = servant.last_bot_message()
    named = data_of(servant, t("en", "btn_ask_named"))
    await servant.press(named)
    send = data_of(servant, t("en", "btn_ask_send"))
    for data, message in ((named, mode_message), ("ask:anonymous:deadbeef", None), ("ask:ok:deadbeef", None)):
        calls = await servant.press(data, message)
        assert [c.params.get("text") for c in calls if c.method == "answerCallbackQuery"] == [t("en", "stale_button")]
        assert not sent_messages(calls)
    assert bot.store.draft(SERVANT).mode == "named"
    await servant.press(send)
    again = await servant.press(send, servant.last_bot_message(with_buttons=False))
    assert [c.params.get("text") for c in again if c.method == "answerCallbackQuery"] == [t("en", "stale_button")]
    assert bot.store.db.execute("SELECT COUNT(*) FROM questions").fetchone()[0] == 1


async def test_the_dialogue_survives_a_restart(bank, tmp_path, clock):
    api = BotApiStub().start()
    policy = AskPolicy(frozenset({COMMISSIONER}))
    store = Store(tmp_path / "bot.db")
    roster(store)
    application = await start_bot(api, Conversation(bank, store, "ru", clock, ask=policy))
    try:
        servant = TelegramUser(api, SERVANT, "kk", application=application)
        await servant.send("/ask")
        await servant.send(QUESTION["kk"])
        choice = servant.last_bot_message()
    finally:
        await stop_bot(application)
        store.close()
    store = Store(tmp_path / "bot.db")
    application = await start_bot(api, Conversation(bank, store, "ru", clock, ask=policy))
    try:
        servant = TelegramUser(api, SERVANT, "kk", application=application)
        preview = await servant.press(dict(buttons(choice))[t("kk", "btn_ask_anonymous")], choice)
        assert QUESTION["kk"] in texts(preview)[0]
        sent = await servant.press(data_of(servant, t("kk", "btn_ask_send")))
        assert own(sent, SERVANT) == [t("kk", "ask_sent", ref="Q-2026-0001")]
    finally:
        await stop_bot(application)
        store.close()
        api.stop()


# commissioners ----------------------------------------------------------------------------------


async def test_inbox_lists_open_questions_oldest_first_within_the_commissioners_departments(bot, clock):
    servant, colleague = bot.user(SERVANT, "ru"), bot.user(OTHER, "ru")
    await ask(servant, "ru", "Первый вопрос о подарках", "named")
    clock.advance(days=1)
    await ask(colleague, "ru", "Второй вопрос о конфликте интересов", "named")
    clock.advance(days=1)
    await ask(colleague, "ru", "Третий вопрос, анонимный", "anonymous")
    everything = texts(await bot.user(COMMISSIONER, "ru").send("/inbox"))
    assert everything[0] == t("ru", "inbox_title", count=3, shown=3)
    assert [text.splitlines()[0] for text in everything[1:]] == [
        t("ru", "question_new", ref=f"Q-2026-000{n}") for n in (1, 2, 3)
    ]
    akimat = texts(await bot.user(AKIMAT_COMMISSIONER, "ru").send("/inbox"))
    assert [text.splitlines()[0] for text in akimat[1:]] == [
        t("ru", "question_new", ref=ref) for ref in ("Q-2026-0001", "Q-2026-0003")
    ]


async def test_a_long_backlog_shows_the_oldest_twenty(bot, clock):
    for n in range(25):
        bot.store.save_draft(OTHER, "confirm", f"Вопрос номер {n + 1}", "named", clock.now)
        bot.store.submit_question(OTHER, bot.store.draft(OTHER).nonce, "Дәурен", MINISTRY, "ru", NOW.date())
    listed = texts(await bot.user(COMMISSIONER, "ru").send("/inbox"))
    assert listed[0] == t("ru", "inbox_title", count=25, shown=20)
    assert [text.splitlines()[-1] for text in listed[1:]] == [f"Вопрос номер {n + 1}" for n in range(20)]


async def test_others_are_refused_the_inbox_and_the_answer_and_spam_buttons(bot):
    await ask(bot.user(OTHER, "ru"), "ru", "Вопрос министерства", "named")
    for user in (bot.user(SERVANT, "en"), bot.user(COORDINATOR, "en"), bot.user(AKIMAT_COMMISSIONER, "en")):
        if user.id != AKIMAT_COMMISSIONER:
            assert texts(await user.send("/inbox")) == [t("en", "not_permitted")]
        for data in ("qa:1", "qs:1"):
            calls = await user.press(data)
            assert [c.params.get("text") for c in calls if c.method == "answerCallbackQuery"] == [
                t("en", "stale_button")
            ]
        assert bot.store.answering(user.id) is None
    assert bot.store.question(1).status == "open"


async def test_a_commissioner_closes_spam_and_its_buttons_go_stale(bot):
    servant, commissioner = bot.user(SERVANT, "ru"), bot.user(COMMISSIONER, "ru")
    await ask(servant, "ru", "Купите рекламу у нас, скидки!", "anonymous")
    before = len(bot.api.calls)
    notice = bot.api.messages[max(m for m, v in bot.api.messages.items() if v["chat"]["id"] == COMMISSIONER)]
    assert texts(await commissioner.press("qs:1", notice)) == [t("ru", "question_spam", ref="Q-2026-0001")]
    assert bot.store.question(1).status == "spam"
    assert bot.store.db.execute("SELECT COUNT(*) FROM anonymous_reply_chats").fetchone()[0] == 0
    calls = await commissioner.press("qa:1", notice)
    assert [c.params.get("text") for c in calls if c.method == "answerCallbackQuery"] == [t("ru", "stale_button")]
    assert not to_chat(bot.api, SERVANT, before)  # spam gets no answer
    assert texts(await commissioner.send("/inbox")) == [t("ru", "inbox_empty")]


async def test_the_commissioner_menu_offers_inbox_in_their_chats_only(bot):
    scoped = {
        c.params["scope"]["chat_id"]: [x["command"] for x in c.params["commands"]]
        for c in bot.api.calls
        if c.method == "setMyCommands" and c.params.get("scope")
    }
    assert scoped[COMMISSIONER][-1] == "inbox" and scoped[COORDINATOR][-1] != "inbox"
    public = [c for c in bot.api.calls if c.method == "setMyCommands" and not c.params.get("scope")]
    assert all(
        "ask" in [x["command"] for x in c.params["commands"]]
        and "inbox" not in [x["command"] for x in c.params["commands"]]
        for c in public
    )


# limits -----------------------------------------------------------------------------------------


async def test_at_most_the_daily_number_of_questions_per_servant(bot, clock):
    servant = bot.user(SERVANT, "en")
    for n in range(3):
        assert own(await ask(servant, "en", f"Question number {n + 1} about gifts", "anonymous"), SERVANT) == [
            t("en", "ask_sent", ref=f"Q-2026-000{n + 1}")
        ]
    assert texts(await servant.send("/ask")) == [t("en", "ask_limit", limit=3)]
    assert bot.store.draft(SERVANT) is None
    assert own(await ask(bot.user(OTHER, "en"), "en", "A colleague may still ask", "named"), OTHER) == [
        t("en", "ask_sent", ref="Q-2026-0004")
    ]
    clock.advance(days=1)
    assert own(await ask(servant, "en", "A new day, a new question", "named"), SERVANT) == [
        t("en", "ask_sent", ref="Q-2026-0005")
    ]


def test_the_quota_keeps_no_telegram_ids_and_forgets_them_each_day():
    quota = Quota(per_day=1)
    quota.take(SERVANT, date(2026, 11, 23))
    assert not quota.allows(SERVANT, date(2026, 11, 23)) and quota.allows(OTHER, date(2026, 11, 23))
    assert all(len(key) == 32 and str(SERVANT).encode() not in key for key in quota._counts)
    key = quota._key
    assert quota.allows(SERVANT, date(2026, 11, 24)) and quota._key != key


# raised again, counted --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "today, cutoff",
    [
        (date(2026, 11, 27), date(2026, 11, 23)),  # Friday: Monday's question waited Tue, Wed, Thu
        (date(2026, 11, 30), date(2026, 11, 24)),  # Monday: Tuesday's waited Wed, Thu, Fri
        (date(2026, 11, 29), date(2026, 11, 24)),  # Sunday: Tuesday's waited Wed, Thu, Fri
    ],
)
def test_overdue_means_three_whole_working_days(today, cutoff):
    assert overdue_cutoff(today) == cutoff


async def test_a_question_unanswered_for_three_working_days_is_raised_once_and_counted_in_the_digest(bot, clock):
    await ask(bot.user(SERVANT, "ru"), "ru", "Вопрос без ответа", "named")
    conversation = bot.application.bot_data["conversation"]

    async def run_job() -> list:
        before = len(bot.api.calls)
        bot.application.job_queue.run_once(raise_questions, 0)
        await asyncio.sleep(0.5)
        await asyncio.to_thread(bot.api.settle, 0.3)
        return sent_messages(bot.api.calls[before:])

    clock.advance(days=3)  # Thursday
    assert await run_job() == []
    clock.advance(days=1)  # Friday
    raised = await run_job()
    assert {c.params["chat_id"] for c in raised} == {COMMISSIONER, AKIMAT_COMMISSIONER}
    assert all(c.params["text"].startswith(t("ru", "question_raised", ref="Q-2026-0001")) for c in raised)
    assert await run_job() == []
    reminders = Reminders(bot.bank, bot.store, ReminderPolicy(), CyclePolicy(), conversation.coordination, "ru")
    digest = reminders.render(DueReminder(COORDINATOR, DIGEST, "2026-11-23", "weekly", "ru"), clock.now, 4096)
    assert digest.text.endswith(t("ru", "digest_questions", count=1))


async def test_anonymous_reply_addresses_are_forgotten_after_the_retention_period(bot, clock):
    await ask(bot.user(SERVANT, "en"), "en", "An old anonymous question", "anonymous")
    conversation = bot.application.bot_data["conversation"]
    clock.advance(days=89)
    conversation.commissioners.raise_overdue(clock.now)
    assert bot.store.db.execute("SELECT COUNT(*) FROM anonymous_reply_chats").fetchone()[0] == 1
    clock.advance(days=2)
    conversation.commissioners.raise_overdue(clock.now)
    assert bot.store.db.execute("SELECT COUNT(*) FROM anonymous_reply_chats").fetchone()[0] == 0
    assert own(await answer(bot.user(COMMISSIONER, "ru"), "Q-2026-0001"), COMMISSIONER) == [
        t("ru", "answer_undeliverable", ref="Q-2026-0001")
    ]


async def test_coordinators_see_counts_per_department_and_month_never_texts(bot, monkeypatch, capsys):
    await ask(bot.user(SERVANT, "ru"), "ru", "Секретный текст вопроса один", "named")
    await ask(bot.user(OTHER, "ru"), "ru", "Секретный текст вопроса два", "anonymous")
    report = texts(await bot.user(COORDINATOR, "en").send("/report"))[0]
    block = report[report.index(t("en", "report_questions_title")) :].splitlines()
    assert block == [
        t("en", "report_questions_title"),
        f"2026-11 · {AKIMAT}: 1, 0, 0",
        f"2026-11 · {t('en', 'question_no_department')}: 1, 0, 0",
    ]
    monkeypatch.setenv("BOT_DB_PATH", str(bot.store.path))
    assert main(["report", "--language", "en"]) == 0
    printed = capsys.readouterr().out
    assert f"2026-11 · {AKIMAT}: 1, 0, 0" in printed and "Секретный" not in printed and "Секретный" not in report


# anonymity, end to end -------------------------------------------------------------------------


async def test_an_anonymous_question_leaves_no_trace_of_its_sender(bot, clock, caplog, monkeypatch, capsys):
    caplog.set_level(logging.DEBUG)
    sender = bot.user(SERVANT, "ru", first_name="Жанарбек")
    sender.profile["username"] = "zhanarbek_k"
    traces = (str(SERVANT), "Жанарбек", "zhanarbek_k", NAME)
    module = bot.bank.modules["onboarding"]  # a colleague's completion, so the exports are not empty
    session = bot.store.start_session(OTHER, module.id, module.track, Plan.draw(module, 1), NOW)
    bot.store.record_answer(session.id, 0, module.questions[0].id, "Code p. 3", 1, True, NOW)
    bot.store.complete(session.id, 10, len(module.questions), True, NOW)
    text = "Мой начальник берёт откаты у поставщиков. Боюсь говорить открыто."
    await ask(sender, "ru", text, "anonymous")
    await answer(bot.user(COMMISSIONER, "ru"), "Q-2026-0001")

    seen = json.dumps(
        [c.params for c in bot.api.calls if c.params.get("chat_id") in (COMMISSIONER, AKIMAT_COMMISSIONER)],
        ensure_ascii=False,
    )
    assert text in seen and not [trace for trace in traces if trace in seen]
    monkeypatch.setenv("BOT_DB_PATH", str(bot.store.path))
    for what in ("completions", "answers"):
        for form in ("csv", "jsonl", "xapi"):
            assert main(["export", "--what", what, "--format", form]) == 0
            exported = capsys.readouterr().out
            assert "E0000" in exported or form == "xapi"
            assert not [trace for trace in (*traces, text, "Q-2026-0001") if trace in exported], (what, form)
    logged = caplog.text
    assert "question Q-2026-0001 sent to 2 commissioner(s)" in logged
    assert not [trace for trace in traces if trace in logged]

    links = []
    for table in bot.store.db.table_names():
        for row in bot.store.db.execute(f"SELECT * FROM [{table}]").fetchall():
            cells = [str(cell) for cell in row]
            about_question = any(text in c or "Q-2026-0001" in c for c in cells)
            about_sender = any(c == str(SERVANT) or any(trace in c for trace in traces[1:]) for c in cells)
            links += [(table, row)] if about_question and about_sender else []
    assert links == []
    assert bot.store.db.execute(
        "SELECT telegram_id, sender_name, department, language, reply_token FROM questions"
    ).fetchall() == [(None, None, None, None, None)]
    assert bot.store.db.execute("SELECT COUNT(*) FROM anonymous_reply_chats").fetchone()[0] == 0
    assert bot.store.db.execute("SELECT COUNT(*) FROM ask_drafts").fetchone()[0] == 0


# configuration and the command line -----------------------------------------------------------


@pytest.mark.parametrize(
    "env, section, message",
    [
        ({"BOT_COMMISSIONER_IDS": "12,abc"}, "", "BOT_COMMISSIONER_IDS: 'abc'"),
        ({}, "bot:\n  questions_per_day: 0\n", "bot.questions_per_day"),
        ({}, "bot:\n  anonymous_reply_days: many\n", "bot.anonymous_reply_days"),
    ],
)
def test_bad_commissioner_settings_are_one_clear_line(tmp_path, env, section, message):
    config = tmp_path / "config.yml"
    config.write_text(section, encoding="utf-8")
    with pytest.raises(ConfigError, match=message.replace(".", r"\.")):
        load_settings(env, config)


def test_commissioner_settings_are_read(tmp_path):
    config = tmp_path / "config.yml"
    config.write_text("bot:\n  questions_per_day: 2\n  anonymous_reply_days: 30\n", encoding="utf-8")
    assert load_settings({"BOT_COMMISSIONER_IDS": "5, 6"}, config).ask == AskPolicy(frozenset({5, 6}), 2, 30)


def test_commissioners_are_added_listed_and_removed_on_the_command_line(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("BOT_DB_PATH", str(tmp_path / "ethics.db"))
    monkeypatch.setenv("BOT_COMMISSIONER_IDS", "77")
    assert main(["commissioner", "add", "--telegram-id", "5", "--department", AKIMAT, "--department", MINISTRY]) == 0
    assert main(["commissioner", "add", "--telegram-id", "6", "--all-departments"]) == 0
    assert capsys.readouterr().out.splitlines()[-3:] == [
        "77\tall departments\t(BOT_COMMISSIONER_IDS)",
        f"5\t{AKIMAT}, {MINISTRY}",
        "6\tall departments",
    ]
    assert main(["commissioner", "remove", "--telegram-id", "5"]) == 0
    assert main(["commissioner", "list"]) == 0
    assert "5\t" not in capsys.readouterr().out.split("(BOT_COMMISSIONER_IDS)")[-1]
    for argv in (
        ["commissioner", "add", "--telegram-id", "8"],
        ["commissioner", "remove", "--telegram-id", "5"],
        ["commissioner", "add"],
        ["commissioner", "add", "--telegram-id", "8", "--all-departments", "--department", AKIMAT],
    ):
        assert main(argv) == 2
        assert capsys.readouterr().err.startswith("error: ")


class AskingDialogue:
    """A dialogue model that takes every message for the intent ask_commissioner (its payload {feature: ask})."""

    async def respond(self, sender: int, text: str, language: str) -> tuple[Step, ...]:
        return (Step(FEATURE, "ask"),)


async def test_the_dialogue_models_ask_feature_starts_the_ask_dialogue(bank, tmp_path, clock):
    async for harness in running_bot(bank, tmp_path, clock, AskingDialogue(), ask=AskPolicy(frozenset({COMMISSIONER}))):
        servant = harness.user(SERVANT, "kk")
        assert texts(await servant.send("әдеп жөніндегі уәкілге сұрақ қойғым келеді")) == [
            t("kk", "ask_intro", limit=count("kk", "character", 2000))
        ]
        assert texts(await servant.send(QUESTION["kk"])) == [t("kk", "ask_mode")]


# free text through the real Rasa server (for the lead, once the NLU knows ask_commissioner) ---------


@pytest.mark.rasa
@pytest.mark.parametrize(
    "lang, text",
    [
        ("ru", "хочу спросить уполномоченного по этике"),
        ("en", "I need advice from the ethics commissioner"),
        ("kk", "әдеп жөніндегі уәкілге сұрақ қойғым келеді"),
    ],
)
async def test_free_text_asking_for_the_commissioner_starts_the_dialogue(
    bank, tmp_path, clock, rasa_server, lang, text
):
    dialogue = RasaDialogue(rasa_server.url, rasa_server.token, timeout=2.0)
    try:
        async for harness in running_bot(bank, tmp_path, clock, dialogue, ask=AskPolicy(frozenset({COMMISSIONER}))):
            servant = harness.user(SERVANT, lang)
            assert texts(await servant.send(text)) == [t(lang, "ask_intro", limit=count(lang, "character", 2000))]
            assert harness.store.draft(SERVANT).stage == "text"
    finally:
        await dialogue.close()
