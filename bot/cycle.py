"""The three-year training cycle: last qualifying completion, due date, status (pure).

The civil-service law asks for training at least once every three years (Law 416-V Art. 34(2)).
A completion qualifies when every module of the refresher track has been passed within one
cycle period; the clock is always a parameter, so tests fix it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

CURRENT, DUE_SOON, OVERDUE, UNKNOWN = "current", "due_soon", "overdue", "unknown"


def add_years(day: date, years: int) -> date:
    """The same calendar day `years` later (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


@dataclass(frozen=True)
class CyclePolicy:
    """How long a cycle lasts and how early before the due date a servant counts as due soon."""

    years: int = 3
    window_days: int = 90


@dataclass(frozen=True)
class Cycle:
    completed_on: date | None
    due_on: date | None
    status: str
    days_left: int | None


def qualifying_completion(last_passes: Mapping[str, date], required: Iterable[str], years: int) -> date | None:
    """The day the last required module was passed, if all were passed within one cycle period."""
    required = list(required)
    if not required or any(module not in last_passes for module in required):
        return None
    days = [last_passes[module] for module in required]
    latest = max(days)
    return latest if add_years(min(days), years) >= latest else None


def cycle_status(completed_on: date | None, today: date, policy: CyclePolicy) -> Cycle:
    """Due date and status; `due_soon` means inside the reminder window before the due date."""
    if completed_on is None:
        return Cycle(None, None, UNKNOWN, None)
    due_on = add_years(completed_on, policy.years)
    days_left = (due_on - today).days
    status = OVERDUE if days_left < 0 else DUE_SOON if days_left <= policy.window_days else CURRENT
    return Cycle(completed_on, due_on, status, days_left)
