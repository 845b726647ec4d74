"""Quiz banks, the Code index and topic answers: load, validate, look up (pure).

Content is edited by people who are not programmers, so validation collects every problem with
its file, question id and field instead of stopping at the first.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.locales import LANGUAGES

Text = Mapping[str, str]
TRACKS = ("onboarding", "refresher")
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,31}$")
INDEX_FILE, TOPICS_FILE = "code.yml", "topics.yml"
# Characters per language; with them a question and its feedback always fit one Telegram message,
# and a short title with a status and a score fits a 32-character button.
LIMITS = {
    "title": 60,
    "short_title": 24,
    "label": 120,
    "scenario": 900,
    "text": 300,
    "explanation": 1200,
    "card": 2500,
    "summary": 200,
    "answer": 1500,
}
OPTION_LETTERS = "ABCD"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a content file, located precisely enough to fix it."""

    file: str
    where: str
    field: str
    message: str

    def __str__(self) -> str:
        where = f" [{self.where}]" if self.where else ""
        return f"{self.file}{where} {self.field}: {self.message}"


class BankError(Exception):
    """The content cannot be used; `problems` lists everything found."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass(frozen=True)
class Option:
    text: Text
    correct: bool


@dataclass(frozen=True)
class Question:
    id: str
    cite: tuple[str, ...]
    scenario: Text
    options: tuple[Option, ...]
    explanation: Text

    @property
    def correct_index(self) -> int:
        return next(i for i, option in enumerate(self.options) if option.correct)


@dataclass(frozen=True)
class Module:
    id: str
    title: Text
    track: str
    pass_mark: float
    card: Text
    questions: tuple[Question, ...]
    short_title: Text = field(default_factory=dict)  # for buttons and reports; every quiz file has one

    def question(self, question_id: str) -> Question | None:
        return next((q for q in self.questions if q.id == question_id), None)

    def passes(self, score: int, max_score: int) -> bool:
        return max_score > 0 and score / max_score >= self.pass_mark - 1e-9


@dataclass(frozen=True)
class Point:
    """A citable point: `label` is the citation as a servant reads it («Закон «О государственной
    службе», ст. 51»), `id` the internal key that questions cite."""

    id: str
    chapter: str
    summary: Text
    label: Text


@dataclass(frozen=True)
class Topic:
    id: str
    module_id: str
    cite: tuple[str, ...]
    title: Text
    answer: Text


@dataclass(frozen=True)
class Bank:
    """Everything in `quizzes/`, checked and ready to serve."""

    modules: Mapping[str, Module]
    chapters: Mapping[str, Text]
    points: Mapping[str, Point]
    topics: Mapping[str, Topic]

    def track(self, track: str) -> list[Module]:
        return [m for m in self.modules.values() if m.track == track]

    def question(self, question_id: str) -> Question | None:
        """A question by id, whichever module holds it."""
        return next((q for m in self.modules.values() for q in m.questions if q.id == question_id), None)

    def coverage(self) -> dict[str, Counter[str]]:
        """Questions per chapter, split by module: {chapter: {module_id: count}}."""
        table: dict[str, Counter[str]] = {chapter: Counter() for chapter in self.chapters}
        for module in self.modules.values():
            for question in module.questions:
                for chapter in {self.points[c].chapter for c in question.cite}:
                    table[chapter][module.id] += 1
        return table


class _Reader:
    """Reads one file's fields, recording problems instead of raising."""

    def __init__(self, file: str, problems: list[Problem]):
        self.file, self.problems = file, problems

    def problem(self, where: str, field: str, message: str) -> None:
        self.problems.append(Problem(self.file, where, field, message))

    def text(self, node: Mapping[str, Any], where: str, field: str, limit: str) -> Text:
        value = node.get(field)
        if not isinstance(value, dict):
            self.problem(where, field, f"expected a mapping with {', '.join(LANGUAGES)}")
            return {}
        for lang in LANGUAGES:
            text = value.get(lang)
            if not isinstance(text, str) or not text.strip():
                self.problem(where, f"{field}.{lang}", "missing or empty")
            elif len(text) > LIMITS[limit]:
                self.problem(where, f"{field}.{lang}", f"{len(text)} characters, at most {LIMITS[limit]} fit")
        return {lang: str(value.get(lang, "")).strip() for lang in LANGUAGES}

    def cites(self, node: Mapping[str, Any], where: str, points: Mapping[str, Point]) -> tuple[str, ...]:
        raw = node.get("cite")
        cites = (raw,) if isinstance(raw, str) else tuple(raw or ())
        if not cites or not all(isinstance(c, str) for c in cites):
            self.problem(where, "cite", "missing: cite at least one id from code.yml")
            return ()
        for cite in cites:
            if cite not in points:
                self.problem(where, "cite", f"{cite!r} is not in code.yml")
        return tuple(c for c in cites if c in points)


