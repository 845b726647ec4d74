"""python-telegram-bot wiring: handlers translate between Telegram and the conversation, nothing more.

Only private chats are served (a command in a group gets one line pointing to the private chat);
every text leaves through `send_reply`, which keeps messages within the Bot API's limits."""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager, nullcontext
from datetime import datetime, time, timezone
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    Message,
    Update,
)
from telegram.constants import ChatType, FileSizeLimit, MessageLimit
from telegram.error import BadRequest, Forbidden, InvalidToken, NetworkError, RetryAfter, TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    BaseUpdateProcessor,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    ExtBot,
    MessageHandler,
    filters,
)
from telegram.request import HTTPXRequest

from bot.cli import CommandError
from bot.config import Webhook
from bot.commissioners import COMMISSIONER_COMMANDS
from bot.conversation import COMMANDS, Conversation, User
from bot.coordinators import COORDINATOR_COMMANDS
from bot.locales import LANGUAGES, t
from bot.reminders import RETRY, Reminders
from bot.replies import Edit, File, Keyboard, Outcome, Reply, split_text, utf16_length
from bot.store import BLOCKED, SENT, UNKNOWN, Unavailable

log = logging.getLogger(__name__)
CONVERSATION, REMINDERS, MENUS, DEAF = "conversation", "reminders", "coordinator_menus", "deaf"
MENU_SYNC_SECONDS = 60  # how soon a coordinator added or removed on the command line sees the change
QUESTION = "question_message_id"  # chat_data: the last question sent, for a typed answer to update
MENU_WARNED = "menu_warned"  # bot_data: coordinator chats whose menu failed, warned about once
LIST_MESSAGES = 3  # a list that would take more messages than this goes as its CSV document
# At DEBUG, python-telegram-bot logs every update and every call with its chat and text, which would
# tie an anonymous question to its sender; the bot keeps that library at INFO whatever the root level.
logging.getLogger("telegram").setLevel(logging.INFO)
TYPING = "typing"  # bot_data: typed messages being answered (the dialogue model may take seconds)
CONCURRENT_UPDATES = 256  # updates of different chats handled at once
WEBHOOK = "webhook"  # bot_data: the Webhook settings in webhook mode
WEBHOOK_CHECK_SECONDS = 60  # how soon a webhook deleted or replaced elsewhere is registered again
WEBHOOK_ERROR = "webhook_error_date"  # bot_data: Telegram's last delivery error, logged once


class PerChatProcessor(BaseUpdateProcessor):
    """Updates of different chats run concurrently, each chat's in the order they arrived (per user
    for a button without a chat), so that one servant's slow reply never delays another's."""

    def __init__(self, max_concurrent_updates: int = CONCURRENT_UPDATES):
        super().__init__(max_concurrent_updates)
        self._locks: dict[int, asyncio.Lock] = {}
        self._queued: Counter[int] = Counter()

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = _chat_key(update)
        if key is None:
            await coroutine
            return
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._queued[key] += 1
        try:
            async with lock:
                await coroutine
        finally:
            self._queued[key] -= 1
            if not self._queued[key]:
                del self._queued[key], self._locks[key]

    async def initialize(self) -> None:
        """Nothing to set up: locks are made per chat as updates arrive."""

    async def shutdown(self) -> None:
        """Nothing to release."""


def _chat_key(update: object) -> int | None:
    if not isinstance(update, Update):
        return None
    who = update.effective_chat or update.effective_user
    return who.id if who is not None else None


def _markup(buttons: Keyboard) -> InlineKeyboardMarkup | None:
    if not buttons:
        return None
    return InlineKeyboardMarkup([[InlineKeyboardButton(b.label, callback_data=b.data) for b in row] for row in buttons])


def _user(update: Update) -> User:
    user = update.effective_user
    return User(user.id, user.first_name, user.language_code)


def _conversation(context: ContextTypes.DEFAULT_TYPE) -> Conversation:
    return context.application.bot_data[CONVERSATION]


