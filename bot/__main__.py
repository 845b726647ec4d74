"""Command line: run, chat, remind, training, servant, roster, coordinator, commissioner, export, report,
verify, certificate, backup, restore, doctor, check, validate.

Each command parses its options and calls into the library; errors a person can fix are one line."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from bot import redact
from bot.certificate_cli import add_commands as add_certificate_commands
from bot.cli import CommandError, parse_day, utcnow
from bot.config import ConfigError, Settings, load_settings
from bot.content import Bank, BankError, load_bank
from bot.conversation import Conversation, User
from bot.commissioner_cli import add_commands as add_commissioner_commands
from bot.coordinator_cli import add_commands as add_coordinator_commands
from bot.maintenance_cli import add_commands as add_maintenance_commands
from bot.reminders import Reminders, SweepReport
from bot.store import INTERACTIVE_BUSY_SECONDS, SchemaError, Store
from bot.testwise import audit, audit_report, near_duplicates


def _bank(settings: Settings) -> Bank:
    try:
        return load_bank(settings.quizzes_dir)
    except BankError as error:
        raise CommandError(f"the quiz banks in {settings.quizzes_dir} have problems:\n{error}") from None


def _conversation(settings: Settings, with_dialogue: bool) -> Conversation:
    dialogue = None
    if with_dialogue:
        from bot.nlu import RasaDialogue

        dialogue = RasaDialogue(settings.rasa_url, settings.rasa_token, settings.rasa_timeout)
    return Conversation(
        _bank(settings),
        Store(settings.db_path, settings.cycle.years, INTERACTIVE_BUSY_SECONDS),
        settings.default_language,
        utcnow,
        dialogue,
        settings.cycle,
        settings.coordinator_ids,
        item_min_attempts=settings.item_min_attempts,
        ask=settings.ask,
        bot_username=settings.bot_username,
    )


def cmd_run(settings: Settings, args: argparse.Namespace) -> int:
    """Run the Telegram bot (long polling, or its webhook server when BOT_WEBHOOK_URL is set) until interrupted."""
    from bot.telegram_app import build_application, serve

    token = settings.require_token()
    conversation = _conversation(settings, with_dialogue=not args.no_rasa)
    application = build_application(
        conversation, token, settings.api_base_url, _reminders(settings, conversation), settings.webhook
    )
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # its request lines would show the token
    return serve(application, token, settings.api_base_url)


def cmd_chat(settings: Settings, args: argparse.Namespace) -> int:
    """Talk to the bot in this terminal, no Telegram token needed."""
    from bot.terminal import chat

    conversation = _conversation(settings, with_dialogue=not args.no_rasa)
    asyncio.run(chat(conversation, User(args.user_id, "Terminal", args.language)))
    return 0


def _reminders(settings: Settings, conversation: Conversation) -> Reminders:
    return Reminders(
        conversation.bank,
        conversation.store,
        settings.reminders,
        settings.cycle,
        conversation.coordination,
        settings.default_language,
    )


def _moment(text: str, zone: str) -> datetime:
    """An ISO date-time from the command line; without an offset it is local time in `zone`."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--now: {text!r} is not an ISO date-time such as 2026-11-23T10:00") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo(zone))


def cmd_remind(settings: Settings, args: argparse.Namespace) -> int:
    """One reminder sweep now (for cron); --dry-run lists who would get what and sends nothing."""
    now = _moment(args.now, settings.cycle.time_zone) if args.now else utcnow()
    reminders = _reminders(settings, _conversation(settings, with_dialogue=False))
    if args.dry_run:
        report = asyncio.run(reminders.sweep(None, now, dry_run=True))
        for due in report.due:
            print(
                f"{due.telegram_id}\t{due.kind}\t{due.stage}\tdue {due.due_on}\t{due.language or settings.default_language}"
            )
        print(f"dry run: {len(report.due)} reminders would be sent; nothing was sent")
        return 0
    report = asyncio.run(_send_reminders(settings, reminders, now))
    print(report.summary())
    return 0


async def _send_reminders(settings: Settings, reminders: Reminders, now: datetime) -> SweepReport:
    from bot.telegram_app import TelegramSender, sending_bot

    async with sending_bot(settings.require_token(), settings.api_base_url, reminders.concurrency) as bot:
        return await reminders.sweep(TelegramSender(bot), now)


