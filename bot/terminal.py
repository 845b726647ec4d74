"""The terminal chat: the same conversation as on Telegram, buttons shown as numbered choices."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from typing import TextIO

from bot.conversation import Conversation, User
from bot.replies import Button, Outcome, Reply


def _show(outcome: Outcome, out: TextIO) -> list[Button]:
    """Print the outcome; return the buttons now on offer, numbered from 1."""
    if outcome.notice:
        out.write(f"  ({outcome.notice})\n")
    offered: list[Button] = []
    shown = [Reply(outcome.edit.text, outcome.edit.buttons)] if outcome.edit and outcome.edit.text else []
    for reply in shown + outcome.replies:  # an edit in place is, in a terminal, the next lines
        out.write(f"\n{reply.text}\n")
        buttons = [b for row in reply.buttons for b in row]
        if buttons:
            offered = buttons
            for number, button in enumerate(buttons, 1):
                out.write(f"  [{number}] {button.label}\n")
    for file in outcome.files:
        out.write(f"  (file {file.name}: {file.size:,} bytes)\n")
        if file.path:
            file.path.unlink(missing_ok=True)
    return offered


async def chat(
    conversation: Conversation, user: User, read: Callable[[], str] = input, out: TextIO = sys.stdout
) -> None:
    """Read lines until end of input: a number presses a button, /cmd runs a command, the rest is text."""
    offered = _show(await conversation.command(user, "start"), out)
    while True:
        try:
            line = (await asyncio.to_thread(read)).strip()
        except (EOFError, KeyboardInterrupt):
            out.write("\n")
            return
        if not line:
            continue
        if line.isdigit() and 1 <= int(line) <= len(offered):
            outcome = await conversation.button(user, offered[int(line) - 1].data)
        elif line.startswith("/"):
            name, _, args = line[1:].partition(" ")
            outcome = await conversation.command(user, name.lower(), args)
        else:
            outcome = await conversation.text(user, line)
        offered = _show(outcome, out) or offered
