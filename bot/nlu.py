"""The client for the Rasa server: one HTTP call per typed message, a short timeout, degraded mode.

Rasa answers through the bot's channel (dialogues/channel.py: the REST channel behind the auth
token; Rasa's own HTTP API stays off) with custom payloads (see dialogues/domain.yml), which
become Steps. When Rasa is loading, down or slow, the bot says so and keeps serving buttons; the
next message simply tries again, so Rasa is picked up as soon as it is back.
"""

from __future__ import annotations

import logging

import httpx

from bot.dialogue import FEATURE, FEATURES, SAY, TOPIC, UNAVAILABLE, Step

log = logging.getLogger(__name__)
FALLBACK = (Step(SAY, "say_fallback"),)


def steps_from_messages(messages: list[dict[str, object]]) -> tuple[Step, ...]:
    """Rasa's bot messages as steps; anything unexpected is dropped, nothing at all means fallback."""
    steps = []
    for message in messages:
        custom = message.get("custom")
        if not isinstance(custom, dict):
            continue
        for kind in (SAY, FEATURE, TOPIC):
            name = custom.get(kind)
            if isinstance(name, str) and (kind != FEATURE or name in FEATURES):
                steps.append(Step(kind, name))
    return tuple(steps) or FALLBACK


class RasaDialogue:
    """Talks to `rasa run` over HTTP on loopback."""

    def __init__(
        self,
        url: str,
        token: str | None = None,
        timeout: float = 2.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ):
        self.url = url.rstrip("/")
        self.channel = f"{self.url}/webhooks/bot"
        self.client = httpx.AsyncClient(
            timeout=timeout,
            transport=transport,
            headers={"Authorization": f"Bearer {token}"} if token else None,
        )

    async def respond(self, sender: int, text: str, language: str) -> tuple[Step, ...]:
        """Send one message through Rasa's dialogue; UNAVAILABLE if it cannot answer in time."""
        try:
            response = await self.client.post(
                f"{self.channel}/webhook",
                json={"sender": str(sender), "message": text, "metadata": {"language": language}},
            )
            response.raise_for_status()
            return steps_from_messages(response.json())
        except (httpx.HTTPError, ValueError) as error:
            log.warning("Rasa unavailable (%s): %s", type(error).__name__, error)
            return UNAVAILABLE

    async def status(self) -> tuple[bool, str]:
        """Whether the server answers with a model loaded, and what it said, in words for `doctor`."""
        try:
            response = await self.client.get(f"{self.channel}/status")
            if response.status_code in (401, 403):
                return (
                    False,
                    f"Rasa at {self.url} refused the auth token ({response.status_code}): check RASA_AUTH_TOKEN",
                )
            response.raise_for_status()
            answer = response.json()
            model = answer.get("model_file") if answer.get("ready") else None
        except (httpx.HTTPError, ValueError) as error:
            return False, f"Rasa at {self.url} does not answer ({type(error).__name__}: {error})"
        return (
            (True, f"Rasa at {self.url} has loaded {model}")
            if model
            else (False, f"Rasa at {self.url} has no model loaded")
        )

    async def ready(self) -> bool:
        """Whether the server is up with a model loaded."""
        return (await self.status())[0]

    async def close(self) -> None:
        await self.client.aclose()
