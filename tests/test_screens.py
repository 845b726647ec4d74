"""Every screen in Kazakh, Russian and English, rendered from the real quiz banks with edge values
(1, 2, 5, 11, 21 and 1001 days either side of a deadline, the deadline today, no completion yet):
nothing left unfilled, no internal citation ids in kk or ru, no ISO dates, Russian numbers agree
with their nouns, every button fits a phone."""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest
from telegram.constants import MessageLimit

from bot import views
from bot.conversation import Conversation, User
from bot.cycle import CyclePolicy, add_years
from bot.dialogue import FEATURE, Step
from bot.locales import LANGUAGES, count, format_date, parse_date, strings, t
from bot.locales.forms import MONTHS
from bot.replies import Outcome, Reply
from bot.review import REVIEW
from bot.roster import parse_roster
from bot.store import Store
from tests.conftest import NOW, Clock, current_attempt, right_letter_index

TODAY = date(2026, 11, 23)  # NOW in Almaty
EDGE_DAYS = (1, 2, 5, 11, 21, 1001)
BUTTON_LIMIT = 32
COORDINATOR = 900
INTERNAL_ID = re.compile(r"code:|Law 416-V|\bACL\b")
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
SUFFIX_AFTER_PLACEHOLDER = re.compile(r"\}-?[^\W\d_]")
RUSSIAN_FORMS = {  # n -> the form of «день» and «символ» after it
    1: ("день", "символ"),
    2: ("дня", "символа"),
    5: ("дней", "символов"),
    11: ("дней", "символов"),
    21: ("день", "символ"),
    1001: ("день", "символ"),
    0: ("дней", "символов"),
    14: ("дней", "символов"),
    22: ("дня", "символа"),
    112: ("дней", "символов"),
}
NAMES = (
    "Нұрсұлтанова Әйгерім Бауыржанқызы",
    "Константинопольская Екатерина Александровна",
    "Төлеубаев Ерназар Жұмабекұлы",
    "Olga Ivanova-Schmidt",
)
DEPARTMENTS = ("Мемлекеттік кірістер департаменті", "Управление цифровизации и архивов акимата")


@dataclass
class Screens:
    """What one language's users were shown: (where, text, button labels) per message."""

    lang: str
    seen: list[tuple[str, str, list[str]]] = field(default_factory=list)

    def add(self, where: str, reply: Reply) -> None:
        self.seen.append((where, reply.text, [b.label for row in reply.buttons for b in row]))

    def outcome(self, where: str, outcome: Outcome) -> None:
        for reply in outcome.replies:
            self.add(where, reply)
        if outcome.edit is not None and outcome.edit.text:
            self.add(f"{where} (edited)", Reply(outcome.edit.text, outcome.edit.buttons))
        if outcome.notice:
            self.add(f"{where} (notice)", Reply(outcome.notice))
        for file in outcome.files:
            self.add(f"{where} (file caption)", Reply(file.caption))

    def texts(self, where: str) -> list[str]:
        return [text for place, text, _ in self.seen if place.startswith(where)]


async def _play(conversation: Conversation, user: User, module_id: str, right: bool, screens: Screens) -> None:
    """Answer every question of the open attempt (right or wrong), pressing Next in between."""
    store, bank, tid = conversation.store, conversation.bank, user.telegram_id
    while (session := store.open_session(tid, module_id)) is not None:
        attempt = current_attempt(store, bank, tid)
        right_index = right_letter_index(store, bank, tid)
        choice = right_index if right else (right_index + 1) % len(attempt.current.options)
        where = f"{module_id} question {attempt.position + 1}"
        screens.outcome(where, await conversation.button(user, f"ans:{session.id}:{attempt.position}:{choice}"))
        if store.open_session(tid, module_id) is not None:
            screens.outcome(where, await conversation.button(user, f"next:{session.id}:{attempt.position}"))


def _roster(servants: list[tuple[int, int | None, date | None]]) -> bytes:
    """A roster for servants (telegram id, days until their due date, hire date), long real names."""
    lines = ["employee_id,full_name,department,position,hire_date,last_training_date"]
    for i, (tid, days, hired) in enumerate(servants):
        trained = add_years(TODAY + timedelta(days=days), -3).isoformat() if days is not None else ""
        lines.append(
            f"E{tid},{NAMES[i % len(NAMES)]},{DEPARTMENTS[i % 2]},главный специалист,"
            f"{hired.isoformat() if hired else ''},{trained}"
        )
    return "\n".join(lines).encode()


