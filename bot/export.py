"""Completion, answer and feedback logs as CSV (Excel-ready) or JSON lines, and xAPI statements as JSON lines, streamed.

Rows are written as they are read, so memory stays flat whatever the size of the log; the
statements themselves are made by bot.xapi.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator
from typing import TextIO

from bot.store.feedback import FEEDBACK_COLUMNS
from bot.store.records import ANSWER_COLUMNS, COMPLETION_COLUMNS

FORMATS = ("csv", "jsonl", "xapi")
COLUMNS = {"completions": COMPLETION_COLUMNS, "answers": ANSWER_COLUMNS, "feedback": FEEDBACK_COLUMNS}


def write(rows: Iterator[tuple], what: str, fmt: str, out: TextIO,
          progress: Callable[[int], None] | None = None) -> int:
    """Write every row as CSV or JSON lines; returns the number of rows. `out` should be opened with newline=''."""
    columns = COLUMNS[what]
    writer = csv.writer(out) if fmt == "csv" else None
    if writer:
        writer.writerow(columns)
    count = 0
    for count, values in enumerate(rows, 1):
        if writer:
            writer.writerow(values)
        else:
            out.write(json.dumps(dict(zip(columns, values)), ensure_ascii=False) + "\n")
        if progress and count % 1000 == 0:
            progress(count)
    return count


def write_statements(statements: Iterator[dict[str, object]], out: TextIO,
                     progress: Callable[[int], None] | None = None) -> int:
    """Write xAPI statements one per line; returns how many."""
    count = 0
    for count, statement in enumerate(statements, 1):
        out.write(json.dumps(statement, ensure_ascii=False) + "\n")
        if progress and count % 1000 == 0:
            progress(count)
    return count
