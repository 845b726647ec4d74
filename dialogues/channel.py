"""The bot's way into the Rasa server: Rasa's REST channel behind the auth token, and a readiness check.

`scripts/rasa.sh serve` runs Rasa without `--enable-api`, so Rasa's HTTP API (models, trackers,
training, …) stays closed and this channel, registered by dialogues/credentials.yml, is all the
server offers: POST /webhooks/bot/webhook (one message) and GET /webhooks/bot/status (model
loaded?). When RASA_AUTH_TOKEN is set, both want it as `Authorization: Bearer <token>`.
"""

from __future__ import annotations

import hmac
import os
from typing import Any, Awaitable, Callable, Optional

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse


class BotChannel(RestInput):
    """RestInput under /webhooks/bot/, refusing requests without the token, plus /status."""

    @classmethod
    def name(cls) -> str:
        return "bot"

    def __init__(self, token: Optional[str]) -> None:
        self.token = token

    @classmethod
    def from_credentials(cls, credentials: Optional[dict[str, Any]]) -> BotChannel:
        return cls(os.environ.get("RASA_AUTH_TOKEN") or None)

    def _authorised(self, request: Request) -> bool:
        if not self.token:
            return True
        given = request.headers.get("Authorization", "")
        return hmac.compare_digest(given.encode(), f"Bearer {self.token}".encode())

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[None]]) -> Blueprint:
        channel = super().blueprint(on_new_message)

        @channel.middleware("request")
        async def check_token(request: Request) -> Optional[HTTPResponse]:
            if not self._authorised(request):
                return response.json({"status": "failure", "reason": "NotAuthorized"}, status=401)
            return None

        @channel.route("/status", methods=["GET"])
        async def status(request: Request) -> HTTPResponse:
            agent = getattr(request.app.ctx, "agent", None)
            processor = agent.processor if agent else None
            return response.json(
                {
                    "model_file": processor.model_filename if processor else None,
                    "ready": bool(agent and agent.is_ready()),
                }
            )

        return channel
