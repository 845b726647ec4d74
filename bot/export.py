"""Completion and answer logs as CSV (Excel-ready), JSON lines or xAPI statements, streamed.

Rows are written as they are read, so memory stays flat whatever the size of the log. xAPI
statements follow the ADL specification: the actor is an account, verbs are ADL's answered,
completed, passed and failed, and results carry score and success.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable, Iterator
from typing import TextIO

from bot.store.records import ANSWER_COLUMNS, COMPLETION_COLUMNS

FORMATS = ("csv", "jsonl", "xapi")
HOME_PAGE = "https://t.me"  # the actor's account lives on Telegram
ACTIVITY_BASE = "https://ethics-training.example.kz/xapi"  # activity ids: stable IRIs, never fetched
VERBS = {verb: f"http://adlnet.gov/expapi/verbs/{verb}" for verb in ("answered", "completed", "passed", "failed")}


def _actor(row: dict[str, object]) -> dict[str, object]:
    actor: dict[str, object] = {"objectType": "Agent",
                                "account": {"homePage": HOME_PAGE, "name": str(row["telegram_id"])}}
    if row.get("full_name"):
        actor["name"] = row["full_name"]
    return actor


def _statement(row: dict[str, object], verb: str, activity: str, result: dict[str, object], timestamp: object) -> dict[str, object]:
    return {
        "actor": _actor(row),
        "verb": {"id": VERBS[verb], "display": {"en-US": verb}},
        "object": {"objectType": "Activity", "id": f"{ACTIVITY_BASE}/{activity}"},
        "result": result,
        "timestamp": timestamp,
    }


def completion_statements(row: dict[str, object]) -> list[dict[str, object]]:
    """A finished module: `completed`, then `passed` or `failed`, each with the score."""
    score = {"raw": row["score"], "min": 0, "max": row["max_score"],
             "scaled": round(row["score"] / row["max_score"], 4) if row["max_score"] else 0}
    activity = f"modules/{row['module_id']}"
    return [
        _statement(row, "completed", activity, {"score": score, "completion": True}, row["completed_at"]),
        _statement(row, "passed" if row["passed"] else "failed", activity,
                   {"score": score, "success": bool(row["passed"]), "completion": True}, row["completed_at"]),
    ]


def answer_statements(row: dict[str, object]) -> list[dict[str, object]]:
    """One answer: `answered`, with the option chosen and whether it was right."""
    activity = f"modules/{row['module_id']}/questions/{row['question_id']}"
    result = {"success": bool(row["correct"]), "response": str(row["option"])}
    return [_statement(row, "answered", activity, result, row["answered_at"])]


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # what Excel and LibreOffice read as a formula


def safe_cell(value: object) -> object:
    """A text cell a spreadsheet would run as a formula, made plain text (OWASP: prefix a quote)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def write_table(columns: tuple[str, ...], rows: Iterable[tuple], out: TextIO,
                progress: Callable[[int], None] | None = None) -> int:
    """A CSV table with a header, every text cell safe to open in a spreadsheet; returns the row count."""
    writer = csv.writer(out)
    writer.writerow(columns)
    count = 0
    for count, values in enumerate(rows, 1):
        writer.writerow([safe_cell(v) for v in values])
        if progress and count % 1000 == 0:
            progress(count)
    return count


def write(rows: Iterator[tuple], what: str, fmt: str, out: TextIO,
          progress: Callable[[int], None] | None = None) -> int:
    """Write every row in `fmt` (CSV cells made safe, JSON lines and xAPI raw); returns the number of
    rows. `out` should be opened with newline=''."""
    columns = ANSWER_COLUMNS if what == "answers" else COMPLETION_COLUMNS
    if fmt == "csv":
        return write_table(columns, rows, out, progress)
    statements = answer_statements if what == "answers" else completion_statements
    count = 0
    for count, values in enumerate(rows, 1):
        record = dict(zip(columns, values))
        for item in ([record] if fmt == "jsonl" else statements(record)):
            out.write(json.dumps(item, ensure_ascii=False) + "\n")
        if progress and count % 1000 == 0:
            progress(count)
    return count
