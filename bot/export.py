"""Completion, answer and feedback logs as CSV (Excel-ready) or JSON lines, and xAPI statements as JSON lines, streamed.

Rows are written as they are read, so memory stays flat whatever the size of the log; the
statements themselves are made by bot.xapi.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable, Iterator
from typing import TextIO

from bot.store.feedback import FEEDBACK_COLUMNS
from bot.store.records import ANSWER_COLUMNS, COMPLETION_COLUMNS

FORMATS = ("csv", "jsonl", "xapi")
COLUMNS = {"completions": COMPLETION_COLUMNS, "answers": ANSWER_COLUMNS, "feedback": FEEDBACK_COLUMNS}
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # what Excel and LibreOffice read as a formula


def safe_cell(value: object) -> object:
    """A text cell a spreadsheet would run as a formula, made plain text (OWASP: prefix a quote)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def write_table(
    columns: tuple[str, ...], rows: Iterable[tuple], out: TextIO, progress: Callable[[int], None] | None = None
) -> int:
    """A CSV table with a header, every text cell safe to open in a spreadsheet; returns the row count."""
    writer = csv.writer(out)
    writer.writerow(columns)
    count = 0
    for count, values in enumerate(rows, 1):
        writer.writerow([safe_cell(v) for v in values])
        if progress and count % 1000 == 0:
            progress(count)
    return count


def write(
    rows: Iterator[tuple], what: str, fmt: str, out: TextIO, progress: Callable[[int], None] | None = None
) -> int:
    """Write every row as CSV (cells made safe) or JSON lines (raw); returns the number of rows.
    `out` should be opened with newline=''."""
    columns = COLUMNS[what]
    if fmt == "csv":
        return write_table(columns, rows, out, progress)
    count = 0
    for count, values in enumerate(rows, 1):
        out.write(json.dumps(dict(zip(columns, values)), ensure_ascii=False) + "\n")
        if progress and count % 1000 == 0:
            progress(count)
    return count


def write_statements(
    statements: Iterator[dict[str, object]], out: TextIO, progress: Callable[[int], None] | None = None
) -> int:
    """Write xAPI statements one per line, raw; returns how many."""
    count = 0
    for count, statement in enumerate(statements, 1):
        out.write(json.dumps(statement, ensure_ascii=False) + "\n")
        if progress and count % 1000 == 0:
            progress(count)
    return count
