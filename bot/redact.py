"""Keeps secrets (the bot token, Rasa's auth token) out of every log record and traceback.

Installed once at start, on the record factory rather than on a handler, so that a handler or
library logger added later cannot leak them: every record is masked as it is created, its
exception text included. Uncaught exceptions are masked too.
"""

from __future__ import annotations

import logging
import sys
import traceback
from collections.abc import Iterable
from types import TracebackType

MASK = "***"
_secrets: tuple[str, ...] = ()


def mask(text: str) -> str:
    """`text` with every installed secret, and the secret half of a bot token, replaced by ***."""
    for secret in _secrets:
        text = text.replace(secret, MASK)
    return text


def _pieces(secret: str) -> list[str]:
    """A bot token is `<bot id>:<secret>`; the id is public, the part after the colon is not."""
    return [secret, secret.partition(":")[2]] if ":" in secret else [secret]


def install(secrets: Iterable[str | None]) -> None:
    """Mask these secrets in every log record and uncaught traceback from now on."""
    global _secrets
    pieces = {piece for secret in secrets if secret for piece in _pieces(secret) if len(piece) >= 8}
    _secrets = tuple(sorted(pieces, key=len, reverse=True))
    if getattr(logging.getLogRecordFactory(), "masks_secrets", False):
        return
    make_record = logging.getLogRecordFactory()

    def masked_record(*args: object, **kwargs: object) -> logging.LogRecord:
        record = make_record(*args, **kwargs)
        if not _secrets:
            return record
        record.msg, record.args = mask(record.getMessage()), None
        if record.exc_info and record.exc_info[0] is not None:
            record.exc_text = mask("".join(traceback.format_exception(*record.exc_info)).rstrip("\n"))
            record.exc_info = None
        if record.stack_info:
            record.stack_info = mask(record.stack_info)
        return record

    masked_record.masks_secrets = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(masked_record)

    def masked_hook(kind: type[BaseException], error: BaseException, trace: TracebackType | None) -> None:
        sys.stderr.write(mask("".join(traceback.format_exception(kind, error, trace))))

    sys.excepthook = masked_hook
