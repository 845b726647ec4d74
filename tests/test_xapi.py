"""xAPI statements that a Learning Record Store takes as they are: the 1.0.3 rules, deterministic ids,
and `export --to-lrs` against a real LRS (Ralph) on loopback: twice, with bad credentials, through a
dropped connection."""

from __future__ import annotations

import json
import os
import random
import re
import subprocess
import sys
import uuid
from datetime import timedelta
from urllib.parse import urlsplit

import pytest

from bot.config import ROOT
from bot.quiz import Plan
from bot.store import Store
from bot.xapi import ACTIVITY_BASE, Statements
from tests.conftest import NOW
from tests.lrs_server import PASSWORD, USER, DroppingProxy, Ralph

LANGUAGE_TAG = re.compile(r"^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$")
DURATION = re.compile(r"^P(?!$)(\d+Y)?(\d+M)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$")
TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
INTERACTION_TYPES = {
    "true-false",
    "choice",
    "fill-in",
    "long-fill-in",
    "matching",
    "performance",
    "sequencing",
    "likert",
    "numeric",
    "other",
}


def _iri(value: object) -> bool:
    parts = urlsplit(str(value))
    return bool(parts.scheme and (parts.netloc or parts.scheme == "mailto")) and " " not in str(value)


def _language_map(value: object) -> bool:
    return (
        isinstance(value, dict)
        and bool(value)
        and all(LANGUAGE_TAG.match(k) and isinstance(v, str) and v for k, v in value.items())
    )


def xapi_problems(statement: dict) -> list[str]:
    """What breaks the xAPI 1.0.3 rules in one statement (the parts this bot uses), in words."""
    problems = []
    try:
        uuid.UUID(statement["id"])
    except (KeyError, ValueError):
        problems.append("id: not a UUID")
    actor = statement.get("actor", {})
    account = actor.get("account", {})
    if actor.get("objectType") != "Agent" or not _iri(account.get("homePage")) or not account.get("name"):
        problems.append("actor: an Agent identified by an account (homePage IRL, name)")
    if sum(key in actor for key in ("mbox", "mbox_sha1sum", "openid", "account")) != 1:
        problems.append("actor: exactly one inverse functional identifier")
    verb = statement.get("verb", {})
    if not _iri(verb.get("id")) or not _language_map(verb.get("display")):
        problems.append("verb: IRI id and a language map display")
    activity = statement.get("object", {})
    definition = activity.get("definition", {})
    if activity.get("objectType") != "Activity" or not _iri(activity.get("id")):
        problems.append("object: an Activity with an IRI id")
    for key in ("name", "description"):
        if key in definition and not _language_map(definition[key]):
            problems.append(f"object.definition.{key}: not a language map")
    if "type" in definition and not _iri(definition["type"]):
        problems.append("object.definition.type: not an IRI")
    if "interactionType" in definition:
        if definition["interactionType"] not in INTERACTION_TYPES:
            problems.append("interactionType: unknown")
        if not all(isinstance(p, str) for p in definition.get("correctResponsesPattern", [])):
            problems.append("correctResponsesPattern: strings")
        for choice in definition.get("choices", []):
            if not choice.get("id") or not _language_map(choice.get("description")):
                problems.append("choices: id and a language map description")
    result = statement.get("result", {})
    score = result.get("score")
    if score is not None and not (
        score.get("min", 0) <= score["raw"] <= score.get("max", score["raw"]) and -1 <= score.get("scaled", 0) <= 1
    ):
        problems.append("result.score: raw within min..max, scaled within -1..1")
    if "duration" in result and not DURATION.match(result["duration"]):
        problems.append("result.duration: not an ISO 8601 duration")
    for key in ("success", "completion"):
        if key in result and not isinstance(result[key], bool):
            problems.append(f"result.{key}: not a boolean")
    context = statement.get("context", {})
    if "language" in context and not LANGUAGE_TAG.match(context["language"]):
        problems.append("context.language: not an RFC 5646 tag")
    if not all(_iri(key) for key in context.get("extensions", {})):
        problems.append("context.extensions: keys must be IRIs")
    for parent in context.get("contextActivities", {}).get("parent", []):
        if not _iri(parent.get("id")):
            problems.append("contextActivities.parent: IRI ids")
    if not TIMESTAMP.match(str(statement.get("timestamp"))):
        problems.append("timestamp: ISO 8601 with a time zone")
    if not str(statement.get("version", "1.0.3")).startswith("1.0."):
        problems.append("version: 1.0.x")
    return problems


