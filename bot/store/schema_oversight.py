"""Schema additions for trustworthy oversight (issue 13), kept in one idempotent function so that
they can become one numbered migration: reachability apart from membership, expiring invite
codes, and an explicit "all departments" flag for coordinators."""

from __future__ import annotations

import sqlite_utils

DEFAULT_INVITE_DAYS = 30  # the lifetime given to codes issued before codes expired


def add_oversight_columns(db: sqlite_utils.Database) -> None:
    """Add the columns if missing and carry older databases over; safe to run on every start.

    - users.unreachable_since: when Telegram refused a message with 403 (blocked the bot); cleared
      when the person writes again. Servants the old code deactivated for a refused reminder
      (a reminder with status 'blocked' sent at the moment they were deactivated) become active
      again and unreachable since then.
    - invites.expires_at: codes issued before get created_at + 30 days.
    - coordinators.all_departments: 1 for coordinators stored with no departments (which used to
      mean all of them).
    """
    if "unreachable_since" not in db["users"].columns_dict:
        db["users"].add_column("unreachable_since", str)
        db.execute("""
            UPDATE users SET active = 1, unreachable_since = blocked_at, blocked_at = NULL
            WHERE active = 0 AND EXISTS (SELECT 1 FROM reminders AS r WHERE r.telegram_id = users.telegram_id
                                         AND r.status = 'blocked' AND r.sent_at = users.blocked_at)""")
    if "expires_at" not in db["invites"].columns_dict:
        db["invites"].add_column("expires_at", str)
        db.execute("UPDATE invites SET expires_at = strftime('%Y-%m-%dT%H:%M:%S+00:00', created_at, ?) "
                   "WHERE expires_at IS NULL", [f"+{DEFAULT_INVITE_DAYS} days"])
    if "all_departments" not in db["coordinators"].columns_dict:
        db["coordinators"].add_column("all_departments", int, not_null_default=0)
        db.execute("UPDATE coordinators SET all_departments = 1 WHERE COALESCE(departments, '') = ''")
