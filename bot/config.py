"""Settings from the environment and the `bot:` section of config.yml, validated once at start.

The environment variable names are a contract with deployments; the README documents each.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.locales import LANGUAGES

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_API_BASE_URL = "https://api.telegram.org/bot"


class ConfigError(Exception):
    """A setting a person can fix: the message says which and how."""


@dataclass(frozen=True)
class Settings:
    """Everything the bot needs to know about its deployment."""

    token: str | None
    api_base_url: str
    db_path: Path
    coordinator_ids: frozenset[int]
    default_language: str
    quizzes_dir: Path
    rasa_url: str
    rasa_token: str | None
    rasa_timeout: float
    cycle_years: int = 3
    onboarding_due_days: int = 30
    reminder_days: tuple[int, ...] = (90, 30, 7, 0)

    def require_token(self) -> str:
        """The Bot API token, or a ConfigError that says where to put it."""
        if not self.token:
            raise ConfigError("TELEGRAM_BOT_TOKEN is not set: export the token @BotFather gave you.")
        return self.token


def _coordinator_ids(raw: str) -> frozenset[int]:
    ids = set()
    for part in raw.replace(" ", "").split(","):
        if not part:
            continue
        if not part.lstrip("-").isdigit():
            raise ConfigError(f"BOT_COORDINATOR_IDS: {part!r} is not a Telegram user id (digits only).")
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


def _reminder_days(section: Mapping[str, object]) -> tuple[int, ...]:
    days = section.get("reminder_days_before_due", [90, 30, 7, 0])
    if not isinstance(days, list) or not days or not all(isinstance(d, int) and d >= 0 for d in days):
        raise ConfigError(f"config.yml bot.reminder_days_before_due: expected a list of whole days, got {days!r}.")
    return tuple(sorted(set(days), reverse=True))


def load_settings(
    env: Mapping[str, str] | None = None, config_path: Path | None = None
) -> Settings:
    """Read and check every setting; raise ConfigError naming the first bad one."""
    env = os.environ if env is None else env
    section = _bot_section(config_path or ROOT / "config.yml")
    language = env.get("BOT_DEFAULT_LANGUAGE", "ru").strip().lower() or "ru"
    if language not in LANGUAGES:
        raise ConfigError(
            f"BOT_DEFAULT_LANGUAGE: {language!r} is not one of {', '.join(LANGUAGES)}."
        )
    timeout_raw = env.get("RASA_TIMEOUT", "2")
    try:
        timeout = float(timeout_raw)
    except ValueError:
        raise ConfigError(f"RASA_TIMEOUT: {timeout_raw!r} is not a number of seconds.") from None
    return Settings(
        token=env.get("TELEGRAM_BOT_TOKEN") or None,
        api_base_url=env.get("TELEGRAM_API_BASE_URL") or DEFAULT_API_BASE_URL,
        db_path=Path(env.get("BOT_DB_PATH") or ROOT / "data" / "ethics.db"),
        coordinator_ids=_coordinator_ids(env.get("BOT_COORDINATOR_IDS", "")),
        default_language=language,
        quizzes_dir=Path(env.get("BOT_QUIZZES_DIR") or ROOT / "quizzes"),
        rasa_url=(env.get("RASA_URL") or "http://127.0.0.1:5005").rstrip("/"),
        rasa_token=env.get("RASA_AUTH_TOKEN") or None,
        rasa_timeout=timeout,
        cycle_years=_positive_int(section, "cycle_years", 3),
        onboarding_due_days=_positive_int(section, "onboarding_due_days", 30),
        reminder_days=_reminder_days(section),
    )
