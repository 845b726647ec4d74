"""What the conversation answers with: texts and buttons, independent of any chat platform.

Callback data is built and parsed only here, and always stays within Telegram's 64 bytes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

CALLBACK_LIMIT = 64


@dataclass(frozen=True)
class Button:
    label: str
    data: str

    def __post_init__(self) -> None:
        if len(self.data.encode()) > CALLBACK_LIMIT:
            raise ValueError(f"callback data over {CALLBACK_LIMIT} bytes: {self.data!r}")


Keyboard = tuple[tuple[Button, ...], ...]


@dataclass(frozen=True)
class Reply:
    """A new message: text and rows of buttons. A question awaits an answer that may also be
    typed; the chat adapter keeps track of it, so that a typed answer updates it as a press would."""

    text: str
    buttons: Keyboard = ()
    is_question: bool = False
    overflow: File | None = None  # a long list as a document (its caption says so), for chats that cap messages


@dataclass(frozen=True)
class Edit:
    """A change to the message whose button was pressed (for a typed answer: to the question it
    answers); `text=None` keeps its text. Where the message cannot be edited, a text edit arrives
    as a new message instead; `is_question` as for Reply."""

    text: str | None = None
    buttons: Keyboard = ()
    is_question: bool = False


@dataclass(frozen=True)
class File:
    """A document or a picture to send, made in memory or in a temporary file."""

    name: str
    data: bytes = b""
    caption: str = ""
    is_photo: bool = False
    path: Path | None = None  # a temporary file holding the data instead, removed once sent
    oversize_note: str = ""  # said instead of sending a file too big for the chat

    @property
    def size(self) -> int:
        return self.path.stat().st_size if self.path else len(self.data)


@dataclass(frozen=True)
class Outcome:
    """Everything one input produces: a short notice for a button press, an edit, new messages, files,
    and messages to other chats (chat id, message), such as a question for the Ethics Commissioner."""

    replies: list[Reply] = field(default_factory=list)
    notice: str | None = None
    edit: Edit | None = None
    files: list[File] = field(default_factory=list)
    elsewhere: list[tuple[int, Reply]] = field(default_factory=list)


def column(*buttons: Button) -> Keyboard:
    """One button per row."""
    return tuple((b,) for b in buttons)


def callback(action: str, *args: object) -> str:
    """Callback data such as `ans:12:3:1`."""
    return ":".join([action, *map(str, args)])


def parse_callback(data: str) -> tuple[str, list[str]]:
    """The action and its arguments; unknown shapes are rejected by the caller."""
    action, *args = data.split(":")
    return action, args


_CALLBACK_NUMBER = re.compile(r"[0-9]{1,9}")


def callback_number(text: str) -> int:
    """A number from button data (an id, position or option): one to nine ASCII digits, so that forged
    data ("1e400", "-1", "1_0", twenty digits) is a ValueError, as for a stale button, never an
    overflow in SQLite."""
    if _CALLBACK_NUMBER.fullmatch(text) is None:
        raise ValueError(text)
    return int(text)


_ENTITY_TAIL = re.compile(r"&#?\w{0,10}$")  # an HTML entity cut before its ";"


def utf16_length(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units: an emoji may count twice)."""
    return len(text.encode("utf-16-le")) // 2


def _cut(line: str, limit: int) -> tuple[str, str]:
    """A line too long for one message: cut at the last space, else as late as fits, never inside an entity."""
    end = limit
    while utf16_length(line[:end]) > limit:
        end -= 1
    space = line.rfind(" ", 0, end + 1)
    if space > 0:
        return line[:space], line[space + 1 :]
    entity = _ENTITY_TAIL.search(line[:end])
    if entity and ";" in line[end : end + 12] and entity.start() > 0:
        end = entity.start()
    return line[:end], line[end:]


def split_text(text: str, limit: int) -> list[str]:
    """The text in messages of at most `limit` UTF-16 units, cut at line breaks; a line longer than
    a message on its own is cut at a space."""
    messages: list[str] = []
    current = ""
    lines = text.split("\n")
    while lines:
        line = lines.pop(0)
        candidate = f"{current}\n{line}" if current else line
        if utf16_length(candidate) <= limit:
            current = candidate
            continue
        if current:
            messages.append(current)
            current = ""
            lines.insert(0, line)
            continue
        head, rest = _cut(line, limit)
        messages.append(head)
        lines.insert(0, rest)
    if current or not messages:
        messages.append(current)
    return [m for m in messages if m.strip()] or messages[:1]
