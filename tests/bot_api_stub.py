"""A loopback stand-in for the Telegram Bot API, so tests drive the real python-telegram-bot stack.

It serves the methods the bot calls over real HTTP, hands out queued updates to getUpdates,
records every call, and can be told to fail a method (403, 429) or to answer it late (a delivery
whose answer the client stops waiting for) to test error handling. It refuses
what Telegram refuses: texts over 4096 characters, captions over 1024, files and photos past the
upload limits, and any chat that never wrote to the bot ("chat not found"); a chat that blocked
the bot gets 403 until it is unblocked.

Webhook mode as Telegram does it: setWebhook registers a URL and secret (plain http too, as a local
Bot API server allows), getUpdates then answers 409, and the queued updates are POSTed to the URL
in order, each with the secret header, until the bot answers 200; a failed delivery is retried
and reported by getWebhookInfo. deleteWebhook returns to getUpdates.
"""

from __future__ import annotations

import json
import re
import socket
import struct
import threading
import time
import urllib.error
import urllib.request
from collections import deque
from email.parser import BytesParser
from email.policy import HTTP
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import EllipsisType
from typing import Any, Callable
from urllib.parse import parse_qs

from telegram.constants import FileSizeLimit, MessageLimit

BOT_USER = {"id": 4242, "is_bot": True, "first_name": "Ethics", "username": "ethics_test_bot"}
SENDS = ("sendMessage", "sendDocument", "sendPhoto")
PHOTO_SIDES = 10_000  # width + height of a photo at most
PHOTO_RATIO = 20  # the longer side at most this many times the shorter
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
SECRET_CHARS = re.compile(r"[A-Za-z0-9_-]*")
REDELIVERY_SECONDS = 0.5  # Telegram retries a failed webhook delivery after a while
WEBHOOK_CONFLICT = (
    "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"
)


def _error(status: int, description: str) -> tuple[int, dict[str, Any]]:
    return status, {"ok": False, "error_code": status, "description": description}


def _png_size(data: bytes) -> tuple[int, int] | None:
    """Width and height from a PNG header; None for anything else."""
    if data[:8] != b"\x89PNG\r\n\x1a\n" or len(data) < 24:
        return None
    return struct.unpack(">II", data[16:24])


def _chat_of(update: dict[str, Any]) -> int | None:
    for kind in ("message", "edited_message"):
        if kind in update:
            return update[kind]["chat"]["id"]
    query = update.get("callback_query")
    if query:
        return (query.get("message") or {}).get("chat", {}).get("id", query["from"]["id"])
    return None


class _Server(ThreadingHTTPServer):
    """Keeps the bot's connections open between calls, as Telegram does, so that a benchmark measures
    the bot and not a new connection and thread per call; stopping closes them all."""

    request_queue_size = 128  # the bot opens up to 30 connections at once during a sweep
    daemon_threads = True

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.open_connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()

    def process_request_thread(self, request: socket.socket, client_address: Any) -> None:
        with self.connections_lock:
            self.open_connections.add(request)
        try:
            super().process_request_thread(request, client_address)
        finally:
            with self.connections_lock:
                self.open_connections.discard(request)

    def close_connections(self) -> None:
        with self.connections_lock:
            for connection in self.open_connections:
                try:
                    connection.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    files: dict[str, bytes] = field(default_factory=dict)
    status: int = 200  # what the stand-in answered
    at: float = field(default_factory=time.monotonic)  # when the stand-in received it (time.monotonic)


