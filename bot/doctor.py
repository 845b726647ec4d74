"""`python -m bot doctor`: every check an operator would otherwise do by hand, one line each.

Each check says what it found in words a person can act on; secrets never appear (the lines go
through the same mask as the logs).
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from bot import redact
from bot.config import ConfigError, Settings, load_settings
from bot.content import BankError, load_bank
from bot.model_fingerprint import FINGERPRINT_FILE, training_fingerprint
from bot.store import SCHEMA_VERSION
from bot.store.backup import BadBackup, check_file


@dataclass(frozen=True)
class Check:
    ok: bool
    name: str
    detail: str

    def line(self) -> str:
        return redact.mask(f"{'ok' if self.ok else 'FAIL':4}  {self.name}: {self.detail}")


def _database(path: Path) -> Check:
    if not path.exists():
        return Check(False, "database", f"no database at {path} (the bot creates it when it first starts)")
    try:
        version = check_file(path)
    except BadBackup as error:
        return Check(False, "database", str(error))
    if version != SCHEMA_VERSION:
        hint = "any command upgrades it, after a backup copy" if version < SCHEMA_VERSION else "made by a newer release"
        return Check(
            False, "database", f"{path}: schema version {version}, this release uses {SCHEMA_VERSION} ({hint})"
        )
    return Check(True, "database", f"{path}: integrity check ok, schema version {version}")


def _disk(path: Path, min_free_mb: int) -> Check:
    existing = next(p for p in (path, *path.parents) if p.exists())
    free_mb = shutil.disk_usage(existing).free // 2**20
    return Check(
        free_mb >= min_free_mb,
        "disk",
        f"{free_mb:,} MB free where the database is (at least {min_free_mb:,} MB wanted)",
    )


def _banks(settings: Settings) -> Check:
    try:
        bank = load_bank(settings.quizzes_dir)
    except BankError as error:
        problems = str(error).splitlines()
        return Check(
            False, "quiz banks", f"{len(problems)} problem(s), the first: {problems[0]} (`validate` lists all)"
        )
    questions = sum(len(m.questions) for m in bank.modules.values())
    return Check(True, "quiz banks", f"{len(bank.modules)} modules, {questions} questions valid")


def _bot_api(settings: Settings) -> Check:
    if not settings.token:
        return Check(False, "Bot API", "TELEGRAM_BOT_TOKEN is not set")
    from bot.telegram_app import bot_api_status

    ok, detail = asyncio.run(bot_api_status(settings.token, settings.api_base_url))
    return Check(ok, "Bot API", detail)


def _webhook(settings: Settings, token: str, url: str) -> Check:
    from bot.telegram_app import webhook_status

    ok, detail = asyncio.run(webhook_status(token, settings.api_base_url, url))
    return Check(ok, "webhook", detail)


def _rasa(settings: Settings) -> Check:
    from bot.nlu import RasaDialogue

    async def status() -> tuple[bool, str]:
        dialogue = RasaDialogue(settings.rasa_url, settings.rasa_token, timeout=5)
        try:
            return await dialogue.status()
        finally:
            await dialogue.close()

    ok, detail = asyncio.run(status())
    return Check(ok, "Rasa server", detail)


def _model(models: Path) -> Check:
    recorded = models / FINGERPRINT_FILE
    if not (models / "ethics.tar.gz").exists():
        return Check(False, "dialogue model", f"no model in {models}: run `make train`")
    if not recorded.exists():
        return Check(False, "dialogue model", f"no {recorded} (written by scripts/rasa.sh train): run `make train`")
    if recorded.read_text().strip() != training_fingerprint():
        return Check(
            False, "dialogue model", "dialogues/ or config.yml changed since the model was trained: run `make train`"
        )
    return Check(True, "dialogue model", "trained from the current dialogues/ and config.yml")


def checks(min_free_mb: int, models: Path) -> Iterator[Check]:
    """The checks in order; nothing after the settings when they do not parse."""
    try:
        settings = load_settings()
    except ConfigError as error:
        yield Check(False, "settings", str(error))
        return
    redact.install(settings.secrets())
    yield Check(True, "settings", "the environment and config.yml's bot: section parse")
    yield _database(settings.db_path)
    yield _disk(settings.db_path, min_free_mb)
    yield _banks(settings)
    yield _bot_api(settings)
    if settings.webhook is not None and settings.token:  # without a token the Bot API check says so
        yield _webhook(settings, settings.token, settings.webhook.url)
    yield _rasa(settings)
    yield _model(models)
