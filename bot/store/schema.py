"""The schema: tables and indexes of version 1, and the views; named for coordinators reading them.

Version 1 is frozen: every later change is a new function in bot/store/migrations.py."""

from __future__ import annotations

import sqlite_utils


def create_tables_v1(db: sqlite_utils.Database) -> None:
    """The tables and indexes as commit 15e27d9 made them (schema version 1), each only if missing."""
    db["users"].create(
        {
            "telegram_id": int,
            "first_name": str,
            "language": str,
            "created_at": str,
            "last_seen_at": str,
            "hire_date": str,
            "time_zone": str,
            "active": int,
            "blocked_at": str,
        },
        pk="telegram_id",
        defaults={"active": 1, "time_zone": "Asia/Almaty"},
        if_not_exists=True,
    )
    db["trainings"].create(
        {
            "id": int,
            "telegram_id": int,
            "completed_on": str,
            "note": str,
            "recorded_at": str,
        },
        pk="id",
        foreign_keys=[("telegram_id", "users")],
        if_not_exists=True,
    )
    db["cycles"].create(
        {
            "telegram_id": int,
            "completed_on": str,
            "due_on": str,
            "onboarding_due_on": str,
            "updated_at": str,
        },
        pk="telegram_id",
        foreign_keys=[("telegram_id", "users")],
        if_not_exists=True,
    )
    db["reminders"].create(
        {
            "id": int,
            "telegram_id": int,
            "kind": str,
            "due_on": str,
            "stage": str,
            "status": str,
            "claimed_at": str,
            "sent_at": str,
        },
        pk="id",
        if_not_exists=True,
    )
    db["cycles"].create_index(["due_on"], if_not_exists=True)
    db["cycles"].create_index(["onboarding_due_on"], if_not_exists=True)
    db["reminders"].create_index(["telegram_id", "kind", "due_on", "stage"], unique=True, if_not_exists=True)
    db["quiz_sessions"].create(
        {
            "id": int,
            "telegram_id": int,
            "module_id": str,
            "track": str,
            "plan": str,
            "position": int,
            "status": str,
            "started_at": str,
            "updated_at": str,
            "completed_at": str,
            "score": int,
            "max_score": int,
            "passed": int,
        },
        pk="id",
        foreign_keys=[("telegram_id", "users")],
        if_not_exists=True,
    )
    db["answers"].create(
        {
            "id": int,
            "session_id": int,
            "telegram_id": int,
            "module_id": str,
            "question_id": str,
            "cite": str,
            "option": str,
            "correct": int,
            "answered_at": str,
        },
        pk="id",
        foreign_keys=[("session_id", "quiz_sessions"), ("telegram_id", "users")],
        if_not_exists=True,
    )
    db["completions"].create(
        {
            "id": int,
            "session_id": int,
            "telegram_id": int,
            "module_id": str,
            "track": str,
            "score": int,
            "max_score": int,
            "passed": int,
            "started_at": str,
            "completed_at": str,
        },
        pk="id",
        foreign_keys=[("session_id", "quiz_sessions"), ("telegram_id", "users")],
        if_not_exists=True,
    )
    db["reviews"].create(
        {
            "telegram_id": int,
            "question_id": str,
            "box": int,
            "due_at": str,
            "mistakes": int,
            "updated_at": str,
        },
        pk=("telegram_id", "question_id"),
        foreign_keys=[("telegram_id", "users")],
        if_not_exists=True,
    )
    db["reviews"].create_index(["telegram_id", "due_at"], if_not_exists=True)
    db["quiz_sessions"].create_index(["telegram_id", "status"], if_not_exists=True)
    db["answers"].create_index(["session_id", "question_id"], unique=True, if_not_exists=True)
    db["completions"].create_index(["session_id"], unique=True, if_not_exists=True)
    db["completions"].create_index(["telegram_id", "module_id"], if_not_exists=True)
    db["employees"].create(
        {
            "employee_id": str,
            "full_name": str,
            "department": str,
            "position": str,
            "hire_date": str,
            "last_training_date": str,
            "telegram_id": int,
            "active": int,
            "imported_at": str,
            "updated_at": str,
        },
        pk="employee_id",
        defaults={"active": 1},
        if_not_exists=True,
    )
    db["employees"].create_index(["telegram_id"], unique=True, if_not_exists=True)
    db["employees"].create_index(["department"], if_not_exists=True)
    db["invites"].create(
        {
            "code": str,
            "employee_id": str,
            "created_at": str,
            "used_at": str,
            "used_by": int,
            "revoked_at": str,
        },
        pk="code",
        foreign_keys=[("employee_id", "employees")],
        if_not_exists=True,
    )
    db["invites"].create_index(["employee_id"], if_not_exists=True)
    db["coordinators"].create(
        {
            "telegram_id": int,
            "departments": str,
            "added_at": str,
            "note": str,
        },
        pk="telegram_id",
        if_not_exists=True,
    )