def _attempt(store: Store, bank, telegram_id: int, module_id: str, language: str, day: int, rng: random.Random) -> None:
    """A whole attempt at a module, every question answered, taking a few minutes."""
    module = bank.modules[module_id]
    started = NOW - timedelta(days=day)
    session = store.start_session(telegram_id, module_id, module.track, Plan.draw(module, telegram_id), started)
    right = 0
    for position, question_id in enumerate(session.plan.questions):
        question = module.question(question_id)
        chosen = question.correct_index if rng.random() < 0.8 else (question.correct_index + 1) % len(question.options)
        right += chosen == question.correct_index
        when = started + timedelta(seconds=40 * (position + 1))
        assert store.record_answer(
            session.id,
            position,
            question_id,
            "; ".join(question.cite),
            chosen,
            chosen == question.correct_index,
            when,
            language,
        )
        store.advance(session.id, position, when)
    store.complete(
        session.id,
        right,
        len(module.questions),
        module.passes(right, len(module.questions)),
        started + timedelta(seconds=40 * len(module.questions) + 15),
    )


@pytest.fixture
def log(bank, tmp_path):
    """Six servants (Kazakh, Russian and English) who finished onboarding and the gifts module."""
    path = tmp_path / "ethics.db"
    store, rng = Store(path), random.Random(5)
    for n in range(6):
        store.touch_user(700 + n, f"Servant {n}", NOW)
        for day, module_id in ((20, "onboarding"), (3, "r2-gifts")):
            _attempt(store, bank, 700 + n, module_id, ("kk", "ru", "en")[n % 3], day + n, rng)
    yield store, path
    store.close()


