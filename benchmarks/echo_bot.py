"""The bare python-telegram-bot 22 bot the benchmark compares this bot with: /start sends a message
with one button; a press answers the callback query and edits the message (the least a press does).

Same settings as bot/telegram_app.py's Application: AIORateLimiter(max_retries=3), 256 updates at
once, long polling. Reads TELEGRAM_BOT_TOKEN and TELEGRAM_API_BASE_URL.
"""

from __future__ import annotations

import os

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import AIORateLimiter, ApplicationBuilder, CallbackQueryHandler, CommandHandler, ContextTypes

BUTTON = InlineKeyboardMarkup([[InlineKeyboardButton("Press", callback_data="press")]])


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.effective_message.reply_text("Press the button", reply_markup=BUTTON)


async def press(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    await query.answer()
    await query.edit_message_text(f"Pressed {query.id}", reply_markup=BUTTON)


def main() -> None:
    base_url = os.environ["TELEGRAM_API_BASE_URL"]
    application = (
        ApplicationBuilder()
        .token(os.environ["TELEGRAM_BOT_TOKEN"])
        .base_url(base_url)
        .base_file_url(base_url.replace("/bot", "/file/bot"))
        .rate_limiter(AIORateLimiter(max_retries=3))
        .concurrent_updates(256)
        .build()
    )
    application.add_handler(CommandHandler("start", start))
    application.add_handler(CallbackQueryHandler(press))
    application.run_polling(bootstrap_retries=-1)


if __name__ == "__main__":
    main()
