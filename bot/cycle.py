"""The three-year training cycle: last qualifying completion, due date, status (pure).

The civil-service law asks for training at least once every three years (Law 416-V Art. 34(2)).
A completion qualifies when every module of the refresher track has been passed within one
cycle period; the clock is always a parameter, so tests fix it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

CURRENT, DUE_SOON, OVERDUE, UNKNOWN = "current", "due_soon", "overdue", "unknown"
DEFAULT_TIME_ZONE = "Asia/Almaty"  # Kazakhstan: one zone, UTC+5, since March 2024


def add_years(day: date, years: int) -> date:
    """The same calendar day `years` later (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


@dataclass(frozen=True)
class CyclePolicy:
    """How long a cycle lasts, how early before the due date a servant counts as due soon, how
    many days after the hire date the onboarding track is due, and the time zone whose calendar
    days all of it counts in (the `time_zone` setting: screens, cycles, reminders, reports)."""

    years: int = 3
    window_days: int = 90
    onboarding_due_days: int = 30
    time_zone: str = DEFAULT_TIME_ZONE

    def local_day(self, moment: datetime) -> date:
        """The calendar day at `moment` in the time zone."""
        return moment.astimezone(ZoneInfo(self.time_zone)).date()


@dataclass(frozen=True)
class Cycle:
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


@dataclass(frozen=True)
class Dates:
    """A servant's cycle as stored: last qualifying completion, due date, onboarding deadline."""

    completed_on: date | None
    due_on: date | None
    onboarding_due_on: date | None


def servant_dates(
    last_passes: Mapping[str, date],
    refresher: Iterable[str],
    onboarding: Iterable[str],
    trained_elsewhere: date | None,
    hire_date: date | None,
    policy: CyclePolicy,
) -> Dates:
    """The cycle from quiz passes, training recorded by a coordinator and the hire date.

    A new hire's cycle starts on the hire date; the onboarding track is due a set number of days
    after it, until any onboarding module is passed.
    """
    completions = [d for d in (qualifying_completion(last_passes, refresher, policy.years), trained_elsewhere) if d]
    completed_on = max(completions) if completions else None
    starts = [d for d in (completed_on, hire_date) if d]
    due_on = add_years(max(starts), policy.years) if starts else None
    onboarded = any(module in last_passes for module in onboarding)
    onboarding_due_on = hire_date + timedelta(days=policy.onboarding_due_days) if hire_date and not onboarded else None
    return Dates(completed_on, due_on, onboarding_due_on)


def cycle_status(due_on: date | None, today: date, policy: CyclePolicy) -> Cycle:
    """Status and days left; `due_soon` means inside the reminder window before the due date."""
    if due_on is None:
        return Cycle(UNKNOWN, None)
    days_left = (due_on - today).days
    status = OVERDUE if days_left < 0 else DUE_SOON if days_left <= policy.window_days else CURRENT
    return Cycle(status, days_left)


@dataclass(frozen=True)
class ReminderPolicy:
    """When reminders go out: days before the due date, then every few days while overdue,
    only on working days inside working hours (of the cycle policy's time zone)."""

    days_before: tuple[int, ...] = (90, 30, 7, 0)
    overdue_every_days: int = 7
    working_hours: tuple[int, int] = (9, 18)
    working_days: tuple[int, ...] = (0, 1, 2, 3, 4)  # Monday to Friday

    def stage(self, days_left: int) -> str | None:
        """The reminder stage a servant is in: `d90` … `d0` before and on the due date,
        `w1`, `w2` … for each full overdue period after it; None when not yet due."""
        if days_left >= 0:
            reached = [d for d in self.days_before if d >= days_left]
            return f"d{min(reached)}" if reached else None
        periods = -days_left // self.overdue_every_days
        return f"w{periods}" if periods else f"d{min(self.days_before)}"

    def at_work(self, local: datetime) -> bool:
        """Whether a local time falls inside working hours on a working day."""
        start, end = self.working_hours
        return local.weekday() in self.working_days and start <= local.hour < end