async def _render(bank, store: Store, lang: str) -> Screens:
    screens = Screens(lang)
    clock = Clock(NOW)
    conversation = Conversation(bank, store, "ru", clock, coordinator_ids=frozenset({COORDINATOR}))
    learner = User(100, "Айгерім", lang)
    for name, args in (("start", ""), ("help", ""), ("quiz", ""), ("progress", ""), ("language", "")):
        screens.outcome(f"/{name}", await conversation.command(learner, name, args))
    screens.outcome("onboarding list", await conversation.button(learner, "onb"))
    screens.outcome("module intro", await conversation.button(learner, "mod:onboarding"))
    screens.outcome("card", await conversation.button(learner, "card:onboarding"))
    screens.outcome("onboarding question 1", await conversation.button(learner, "go:onboarding"))
    await _play(conversation, learner, "onboarding", True, screens)
    screens.outcome("r2-gifts question 1", await conversation.button(learner, "go:r2-gifts"))
    await _play(conversation, learner, "r2-gifts", False, screens)
    screens.outcome("r3 started", await conversation.button(learner, "go:r3-conflict"))
    screens.outcome("module list with every status", await conversation.command(learner, "quiz"))
    screens.outcome("resume intro", await conversation.button(learner, "mod:r3-conflict"))
    screens.outcome("progress with results", await conversation.command(learner, "progress"))
    screens.outcome("too long", await conversation.text(learner, "а" * 1001))
    screens.outcome("stale", await conversation.button(learner, "ans:99999:0:0"))
    clock.advance(days=1)
    screens.outcome("menu with continue and review", await conversation.command(learner, "start"))
    screens.outcome("review question 1", await conversation.button(learner, REVIEW))
    await _play(conversation, learner, REVIEW, True, screens)
    clock.advance(days=-1)

    servants = [(200 + i, days, None) for i, days in enumerate([d for d in EDGE_DAYS] + [0] + [-d for d in EDGE_DAYS])]
    hires = [
        (300, None, TODAY - timedelta(days=25)),
        (301, None, TODAY - timedelta(days=30)),
        (302, None, TODAY - timedelta(days=45)),
    ]
    employees, problems = parse_roster(_roster(servants + hires))
    assert problems == []
    store.upsert_employees(employees, NOW)
    policy = CyclePolicy()
    for tid, days, _ in servants + hires:
        servant = User(tid, "Servant", lang)
        store.touch_user(tid, "Servant", NOW)
        store.claim_invite(store.invite(f"E{tid}", NOW, 30).code, tid, NOW)
        conversation.refresh_cycle(tid)
        where = f"servant due in {days} days" if days is not None else f"new hire {tid}"
        screens.outcome(f"progress, {where}", await conversation.command(servant, "progress"))
        ctx = views.Context(bank, store, tid, lang, NOW, policy)
        screens.add(f"due, {where}", views.step(ctx, Step(FEATURE, "due")))
    ctx = views.Context(bank, store, 300, lang, NOW, policy)
    for kind in ("cycle", "onboarding"):
        for days in (*EDGE_DAYS, 0, *(-d for d in EDGE_DAYS)):
            screens.add(f"reminder {kind} {days}", views.reminder(ctx, kind, TODAY + timedelta(days=days)))
    screens.add(
        "digest", views.digest(lang, store.standing(TODAY, policy.window_days, None), MessageLimit.MAX_TEXT_LENGTH)
    )
    screens.add("empty digest", views.digest(lang, [], MessageLimit.MAX_TEXT_LENGTH))
    for topic in bank.topics.values():  # the answer texts are content; their buttons are screens
        screens.add(f"topic {topic.id} button", Reply("", views.topic_answer(bank, topic.id, lang).buttons))

    coordinator = User(COORDINATOR, "Lead", lang)
    for args in ("", "01.11.2026 30.11.2026", "2026-11-01", "last-month"):
        screens.outcome(f"/export {args}", await conversation.command(coordinator, "export", args))
    for name in ("report", "overdue", "help"):
        screens.outcome(f"/{name}", await conversation.command(coordinator, name))
    return screens


@pytest.fixture(scope="module")
def screens(bank, tmp_path_factory) -> dict[str, Screens]:
    """Every language's screens, rendered once for the tests below."""
    rendered = {}
    for lang in LANGUAGES:
        store = Store(tmp_path_factory.mktemp(f"screens-{lang}") / "ethics.db")
        try:
            rendered[lang] = asyncio.run(_render(bank, store, lang))
        finally:
            store.close()
    return rendered


