"""Item analysis from generated answers whose statistics are known: each flag for the right reason,
the figures equal to a direct computation, first attempts only."""

from __future__ import annotations

import statistics
from datetime import timedelta
from pathlib import Path

import pytest
import yaml

from bot.config import ROOT
from bot.content import load_bank
from bot.conversation import Conversation, User
from bot.coordinators import item_analysis
from bot.locales import t
from bot.quiz import Plan
from bot.store import Store
from bot.store.items import ItemFilters
from tests.conftest import NOW, text3, write_code_index
from tests.test_cli import _bot

QUESTIONS = ("easy", "inverse", "distractor", "good", "misleading")
SERVANTS = 40


def _bank_dir(directory: Path) -> Path:
    """One module of five four-option questions whose right option is always A (index 0)."""
    write_code_index(directory)
    module = {
        "id": "m",
        "title": text3("Module"),
        "short_title": text3("Module"),
        "track": "refresher",
        "pass_mark": 0.6,
        "card": text3("card"),
        "questions": [
            {
                "id": qid,
                "cite": ["Code p. 3"],
                "scenario": text3(f"Scenario {qid}"),
                "options": [{"text": text3(f"Option {n}"), "correct": n == 0} for n in range(4)],
                "explanation": text3("Because"),
            }
            for qid in QUESTIONS
        ],
    }
    (directory / "m.yml").write_text(yaml.safe_dump(module, allow_unicode=True), encoding="utf-8")
    return directory


def _choices(ability: float) -> dict[str, int]:
    """The option each question gets from a servant of this ability (0 weakest, 1 strongest)."""
    return {
        "easy": 0,  # everyone right
        "inverse": 0 if ability < 0.3 else 1,  # the best get it wrong
        "distractor": 0 if ability > 0.3 else 1,  # C and D are never chosen
        "good": 0 if ability > 0.5 else 2,  # the strong get it right
        "misleading": 0 if ability > 0.8 else 1,  # B beats the right option A
    }


def _take(store: Store, telegram_id: int, choices: dict[str, int], language: str, day: int) -> None:
    now = NOW + timedelta(days=day)
    plan = Plan(QUESTIONS, {q: (0, 1, 2, 3) for q in QUESTIONS})
    session = store.start_session(telegram_id, "m", "refresher", plan, now)
    for position, qid in enumerate(QUESTIONS):
        assert store.record_answer(
            session.id, position, qid, "Code p. 3", choices[qid], choices[qid] == 0, now, language
        )
        store.advance(session.id, position, now)
    score = sum(choice == 0 for choice in choices.values())
    store.complete(session.id, score, len(QUESTIONS), score >= 3, now)


@pytest.fixture
def answered(tmp_path):
    """40 servants' first attempts (every third in Kazakh), and a perfect second attempt that must not count."""
    bank = load_bank(_bank_dir(tmp_path / "quizzes"))
    store = Store(tmp_path / "items.db")
    for n in range(SERVANTS):
        store.touch_user(1000 + n, f"Servant {n}", NOW)
        _take(store, 1000 + n, _choices(n / (SERVANTS - 1)), "kk" if n % 3 == 0 else "ru", 0)
    _take(store, 1000, {q: 0 for q in QUESTIONS}, "ru", 1)  # a retake: not a first attempt
    yield bank, store
    store.close()


def _items(answered, **filters):
    bank, store = answered
    return {item.sums.question_id: item for item in item_analysis(store, bank, ItemFilters(**filters), 30)}


def test_each_question_is_flagged_for_its_own_reason(answered):
    items = _items(answered)
    assert items["easy"].flags[0] == "too easy: 100% answer it right"
    assert not any("discrimination" in f for f in items["easy"].flags)  # nothing varies: no correlation
    assert any(f.startswith("negative discrimination") for f in items["inverse"].flags)
    assert [f for f in items["distractor"].flags if "useless distractor" in f] == [
        "option C (wrong) is chosen by nobody: a useless distractor",
        "option D (wrong) is chosen by nobody: a useless distractor",
    ]
    assert not any("discrimination" in f or "too" in f for f in items["good"].flags)
    assert items["good"].discrimination > 0.3
    assert any(
        f.startswith("option B (wrong) is chosen more often than the right one") for f in items["misleading"].flags
    )
    assert any(f.startswith("too hard") for f in items["misleading"].flags)


