"""python-telegram-bot wiring: handlers translate between Telegram and the conversation, nothing more."""

from __future__ import annotations

import logging

from datetime import datetime, time, timezone
from zoneinfo import ZoneInfo

from telegram import (Bot, BotCommand, BotCommandScopeChat, InlineKeyboardButton, InlineKeyboardMarkup,
                      InputFile, Update)
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter
from telegram.ext import (AIORateLimiter, Application, ApplicationBuilder, CallbackQueryHandler,
                          CommandHandler, ContextTypes, ExtBot, MessageHandler, filters)
from telegram.request import HTTPXRequest

from bot.commissioners import COMMISSIONER_COMMANDS
from bot.conversation import COMMANDS, Conversation, User
from bot.coordinators import COORDINATOR_COMMANDS
from bot.locales import LANGUAGES, t
from bot.reminders import RETRY, Reminders
from bot.replies import Edit, Keyboard, Outcome, Reply
from bot.store import BLOCKED, SENT

log = logging.getLogger(__name__)
CONVERSATION, REMINDERS, MENUS = "conversation", "reminders", "coordinator_menus"
MENU_SYNC_SECONDS = 60  # how soon a coordinator added or removed on the command line sees the change
QUESTION = "question_message_id"  # chat_data: the last question sent, for a typed answer to update
# At DEBUG, python-telegram-bot logs every update and every call with its chat and text, which would
# tie an anonymous question to its sender; the bot keeps that library at INFO whatever the root level.
logging.getLogger("telegram").setLevel(logging.INFO)


def _markup(buttons: Keyboard) -> InlineKeyboardMarkup | None:
    if not buttons:
        return None
    return InlineKeyboardMarkup([[InlineKeyboardButton(b.label, callback_data=b.data) for b in row]
                                 for row in buttons])


def _user(update: Update) -> User:
    user = update.effective_user
    return User(user.id, user.first_name, user.language_code)


def _conversation(context: ContextTypes.DEFAULT_TYPE) -> Conversation:
    return context.application.bot_data[CONVERSATION]


async def _apply_edit(bot: Bot, chat_id: int, message_id: int, edit: Edit) -> None:
    try:
        if edit.text is None:
            await bot.edit_message_reply_markup(chat_id, message_id, reply_markup=_markup(edit.buttons))
        else:
            await bot.edit_message_text(edit.text, chat_id, message_id, reply_markup=_markup(edit.buttons))
    except BadRequest as error:  # the message is too old to edit, or already looks like this
        log.info("edit skipped: %s", error)


async def _deliver(update: Update, context: ContextTypes.DEFAULT_TYPE, outcome: Outcome) -> None:
    chat_id = update.effective_chat.id
    for reply in outcome.replies:
        message = await context.bot.send_message(chat_id, reply.text, reply_markup=_markup(reply.buttons))
        if reply.is_question:
            context.chat_data[QUESTION] = message.message_id
    for file in outcome.files:
        send = context.bot.send_photo if file.is_photo else context.bot.send_document
        await send(chat_id, InputFile(file.data, filename=file.name), caption=file.caption or None)
    await _send_elsewhere(context.bot, outcome.elsewhere)


async def _send_elsewhere(bot: Bot, messages: list[tuple[int, Reply]]) -> None:
    """Messages to other chats (commissioners, a servant's answer); the log names no chat, since one
    may be an anonymous sender's."""
    for chat_id, reply in messages:
        try:
            await bot.send_message(chat_id, reply.text, reply_markup=_markup(reply.buttons))
        except (Forbidden, BadRequest) as error:
            log.warning("a message to another chat was undeliverable: %s", type(error).__name__)


async def on_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Any of our slash commands, with its argument (the deep-link payload for /start)."""
    name = update.effective_message.text.split()[0][1:].split("@")[0].lower()
    args = " ".join(context.args or [])
    await _deliver(update, context, await _conversation(context).command(_user(update), name, args))


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """An inline button: always answered, so the client stops its spinner."""
    query = update.callback_query
    outcome = await _conversation(context).button(_user(update), query.data or "")
    await query.answer(outcome.notice)
    if outcome.edit is not None and query.message is not None:
        await _apply_edit(context.bot, query.message.chat.id, query.message.message_id, outcome.edit)
    await _deliver(update, context, outcome)


async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Typed text: quiz answers, which update the question as a pressed button would, or free
    text for the dialogue model."""
    outcome = await _conversation(context).text(_user(update), update.effective_message.text)
    question = context.chat_data.pop(QUESTION, None) if outcome.edit is not None else None
    if question is not None:
        await _apply_edit(context.bot, update.effective_chat.id, question, outcome.edit)
    await _deliver(update, context, outcome)