def _everything(screens: Screens) -> list[tuple[str, str]]:
    return [(where, text) for where, text, labels in screens.seen for text in (text, *labels)]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_screen_was_rendered(screens, bank, lang):
    shown = screens[lang]
    longest = max(len(m.questions) for m in bank.modules.values())
    assert len(shown.texts("onboarding question")) >= 2 * len(bank.modules["onboarding"].questions) >= 28
    assert longest >= 14
    for where in (
        "/start",
        "/help",
        "/quiz",
        "/progress",
        "onboarding list",
        "module intro",
        "card",
        "module list with every status",
        "progress with results",
        "too long",
        "menu with continue",
        "review question",
        "digest",
        "/report",
        "/overdue",
        "/export",
        "reminder cycle -1001",
        "reminder onboarding 0",
        "due, new hire 300",
        "progress, servant due in 1001 days",
    ):
        assert shown.texts(where), where
    feedback = "\n".join(shown.texts("onboarding question") + shown.texts("r2-gifts question"))
    assert t(lang, "right") in feedback and t(lang, "wrong", letter="", text="")[:8] in feedback
    assert t(lang, "cited") in feedback
    marks = {m: round(bank.modules[m].pass_mark * 100) for m in ("onboarding", "r2-gifts")}
    assert t(lang, "passed", mark=marks["onboarding"]) in "\n".join(shown.texts("onboarding question"))
    assert t(lang, "failed", mark=marks["r2-gifts"]) in "\n".join(shown.texts("r2-gifts question"))


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_placeholder_is_left_unfilled(screens, lang):
    unfilled = [(where, text) for where, text in _everything(screens[lang]) if "{" in text or "}" in text]
    assert unfilled == []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_sentence_ends_twice(screens, lang):
    """A long date ends in «г.»; a template must not put its own full stop after it."""
    doubled = [(where, text) for where, text in _everything(screens[lang]) if re.search(r"(?<!\.)\.\.(?!\.)", text)]
    assert doubled == []


def test_no_kazakh_template_glues_a_suffix_to_a_placeholder():
    glued = {key: text for key, text in strings("kk").items() if SUFFIX_AFTER_PLACEHOLDER.search(text)}
    assert glued == {}


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_kazakh_and_russian_screens_cite_in_words_not_internal_ids(screens, bank, lang):
    leaked = [
        (where, INTERNAL_ID.search(text).group())
        for where, text in _everything(screens[lang])
        if INTERNAL_ID.search(text)
    ]
    assert leaked == []
    feedback = "\n".join(screens[lang].texts("onboarding question"))
    cited = {c for q in bank.modules["onboarding"].questions for c in q.cite}
    assert any(f"• {bank.points[c].label[lang]}: " in feedback for c in cited)


def test_every_citation_label_reads_in_words(bank):
    """Labels of points no module played above is ever shown still cite in words; English writes "para."."""
    for point in bank.points.values():
        assert not INTERNAL_ID.search(point.label["kk"] + point.label["ru"]), point.id
        assert " p. " not in point.label["en"] and not point.label["en"].startswith(("Code", "ACL")), point.id


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_screen_shows_an_iso_date(screens, lang):
    iso = [
        (where, ISO_DATE.search(text).group()) for where, text in _everything(screens[lang]) if ISO_DATE.search(text)
    ]
    assert iso == []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_button_fits_a_phone(screens, lang):
    labels = [label for _, _, labels in screens[lang].seen for label in labels]
    assert len(labels) > 100
    assert [label for label in labels if len(label) > BUTTON_LIMIT] == []
    assert not [label for label in labels if label.count(":") > 1]


def test_module_buttons_lead_with_the_status_and_use_the_short_title(screens, bank):
    for lang in LANGUAGES:
        where, _, labels = next(item for item in screens[lang].seen if item[0] == "module list with every status")
        onboarding, gifts, conflict = (
            bank.modules[m].short_title[lang] for m in ("onboarding", "r2-gifts", "r3-conflict")
        )
        total = len(bank.modules["onboarding"].questions)
        assert f"✅ {total}/{total} {onboarding}" in labels
        assert f"🔁 0/{len(bank.modules['r2-gifts'].questions)} {gifts}" in labels
        assert f"⏳ {conflict}" in labels
        menu = [labels for where, _, labels in screens[lang].seen if where == "menu with continue and review"][-1]
        assert menu[0] == f"▶️ {conflict}"
        assert t(lang, "btn_onboarding", course=onboarding) in menu


@pytest.mark.parametrize("n", sorted(RUSSIAN_FORMS))
def test_russian_numbers_agree_with_their_nouns(n):
    day, character = RUSSIAN_FORMS[n]
    assert count("ru", "day", n) == f"{n} {day}"
    assert count("ru", "character", n) == f"{n} {character}"


def test_english_and_kazakh_counts():
    assert [count("en", "day", n) for n in (1, 2, 21)] == ["1 day", "2 days", "21 days"]
    assert [count("kk", "day", n) for n in (1, 5, 1001)] == ["1 күн", "5 күн", "1001 күн"]


