"""Sending xAPI statements to a Learning Record Store: batches, retries, and what was new or already there.

Statements carry deterministic ids, so sending twice stores nothing twice: the LRS answers 204
(or 409 when it holds a differing statement under the id) for what it already has. A batch that
fails as a whole (some LRSs answer 500 when a batch mixes stored and new ids, or one statement is
invalid) is sent again one statement at a time, so each statement ends up counted exactly once
as sent, already present or failed.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import httpx

from bot.xapi import VERSION

BATCH_SIZE = 100
RETRIES = 3  # attempts after the first, on 5xx and network errors, with doubling waits


class LrsError(Exception):
    """The LRS refused us as a whole (bad credentials, no LRS at the address): one line for a person."""


@dataclass
class Delivery:
    """What a run did, statement by statement."""

    sent: int = 0
    present: int = 0
    failed: int = 0
    problems: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return f"{self.sent} sent, {self.present} already present, {self.failed} failed"


class Lrs:
    """An xAPI endpoint (the URL that `statements` hangs off), with basic auth."""

    def __init__(
        self,
        endpoint: str,
        user: str | None,
        password: str | None,
        batch_size: int = BATCH_SIZE,
        transport: httpx.BaseTransport | None = None,
        wait: Callable[[float], None] = time.sleep,
        backoff: float = 0.5,
    ):
        self.url = endpoint.rstrip("/") + "/statements"
        auth = (user, password or "") if user else None
        self.client = httpx.Client(
            auth=auth, timeout=30, transport=transport, headers={"X-Experience-API-Version": VERSION}
        )
        self.batch_size, self.wait, self.backoff = batch_size, wait, backoff

    def close(self) -> None:
        self.client.close()

    def send(
        self, statements: Iterable[dict[str, object]], progress: Callable[[Delivery], None] | None = None
    ) -> Delivery:
        """Send every statement once; LrsError on 401/403 (nothing more is sent)."""
        delivery = Delivery()
        iterator = iter(statements)
        while batch := list(itertools.islice(iterator, self.batch_size)):
            response = self._post(batch)
            if response is not None and response.status_code == 200:
                stored = _ids(response)
                delivery.sent += len(stored) if stored is not None else len(batch)
                delivery.present += len(batch) - len(stored) if stored is not None else 0
            elif response is not None and response.status_code == 204:
                delivery.present += len(batch)
            else:  # a whole-batch refusal: find out statement by statement
                for statement in batch:
                    self._send_one(statement, delivery)
            if progress:
                progress(delivery)
        return delivery

    def _send_one(self, statement: dict[str, object], delivery: Delivery) -> None:
        response = self._post([statement])
        if response is None:
            delivery.failed += 1
            delivery.problems.append(f"{statement.get('id')}: no answer after {RETRIES + 1} tries")
        elif response.status_code == 200:
            delivery.sent += 1
        elif response.status_code in (204, 409):  # 409: the LRS keeps its own, earlier version
            delivery.present += 1
        else:
            delivery.failed += 1
            delivery.problems.append(f"{statement.get('id')}: {response.status_code} {_detail(response)}")

    def _post(self, statements: list[dict[str, object]]) -> httpx.Response | None:
        """POST with retries on 5xx and network errors: the answer, the last 5xx, or None if none came."""
        last = None
        for attempt in range(RETRIES + 1):
            if attempt:
                self.wait(self.backoff * 2 ** (attempt - 1))
            try:
                response = self.client.post(self.url, json=statements)
            except httpx.TransportError:
                continue
            if response.status_code in (401, 403):
                raise LrsError(
                    f"{self.url}: {response.status_code} {_detail(response)} — check BOT_LRS_USER "
                    "and BOT_LRS_PASSWORD and that this account may write statements"
                )
            if response.status_code == 404:
                raise LrsError(f"{self.url}: 404 — not an xAPI endpoint (give the URL that ends before /statements)")
            if response.status_code < 500 or len(statements) > 1:  # a batch: let the caller find the culprit
                return response
            last = response
        return last


def _ids(response: httpx.Response) -> list[str] | None:
    try:
        body = response.json()
    except ValueError:
        return None
    return body if isinstance(body, list) else None


def _detail(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:200]
    return str(body.get("detail") or body.get("message") or body)[:200] if isinstance(body, dict) else str(body)[:200]
