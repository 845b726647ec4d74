"""The schema: tables and indexes, created if missing; named for coordinators reading them."""

from __future__ import annotations

import sqlite_utils


def create_schema(db: sqlite_utils.Database) -> None:
    db["users"].create({
        "telegram_id": int, "first_name": str, "language": str, "created_at": str,
        "last_seen_at": str, "hire_date": str, "time_zone": str, "active": int, "blocked_at": str,
    }, pk="telegram_id", defaults={"active": 1, "time_zone": "Asia/Almaty"}, if_not_exists=True)
    db["trainings"].create({
        "id": int, "telegram_id": int, "completed_on": str, "note": str, "recorded_at": str,
    }, pk="id", foreign_keys=[("telegram_id", "users")], if_not_exists=True)
    db["cycles"].create({
        "telegram_id": int, "completed_on": str, "due_on": str, "onboarding_due_on": str, "updated_at": str,
    }, pk="telegram_id", foreign_keys=[("telegram_id", "users")], if_not_exists=True)
    db["reminders"].create({
        "id": int, "telegram_id": int, "kind": str, "due_on": str, "stage": str, "status": str,
        "claimed_at": str, "sent_at": str,
    }, pk="id", if_not_exists=True)
    db["cycles"].create_index(["due_on"], if_not_exists=True)
    db["cycles"].create_index(["onboarding_due_on"], if_not_exists=True)
    db["reminders"].create_index(["telegram_id", "kind", "due_on", "stage"], unique=True, if_not_exists=True)
    db["quiz_sessions"].create({
        "id": int, "telegram_id": int, "module_id": str, "track": str, "plan": str,
        "position": int, "status": str, "started_at": str, "updated_at": str,
        "completed_at": str, "score": int, "max_score": int, "passed": int,
    }, pk="id", foreign_keys=[("telegram_id", "users")], if_not_exists=True)
    db["answers"].create({
        "id": int, "session_id": int, "telegram_id": int, "module_id": str,
        "question_id": str, "cite": str, "option": str, "correct": int, "answered_at": str,
    }, pk="id", foreign_keys=[("session_id", "quiz_sessions"), ("telegram_id", "users")],
        if_not_exists=True)
    db["completions"].create({
        "id": int, "session_id": int, "telegram_id": int, "module_id": str, "track": str,
        "score": int, "max_score": int, "passed": int, "started_at": str, "completed_at": str,
    }, pk="id", foreign_keys=[("session_id", "quiz_sessions"), ("telegram_id", "users")],
        if_not_exists=True)
    db["reviews"].create({
        "telegram_id": int, "question_id": str, "box": int, "due_at": str,
        "mistakes": int, "updated_at": str,
    }, pk=("telegram_id", "question_id"), foreign_keys=[("telegram_id", "users")], if_not_exists=True)
    db["reviews"].create_index(["telegram_id", "due_at"], if_not_exists=True)
    db["quiz_sessions"].create_index(["telegram_id", "status"], if_not_exists=True)
    db["answers"].create_index(["session_id", "question_id"], unique=True, if_not_exists=True)
    db["completions"].create_index(["session_id"], unique=True, if_not_exists=True)
    db["completions"].create_index(["telegram_id", "module_id"], if_not_exists=True)
