"""Feedback on each module through the real Telegram stack: a rating 1–5 and an optional comment,
changeable until the next attempt, refused when stale or forged, kept across a restart, reported
to coordinators without names and exported as CSV, JSON lines and xAPI `rated` statements."""

from __future__ import annotations

import csv
import io
import json

from bot.locales import t
from tests.conftest import buttons, running_bot, sent_messages, texts
from tests.quiz_runs import finish_module, rating_buttons
from tests.test_cli import _bot

COORDINATOR = 900
NAME = "Жанар Сейітқалиқызы Нұрмағамбетова"


def _ratings(harness) -> list[dict]:
    return list(
        harness.store.db.execute_returning_dicts(
            "SELECT session_id, telegram_id, module_id, rating, comment, awaiting_comment FROM ratings ORDER BY session_id"
        )
    )


async def test_a_rating_and_comment_are_stored_and_reported_without_names(bank, tmp_path, clock):
    async for harness in running_bot(bank, tmp_path, clock, None, coordinator_ids=frozenset({COORDINATOR})):
        user = harness.user(501, "ru", first_name=NAME)
        calls = await finish_module(harness, user, "r2-gifts", wrong=8)
        assert t("ru", "rate_ask") in texts(calls)
        labels = rating_buttons(calls)
        assert [label for label, _ in labels] == ["1", "2", "3", "4", "5"]
        assert all(len(data.encode()) <= 64 for _, data in labels)

        pressed = await user.press(labels[3][1])
        edit = next(c for c in pressed if c.method == "editMessageText")
        assert t("ru", "rate_yours", rating=4) in edit.params["text"] and "✅ 4" in str(edit.params["reply_markup"])
        assert texts(pressed)[0].startswith("Спасибо!")
        comment = "Полезно: разобрали случай с подарком на юбилей, но вопросов про гостеприимство мало."
        assert texts(await user.send(comment)) == [t("ru", "comment_thanks")]
        assert _ratings(harness) == [
            {
                "session_id": 1,
                "telegram_id": 501,
                "module_id": "r2-gifts",
                "rating": 4,
                "comment": comment,
                "awaiting_comment": 0,
            }
        ]

        coordinator = harness.user(COORDINATOR, "en")
        report = texts(await coordinator.send("/report"))
        feedback = next(text for text in report if text.startswith(t("en", "feedback_title")))
        title = bank.modules["r2-gifts"].short_title["en"]
        assert f"{title}: 1 rating, mean 4.0" in feedback
        assert "1★ 0 · 2★ 0 · 3★ 0 · 4★ 1 · 5★ 0" in feedback and f"«{comment}»" in feedback
        assert NAME not in feedback and "501" not in feedback

        cli = _bot("report", "--language", "ru", BOT_DB_PATH=str(tmp_path / "bot.db"))
        assert cli.returncode == 0, cli.stderr
        assert f"{bank.modules['r2-gifts'].short_title['ru']}: 1 оценка, в среднем 4.0" in cli.stdout
        assert f"«{comment}»" in cli.stdout and NAME not in cli.stdout


async def test_the_feedback_export_in_csv_jsonl_and_xapi(bank, tmp_path, clock):
    async for harness in running_bot(bank, tmp_path, clock, None):
        user = harness.user(502, "kk")
        calls = await finish_module(harness, user, "onboarding")
        await user.press(rating_buttons(calls)[4][1])
        await user.send("Өте пайдалы, рақмет!")
        db = {"BOT_DB_PATH": str(tmp_path / "bot.db")}
        rows = list(csv.DictReader(io.StringIO(_bot("export", "--what", "feedback", **db).stdout.lstrip("\ufeff"))))
        assert rows == [
            {
                "employee_id": "",
                "telegram_id": "502",
                "department": "",
                "module_id": "onboarding",
                "track": "onboarding",
                "session_id": "1",
                "rating": "5",
                "comment": "Өте пайдалы, рақмет!",
                "rated_at": "2026-11-23T09:00:00+00:00",
            }
        ]
        line = json.loads(_bot("export", "--what", "feedback", "--format", "jsonl", **db).stdout)
        assert line["rating"] == 5 and line["comment"] == "Өте пайдалы, рақмет!"
        first = _bot("export", "--what", "feedback", "--format", "xapi", **db).stdout.splitlines()
        again = _bot("export", "--what", "feedback", "--format", "xapi", **db).stdout.splitlines()
        statement = json.loads(first[0])
        assert len(first) == 1 and first == again  # the id is deterministic
        assert statement["verb"]["id"] == "http://id.tincanapi.com/verb/rated"
        assert statement["result"] == {"score": {"raw": 5, "min": 1, "max": 5}, "response": "Өте пайдалы, рақмет!"}
        assert statement["object"]["id"].endswith("/modules/onboarding")
        assert statement["actor"]["account"]["name"] == "502" and statement["context"]["language"] == "kk"