def test_russian_counts_on_screens_agree(screens):
    """Whatever the screens say with a number before a counted noun, the noun is the helper's form
    (years left out: «от 29 декабря 2015 года» is a date, not a count)."""
    nouns = {
        key[len("noun_") :]: forms.split("|")
        for key, forms in strings("ru").items()
        if key.startswith("noun_") and key != "noun_year"
    }
    found = 0
    for where, text in _everything(screens["ru"]):
        for noun, forms in nouns.items():
            for match in re.finditer(rf"\b(\d+) ({'|'.join(forms)})\b", text):
                found += 1
                assert match.group() == count("ru", noun, int(match.group(1))), (where, text)
    assert found >= 30
    texts = "\n".join(text for _, text in _everything(screens["ru"]))
    for expected in ("1001 символ", "через 1 день", "через 21 день", "просрочено на 1001 день", "через 2 дня"):
        assert expected in texts


def test_progress_without_a_completion_reads_as_a_sentence(screens):
    for lang in LANGUAGES:
        new_hire = screens[lang].texts("progress, new hire 300")[0]
        assert t(lang, "cycle_never") in new_hire
        assert format_date(add_years(TODAY - timedelta(days=25), 3), lang) in new_hire
    assert (
        "🗓 Training cycle: no completed training yet. Next due on 29 October 2029 (1071 days left)."
        in screens["en"].texts("progress, new hire 300")[0]
    )
    assert "Срок — сегодня, 23.11.2026." in screens["ru"].texts("progress, servant due in 0 days")[0]
    assert "1 day left" in screens["en"].texts("reminder cycle 1")[0]


def test_the_due_answer_explains_the_training_rule(screens, bank):
    for lang in LANGUAGES:
        due = screens[lang].texts("due, servant due in 5 days")[0]
        rule = t(
            lang, "training_rule", years=count(lang, "year", 3), basis=bank.points["Law 416-V Art. 34(2)"].label[lang]
        )
        assert due.endswith(rule)
        assert screens[lang].texts("progress, servant due in 5 days")[0].splitlines()[-1] in due
    assert (
        "не реже одного раза в 3 года (Закон «О государственной службе», ст. 34, п. 2)"
        in screens["ru"].texts("due, servant due in 5 days")[0]
    )


def test_reminders_take_the_cycle_length_from_the_settings(bank, store):
    ctx = views.Context(bank, store, 1, "ru", NOW, CyclePolicy(years=5))
    text = views.reminder(ctx, "cycle", TODAY + timedelta(days=7)).text
    assert "не реже одного раза в 5 лет" in text and "три года" not in text
    assert "30 ноября 2026 г." in text


def test_the_report_names_modules_by_short_title(screens, bank):
    for lang in LANGUAGES:
        report = screens[lang].texts("/report")[0]
        assert all(m.short_title[lang] in report for m in bank.modules.values())
        assert not any(f" {module_id} " in report for module_id in bank.modules)
    assert "По модулям: завершили · сдали · средний балл" in screens["ru"].texts("/report")[0]


@pytest.mark.parametrize(
    "lang, short, long",
    [
        ("ru", "29.11.2026", "29 ноября 2026 г."),
        ("kk", "29.11.2026", "2026 жылғы 29 қараша"),
        ("en", "29 November 2026", "29 November 2026"),
    ],
)
def test_dates_read_the_local_way(lang, short, long):
    day = date(2026, 11, 29)
    assert (format_date(day, lang), format_date(day, lang, long=True)) == (short, long)
    assert format_date(date(2027, 1, 5), lang).startswith(("05.01.2027", "5 January"))
    assert len(MONTHS[lang]) == 12


def test_typed_dates_are_local_or_iso():
    assert parse_date("29.11.2026") == parse_date("2026-11-29") == parse_date(" 1.2.2026 ") + timedelta(days=301)
    for wrong in ("31.02.2026", "29/11/2026", "2026.11.29", "yesterday"):
        with pytest.raises(ValueError):
            parse_date(wrong)


def test_export_takes_local_dates_and_names_the_file_in_iso(screens):
    shown = screens["ru"]
    assert shown.texts("/export 01.11.2026 30.11.2026")[0] == "📎 Журнал прохождения: 2 строки."
    assert shown.texts("/export last-month")[0] == t("ru", "export_usage")


async def test_exported_file_keeps_iso_dates(bank, store, clock):
    conversation = Conversation(bank, store, "ru", clock, coordinator_ids=frozenset({COORDINATOR}))
    learner = User(100, "Айгерім", "ru")
    await conversation.button(learner, "go:onboarding")
    await _play(conversation, learner, "onboarding", True, Screens("ru"))
    outcome = await conversation.command(User(COORDINATOR, "Lead", "ru"), "export", "01.11.2026 30.11.2026")
    assert outcome.files[0].name == "completions_2026-11-01_2026-11-30.csv"
    rows = outcome.files[0].path.read_text(encoding="utf-8-sig").splitlines()
    outcome.files[0].path.unlink()
    assert len(rows) == 2 and "2026-11-23" in rows[1]
