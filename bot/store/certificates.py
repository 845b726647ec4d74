"""Certificates of completion: the code a servant shows, and what it certifies, kept for verification."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from bot.store.base import Connection, iso


@dataclass(frozen=True)
class IssuedCertificate:
    """A stored certificate: `certifies` holds the name, department, modules and dates as issued."""

    code: str
    telegram_id: int
    track: str
    issued_at: str
    revoked_at: str | None
    certifies: dict[str, object]


class CertificateStore(Connection):
    def track_passes(self, telegram_id: int, module_ids: list[str]) -> dict[str, tuple[int, int, str]]:
        """Each module's latest passing attempt: score, max score, completed_at."""
        rows = self.db.execute(
            "SELECT module_id, score, max_score, completed_at FROM completions AS c WHERE telegram_id = ? AND passed "
            "AND completed_at = (SELECT MAX(completed_at) FROM completions WHERE telegram_id = c.telegram_id "
            "AND module_id = c.module_id AND passed) ORDER BY id",
            [telegram_id],
        ).fetchall()
        return {module: (score, max_score, at) for module, score, max_score, at in rows if module in module_ids}

    def issue_certificate(
        self, code: str, telegram_id: int, track: str, certifies: dict[str, object], now: datetime
    ) -> IssuedCertificate:
        self.db.execute(
            "INSERT INTO certificates (code, telegram_id, track, issued_at, certifies) VALUES (?, ?, ?, ?, ?)",
            [code, telegram_id, track, iso(now), json.dumps(certifies, ensure_ascii=False)],
        )
        return IssuedCertificate(code, telegram_id, track, iso(now), None, certifies)

    def _certificate(self, where: str, params: list[object]) -> IssuedCertificate | None:
        row = self.db.execute(
            f"SELECT code, telegram_id, track, issued_at, revoked_at, certifies FROM certificates WHERE {where}", params
        ).fetchone()
        return IssuedCertificate(*row[:5], json.loads(row[5])) if row else None

    def certificate(self, code: str) -> IssuedCertificate | None:
        return self._certificate("code = ?", [code])

    def latest_certificate(
        self, telegram_id: int, track: str | None = None, since: datetime | None = None
    ) -> IssuedCertificate | None:
        """The servant's latest valid certificate (of `track`, issued from `since`, when given)."""
        where, params = "telegram_id = ? AND revoked_at IS NULL", [telegram_id]
        if track is not None:
            where += " AND track = ?"
            params.append(track)
        if since is not None:
            where += " AND issued_at >= ?"
            params.append(iso(since))
        return self._certificate(where + " ORDER BY issued_at DESC, rowid DESC LIMIT 1", params)

    def revoke_certificate(self, code: str, now: datetime) -> bool:
        """Revoke a valid certificate; False if the code is unknown or already revoked."""
        return (
            self.db.execute(
                "UPDATE certificates SET revoked_at = ? WHERE code = ? AND revoked_at IS NULL", [iso(now), code]
            ).rowcount
            == 1
        )

    def holder(self, telegram_id: int) -> tuple[str | None, str | None]:
        """The name on a certificate (the roster's, else Telegram's first name) and the department."""
        row = self.db.execute(
            "SELECT COALESCE(e.full_name, u.first_name), e.department FROM users AS u "
            "LEFT JOIN employees AS e ON e.telegram_id = u.telegram_id WHERE u.telegram_id = ?",
            [telegram_id],
        ).fetchone()
        return (row[0], row[1]) if row else (None, None)
