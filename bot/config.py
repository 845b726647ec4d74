"""Settings from the environment and the `bot:` section of config.yml, validated once at start.

The environment variable names are a contract with deployments; the README documents each.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from bot.ask import AskPolicy
from bot.cycle import DEFAULT_TIME_ZONE, CyclePolicy, ReminderPolicy
from bot.items import DEFAULT_MIN_ATTEMPTS
from bot.locales import LANGUAGES

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_API_BASE_URL = "https://api.telegram.org/bot"


class ConfigError(Exception):
    """A setting a person can fix: the message says which and how."""


@dataclass(frozen=True)
class Settings:
    """Everything the bot needs to know about its deployment."""

    token: str | None
    bot_username: str | None
    api_base_url: str
    db_path: Path
    coordinator_ids: frozenset[int]
    default_language: str
    quizzes_dir: Path
    rasa_url: str
    rasa_token: str | None
    rasa_timeout: float
    lrs_user: str | None = None  # basic auth for `export --to-lrs`, from the environment only
    lrs_password: str | None = None
    cycle: CyclePolicy = CyclePolicy()
    reminders: ReminderPolicy = ReminderPolicy()
    item_min_attempts: int = DEFAULT_MIN_ATTEMPTS  # below this, item analysis says "too few answers"
    invite_days: int = 30  # how long an invite code works
    ask: AskPolicy = AskPolicy()  # Ethics Commissioners and questions to them

    def require_token(self) -> str:
        """The Bot API token, or a ConfigError that says where to put it."""
        if not self.token:
            raise ConfigError("TELEGRAM_BOT_TOKEN is not set: export the token @BotFather gave you.")
        return self.token


def _coordinator_ids(raw: str, variable: str = "BOT_COORDINATOR_IDS") -> frozenset[int]:
    ids = set()
    for part in raw.replace(" ", "").split(","):
        if not part:
            continue
        if not part.lstrip("-").isdigit():
            raise ConfigError(f"{variable}: {part!r} is not a Telegram user id (digits only).")
        ids.add(int(part))
    return frozenset(ids)


def _bot_section(config_path: Path) -> Mapping[str, object]:
    if not config_path.exists():
        return {}
    data = yaml.safe_load(config_path.read_text(encoding="utf-8")) or {}
    section = data.get("bot") or {}
    if not isinstance(section, dict):
        raise ConfigError(f"{config_path}: the `bot:` section must be a mapping.")
    return section


def _positive_int(section: Mapping[str, object], key: str, default: int) -> int:
    value = section.get(key, default)
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise ConfigError(f"config.yml bot.{key}: expected a positive whole number, got {value!r}.")
    return value


def _int_list(
    section: Mapping[str, object], key: str, default: list[int], low: int, high: int, length: int | None = None
) -> tuple[int, ...]:
    values = section.get(key, default)
    if (
        not isinstance(values, list)
        or not values
        or (length and len(values) != length)
        or not all(isinstance(v, int) and low <= v <= high for v in values)
    ):
        raise ConfigError(
            f"config.yml bot.{key}: expected a list of whole numbers from {low} to {high}, got {values!r}."
        )
    return tuple(values)


def _time_zone(section: Mapping[str, object]) -> str:
    name = section.get("time_zone", DEFAULT_TIME_ZONE)
    try:
        ZoneInfo(str(name))
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"config.yml bot.time_zone: {name!r} is not a known time zone.") from None
    return str(name)


def load_settings(env: Mapping[str, str] | None = None, config_path: Path | None = None) -> Settings:
    """Read and check every setting; raise ConfigError naming the first bad one."""
    env = os.environ if env is None else env
    section = _bot_section(config_path or ROOT / "config.yml")
    language = env.get("BOT_DEFAULT_LANGUAGE", "ru").strip().lower() or "ru"
    if language not in LANGUAGES:
        raise ConfigError(f"BOT_DEFAULT_LANGUAGE: {language!r} is not one of {', '.join(LANGUAGES)}.")
    days_before = tuple(
        sorted(set(_int_list(section, "reminder_days_before_due", [90, 30, 7, 0], 0, 3650)), reverse=True)
    )
    timeout_raw = env.get("RASA_TIMEOUT", "2")
    try:
        timeout = float(timeout_raw)
    except ValueError:
        raise ConfigError(f"RASA_TIMEOUT: {timeout_raw!r} is not a number of seconds.") from None
    return Settings(
        token=env.get("TELEGRAM_BOT_TOKEN") or None,
        bot_username=(env.get("TELEGRAM_BOT_USERNAME") or "").lstrip("@") or None,
        api_base_url=env.get("TELEGRAM_API_BASE_URL") or DEFAULT_API_BASE_URL,
        db_path=Path(env.get("BOT_DB_PATH") or ROOT / "data" / "ethics.db"),
        coordinator_ids=_coordinator_ids(env.get("BOT_COORDINATOR_IDS", "")),
        default_language=language,
        quizzes_dir=Path(env.get("BOT_QUIZZES_DIR") or ROOT / "quizzes"),
        rasa_url=(env.get("RASA_URL") or "http://127.0.0.1:5005").rstrip("/"),
        rasa_token=env.get("RASA_AUTH_TOKEN") or None,
        rasa_timeout=timeout,
        lrs_user=env.get("BOT_LRS_USER") or None,
        lrs_password=env.get("BOT_LRS_PASSWORD") or None,
        cycle=CyclePolicy(
            _positive_int(section, "cycle_years", 3),
            max(days_before),
            _positive_int(section, "onboarding_due_days", 30),
            _time_zone(section),
        ),
        reminders=ReminderPolicy(
            days_before=days_before,
            overdue_every_days=_positive_int(section, "reminder_overdue_every_days", 7),
            working_hours=_int_list(section, "reminder_working_hours", [9, 18], 0, 24, length=2),
            working_days=tuple(d - 1 for d in _int_list(section, "reminder_working_days", [1, 2, 3, 4, 5], 1, 7)),
        ),
        item_min_attempts=_positive_int(section, "item_min_attempts", DEFAULT_MIN_ATTEMPTS),
        invite_days=_positive_int(section, "invite_valid_days", Settings.invite_days),
        ask=AskPolicy(
            _coordinator_ids(env.get("BOT_COMMISSIONER_IDS", ""), "BOT_COMMISSIONER_IDS"),
            _positive_int(section, "questions_per_day", 5),
            _positive_int(section, "anonymous_reply_days", 90),
        ),
    )