def _export(path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "BOT_"))}
    environment.update(BOT_DB_PATH=str(path), **env)
    return subprocess.run(
        [sys.executable, "-m", "bot", "export", "--format", "xapi", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )


def _statements(path, what: str = "completions") -> list[dict]:
    result = _export(path, "--what", what)
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_every_statement_keeps_the_xapi_rules_and_says_what_a_report_needs(log, bank):
    store, path = log
    completions, answers = _statements(path), _statements(path, "answers")
    assert len(completions) == 2 * 12 and len(answers) == 6 * sum(
        len(bank.modules[m].questions) for m in ("onboarding", "r2-gifts")
    )
    for statement in completions + answers:
        assert xapi_problems(statement) == [], statement
    passed = next(s for s in completions if s["verb"]["display"]["en-US"] in ("passed", "failed"))
    gifts = bank.modules["r2-gifts"]
    module_statement = next(s for s in completions if s["object"]["id"].endswith("/r2-gifts"))
    assert module_statement["object"]["definition"]["name"] == dict(gifts.title)
    assert module_statement["object"]["definition"]["type"] == "http://adlnet.gov/expapi/activities/assessment"
    assert module_statement["context"]["extensions"][f"{ACTIVITY_BASE}/extensions/track"] == "refresher"
    assert set(module_statement["context"]["extensions"][f"{ACTIVITY_BASE}/extensions/code-points"]) == {
        c for q in gifts.questions for c in q.cite
    }
    assert passed["result"]["duration"].startswith("PT") and passed["context"]["language"] in ("kk", "ru", "en")
    assert passed["actor"]["account"] == {"homePage": "https://t.me", "name": passed["actor"]["account"]["name"]}
    answer = answers[0]
    definition = answer["object"]["definition"]
    question = bank.question(answer["object"]["id"].rsplit("/", 1)[1])
    assert definition["interactionType"] == "choice" and len(definition["choices"]) == len(question.options)
    assert definition["correctResponsesPattern"] == ["ABCD"[question.correct_index]]
    assert answer["result"]["response"] in "ABCD" and answer["context"]["contextActivities"]["parent"][0][
        "id"
    ].endswith(answer["object"]["id"].split("/questions/")[0].rsplit("/", 1)[1])


def test_statement_ids_are_the_same_on_every_export_and_unique(log):
    _, path = log
    first, second = _statements(path), _statements(path)
    assert [s["id"] for s in first] == [s["id"] for s in second]
    ids = [s["id"] for s in first + _statements(path, "answers")]
    assert len(set(ids)) == len(ids) and all(uuid.UUID(i).version == 5 for i in ids)


def test_another_installation_gives_other_ids_for_the_same_rows(bank):
    row = {
        "session_id": 1,
        "telegram_id": 5,
        "module_id": "r2-gifts",
        "track": "refresher",
        "score": 9,
        "max_score": 11,
        "passed": 1,
        "completed_at": "2026-11-23T09:00:00+00:00",
    }
    ours, theirs = Statements(bank, uuid.uuid4()).completion(row), Statements(bank, uuid.uuid4()).completion(row)
    assert {s["id"] for s in ours}.isdisjoint({s["id"] for s in theirs})


@pytest.fixture
def ralph(tmp_path):
    server = Ralph(tmp_path / "ralph").start()
    yield server
    server.stop()


LRS_ENV = {"BOT_LRS_USER": USER, "BOT_LRS_PASSWORD": PASSWORD}


@pytest.mark.lrs
def test_sending_twice_to_a_real_lrs_stores_every_statement_once(log, ralph):
    _, path = log
    expected = len(_statements(path)) + len(_statements(path, "answers"))
    first = [
        _export(path, "--to-lrs", ralph.endpoint, **LRS_ENV),
        _export(path, "--what", "answers", "--to-lrs", ralph.endpoint, **LRS_ENV),
    ]
    assert [r.returncode for r in first] == [0, 0], [r.stderr for r in first]
    assert first[0].stdout.strip().endswith("24 sent, 0 already present, 0 failed")
    again = _export(path, "--to-lrs", ralph.endpoint, **LRS_ENV)
    assert again.returncode == 0 and again.stdout.strip().endswith("0 sent, 24 already present, 0 failed")
    stored = ralph.statements()
    assert len(stored) == expected and len({s["id"] for s in stored}) == expected
    assert PASSWORD not in again.stdout + again.stderr


@pytest.mark.lrs
def test_a_half_sent_export_is_completed_without_duplicates(log, ralph):
    """The LRS has most of the export already (an earlier run with --until): the rest is added, nothing twice."""
    _, path = log
    last = (NOW - timedelta(days=3)).date()  # the last servant's gifts module, completed on this day
    early = _export(path, "--until", (last - timedelta(days=1)).isoformat(), "--to-lrs", ralph.endpoint, **LRS_ENV)
    assert early.returncode == 0 and early.stdout.strip().endswith("22 sent, 0 already present, 0 failed")
    everything = _export(path, "--to-lrs", ralph.endpoint, **LRS_ENV)
    assert everything.returncode == 0, everything.stderr
    assert everything.stdout.strip().endswith("2 sent, 22 already present, 0 failed")
    stored = ralph.statements()
    assert len(stored) == 24 and len({s["id"] for s in stored}) == 24


@pytest.mark.lrs
def test_wrong_credentials_are_one_clear_line_and_send_nothing(log, ralph):
    _, path = log
    result = _export(path, "--to-lrs", ralph.endpoint, BOT_LRS_USER=USER, BOT_LRS_PASSWORD="wrong")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.startswith("error: ") and "401" in result.stderr and "BOT_LRS_USER" in result.stderr
    assert ralph.statements() == []


@pytest.mark.lrs
def test_a_dropped_connection_is_retried_and_nothing_is_lost(log, ralph):
    _, path = log
    proxy = DroppingProxy(ralph.endpoint, drops=2)
    try:
        result = _export(path, "--to-lrs", proxy.endpoint, **LRS_ENV)
    finally:
        proxy.stop()
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("24 sent, 0 already present, 0 failed")
    assert proxy.requests == 3 and len(ralph.statements()) == 24


@pytest.mark.lrs
def test_an_lrs_that_never_answers_counts_failures_and_exits_1(log, ralph):
    _, path = log
    proxy = DroppingProxy(ralph.endpoint, drops=10_000)
    try:
        result = _export(
            path,
            "--module",
            "onboarding",
            "--since",
            (NOW - timedelta(days=21)).date().isoformat(),
            "--to-lrs",
            proxy.endpoint,
            **LRS_ENV,
        )
    finally:
        proxy.stop()
    assert result.returncode == 1
    assert result.stdout.strip().endswith("0 sent, 0 already present, 4 failed")
    assert result.stderr.count("no answer after 4 tries") == 4


def test_to_lrs_needs_the_xapi_format_and_no_output(log):
    _, path = log
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "BOT_"))}
    result = subprocess.run(
        [sys.executable, "-m", "bot", "export", "--to-lrs", "http://127.0.0.1:9/xAPI/"],
        cwd=ROOT,
        env={**environment, "BOT_DB_PATH": str(path)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2 and "--to-lrs sends xAPI statements: add --format xapi" in result.stderr