async def _apply_edit(context: ContextTypes.DEFAULT_TYPE, chat_id: int, message_id: int | None, edit: Edit) -> None:
    """Change the message in place, one call; a text that cannot go there (no message known, too old
    to edit, too long for one message) is sent as a new message instead."""
    bot = context.bot
    fits = edit.text is None or utf16_length(edit.text) <= MessageLimit.MAX_TEXT_LENGTH
    if message_id is not None and fits:
        try:
            if edit.text is None:
                await bot.edit_message_reply_markup(chat_id, message_id, reply_markup=_markup(edit.buttons))
            else:
                await bot.edit_message_text(edit.text, chat_id, message_id, reply_markup=_markup(edit.buttons))
            if edit.is_question:
                context.chat_data[QUESTION] = message_id
            return
        except BadRequest as error:
            if "not modified" in str(error).lower():
                return
            log.info("edit not possible, sent as a new message: %s", error)
    if edit.text is not None:
        await _deliver_replies(context, chat_id, [Reply(edit.text, edit.buttons, edit.is_question)])


async def send_reply(bot: Bot, chat_id: int, reply: Reply) -> Message | None:
    """The one way out for a text: split at line breaks into messages Telegram accepts, the buttons
    on the last one; a list that would take more than LIST_MESSAGES goes as its CSV document."""
    parts = split_text(reply.text, MessageLimit.MAX_TEXT_LENGTH)
    if reply.overflow is not None and len(parts) > LIST_MESSAGES:
        return await _send_file(bot, chat_id, reply.overflow)
    message = None
    for number, part in enumerate(parts, 1):
        markup = _markup(reply.buttons) if number == len(parts) else None
        message = await bot.send_message(chat_id, part, reply_markup=markup)
    return message


async def _send_file(bot: Bot, chat_id: int, file: File) -> Message | None:
    """A photo or document within the Bot API's upload limits, else its note; a temporary file is
    removed whatever happens."""
    try:
        limit = FileSizeLimit.PHOTOSIZE_UPLOAD if file.is_photo else FileSizeLimit.FILESIZE_UPLOAD
        if file.size > limit:
            log.warning("%s not sent: %s bytes, over the %s-byte limit", file.name, file.size, limit)
            return await send_reply(bot, chat_id, Reply(file.oversize_note)) if file.oversize_note else None
        send = bot.send_photo if file.is_photo else bot.send_document
        with file.path.open("rb") if file.path else nullcontext(file.data) as data:
            return await send(
                chat_id,
                InputFile(data, filename=file.name),
                caption=file.caption[: MessageLimit.CAPTION_LENGTH] or None,
            )
    finally:
        if file.path:
            file.path.unlink(missing_ok=True)


async def _deliver_replies(context: ContextTypes.DEFAULT_TYPE, chat_id: int, replies: list[Reply]) -> None:
    for reply in replies:
        message = await send_reply(context.bot, chat_id, reply)
        if reply.is_question and message is not None:
            context.chat_data[QUESTION] = message.message_id


async def _deliver(update: Update, context: ContextTypes.DEFAULT_TYPE, outcome: Outcome) -> None:
    chat_id = update.effective_chat.id
    await _deliver_replies(context, chat_id, outcome.replies)
    for file in outcome.files:
        await _send_file(context.bot, chat_id, file)
    await _send_elsewhere(context.bot, outcome.elsewhere)


Handler = Callable[[Update, ContextTypes.DEFAULT_TYPE], Awaitable[None]]


