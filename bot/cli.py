"""What every command-line command shares: the error a person can fix, the clock, date parsing."""

from __future__ import annotations

from datetime import date, datetime, timezone


class CommandError(Exception):
    """Something the person running the command can fix; printed as one line, exit status 2."""


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def parse_day(text: str | None) -> date | None:
    """An ISO date from an option; None when the option was not given."""
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{text!r} is not a date such as 2026-11-23") from None