def test_the_figures_equal_a_direct_computation_over_first_attempts(answered):
    items = _items(answered)
    answers = {n: _choices(n / (SERVANTS - 1)) for n in range(SERVANTS)}
    for qid in ("inverse", "distractor", "good", "misleading"):
        right = [int(answers[n][qid] == 0) for n in range(SERVANTS)]
        rest = [sum(c == 0 for q, c in answers[n].items() if q != qid) for n in range(SERVANTS)]
        assert items[qid].sums.attempts == SERVANTS  # the perfect retake is not counted
        assert items[qid].facility == pytest.approx(sum(right) / SERVANTS)
        assert items[qid].discrimination == pytest.approx(statistics.correlation(right, rest))
    assert items["easy"].facility == 1.0 and items["easy"].discrimination is None


def test_options_chosen_and_the_language_split_are_counted(answered):
    item = _items(answered)["misleading"]
    strong = sum(n / (SERVANTS - 1) > 0.8 for n in range(SERVANTS))
    assert item.sums.options == {0: strong, 1: SERVANTS - strong}
    kazakh = len(range(0, SERVANTS, 3))
    assert item.sums.languages["kk"][0] == kazakh and item.sums.languages["ru"][0] == SERVANTS - kazakh
    only_kazakh = _items(answered, language="kk")["misleading"]
    assert only_kazakh.sums.attempts == kazakh


def test_below_the_minimum_a_question_is_shown_as_too_few_answers(answered):
    bank, store = answered
    few = item_analysis(store, bank, ItemFilters(), min_attempts=41)
    assert all(item.too_few and item.flags == ("too few answers: 40 of the 41 needed",) for item in few)


def test_since_keeps_first_attempts_completed_from_that_day(answered):
    assert _items(answered, since=(NOW + timedelta(days=1)).date()) == {}


async def test_coordinators_get_the_items_as_a_csv_document_and_others_are_refused(answered, clock):
    bank, store = answered
    conversation = Conversation(bank, store, "en", clock, coordinator_ids=frozenset({77}), item_min_attempts=30)
    outcome = await conversation.command(User(77, "Coordinator", "en"), "items")
    document = outcome.files[0]
    lines = document.data.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("module_id,question_id,attempts,facility,discrimination")
    assert len(lines) == 1 + len(QUESTIONS)
    refused = await conversation.command(User(78, "Servant", "en"), "items")
    assert refused.files == [] and [r.text for r in refused.replies] == [t("en", "not_permitted")]


def test_the_command_line_prints_the_report_with_flags(answered, tmp_path):
    bank, store = answered
    env = {"BOT_DB_PATH": str(tmp_path / "items.db"), "BOT_QUIZZES_DIR": str(tmp_path / "quizzes")}
    result = _bot("report", "--items", "--module", "m", **env)
    assert result.returncode == 0, result.stderr
    assert "! m misleading: n=40" in result.stdout and "useless distractor" in result.stdout
    wrong = _bot("report", "--items", "--module", "nope", **env)
    assert wrong.returncode == 2 and "--module: 'nope' is not a module (m)" in wrong.stderr


def test_answers_of_a_version_1_database_are_analysed_after_the_upgrade(tmp_path, bank):
    import shutil

    path = tmp_path / "ethics.db"
    shutil.copy(ROOT / "tests" / "fixtures" / "schema-v1.db", path)
    store = Store(path)
    try:
        assert "language" in store.db["answers"].columns_dict
        assert store.db.execute("SELECT COUNT(*) FROM answers WHERE language IS NOT NULL").fetchone()[0] == 0
        items = item_analysis(store, bank, ItemFilters(), min_attempts=1)
        assert items and sum(item.sums.attempts for item in items) > 0
        for item in items:  # older answers count under the servant's chosen language ("?" if none)
            assert set(item.sums.languages) <= {"kk", "ru", "en", "?"}
            assert sum(n for n, _ in item.sums.languages.values()) == item.sums.attempts
    finally:
        store.close()
