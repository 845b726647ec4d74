"""Quiz banks: the repo's content is valid, and every kind of broken file is named precisely."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.content import LIMITS, BankError, load_bank
from bot.coverage import coverage_report
from tests.conftest import small_bank_files


def _problems(directory: Path) -> list[str]:
    with pytest.raises(BankError) as caught:
        load_bank(directory)
    return [str(p) for p in caught.value.problems]


def _edit(path: Path, change) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def test_the_repository_banks_are_valid_and_complete(bank):
    tracks = {m.track for m in bank.modules.values()}
    assert tracks == {"onboarding", "refresher"}
    assert len(bank.modules) >= 8
    assert sum(len(m.questions) for m in bank.modules.values()) >= 130
    assert all(10 <= len(m.questions) <= 16 for m in bank.modules.values())  # one sitting on a phone
    covered = {chapter for chapter, counts in bank.coverage().items() if counts}
    assert covered == set(bank.chapters)
    assert len(bank.topics) == 13


def test_correct_answers_are_not_always_in_the_same_place(bank):
    positions = {q.correct_index for m in bank.modules.values() for q in m.questions}
    assert len(positions) >= 3


def test_a_valid_small_bank_loads(tmp_path):
    bank = load_bank(small_bank_files(tmp_path))
    assert set(bank.modules) == {"basics", "refresh"}
    assert bank.modules["basics"].questions[0].cite == ("Code p. 3",)


def test_missing_language_is_named_with_file_question_and_field(tmp_path):
    small_bank_files(tmp_path)
    _edit(tmp_path / "basics.yml", lambda d: d["questions"][1]["scenario"].pop("kk"))
    assert _problems(tmp_path) == ["basics.yml [basics-2] scenario.kk: missing or empty"]


def test_exactly_one_right_option_is_required(tmp_path):
    small_bank_files(tmp_path)
    _edit(tmp_path / "basics.yml", lambda d: d["questions"][0]["options"][1].update(correct=True))
    _edit(tmp_path / "refresh.yml", lambda d: d["questions"][0]["options"][0].update(correct=False))
    problems = _problems(tmp_path)
    assert "basics.yml [basics-1] options: exactly one option needs correct: true, found 2" in problems
    assert "refresh.yml [refresh-1] options: exactly one option needs correct: true, found 0" in problems


def test_cite_must_be_in_the_index(tmp_path):
    small_bank_files(tmp_path)
    _edit(tmp_path / "basics.yml", lambda d: d["questions"][0].update(cite=["Code p. 99"]))
    assert "basics.yml [basics-1] cite: 'Code p. 99' is not in code.yml" in _problems(tmp_path)


def test_duplicate_question_ids_across_files_are_refused(tmp_path):
    small_bank_files(tmp_path)
    _edit(tmp_path / "refresh.yml", lambda d: d["questions"][0].update(id="basics-1"))
    assert "refresh.yml [basics-1] id: question id also used in basics.yml" in _problems(tmp_path)


def test_every_point_needs_a_label_in_every_language(tmp_path):
    small_bank_files(tmp_path)
    _edit(tmp_path / "code.yml", lambda d: d["points"][0].pop("label"))
    assert _problems(tmp_path) == ["code.yml [Code p. 3] label: expected a mapping with kk, ru, en"]
    _edit(
        tmp_path / "code.yml",
        lambda d: d["points"][0].update(
            label={"kk": "Әдеп кодексі, 3-тармақ", "ru": "", "en": "Ethical Code, para. 3"}
        ),
    )
    assert _problems(tmp_path) == ["code.yml [Code p. 3] label.ru: missing or empty"]


def test_a_module_needs_a_short_title_that_fits_a_button(tmp_path):
    small_bank_files(tmp_path)
    _edit(tmp_path / "basics.yml", lambda d: d.pop("short_title"))
    _edit(tmp_path / "refresh.yml", lambda d: d["short_title"].update(kk="Қызметтік қарым-қатынастар"))
    assert _problems(tmp_path) == [
        "basics.yml short_title: expected a mapping with kk, ru, en",
        f"refresh.yml short_title.kk: 26 characters, at most {LIMITS['short_title']} fit",
    ]


def test_texts_over_telegram_limits_are_refused(tmp_path):
    small_bank_files(tmp_path)
    _edit(tmp_path / "basics.yml", lambda d: d["questions"][0]["options"][0]["text"].update(en="x" * 301))
    assert _problems(tmp_path) == [f"basics.yml [basics-1] text.en: 301 characters, at most {LIMITS['text']} fit"]


def test_a_chapter_no_question_covers_is_reported(tmp_path):
    small_bank_files(tmp_path)
    _edit(
        tmp_path / "code.yml", lambda d: d["chapters"].append({"id": "code:9-new", "title": d["chapters"][0]["title"]})
    )
    assert _problems(tmp_path) == ["code.yml [code:9-new] chapter: no question cites a point of this chapter"]


@pytest.mark.parametrize(
    "field, value, expected",
    [
        ("track", "advanced", "track: expected one of onboarding, refresher, got 'advanced'"),
        ("pass_mark", 1.5, "pass_mark: expected a fraction above 0 and at most 1, got 1.5"),
        ("id", "Basics Module", "id: expected lower-case letters, digits and dashes, at most 32"),
        ("questions", [], "questions: expected a non-empty list"),
    ],
)
def test_module_fields_are_checked(tmp_path, field, value, expected):
    small_bank_files(tmp_path)
    _edit(tmp_path / "basics.yml", lambda d: d.update({field: value}))
    assert f"basics.yml {expected}" in _problems(tmp_path)


def test_broken_yaml_names_the_file(tmp_path):
    small_bank_files(tmp_path)
    (tmp_path / "basics.yml").write_text("id: basics\nquestions: [\n", encoding="utf-8")
    problems = _problems(tmp_path)
    assert problems[0].startswith("basics.yml file: not readable YAML")


def test_coverage_report_counts_questions_per_chapter_and_module(tmp_path):
    report = coverage_report(load_bank(small_bank_files(tmp_path)))
    assert "code:1-general" in report.splitlines()[2]
    assert report.splitlines()[2].split()[1:4] == ["2", "2", "4"]
    assert "  basics                       onboarding    2   Basics" in report