def _when_available(handler: Handler) -> Handler:
    """The handler, or "temporarily unavailable, try again" when the database is locked by another
    process or full; nothing half-done is shown as done."""

    async def guarded(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        try:
            await handler(update, context)
        except Unavailable as error:
            log.warning("database unavailable: %s", error)
            outcome = _conversation(context).unavailable(_user(update))
            if update.callback_query is not None:
                await _answer_query(update, outcome.notice)
            if update.effective_chat is not None:
                await _deliver(update, context, outcome)

    guarded.__doc__ = handler.__doc__
    return guarded


async def _answer_query(update: Update, notice: str | None) -> None:
    """Stop the client's spinner; a query that expired meanwhile (after a backlog or a restart)
    must not stop the press from being shown."""
    try:
        await update.callback_query.answer(notice)
    except BadRequest as error:
        log.info("callback query not answered: %s", error)


def _command_name(update: Update, bot_username: str | None) -> str | None:
    """The command's name, or None for a command addressed to another bot (/cmd@other_bot)."""
    name, _, addressee = update.effective_message.text.split()[0][1:].partition("@")
    if addressee and addressee.lower() != (bot_username or "").lower():
        return None
    return name.lower()


async def _send_elsewhere(bot: Bot, messages: list[tuple[int, Reply]]) -> None:
    """Messages to other chats (commissioners, a servant's answer); the log names no chat, since one
    may be an anonymous sender's."""
    for chat_id, reply in messages:
        try:
            await send_reply(bot, chat_id, reply)
        except (Forbidden, BadRequest) as error:
            log.warning("a message to another chat was undeliverable: %s", type(error).__name__)


@_when_available
async def on_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Any of our slash commands, with its argument (the deep-link payload for /start)."""
    name = _command_name(update, context.bot.username)
    if name is None:
        return
    args = " ".join(context.args or [])
    await _deliver(update, context, await _conversation(context).command(_user(update), name, args))


async def on_group_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A command for us in a group: one line that sends the person to the private chat."""
    if update.effective_user is None or _command_name(update, context.bot.username) is None:
        return
    outcome = _conversation(context).private_only(_user(update))
    await send_reply(context.bot, update.effective_chat.id, outcome.replies[0])


@_when_available
async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """An inline button: always answered, so the client stops its spinner; the screen it leads to
    replaces the pressed message (one call), new messages only for what stays in the history."""
    query = update.callback_query
    if update.effective_chat is not None and update.effective_chat.type != ChatType.PRIVATE:
        await _answer_query(update, _conversation(context).private_only(_user(update)).notice)
        return
    outcome = await _conversation(context).button(_user(update), query.data or "")
    steps = [_answer_query(update, outcome.notice)]
    if outcome.edit is not None and update.effective_chat is not None:
        message_id = query.message.message_id if query.message is not None else None
        steps.append(_apply_edit(context, update.effective_chat.id, message_id, outcome.edit))
    await asyncio.gather(*steps)  # the spinner's answer and the edit travel together: one round trip, not two
    await _deliver(update, context, outcome)


async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Typed text. The dialogue model may take seconds, so the text is answered in its own task and
    the chat's next update (a button) need not wait; the task has done all its database work
    before this returns, so the chat's updates still take effect in order."""
    task = context.application.create_task(_answer_text(update, context), update=update)
    typing = context.application.bot_data.setdefault(TYPING, set())
    typing.add(task)
    task.add_done_callback(typing.discard)
    await asyncio.sleep(0)  # let the task run up to its first wait (the dialogue model, if any)


@_when_available
async def _answer_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Quiz answers, which turn the question into its feedback as a pressed button would, or free
    text for the dialogue model (a second one meanwhile gets "one moment")."""
    outcome = await _conversation(context).text(_user(update), update.effective_message.text)
    if outcome.edit is not None:
        await _apply_edit(context, update.effective_chat.id, context.chat_data.pop(QUESTION, None), outcome.edit)
    await _deliver(update, context, outcome)


@_when_available
async def on_other(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stickers, photos, voice, documents, edited messages."""
    if update.effective_user is None or update.effective_chat is None:
        return
    outcome = await _conversation(context).unsupported(_user(update), edited=update.edited_message is not None)
    await _deliver(update, context, outcome)


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log what we got wrong; the user's next input is handled as usual. A token the Bot API
    stopped accepting (seen by a handler or a job, as in webhook mode) stops the bot instead."""
    if isinstance(context.error, InvalidToken):
        _stop_deaf(context.application, "while serving")
        return
    log.error("error while handling an update", exc_info=context.error)


def _stop_deaf(application: Application, when: str) -> None:
    """Stop serving (once) because the Bot API refuses the token: `serve` then exits 1 for the
    supervisor to restart the bot, where python-telegram-bot would stay up, deaf."""
    if not application.bot_data.get(DEAF):
        log.error("the Bot API stopped accepting the token %s; stopping", when)
        application.bot_data[DEAF] = True
        application.stop_running()


# transport errors raised before the request left: the message certainly did not reach Telegram
NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


class TelegramSender:
    """Delivers reminders through the Bot API and says how it went."""

    text_limit = MessageLimit.MAX_TEXT_LENGTH

    def __init__(self, bot: Bot):
        self.bot = bot

    async def send(self, telegram_id: int, reply: Reply) -> str:
        try:
            await send_reply(self.bot, telegram_id, reply)
        except Forbidden:  # blocked the bot or deactivated: unreachable until they write again
            return BLOCKED
        except BadRequest as error:  # e.g. "chat not found": never started the bot; not a refusal
            log.warning("reminder to %s undeliverable, released: %s", telegram_id, error)
            return RETRY
        except (RetryAfter, InvalidToken) as error:  # RetryAfter still after the limiter's retries
            log.warning("reminder to %s postponed: %s", telegram_id, error)
            return RETRY
        except NetworkError as error:  # a timeout, a lost connection, a 502: it may have been delivered
            if isinstance(error.__cause__, NOT_SENT):
                log.warning("reminder to %s postponed, the Bot API was not reached: %s", telegram_id, error)
                return RETRY
            log.warning("reminder to %s perhaps delivered, not resent: %s", telegram_id, error)
            return UNKNOWN
        return SENT


def _rejected(base_url: str, error: InvalidToken) -> CommandError:
    """One line for a token the Bot API refuses (401: revoked or mistyped; 404: wrong base URL),
    instead of python-telegram-bot's message, which quotes the token."""
    reason = error.__cause__ or error
    return CommandError(
        f"the Bot API at {base_url} rejected the token ({reason}): check TELEGRAM_BOT_TOKEN and TELEGRAM_API_BASE_URL"
    )


@asynccontextmanager
async def _accepted_bot(token: str, base_url: str) -> AsyncIterator[Bot]:
    """A Bot whose token the Bot API accepted (getMe); CommandError if it refuses it."""
    try:
        async with Bot(token, base_url=base_url) as bot:
            yield bot
    except InvalidToken as error:
        raise _rejected(base_url, error) from None


async def bot_username(token: str, base_url: str) -> str:
    """The bot's username, from getMe with this token; CommandError if the token is refused."""
    async with _accepted_bot(token, base_url) as bot:
        return bot.username


async def bot_api_status(token: str, base_url: str) -> tuple[bool, str]:
    """Whether the Bot API answers getMe with this token, in words for `doctor` (never the token)."""
    try:
        return True, f"the Bot API at {base_url} answers getMe: @{await bot_username(token, base_url)}"
    except CommandError as error:
        return False, str(error)
    except TelegramError as error:
        return False, f"the Bot API at {base_url} does not answer ({type(error).__name__}: {error})"


async def webhook_status(token: str, base_url: str, url: str) -> tuple[bool, str]:
    """Whether Telegram delivers to `url` (getWebhookInfo), with its last delivery error while
    updates wait, in words for `doctor`."""
    try:
        async with _accepted_bot(token, base_url) as bot:
            info = await bot.get_webhook_info()
    except CommandError as error:
        return False, str(error)
    except TelegramError as error:
        return False, f"the Bot API at {base_url} does not answer ({type(error).__name__}: {error})"
    if info.url != url:
        where = f"delivers to {info.url!r}" if info.url else "has no webhook registered"
        return False, f"Telegram {where}, not to BOT_WEBHOOK_URL {url} (`run` registers it at start)"
    pending = f"{info.pending_update_count} update(s) waiting"
    if info.last_error_message and info.pending_update_count:
        when = info.last_error_date.strftime("%Y-%m-%d %H:%M UTC")
        return False, f"Telegram cannot deliver to {url}: {info.last_error_message} (at {when}); {pending}"
    return True, f"Telegram delivers to {url}; {pending}"


@asynccontextmanager
async def sending_bot(token: str, base_url: str, concurrency: int) -> AsyncIterator[ExtBot]:
    """A Bot for sweeps outside the Application: rate-limited, one connection per concurrent send."""
    bot = ExtBot(
        token,
        base_url=base_url,
        rate_limiter=AIORateLimiter(max_retries=3),
        request=HTTPXRequest(connection_pool_size=concurrency),
    )
    try:
        await bot.initialize()
    except InvalidToken as error:
        raise _rejected(base_url, error) from None
    async with bot:
        yield bot


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


async def _per_chat(application: Application, telegram_id: int, change: Awaitable[None]) -> bool:
    """Run one chat's menu change; a refusal (unknown chat, network) is logged and retried by the
    next sync, and never stops the others or the start."""
    try:
        await change
    except TelegramError as error:
        warned = application.bot_data.setdefault(MENU_WARNED, set())
        level = logging.INFO if telegram_id in warned else logging.WARNING
        log.log(level, "coordinator menu for %s not changed, retried in %ss: %s", telegram_id, MENU_SYNC_SECONDS, error)
        warned.add(telegram_id)
        return False
    return True


async def _delete_menu(bot: Bot, scope: BotCommandScopeChat) -> None:
    for lang in LANGUAGES:
        await bot.delete_my_commands(scope=scope, language_code=lang)
    await bot.delete_my_commands(scope=scope)


async def _sync_coordinator_menus(application: Application) -> None:
    """Give each coordinator's and commissioner's chat their commands, and take them from former ones."""
    bot, menus = application.bot, application.bot_data[MENUS]
    conversation: Conversation = application.bot_data[CONVERSATION]
    special = conversation.coordination.ids() | set(conversation.commissioners.all())
    for telegram_id in sorted(special):
        names = conversation.commands(telegram_id)
        if menus.get(telegram_id) != names and await _per_chat(
            application, telegram_id, _set_menu(bot, names, BotCommandScopeChat(telegram_id))
        ):
            menus[telegram_id] = names
    for telegram_id in sorted(set(menus) - special):
        if await _per_chat(application, telegram_id, _delete_menu(bot, BotCommandScopeChat(telegram_id))):
            del menus[telegram_id]


async def sync_coordinator_menus(context: ContextTypes.DEFAULT_TYPE) -> None:
    """The repeating job: coordinators added or removed on the command line while the bot runs."""
    await _sync_coordinator_menus(context.application)


class _PollingRequest(HTTPXRequest):
    """getUpdates' connection. On a 401/404 python-telegram-bot would end polling for good and keep
    the process up, deaf; this stops the application instead (cleanly: polling sees no updates),
    so that `serve` exits non-zero and a supervisor restarts the bot."""

    def __init__(self) -> None:
        super().__init__(connection_pool_size=1)
        self.application: Application | None = None

    async def post(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return await super().post(*args, **kwargs)
        except InvalidToken:
            if self.application is None:
                raise
            _stop_deaf(self.application, "while polling")
            return []


async def _check_start(token: str, base_url: str, webhook: Webhook | None) -> None:
    """Refusals a person must fix are one line (CommandError) before serving starts: the token, and
    in webhook mode the URL (setWebhook; python-telegram-bot would retry a refused one for ever)."""
    async with _accepted_bot(token, base_url) as bot:
        if webhook is None:
            return
        try:
            await bot.set_webhook(webhook.url, secret_token=webhook.secret)
        except BadRequest as error:
            raise CommandError(
                f"the Bot API refused the webhook {webhook.url} ({error.message}): check BOT_WEBHOOK_URL"
            ) from None


def webhook_options(webhook: Webhook) -> dict[str, Any]:
    """python-telegram-bot's webhook server on the listen address, registered with Telegram at the
    public URL and the secret every request must carry (a request without it gets 403)."""
    return {
        "listen": webhook.host,
        "port": webhook.port,
        "url_path": webhook.path,
        "webhook_url": webhook.url,
        "secret_token": webhook.secret,
    }


def serve(application: Application, token: str, base_url: str) -> int:
    """Long polling, or in webhook mode the webhook server, until stopped: 0 after a stop signal, 1
    when the Bot API refused the token while serving (for a supervisor to restart). A token or a
    webhook URL refused at start is a CommandError; network trouble at start is retried."""
    webhook: Webhook | None = application.bot_data.get(WEBHOOK)
    try:
        asyncio.run(_check_start(token, base_url, webhook))
    except NetworkError as error:
        log.warning("the Bot API is not reachable yet (%s); retrying", error)
    try:
        if webhook is None:
            application.run_polling(bootstrap_retries=-1)
        else:
            _run_webhook(application, webhook)
    except InvalidToken as error:
        raise _rejected(base_url, error) from None
    return 1 if application.bot_data.get(DEAF) else 0


def _run_webhook(application: Application, webhook: Webhook) -> None:
    log.info("serving updates through the webhook %s, listening on %s:%s", webhook.url, webhook.host, webhook.port)
    try:
        application.run_webhook(bootstrap_retries=-1, **webhook_options(webhook))
    except OSError as error:  # the listen address is taken or not this machine's
        raise CommandError(
            f"cannot listen on {webhook.host}:{webhook.port} ({error.strerror or error}): check BOT_WEBHOOK_LISTEN"
        ) from None


async def watch_webhook(context: ContextTypes.DEFAULT_TYPE) -> None:
    """The repeating job in webhook mode: a webhook deleted or replaced elsewhere (a polling start
    with the same token) would leave the bot deaf, so it is registered again; delivery errors that
    Telegram reports are logged once each."""
    webhook: Webhook = context.application.bot_data[WEBHOOK]
    info = await context.bot.get_webhook_info()
    if info.url != webhook.url:
        log.warning("Telegram's webhook was %r, not BOT_WEBHOOK_URL; registering it again", info.url)
        await context.bot.set_webhook(webhook.url, secret_token=webhook.secret)
    if info.last_error_date and info.last_error_date != context.application.bot_data.get(WEBHOOK_ERROR):
        context.application.bot_data[WEBHOOK_ERROR] = info.last_error_date
        log.warning(
            "Telegram could not deliver to the webhook: %s; %s update(s) waiting",
            info.last_error_message,
            info.pending_update_count,
        )


def build_application(
    conversation: Conversation,
    token: str,
    base_url: str,
    reminders: Reminders | None = None,
    webhook: Webhook | None = None,
) -> Application:
    """The Application with every handler, in the order updates are matched, and the daily sweep;
    `serve` takes updates through the webhook when one is given, else by long polling."""
    polling = _PollingRequest()
    application = (
        ApplicationBuilder()
        .token(token)
        .base_url(base_url)
        .base_file_url(base_url.replace("/bot", "/file/bot"))
        .get_updates_request(polling)
        .rate_limiter(AIORateLimiter(max_retries=3))
        .concurrent_updates(PerChatProcessor())
        .post_init(register_commands)
        .build()
    )
    polling.application = application
    application.bot_data[CONVERSATION] = conversation
    private, message = filters.ChatType.PRIVATE, filters.UpdateType.MESSAGE
    application.add_handler(MessageHandler(message & filters.COMMAND & ~private, on_group_command))
    application.add_handler(
        CommandHandler(
            list(COMMANDS + COORDINATOR_COMMANDS + COMMISSIONER_COMMANDS), on_command, filters=message & private
        )
    )
    application.add_handler(CallbackQueryHandler(on_button))
    application.add_handler(MessageHandler(message & private & filters.TEXT & ~filters.COMMAND, on_text))
    application.add_handler(MessageHandler(message & private & filters.COMMAND, on_command))
    application.add_handler(MessageHandler(private & (filters.UpdateType.EDITED_MESSAGE | ~filters.TEXT), on_other))
    application.add_error_handler(on_error)
    application.job_queue.run_repeating(
        sync_coordinator_menus, MENU_SYNC_SECONDS, first=MENU_SYNC_SECONDS, name="coordinator menus"
    )
    if webhook is not None:
        application.bot_data[WEBHOOK] = webhook
        application.job_queue.run_repeating(watch_webhook, WEBHOOK_CHECK_SECONDS, name=WEBHOOK)
    if reminders is not None:
        application.bot_data[REMINDERS] = reminders
        policy = reminders.policy
        at = time(policy.working_hours[0], 30, tzinfo=ZoneInfo(reminders.cycle_policy.time_zone))
        application.job_queue.run_daily(sweep_reminders, at, name="reminders")
        application.job_queue.run_daily(raise_questions, at, days=(1, 2, 3, 4, 5), name="unanswered questions")
    return application
