"""Roster import: the coordinators' CSV of employees, checked row by row (parsing is pure).

Accepts what Excel writes: UTF-8 with or without a BOM, comma or semicolon delimited (a Russian
locale writes semicolons). A bad row is reported with its line number and the rest still
imports, unless the caller asks for strict mode.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date

from bot.store.roster import ROSTER_COLUMNS, Employee

REQUIRED = ("employee_id", "full_name", "department", "position")


@dataclass(frozen=True)
class RowProblem:
    line: int
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


def _date(value: str, column: str) -> str | None:
    if not value:
        return None
    for parse in (date.fromisoformat, lambda v: date(int(v[6:10]), int(v[3:5]), int(v[0:2]))):  # 2026-01-31, 31.01.2026
        try:
            return parse(value).isoformat()
        except (ValueError, IndexError):
            continue
    raise ValueError(f"{column} {value!r} is not a date (2026-01-31 or 31.01.2026)")


def parse_roster(data: bytes) -> tuple[list[Employee], list[RowProblem]]:
    """Employees from a roster CSV, and every problem with its line number."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return [], [RowProblem(1, "the file is not UTF-8 text; save it as CSV UTF-8")]
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = [h.strip().lower() for h in next(reader, [])]
    missing = [c for c in ROSTER_COLUMNS if c not in header]
    if missing:
        return [], [RowProblem(1, f"missing column(s): {', '.join(missing)}; expected {', '.join(ROSTER_COLUMNS)}")]
    employees, problems, seen = [], [], {}
    for row in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        values = dict(zip(header, (cell.strip() for cell in row)))
        try:
            empty = [c for c in REQUIRED if not values.get(c)]
            if empty:
                raise ValueError(f"empty {', '.join(empty)}")
            if values["employee_id"] in seen:
                raise ValueError(f"employee_id {values['employee_id']} already on line {seen[values['employee_id']]}")
            employee = Employee(
                *(values[c] for c in REQUIRED),
                _date(values.get("hire_date", ""), "hire_date"),
                _date(values.get("last_training_date", ""), "last_training_date"),
            )
        except ValueError as error:
            problems.append(RowProblem(line, str(error)))
            continue
        seen[employee.employee_id] = line
        employees.append(employee)
    return employees, problems