def _load_yaml(path: Path, problems: list[Problem]) -> dict[str, Any] | None:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        problems.append(Problem(path.name, "", "file", f"not readable YAML: {error}".replace("\n", " ")))
        return None
    if not isinstance(data, dict):
        problems.append(Problem(path.name, "", "file", "expected a mapping at the top"))
        return None
    return data


def _read_index(path: Path, problems: list[Problem]) -> tuple[dict[str, Text], dict[str, Point]]:
    data = _load_yaml(path, problems) if path.exists() else None
    if data is None:
        if not path.exists():
            problems.append(Problem(path.name, "", "file", "missing: the index of citable points"))
        return {}, {}
    read = _Reader(path.name, problems)
    chapters = {
        c.get("id"): read.text(c, str(c.get("id")), "title", "title")
        for c in data.get("chapters") or []
        if isinstance(c, dict)
    }
    points: dict[str, Point] = {}
    for node in data.get("points") or []:
        point_id = node.get("id") if isinstance(node, dict) else None
        if not isinstance(point_id, str):
            read.problem("", "points", "every point needs a string id")
            continue
        if point_id in points:
            read.problem(point_id, "id", "duplicate point id")
        if node.get("chapter") not in chapters:
            read.problem(point_id, "chapter", f"{node.get('chapter')!r} is not a chapter of the index")
        points[point_id] = Point(
            point_id,
            node.get("chapter"),
            read.text(node, point_id, "summary", "summary"),
            read.text(node, point_id, "label", "label"),
        )
    return chapters, points


def _read_question(node: Any, read: _Reader, points: Mapping[str, Point]) -> Question | None:
    if not isinstance(node, dict) or not isinstance(node.get("id"), str) or not ID_PATTERN.match(node["id"]):
        read.problem("", "questions", "every question needs an id of lower-case letters, digits and dashes")
        return None
    qid = node["id"]
    raw_options = node.get("options")
    options: list[Option] = []
    if not isinstance(raw_options, list) or not 2 <= len(raw_options) <= len(OPTION_LETTERS):
        read.problem(qid, "options", f"expected 2 to {len(OPTION_LETTERS)} options")
        raw_options = raw_options if isinstance(raw_options, list) else []
    for i, option in enumerate(raw_options[: len(OPTION_LETTERS)]):
        option = option if isinstance(option, dict) else {}
        correct = option.get("correct", False)
        if not isinstance(correct, bool):
            read.problem(qid, f"options[{i}].correct", "expected true or false")
        options.append(Option(read.text(option, qid, "text", "text"), correct is True))
    rights = sum(o.correct for o in options)
    if options and rights != 1:
        read.problem(qid, "options", f"exactly one option needs correct: true, found {rights}")
    return Question(
        id=qid,
        cite=read.cites(node, qid, points),
        scenario=read.text(node, qid, "scenario", "scenario"),
        options=tuple(options),
        explanation=read.text(node, qid, "explanation", "explanation"),
    )


