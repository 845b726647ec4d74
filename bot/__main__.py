"""Command line: `python -m bot run | chat | validate`. Each command parses options and calls one function."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Sequence
from datetime import datetime, timezone

from bot.config import ConfigError, Settings, load_settings
from bot.content import Bank, BankError, load_bank
from bot.conversation import Conversation, User
from bot.cycle import CyclePolicy
from bot.store import Store


class UsageError(Exception):
    """Something the person running the command can fix; printed as one line, exit status 2."""


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


def _bank(settings: Settings) -> Bank:
    try:
        return load_bank(settings.quizzes_dir)
    except BankError as error:
        raise UsageError(f"the quiz banks in {settings.quizzes_dir} have problems:\n{error}") from None


def _conversation(settings: Settings, with_dialogue: bool) -> Conversation:
    dialogue = None
    if with_dialogue:
        from bot.nlu import RasaDialogue
        dialogue = RasaDialogue(settings.rasa_url, settings.rasa_token, settings.rasa_timeout)
    policy = CyclePolicy(settings.cycle_years, max(settings.reminder_days))
    return Conversation(_bank(settings), Store(settings.db_path), settings.default_language,
                        _utcnow, dialogue, policy)


def cmd_run(settings: Settings, args: argparse.Namespace) -> int:
    """Run the Telegram bot (long polling) until interrupted."""
    from bot.telegram_app import build_application
    token = settings.require_token()
    conversation = _conversation(settings, with_dialogue=not args.no_rasa)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # its request lines would show the token
    build_application(conversation, token, settings.api_base_url).run_polling()
    return 0


def cmd_chat(settings: Settings, args: argparse.Namespace) -> int:
    """Talk to the bot in this terminal, no Telegram token needed."""
    from bot.terminal import chat
    conversation = _conversation(settings, with_dialogue=not args.no_rasa)
    asyncio.run(chat(conversation, User(args.user_id, "Terminal", args.language)))
    return 0


def cmd_check(settings: Settings, args: argparse.Namespace) -> int:
    """Fail fast before a start: the token is set and the quiz banks are valid."""
    settings.require_token()
    _bank(settings)
    return 0


def cmd_validate(settings: Settings, args: argparse.Namespace) -> int:
    """Check every quiz bank; print every problem, or a summary (and coverage) when all is well."""
    bank = _bank(settings)
    questions = sum(len(m.questions) for m in bank.modules.values())
    print(f"ok: {len(bank.modules)} modules, {questions} questions, {len(bank.points)} citable points, "
          f"{len(bank.topics)} topics")
    if args.coverage:
        from bot.coverage import coverage_report
        print(coverage_report(bank))
    return 0


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(prog="python -m bot", description="Ethics-training assistant for civil servants.")
    commands = main.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="run the Telegram bot")
    run.add_argument("--no-rasa", action="store_true", help="buttons and commands only, no free-text understanding")
    run.set_defaults(func=cmd_run)
    chat = commands.add_parser("chat", help="chat with the bot in the terminal")
    chat.add_argument("--no-rasa", action="store_true", help="buttons and commands only")
    chat.add_argument("--user-id", type=int, default=1, help="the user id to chat as (default 1)")
    chat.add_argument("--language", choices=["kk", "ru", "en"], help="the interface language")
    chat.set_defaults(func=cmd_chat)
    check = commands.add_parser("check", help="check the settings and quiz banks before a start")
    check.set_defaults(func=cmd_check)
    validate = commands.add_parser("validate", help="check the quiz banks")
    validate.add_argument("--coverage", action="store_true", help="print questions per chapter and module")
    validate.set_defaults(func=cmd_validate)
    return main


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.func(load_settings(), args)
    except (ConfigError, UsageError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
