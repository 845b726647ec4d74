"""xAPI 1.0.3 statements for the completion and answer logs, that a Learning Record Store takes as they are (pure).

Every statement has a deterministic id, a UUID version 5 made from this installation's own id
and the row it describes, so sending the same export twice never creates a second record and a
central LRS fed by several installations never confuses their rows. Activities carry their
definitions (names in kk, ru and en, the type, the choices of a question), the context its
language, the module's track and the Code points cited.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime

from bot.content import OPTION_LETTERS, Bank

VERSION = "1.0.3"
HOME_PAGE = "https://t.me"  # the actor's account lives on Telegram
ACTIVITY_BASE = "https://ethics-training.example.kz/xapi"  # activity ids: stable IRIs, never fetched
EXTENSIONS = {name: f"{ACTIVITY_BASE}/extensions/{name}" for name in ("track", "code-points")}
VERBS = {verb: f"http://adlnet.gov/expapi/verbs/{verb}" for verb in ("answered", "completed", "passed", "failed")}
VERBS["rated"] = "http://id.tincanapi.com/verb/rated"
ASSESSMENT = "http://adlnet.gov/expapi/activities/assessment"
INTERACTION = "http://adlnet.gov/expapi/activities/cmi.interaction"
# The columns the store streams for each kind of statement (the views' names).
COMPLETION_FIELDS = (
    "session_id",
    "telegram_id",
    "full_name",
    "module_id",
    "track",
    "started_at",
    "completed_at",
    "score",
    "max_score",
    "passed",
    "language",
)
RATING_FIELDS = ("session_id", "telegram_id", "module_id", "track", "rating", "comment", "rated_at", "language")
ANSWER_FIELDS = (
    "answer_id",
    "session_id",
    "telegram_id",
    "module_id",
    "question_id",
    "cite",
    "option",
    "correct",
    "answered_at",
    "language",
)


def duration(started_at: str | None, completed_at: str | None) -> str | None:
    """The ISO 8601 duration between two stored timestamps (`PT1H2M5S`), or None if one is unknown."""
    if not started_at or not completed_at:
        return None
    seconds = max(0, int((datetime.fromisoformat(completed_at) - datetime.fromisoformat(started_at)).total_seconds()))
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    parts = "".join(f"{value}{unit}" for value, unit in ((hours, "H"), (minutes, "M")) if value)
    return f"PT{parts}{seconds}S"


@dataclass(frozen=True)
class Statements:
    """Builds statements for one installation (its id namespaces the statement ids) from the quiz banks."""

    bank: Bank
    installation: uuid.UUID

    def _id(self, *key: object) -> str:
        return str(uuid.uuid5(self.installation, "/".join(map(str, key))))

    @staticmethod
    def _actor(row: Mapping[str, object]) -> dict[str, object]:
        actor: dict[str, object] = {
            "objectType": "Agent",
            "account": {"homePage": HOME_PAGE, "name": str(row["telegram_id"])},
        }
        if row.get("full_name"):
            actor["name"] = row["full_name"]
        return actor

    def _module(self, module_id: str) -> dict[str, object]:
        """The module as an assessment activity, named in every language the bank has."""
        definition: dict[str, object] = {"type": ASSESSMENT}
        module = self.bank.modules.get(module_id)
        if module is not None:
            definition["name"] = dict(module.title)
        return {"objectType": "Activity", "id": f"{ACTIVITY_BASE}/modules/{module_id}", "definition": definition}

    def _question(self, module_id: str, question_id: str) -> dict[str, object]:
        """The question as a choice interaction: its scenario, its options as choices, the right one's id."""
        definition: dict[str, object] = {"type": INTERACTION, "interactionType": "choice"}
        question = self.bank.question(question_id)
        module = self.bank.modules.get(module_id)
        if question is not None:
            definition["name"] = {
                lang: f"{module.title[lang] if module else module_id} · {question_id}" for lang in question.scenario
            }
            definition["description"] = dict(question.scenario)
            definition["choices"] = [
                {"id": OPTION_LETTERS[i], "description": dict(option.text)} for i, option in enumerate(question.options)
            ]
            definition["correctResponsesPattern"] = [OPTION_LETTERS[question.correct_index]]
        return {
            "objectType": "Activity",
            "id": f"{ACTIVITY_BASE}/modules/{module_id}/questions/{question_id}",
            "definition": definition,
        }

    def _context(
        self, row: Mapping[str, object], track: str | None, cites: list[str], parent: dict[str, object] | None = None
    ) -> dict[str, object]:
        extensions: dict[str, object] = {EXTENSIONS["code-points"]: cites}
        if track:
            extensions[EXTENSIONS["track"]] = track
        context: dict[str, object] = {"extensions": extensions}
        if row.get("language"):
            context["language"] = row["language"]
        if parent is not None:
            context["contextActivities"] = {"parent": [{"objectType": "Activity", "id": parent["id"]}]}
        return context

    def _module_cites(self, module_id: str) -> list[str]:
        module = self.bank.modules.get(module_id)
        return sorted({cite for q in module.questions for cite in q.cite}) if module else []

    def completion(self, row: Mapping[str, object]) -> list[dict[str, object]]:
        """A finished module: `completed`, then `passed` or `failed`, each with the score and duration."""
        max_score = row["max_score"] or 0
        score = {
            "raw": row["score"],
            "min": 0,
            "max": max_score,
            "scaled": round(row["score"] / max_score, 4) if max_score else 0,
        }
        result: dict[str, object] = {"score": score, "completion": True}
        spent = duration(row.get("started_at"), row.get("completed_at"))
        if spent:
            result["duration"] = spent
        outcome = "passed" if row["passed"] else "failed"
        context = self._context(row, row.get("track"), self._module_cites(row["module_id"]))
        return [
            self._statement(
                self._id("completion", row["session_id"], "completed"),
                row,
                "completed",
                self._module(row["module_id"]),
                result,
                context,
                row["completed_at"],
            ),
            self._statement(
                self._id("completion", row["session_id"], outcome),
                row,
                outcome,
                self._module(row["module_id"]),
                {**result, "success": bool(row["passed"])},
                context,
                row["completed_at"],
            ),
        ]

    def answer(self, row: Mapping[str, object]) -> list[dict[str, object]]:
        """One answer: `answered`, with the choice made and whether it was right."""
        option = int(row["option"])
        result = {
            "success": bool(row["correct"]),
            "response": OPTION_LETTERS[option] if 0 <= option < len(OPTION_LETTERS) else str(option),
        }
        module = self._module(row["module_id"])
        module_id = row["module_id"]
        track = self.bank.modules[module_id].track if module_id in self.bank.modules else None
        cites = [c.strip() for c in str(row.get("cite") or "").split(";") if c.strip()]
        context = self._context(row, track, cites, parent=module)
        return [
            self._statement(
                self._id("answer", row["answer_id"]),
                row,
                "answered",
                self._question(module_id, row["question_id"]),
                result,
                context,
                row["answered_at"],
            )
        ]

    def rating(self, row: Mapping[str, object]) -> list[dict[str, object]]:
        """A servant's rating of a module attempt: `rated`, the score 1–5 and the comment as the response.
        A changed rating is a new statement (its time is part of the id); the LRS keeps both."""
        result: dict[str, object] = {"score": {"raw": row["rating"], "min": 1, "max": 5}}
        if row.get("comment"):
            result["response"] = row["comment"]
        context = self._context(row, row.get("track"), [])
        return [
            self._statement(
                self._id("rating", row["session_id"], row["rated_at"]),
                row,
                "rated",
                self._module(row["module_id"]),
                result,
                context,
                row["rated_at"],
            )
        ]

    def _statement(
        self,
        statement_id: str,
        row: Mapping[str, object],
        verb: str,
        activity: dict[str, object],
        result: dict[str, object],
        context: dict[str, object],
        timestamp: object,
    ) -> dict[str, object]:
        return {
            "id": statement_id,
            "actor": self._actor(row),
            "verb": {"id": VERBS[verb], "display": {"en-US": verb}},
            "object": activity,
            "result": result,
            "context": context,
            "timestamp": timestamp,
            "version": VERSION,
        }

    def of(self, rows: Iterator[tuple], what: str) -> Iterator[dict[str, object]]:
        """Every statement for a stream of completion (or, with what='answers', answer; 'feedback', rating) rows."""
        fields, build = {"answers": (ANSWER_FIELDS, self.answer), "feedback": (RATING_FIELDS, self.rating)}.get(
            what, (COMPLETION_FIELDS, self.completion)
        )
        for values in rows:
            yield from build(dict(zip(fields, values)))