async def test_changing_a_rating_keeps_one_row_and_the_comment(telegram):
    user = telegram.user(503, "en")
    calls = await finish_module(telegram, user, "r3-conflict", wrong=6)
    labels = rating_buttons(calls)
    await user.press(labels[0][1])
    assert texts(await user.send("skip")) == [t("en", "comment_skipped")]
    asked = await user.press(labels[1][1])  # still no comment: asked again
    assert texts(asked)[0].startswith("Thank you!") and buttons(sent_messages(asked)[0]) == [("Skip", "rskip:1")]
    await user.send("Too many questions about relatives")
    changed = await user.press(labels[4][1])
    assert texts(changed) == [t("en", "rate_changed", rating=5)]
    assert _ratings(telegram) == [
        {
            "session_id": 1,
            "telegram_id": 503,
            "module_id": "r3-conflict",
            "rating": 5,
            "comment": "Too many questions about relatives",
            "awaiting_comment": 0,
        }
    ]
    assert texts(await user.send("hello")) == [t("en", "free_text_menu")]  # no comment is awaited any more


async def test_going_on_elsewhere_ends_the_wait_for_a_comment(telegram):
    user = telegram.user(507, "en")
    calls = await finish_module(telegram, user, "r5-off-duty-media", wrong=6)
    await user.press(rating_buttons(calls)[2][1])
    await user.press("prog")
    assert texts(await user.send("can I accept flowers from a citizen?")) == [t("en", "free_text_menu")]
    assert [(r["rating"], r["comment"], r["awaiting_comment"]) for r in _ratings(telegram)] == [(3, None, 0)]


async def test_a_stale_or_forged_rating_button_changes_nothing(telegram):
    user, other = telegram.user(504, "en"), telegram.user(505, "en")
    calls = await finish_module(telegram, user, "r7-openness", wrong=6)
    old = rating_buttons(calls)
    await user.press(old[2][1])
    await user.press("rskip:1")
    await user.press("go:r7-openness")  # the next attempt: the earlier one's rating is settled
    for forged in (old[0][1], "rate:1:9", "rate:1:0", "rate:1", "rate:x:2", "rate:999:3", "rskip:1", "rskip:zz"):
        pressed = await user.press(forged)
        notice = next(c for c in pressed if c.method == "answerCallbackQuery")
        assert notice.params.get("text") == t("en", "stale_button") and not sent_messages(pressed)
    pressed = await other.press(old[4][1])  # another servant's attempt
    assert next(c for c in pressed if c.method == "answerCallbackQuery").params.get("text") == t("en", "stale_button")
    assert [(r["rating"], r["comment"]) for r in _ratings(telegram)] == [(3, None)]


async def test_the_awaited_comment_survives_a_restart(bank, tmp_path, clock):
    async for harness in running_bot(bank, tmp_path, clock, None):
        user = harness.user(506, "ru")
        calls = await finish_module(harness, user, "r1-standards", wrong=5)
        await user.press(rating_buttons(calls)[1][1])
        too_long = "а" * 501
        refused = texts(await user.send(too_long))
        assert refused == [t("ru", "comment_too_long", length="501 символ", limit="500 символов")]
    async for harness in running_bot(bank, tmp_path, clock, None):  # the same database, a new process
        user = harness.user(506, "ru")
        assert texts(await user.send("Б")) == [t("ru", "comment_thanks")]  # the comment, not free text for the menu
        assert [(r["rating"], r["comment"], r["awaiting_comment"]) for r in _ratings(harness)] == [(2, "Б", 0)]
