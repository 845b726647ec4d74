"""What the conversation answers with: texts and buttons, independent of any chat platform.

Callback data is built and parsed only here, and always stays within Telegram's 64 bytes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

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


@dataclass(frozen=True)
class Edit:
    """A change to the message whose button was pressed (for a typed answer: to the question it
    answers); `text=None` keeps its text."""

    text: str | None = None
    buttons: Keyboard = ()


@dataclass(frozen=True)
class File:
    """A document or a picture to send, made in memory."""

    name: str
    data: bytes
    caption: str = ""
    is_photo: bool = False


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