class BotApiStub:
    """A tiny Bot API server on 127.0.0.1; `base_url` goes into the bot's settings."""

    def __init__(self, port: int = 0) -> None:
        self.calls: list[Call] = []
        self.updates: list[dict[str, Any]] = []
        self.failures: dict[str, deque[tuple[int, dict[str, Any]]]] = {}
        self.delays: dict[str, deque[float]] = {}
        self.messages: dict[int, dict[str, Any]] = {}
        self.known_chats: set[int] = set()  # chats that wrote to the bot, as Telegram knows them
        self.blocked_chats: set[int] = set()
        self.polls = 0
        self.rejection: tuple[int, dict[str, Any]] | None = None
        self.offset = 0
        self.webhook: tuple[str, str | None] | None = None  # url and secret token, as setWebhook set them
        self.webhook_error: tuple[int, str] | None = None  # date and text of the last failed delivery
        self._stopped = False
        self._next_update_id = 1
        self._next_message_id = 1
        self._lock = threading.Condition()
        self.server = _Server(("127.0.0.1", port), self._handler_class())
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.deliverer = threading.Thread(target=self._deliver_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/bot"

    def start(self) -> BotApiStub:
        self.thread.start()
        self.deliverer.start()
        return self

    def stop(self) -> None:
        with self._lock:
            self._stopped = True
            self._lock.notify_all()
        self.server.shutdown()
        self.server.server_close()
        self.server.close_connections()

    # what tests do ----------------------------------------------------------------------

    def know(self, *chat_ids: int) -> None:
        """Chats that wrote to the bot before the test began (servants who pressed Start)."""
        with self._lock:
            self.known_chats.update(chat_ids)

    def block(self, chat_id: int) -> None:
        """The user blocks the bot: every send to them is refused with 403 until they unblock it."""
        with self._lock:
            self.blocked_chats.add(chat_id)

    def unblock(self, chat_id: int) -> None:
        with self._lock:
            self.blocked_chats.discard(chat_id)

    def _numbered(self, update: dict[str, Any]) -> dict[str, Any]:
        """The update with the next update_id; its chat now knows the bot."""
        with self._lock:
            chat = _chat_of(update)
            if chat is not None:
                self.known_chats.add(chat)
            self._next_update_id += 1
            return {"update_id": self._next_update_id - 1, **update}

    def push(self, update: dict[str, Any]) -> int:
        """Queue an update for the bot's next getUpdates, or for delivery to its webhook; returns its update_id."""
        with self._lock:
            update = self._numbered(update)
            self.updates.append(update)
            self._lock.notify_all()
            return update["update_id"]

    def post_webhook(self, update: dict[str, Any], secret: str | None | EllipsisType = ...) -> int:
        """POST one update straight to the registered webhook, with the registered secret (...), another
        one, or no secret header (None), as someone other than Telegram might; the HTTP status."""
        assert self.webhook is not None, "no webhook registered"
        url, registered = self.webhook
        return _post(url, self._numbered(update), registered if secret is ... else secret)[0]

    def fail(self, method: str, status: int, description: str, **parameters: Any) -> None:
        """Make the next call of `method` fail with this status (e.g. 403 blocked, 429 retry_after)."""
        body = {"ok": False, "error_code": status, "description": description}
        if parameters:
            body["parameters"] = parameters
        self.failures.setdefault(method, deque()).append((status, body))

    def delay(self, method: str, seconds: float) -> None:
        """Make the next call of `method` succeed (a message is delivered) but answer only after `seconds`."""
        with self._lock:
            self.delays.setdefault(method, deque()).append(seconds)

    def _delay_for(self, method: str) -> float:
        with self._lock:
            queued = self.delays.get(method)
            return queued.popleft() if queued else 0.0

    def reject_token(self, status: int = 401, description: str = "Unauthorized") -> None:
        """From now on answer every call as Telegram answers a revoked token (401) or a wrong URL (404)."""
        self.rejection = (status, {"ok": False, "error_code": status, "description": description})

    def wait_for(self, predicate: Callable[[list[Call]], bool], timeout: float = 10.0) -> list[Call]:
        """Block until `predicate(calls)` holds; return the calls so far."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while not predicate(self.calls):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    summary = [(c.method, c.params.get("text", "")[:60]) for c in self.calls[-10:]]
                    raise TimeoutError(f"condition not met; last calls: {summary}")
                self._lock.wait(remaining)
            return list(self.calls)

    def wait_fetched(self, update_id: int, timeout: float = 10.0) -> None:
        """Block until the bot has confirmed `update_id`, i.e. taken it into its update queue."""
        self.wait_for(lambda _: self.offset > update_id, timeout)

    def wait_polling(self, timeout: float = 30.0) -> None:
        """Block until the bot has asked for updates at least once more from now."""
        with self._lock:
            start = self.polls
        self.wait_for(lambda _: self.polls > start, timeout)

    def calls_after(self, index: int, timeout: float) -> list[Call]:
        """The calls after the first `index`, waiting up to `timeout` for one to arrive; the lock is held
        only to wait, so a benchmark that follows thousands of calls does not slow the stand-in."""
        with self._lock:
            if len(self.calls) <= index:
                self._lock.wait(timeout)
            return self.calls[index:]

    def earlier_message(self, chat_id: int, text: str, reply_markup: dict[str, Any] | None = None) -> dict[str, Any]:
        """A message the bot sent before it (re)started, for a user to press a button on."""
        with self._lock:
            self.known_chats.add(chat_id)
        return self._message({"chat_id": chat_id, "reply_markup": reply_markup}, text=text)

    def settle(self, quiet: float = 0.3, timeout: float = 10.0) -> None:
        """Wait until no call has arrived for `quiet` seconds."""
        deadline = time.monotonic() + timeout
        with self._lock:
            count, changed = len(self.calls), time.monotonic()
            while time.monotonic() < min(changed + quiet, deadline):
                self._lock.wait(changed + quiet - time.monotonic())
                if len(self.calls) != count:
                    count, changed = len(self.calls), time.monotonic()

    # the server side --------------------------------------------------------------------

    def _record(self, method: str, params: dict[str, Any], files: dict[str, bytes]) -> tuple[int, dict[str, Any]]:
        with self._lock:
            call = Call(method, params, files)
            if method != "getUpdates":
                self.calls.append(call)
                self._lock.notify_all()
            if self.rejection is not None:
                return self.rejection
            queued = self.failures.get(method)
            refused = queued.popleft() if queued else self._refusal(method, params, files)
            if refused:
                call.status = refused[0]
                return refused
        return 200, {"ok": True, "result": self._result(method, params)}

    def _refusal(
        self, method: str, params: dict[str, Any], files: dict[str, bytes]
    ) -> tuple[int, dict[str, Any]] | None:
        """What the real Bot API answers instead of doing the call, or None when it does it."""
        if method == "getUpdates" and self.webhook is not None:
            return _error(409, WEBHOOK_CONFLICT)
        if method == "setWebhook" and not SECRET_CHARS.fullmatch(str(params.get("secret_token", ""))):
            return _error(400, "Bad Request: secret token contains unallowed characters")
        if method == "setWebhook" and len(str(params.get("secret_token", ""))) > 256:
            return _error(400, "Bad Request: secret token is too long")
        if method.startswith("editMessage") and int(params.get("message_id", 0)) not in self.messages:
            return _error(400, "Bad Request: message to edit not found")
        if method in ("sendMessage", "editMessageText"):
            if not str(params.get("text", "")).strip():
                return _error(400, "Bad Request: message text is empty")
            if len(str(params["text"])) > MessageLimit.MAX_TEXT_LENGTH:
                return _error(400, "Bad Request: message is too long")
        scope = params.get("scope") or {}
        chat = (
            params.get("chat_id") if method in SENDS else scope.get("chat_id") if scope.get("type") == "chat" else None
        )
        if chat is not None and int(chat) not in self.known_chats:
            return _error(400, "Bad Request: chat not found")
        if method in SENDS and int(chat) in self.blocked_chats:
            return _error(403, "Forbidden: bot was blocked by the user")
        if len(str(params.get("caption", ""))) > MessageLimit.CAPTION_LENGTH:
            return _error(400, "Bad Request: message caption is too long")
        if method == "sendDocument" and len(files.get("document", b"")) > FileSizeLimit.FILESIZE_UPLOAD:
            return _error(413, "Request Entity Too Large")
        if method == "sendPhoto":
            photo = files.get("photo", b"")
            size = _png_size(photo)
            if len(photo) > FileSizeLimit.PHOTOSIZE_UPLOAD:
                return _error(400, "Bad Request: PHOTO_SAVE_FILE_INVALID")
            if size and (sum(size) > PHOTO_SIDES or max(size) > PHOTO_RATIO * min(size)):
                return _error(400, "Bad Request: PHOTO_INVALID_DIMENSIONS")
        return None

    def _message(self, params: dict[str, Any], **content: Any) -> dict[str, Any]:
        with self._lock:
            message_id = self._next_message_id
            self._next_message_id += 1
        message = {
            "message_id": message_id,
            "date": int(time.time()),
            "from": BOT_USER,
            "chat": {"id": int(params["chat_id"]), "type": "private"},
            **content,
        }
        if params.get("reply_markup"):
            message["reply_markup"] = params["reply_markup"]
        self.messages[message_id] = message
        return message

    def _result(self, method: str, params: dict[str, Any]) -> Any:
        if method == "getMe":
            return BOT_USER
        if method == "getUpdates":
            return self._get_updates(int(params.get("offset", 0)), float(params.get("timeout", 0)))
        if method == "sendMessage":
            return self._message(params, text=params["text"])
        if method == "sendDocument":
            return self._message(params, document={"file_id": "doc", "file_unique_id": "doc"})
        if method == "sendPhoto":
            return self._message(params, photo=[{"file_id": "p", "file_unique_id": "p", "width": 1, "height": 1}])
        if method in ("editMessageText", "editMessageReplyMarkup"):
            message = self.messages[int(params["message_id"])]
            if "text" in params:
                message["text"] = params["text"]
            message["reply_markup"] = params.get("reply_markup")
            return message
        if method in ("setWebhook", "deleteWebhook"):
            return self._set_webhook(str(params.get("url") or ""), str(params.get("secret_token") or ""), params)
        if method == "getWebhookInfo":
            return self._webhook_info()
        return True  # setMyCommands, answerCallbackQuery, ...

    def _set_webhook(self, url: str, secret: str, params: dict[str, Any]) -> bool:
        """setWebhook with a URL registers it; deleteWebhook or an empty URL goes back to getUpdates."""
        with self._lock:
            self.webhook = (url, secret or None) if url else None
            self.webhook_error = None
            if params.get("drop_pending_updates"):
                self.updates.clear()
            self._lock.notify_all()
        return True

    def _webhook_info(self) -> dict[str, Any]:
        with self._lock:
            info = {
                "url": self.webhook[0] if self.webhook else "",
                "has_custom_certificate": False,
                "pending_update_count": len(self.updates),
            }
            if self.webhook_error:
                info["last_error_date"], info["last_error_message"] = self.webhook_error
            return info

    def _deliver_forever(self) -> None:
        """While a webhook is registered, POST the oldest pending update to it until it answers 200."""
        while True:
            with self._lock:
                while not self._stopped and not (self.webhook and self.updates):
                    self._lock.wait()
                if self._stopped:
                    return
                update, (url, secret) = self.updates[0], self.webhook
            status, error = _post(url, update, secret)
            with self._lock:
                if status == 200:
                    self.updates = [u for u in self.updates if u is not update]
                    self.offset = max(self.offset, update["update_id"] + 1)
                else:
                    self.webhook_error = (int(time.time()), error)
                self._lock.notify_all()
            if status != 200:
                time.sleep(REDELIVERY_SECONDS)

    def _get_updates(self, offset: int, timeout: float) -> list[dict[str, Any]]:
        deadline = time.monotonic() + min(timeout, 1.0)
        with self._lock:
            self.polls += 1
            self.offset = max(self.offset, offset)
            self._lock.notify_all()
            if offset:  # as Telegram does: an offset confirms every update before it
                self.updates = [u for u in self.updates if u["update_id"] >= offset]
            while True:
                pending = [u for u in self.updates if u["update_id"] >= offset]
                remaining = deadline - time.monotonic()
                if pending or remaining <= 0:
                    return pending
                self._lock.wait(remaining)

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        stub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive: every answer carries its Content-Length
            disable_nagle_algorithm = True  # headers and body are two writes: no 40 ms wait for an ACK

            def do_POST(self) -> None:  # noqa: N802 (the stdlib's name)
                method = self.path.rsplit("/", 1)[-1]
                params, files = _parse_body(self.headers, self.rfile.read(int(self.headers.get("Content-Length", 0))))
                status, body = stub._record(method, params, files)
                time.sleep(stub._delay_for(method))
                payload = json.dumps(body).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):  # the bot stopped mid-poll
                    pass

            do_GET = do_POST

            def log_message(self, *args: Any) -> None:
                pass

        return Handler


def _post(url: str, update: dict[str, Any], secret: str | None) -> tuple[int, str]:
    """POST an update as Telegram does: JSON, the secret in its header; the status and, for a failure,
    the text getWebhookInfo shows."""
    headers = {"Content-Type": "application/json", **({SECRET_HEADER: secret} if secret is not None else {})}
    request = urllib.request.Request(url, json.dumps(update).encode(), headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, ""
    except urllib.error.HTTPError as error:
        return error.code, f"Wrong response from the webhook: {error.code} {error.reason}"
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        return 0, getattr(reason, "strerror", None) or str(reason)


def _decode(value: str) -> Any:
    try:
        return json.loads(value)
    except ValueError:
        return value


def _parse_body(headers: Any, raw: bytes) -> tuple[dict[str, Any], dict[str, bytes]]:
    """Parameters as python-telegram-bot sends them: form fields (JSON-encoded) or multipart."""
    content_type = headers.get("Content-Type", "")
    if content_type.startswith("application/json"):
        return json.loads(raw or b"{}"), {}
    if content_type.startswith("multipart/form-data"):
        message = BytesParser(policy=HTTP).parsebytes(f"Content-Type: {content_type}\r\n\r\n".encode() + raw)
        params, files = {}, {}
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            if part.get_filename():
                files[name] = part.get_payload(decode=True)
            else:
                params[name] = _decode(part.get_payload(decode=True).decode())
        return params, files
    return {k: _decode(v[0]) for k, v in parse_qs(raw.decode()).items()}, {}
