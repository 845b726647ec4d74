"""What the dialogue model decides for a typed message, as steps the conversation can carry out.

The conversation depends on this small interface only; `bot.nlu` implements it with a Rasa
server, and tests may implement it however they need.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

SAY, FEATURE, TOPIC = "say", "feature", "topic"
FEATURES = ("quiz", "onboarding", "progress", "due", "language", "help", "menu", "ask")


@dataclass(frozen=True)
class Step:
    """One thing to do: say a locale string, run a bot feature, or answer an ask_code topic."""

    kind: str
    name: str


UNAVAILABLE = (Step(SAY, "say_unavailable"),)


class Dialogue(Protocol):
    """Understands free text in context and decides the reply."""

    async def respond(self, sender: int, text: str, language: str) -> tuple[Step, ...]:
        """The steps for one message; UNAVAILABLE when the model cannot be reached in time."""