def _read_module(path: Path, problems: list[Problem], points: Mapping[str, Point]) -> Module | None:
    data = _load_yaml(path, problems)
    if data is None:
        return None
    read = _Reader(path.name, problems)
    module_id = data.get("id")
    if not isinstance(module_id, str) or not ID_PATTERN.match(module_id):
        read.problem("", "id", "expected lower-case letters, digits and dashes, at most 32")
        module_id = path.stem
    track = data.get("track")
    if track not in TRACKS:
        read.problem("", "track", f"expected one of {', '.join(TRACKS)}, got {track!r}")
    pass_mark = data.get("pass_mark")
    if isinstance(pass_mark, bool) or not isinstance(pass_mark, (int, float)) or not 0 < pass_mark <= 1:
        read.problem("", "pass_mark", f"expected a fraction above 0 and at most 1, got {pass_mark!r}")
        pass_mark = 1.0
    raw_questions = data.get("questions")
    if not isinstance(raw_questions, list) or not raw_questions:
        read.problem("", "questions", "expected a non-empty list")
        raw_questions = []
    questions = [q for q in (_read_question(n, read, points) for n in raw_questions) if q]
    for qid, count in Counter(q.id for q in questions).items():
        if count > 1:
            read.problem(qid, "id", "duplicate question id in this file")
    return Module(
        id=module_id,
        title=read.text(data, "", "title", "title"),
        short_title=read.text(data, "", "short_title", "short_title"),
        track=str(track),
        pass_mark=float(pass_mark),
        card=read.text(data, "", "card", "card"),
        questions=tuple(questions),
    )


def _read_topics(path: Path, problems: list[Problem], points: Mapping[str, Point]) -> dict[str, Topic]:
    data = _load_yaml(path, problems) if path.exists() else {}
    read = _Reader(path.name, problems)
    topics: dict[str, Topic] = {}
    for node in (data or {}).get("topics") or []:
        topic_id = str(node.get("id"))
        topics[topic_id] = Topic(
            id=topic_id,
            module_id=str(node.get("module")),
            cite=read.cites(node, topic_id, points),
            title=read.text(node, topic_id, "title", "title"),
            answer=read.text(node, topic_id, "answer", "answer"),
        )
    return topics


def _check_across(
    modules: list[tuple[Path, Module]],
    chapters: Mapping[str, Text],
    points: Mapping[str, Point],
    topics: Mapping[str, Topic],
    problems: list[Problem],
) -> None:
    seen_modules: dict[str, str] = {}
    seen_questions: dict[str, str] = {}
    for path, module in modules:
        if module.id in seen_modules:
            problems.append(
                Problem(path.name, "", "id", f"module id {module.id!r} also used in {seen_modules[module.id]}")
            )
        seen_modules.setdefault(module.id, path.name)
        for question in module.questions:
            if question.id in seen_questions and seen_questions[question.id] != path.name:
                problems.append(
                    Problem(path.name, question.id, "id", f"question id also used in {seen_questions[question.id]}")
                )
            seen_questions.setdefault(question.id, path.name)
    covered = {points[c].chapter for _, m in modules for q in m.questions for c in q.cite}
    for chapter in chapters:
        if chapter not in covered:
            problems.append(Problem(INDEX_FILE, chapter, "chapter", "no question cites a point of this chapter"))
    for topic in topics.values():
        if topic.module_id not in seen_modules:
            problems.append(Problem(TOPICS_FILE, topic.id, "module", f"{topic.module_id!r} is not a module"))


def load_bank(directory: Path) -> Bank:
    """Load and validate every file in `directory`; raise BankError listing all problems."""
    problems: list[Problem] = []
    chapters, points = _read_index(directory / INDEX_FILE, problems)
    paths = sorted(p for p in directory.glob("*.yml") if p.name not in (INDEX_FILE, TOPICS_FILE))
    if not paths:
        problems.append(Problem(str(directory), "", "file", "no quiz bank (*.yml) found"))
    modules = [(p, m) for p in paths if (m := _read_module(p, problems, points))]
    topics = _read_topics(directory / TOPICS_FILE, problems, points)
    _check_across(modules, chapters, points, topics, problems)
    if problems:
        raise BankError(problems)
    return Bank({m.id: m for _, m in modules}, chapters, points, topics)
