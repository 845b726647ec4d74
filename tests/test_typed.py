"""Typed quiz answers and pauses in three languages."""

from __future__ import annotations

import pytest

from bot.typed import is_stop, option_choice


@pytest.mark.parametrize(
    "text, expected",
    [
        ("B", 1),
        ("b)", 1),
        ("2", 1),
        ("вариант б", 1),
        ("второй вариант", 1),
        ("2-ші", 1),
        ("екінші нұсқа", 1),
        ("the second one", 1),
        ("option C", 2),
        ("мой ответ 3", 2),
        ("үшінші", 2),
        ("A", 0),
        ("первый", 0),
        ("d", 3),
        ("4", 3),
        ("ekinshi", 1),
    ],
)
def test_typed_choices_name_an_option(text, expected):
    assert option_choice(text, 4) == expected


@pytest.mark.parametrize(
    "text", ["5", "E", "can I accept flowers from a citizen?", "B or C", "", "сыйлық алуға бола ма"]
)
def test_other_text_is_not_an_answer(text):
    assert option_choice(text, 4) is None


def test_an_option_beyond_the_question_is_not_an_answer():
    assert option_choice("D", 3) is None


@pytest.mark.parametrize("text", ["stop", "Хватит", "тоқта", "стоп пожалуйста", "pause"])
def test_stop_words_pause(text):
    assert is_stop(text)


@pytest.mark.parametrize("text", ["what should I do to stop corruption in my office?", "B", "продолжить"])
def test_other_text_does_not_pause(text):
    assert not is_stop(text)