async def on_other(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stickers, photos, voice, documents, edited messages."""
    if update.effective_user is None or update.effective_chat is None:
        return
    outcome = await _conversation(context).unsupported(_user(update), edited=update.edited_message is not None)
    await _deliver(update, context, outcome)


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log what we got wrong; the user's next input is handled as usual."""
    log.error("error while handling an update", exc_info=context.error)


class TelegramSender:
    """Delivers reminders through the Bot API and says how it went."""

    def __init__(self, bot: Bot):
        self.bot = bot

    async def send(self, telegram_id: int, reply: Reply) -> str:
        try:
            await self.bot.send_message(telegram_id, reply.text, reply_markup=_markup(reply.buttons))
        except Forbidden:  # blocked the bot or deactivated: never retry
            return BLOCKED
        except BadRequest as error:  # e.g. "chat not found": the servant never started the bot
            log.info("reminder to %s undeliverable: %s", telegram_id, error)
            return BLOCKED
        except (RetryAfter, NetworkError) as error:  # RetryAfter still after the limiter's retries
            log.warning("reminder to %s postponed: %s", telegram_id, error)
            return RETRY
        return SENT


def sending_bot(token: str, base_url: str, concurrency: int) -> ExtBot:
    """A Bot for sweeps outside the Application: rate-limited, one connection per concurrent send."""
    return ExtBot(token, base_url=base_url, rate_limiter=AIORateLimiter(max_retries=3),
                  request=HTTPXRequest(connection_pool_size=concurrency))


async def sweep_reminders(context: ContextTypes.DEFAULT_TYPE) -> None:
    """The daily job: send the reminders due now."""
    reminders: Reminders = context.application.bot_data[REMINDERS]
    report = await reminders.sweep(TelegramSender(context.bot), datetime.now(timezone.utc))
    log.info("reminder sweep: %s", report.summary())


async def raise_questions(context: ContextTypes.DEFAULT_TYPE) -> None:
    """The daily job: questions to the Commissioner unanswered for three working days, raised again."""
    conversation: Conversation = context.application.bot_data[CONVERSATION]
    await _send_elsewhere(context.bot, conversation.commissioners.raise_overdue(conversation.clock()))


def _commands(lang: str, names: tuple[str, ...]) -> list[BotCommand]:
    return [BotCommand(name, t(lang, f"cmd_{name}")[:256]) for name in names]


async def _set_menu(bot: Bot, names: tuple[str, ...], scope: BotCommandScopeChat | None = None) -> None:
    """A command menu in each language, and the Russian one for clients in any other language."""
    for lang in LANGUAGES:
        await bot.set_my_commands(_commands(lang, names), scope=scope, language_code=lang)
    await bot.set_my_commands(_commands("ru", names), scope=scope)


async def register_commands(application: Application) -> None:
    """The command menu once per language (Telegram shows the client's), and coordinators' and
    commissioners' commands in their own chats only."""
    await _set_menu(application.bot, COMMANDS)
    application.bot_data[MENUS] = {}
    await _sync_coordinator_menus(application)


async def _sync_coordinator_menus(application: Application) -> None:
    """Give each coordinator's and commissioner's chat their commands, and take them from former ones."""
    bot, menus = application.bot, application.bot_data[MENUS]
    conversation: Conversation = application.bot_data[CONVERSATION]
    special = conversation.coordination.ids() | set(conversation.commissioners.all())
    for telegram_id in sorted(special):
        names = conversation.commands(telegram_id)
        if menus.get(telegram_id) != names:
            await _set_menu(bot, names, BotCommandScopeChat(telegram_id))
            menus[telegram_id] = names
    for telegram_id in sorted(set(menus) - special):
        scope = BotCommandScopeChat(telegram_id)
        for lang in LANGUAGES:
            await bot.delete_my_commands(scope=scope, language_code=lang)
        await bot.delete_my_commands(scope=scope)
        del menus[telegram_id]


async def sync_coordinator_menus(context: ContextTypes.DEFAULT_TYPE) -> None:
    """The repeating job: coordinators added or removed on the command line while the bot runs."""
    await _sync_coordinator_menus(context.application)


def build_application(conversation: Conversation, token: str, base_url: str,
                      reminders: Reminders | None = None) -> Application:
    """The Application with every handler, in the order updates are matched, and the daily sweep."""
    application = (
        ApplicationBuilder()
        .token(token)
        .base_url(base_url)
        .base_file_url(base_url.replace("/bot", "/file/bot"))
        .rate_limiter(AIORateLimiter(max_retries=3))
        .post_init(register_commands)
        .build()
    )
    application.bot_data[CONVERSATION] = conversation
    application.add_handler(CommandHandler(list(COMMANDS + COORDINATOR_COMMANDS + COMMISSIONER_COMMANDS), on_command,
                                           filters=filters.UpdateType.MESSAGE))
    application.add_handler(CallbackQueryHandler(on_button))
    application.add_handler(MessageHandler(filters.UpdateType.MESSAGE & filters.TEXT & ~filters.COMMAND, on_text))
    application.add_handler(MessageHandler(filters.UpdateType.MESSAGE & filters.COMMAND, on_command))
    application.add_handler(MessageHandler(filters.UpdateType.EDITED_MESSAGE | ~filters.TEXT, on_other))
    application.add_error_handler(on_error)
    application.job_queue.run_repeating(sync_coordinator_menus, MENU_SYNC_SECONDS, first=MENU_SYNC_SECONDS,
                                        name="coordinator menus")
    if reminders is not None:
        application.bot_data[REMINDERS] = reminders
        policy = reminders.policy
        at = time(policy.working_hours[0], 30, tzinfo=ZoneInfo(policy.time_zone))
        application.job_queue.run_daily(sweep_reminders, at, name="reminders")
        application.job_queue.run_daily(raise_questions, at, days=(1, 2, 3, 4, 5), name="unanswered questions")
    return application
