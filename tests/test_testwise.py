"""The test-wise audit: guessing strategies and retold stories are caught, honest modules pass."""

from __future__ import annotations

from bot.content import Bank, Module, Option, Question
from bot.testwise import audit_module, near_duplicates, similarity
from tests.conftest import text3


def _question(qid: str, options: list[str], right: int, scenario: str = "A servant meets a citizen") -> Question:
    return Question(
        qid,
        ("Code p. 3",),
        text3(scenario),
        tuple(Option(text3(text), i == right) for i, text in enumerate(options)),
        text3("Because"),
    )


def _module(module_id: str, questions: list[Question], pass_mark: float = 0.75) -> Module:
    return Module(module_id, text3(module_id), "refresher", pass_mark, text3("card"), tuple(questions))


def test_a_module_whose_right_option_is_always_the_longest_fails():
    questions = [_question(f"q{n}", ["short", "a much longer and more careful answer", "tiny"], 1) for n in range(4)]
    result = audit_module(_module("m", questions), "en")
    assert result.scores["longest"] == 1.0 and result.longest_share == 1.0
    assert any("longest option scores 100%" in failure for failure in result.failures())


def test_a_module_whose_right_option_always_comes_first_fails_on_position():
    questions = [_question(f"q{n}", ["equal one", "equal two", "equal six"], 0) for n in range(4)]
    result = audit_module(_module("m", questions), "ru")
    assert result.scores["first"] == 1.0 and result.scores["last"] == 0.0
    assert [f for f in result.failures() if "first" in f]


def test_a_balanced_module_passes_every_strategy():
    lengths = ["aaaa", "bbbbbbbb", "cccccc", "dd"]  # longest at 1, shortest at 3
    questions = [_question(f"q{n}", lengths, right) for n, right in enumerate([0, 2, 0, 2])]
    result = audit_module(_module("m", questions), "kk")
    assert result.scores == {"longest": 0.0, "shortest": 0.0, "first": 0.5, "last": 0.0}
    assert result.failures() == []


def test_a_retold_story_in_another_module_is_found_and_a_new_one_is_not():
    story = "Dauren, a specialist of the district akimat, receives expensive flowers from a grateful applicant"
    retold = "Dauren, a specialist at the district akimat, receives expensive flowers from an applicant"
    other = "During an inspection of a construction company the inspector is invited to lunch by its director"
    bank = Bank(
        {
            "a": _module("a", [_question("a-1", ["x", "y"], 0, story)]),
            "b": _module("b", [_question("b-1", ["x", "y"], 0, retold), _question("b-2", ["x", "y"], 0, other)]),
        },
        {},
        {},
        {},
    )
    found = near_duplicates(bank)
    assert [(a, b) for a, b, _ in found] == [("a-1", "b-1")]
    assert similarity(bank.modules["a"].questions[0], bank.modules["b"].questions[1]) < 0.21


def test_no_module_of_the_repository_can_be_passed_by_guessing(bank):
    from bot.testwise import audit

    failures = [f"{a.module.id} ({a.lang}): {f}" for a in audit(bank) for f in a.failures()]
    assert failures == []
    assert near_duplicates(bank) == []
