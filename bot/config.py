"""Settings from the environment and the `bot:` section of config.yml, validated once at start.

The environment variable names are a contract with deployments; the README documents each.
"""

from __future__ import annotations

import ipaddress
import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from bot.ask import AskPolicy
from bot.cycle import DEFAULT_TIME_ZONE, CyclePolicy, ReminderPolicy
from bot.items import DEFAULT_MIN_ATTEMPTS
from bot.locales import LANGUAGES

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_API_BASE_URL = "https://api.telegram.org/bot"
DEFAULT_WEBHOOK_LISTEN = "127.0.0.1:8080"  # loopback: a reverse proxy in front terminates TLS
WEBHOOK_PORTS = (443, 80, 88, 8443)  # the only ports Telegram delivers webhooks to
WEBHOOK_SECRET = re.compile(r"[A-Za-z0-9_-]{16,256}")  # Telegram's charset; 16+ so it cannot be guessed
WEBHOOK_PATH = re.compile(r"[A-Za-z0-9._~/-]*")  # python-telegram-bot matches the path as a regular expression


class ConfigError(Exception):
    """A setting a person can fix: the message says which and how."""


@dataclass(frozen=True)
class Webhook:
    """Webhook mode: Telegram posts each update to `url`, which a reverse proxy forwards to the bot's
    own server on `host:port`; a request without `secret` in its header is refused."""

    url: str
    host: str
    port: int
    secret: str = field(repr=False)  # from BOT_WEBHOOK_SECRET, or random for each run

    @property
    def path(self) -> str:
        """Where the bot's server takes the updates: the URL's path, forwarded unchanged by the proxy."""
        return urlsplit(self.url).path.rstrip("/")


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
    webhook: Webhook | None = None  # None: long polling

    def secrets(self) -> list[str | None]:
        """What must never reach a log line: the bot token, Rasa's token, the webhook secret."""
        return [self.token, self.rasa_token, self.webhook.secret if self.webhook else None]

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


def _is_loopback(host: str) -> bool:
    try:
        return host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _webhook_url(url: str, token: str | None) -> str:
    """An address Telegram can deliver to: https on one of its ports (plain http or any port only
    on this machine, for a local Bot API server or a test), without the bot token in it."""
    try:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:  # a port that is not a number
        raise ConfigError(f"BOT_WEBHOOK_URL: {url!r} is not a URL.") from None
    local, token_secret = _is_loopback(parts.hostname or ""), (token or "").partition(":")[2]
    if parts.scheme not in ("https", "http") or not parts.hostname:
        problem = "is not an https:// URL"
    elif parts.scheme != "https" and not local:
        problem = "must start with https:// (Telegram delivers only over TLS)"
    elif port not in WEBHOOK_PORTS and not local:
        problem = f"uses port {port}; Telegram delivers only to ports {', '.join(map(str, WEBHOOK_PORTS))}"
    elif not WEBHOOK_PATH.fullmatch(parts.path) or parts.query or parts.fragment:
        problem = "may have a path of letters, digits and - _ . ~ / only, no query or fragment"
    elif token_secret and token_secret in url:
        problem = "contains the bot token; the webhook secret protects the URL, choose another path"
    else:
        return url
    shown = url.replace(token_secret, "***") if token_secret else url
    raise ConfigError(f"BOT_WEBHOOK_URL: {shown!r} {problem}.")


def _listen(raw: str) -> tuple[str, int]:
    host, _, port = raw.rpartition(":")
    host = host.strip("[]")  # [::1]:8080
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ConfigError(f"BOT_WEBHOOK_LISTEN: {raw!r} is not host:port (e.g. {DEFAULT_WEBHOOK_LISTEN}).")
    return host, int(port)


def _webhook(env: Mapping[str, str], token: str | None) -> Webhook | None:
    """Webhook mode when BOT_WEBHOOK_URL is set; the secret and listen address are checked even
    without it, so a typo is found before the switch."""
    secret = env.get("BOT_WEBHOOK_SECRET") or None
    if secret is not None and not WEBHOOK_SECRET.fullmatch(secret):
        raise ConfigError(
            "BOT_WEBHOOK_SECRET: expected 16 to 256 characters of A-Z, a-z, 0-9, _ and -"
            f" ({len(secret)} characters given, value not shown); leave it unset for a random one per run."
        )
    host, port = _listen(env.get("BOT_WEBHOOK_LISTEN") or DEFAULT_WEBHOOK_LISTEN)
    url = env.get("BOT_WEBHOOK_URL") or None
    if url is None:
        return None
    return Webhook(_webhook_url(url, token), host, port, secret or secrets.token_urlsafe(32))


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
    token = env.get("TELEGRAM_BOT_TOKEN") or None
    return Settings(
        token=token,
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
        webhook=_webhook(env, token),
    )