def cmd_training(settings: Settings, args: argparse.Namespace) -> int:
    """Record training a servant did elsewhere; their cycle restarts from that date."""
    conversation = _conversation(settings, with_dialogue=False)
    conversation.store.record_training(args.telegram_id, parse_day(args.date), args.note, utcnow())
    conversation.refresh_cycle(args.telegram_id)
    dates = conversation.store.cycle(args.telegram_id)
    print(f"{args.telegram_id}: last completion {dates.completed_on}, next due {dates.due_on}")
    return 0


def cmd_servant(settings: Settings, args: argparse.Namespace) -> int:
    """Set a servant's hire date (their cycle and onboarding deadline start there) or (de)activate them."""
    conversation = _conversation(settings, with_dialogue=False)
    store, now = conversation.store, utcnow()
    store.ensure_user(args.telegram_id, now)
    if args.hire_date:
        store.set_hire_date(args.telegram_id, parse_day(args.hire_date))
    if args.active is not None:
        store.set_active(args.telegram_id, args.active == "yes", now)
    conversation.refresh_cycle(args.telegram_id)
    dates = store.cycle(args.telegram_id)
    print(f"{args.telegram_id}: next due {dates.due_on}, onboarding due {dates.onboarding_due_on}")
    return 0


def cmd_check(settings: Settings, args: argparse.Namespace) -> int:
    """Fail fast before a start: the token is set and the quiz banks are valid."""
    settings.require_token()
    _bank(settings)
    return 0


def cmd_validate(settings: Settings, args: argparse.Namespace) -> int:
    """Check every quiz bank; print every problem, or a summary (and coverage) with the test-wise table;
    fail when guessing could pass a module or two modules tell the same story."""
    bank = _bank(settings)
    questions = sum(len(m.questions) for m in bank.modules.values())
    print(
        f"ok: {len(bank.modules)} modules, {questions} questions, {len(bank.points)} citable points, "
        f"{len(bank.topics)} topics"
    )
    if args.coverage:
        from bot.coverage import coverage_report

        print(coverage_report(bank))
    audits, duplicates = audit(bank), near_duplicates(bank)
    print()
    print(audit_report(audits, duplicates))
    problems = [f"{a.module.id} ({a.lang}): {failure}" for a in audits for failure in a.failures()]
    problems += [f"{a} and {b} tell the same story (similarity {score:.2f})" for a, b, score in duplicates]
    if problems:
        raise CommandError("a pass would not measure knowledge of the Code:\n" + "\n".join(problems))
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
    remind = commands.add_parser("remind", help="send the reminders due now (for cron)")
    remind.add_argument("--dry-run", action="store_true", help="list who would get which reminder; send nothing")
    remind.add_argument("--now", help="pretend it is this ISO date-time (local time unless an offset is given)")
    remind.set_defaults(func=cmd_remind)
    training = commands.add_parser("training", help="record training a servant did elsewhere")
    training.add_argument("--telegram-id", type=int, required=True)
    training.add_argument("--date", required=True, help="ISO date of the training")
    training.add_argument("--note", required=True, help="what and where, for the record")
    training.set_defaults(func=cmd_training)
    servant = commands.add_parser("servant", help="set a servant's hire date or deactivate them")
    servant.add_argument("--telegram-id", type=int, required=True)
    servant.add_argument("--hire-date", help="ISO date the servant entered the service")
    servant.add_argument("--active", choices=["yes", "no"], help="no: no more reminders (left the service)")
    servant.set_defaults(func=cmd_servant)
    add_coordinator_commands(commands)
    add_commissioner_commands(commands)
    add_maintenance_commands(commands)
    add_certificate_commands(commands)
    validate = commands.add_parser("validate", help="check the quiz banks")
    validate.add_argument("--coverage", action="store_true", help="print questions per chapter and module")
    validate.set_defaults(func=cmd_validate)
    return main


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if getattr(args, "own_settings", False):
        return args.func(None, args)
    try:
        settings = load_settings()
        redact.install(settings.secrets())
        return args.func(settings, args)
    except (ConfigError, CommandError, BankError, SchemaError) as error:
        print(f"error: {redact.mask(str(error))}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # the reader went away (`export | head`): stop quietly, as cat does
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141


if __name__ == "__main__":
    sys.exit(main())