def create_views(db: sqlite_utils.Database, cycle_years: int) -> None:
    """Views that show a coordinator in Datasette what the tables mean together.

    Issue 13 changed two: completions_report takes full_name from the roster only and adds the
    Telegram first name at the end; servant_status adds unreachable_since and on_roster."""
    db.create_view(
        "completions_report",
        """
        SELECT e.employee_id, e.full_name, e.department,
               c.telegram_id, c.module_id, c.track, c.started_at, c.completed_at, c.score, c.max_score,
               c.passed, y.due_on AS cycle_due, u.first_name AS telegram_first_name, c.session_id,
               COALESCE((SELECT language FROM answers WHERE session_id = c.session_id ORDER BY id DESC LIMIT 1),
                        u.language) AS language
        FROM completions AS c
        JOIN users AS u ON u.telegram_id = c.telegram_id
        LEFT JOIN employees AS e ON e.telegram_id = c.telegram_id
        LEFT JOIN cycles AS y ON y.telegram_id = c.telegram_id""",
        replace=True,
    )
    db.create_view(
        "answers_report",
        """
        SELECT e.employee_id, a.telegram_id, q.module_id, a.question_id, a.cite, a.option, a.correct,
               a.answered_at, e.department, a.id AS answer_id, a.session_id, COALESCE(a.language, u.language) AS language
        FROM answers AS a
        JOIN quiz_sessions AS q ON q.id = a.session_id
        JOIN users AS u ON u.telegram_id = a.telegram_id
        LEFT JOIN employees AS e ON e.telegram_id = a.telegram_id""",
        replace=True,
    )
    db.create_view(
        "servant_status",
        f"""
        SELECT e.employee_id, COALESCE(e.full_name, u.first_name) AS full_name, e.department, e.position,
               u.telegram_id, COALESCE(y.due_on, date(COALESCE(e.last_training_date, e.hire_date), '+{cycle_years} years')) AS due_on,
               y.completed_on AS last_completion, y.onboarding_due_on,
               COALESCE(e.active, 1) * COALESCE(u.active, 1) AS active,
               u.unreachable_since, 1 AS on_roster
        FROM employees AS e
        LEFT JOIN users AS u ON u.telegram_id = e.telegram_id
        LEFT JOIN cycles AS y ON y.telegram_id = e.telegram_id
        UNION ALL
        SELECT NULL, u.first_name, NULL, NULL, u.telegram_id, y.due_on, y.completed_on, y.onboarding_due_on, u.active,
               u.unreachable_since, 0
        FROM users AS u LEFT JOIN cycles AS y ON y.telegram_id = u.telegram_id
        WHERE u.telegram_id NOT IN (SELECT telegram_id FROM employees WHERE telegram_id IS NOT NULL)
          AND u.telegram_id NOT IN (SELECT telegram_id FROM coordinators)""",
        replace=True,
    )
