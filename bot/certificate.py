"""Certificates of completion: issued when a servant passes every module of their track, sent as a
PDF with a verification code anyone can check, verified and revoked by coordinators."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.content import Bank
from bot.cycle import CyclePolicy, qualifying_completion
from bot.locales import format_date, t
from bot.replies import File
from bot.store import IssuedCertificate, Store

CODE_BYTES = 9  # secrets.token_urlsafe(9): 12 characters, 72 random bits
CODE_SHOWN = 40  # of whatever was typed as a code, enough to echo; real codes are 12
VERIFY_PREFIX = "verify-"  # the deep link /start verify-<code> a QR code opens
LOCAL_TIME = ZoneInfo("Asia/Almaty")


def new_code() -> str:
    return secrets.token_urlsafe(CODE_BYTES)


def verification_target(code: str, bot_username: str | None) -> str:
    """What the QR code holds: the bot's deep link that verifies the code, or the code itself."""
    return f"https://t.me/{bot_username}?start={VERIFY_PREFIX}{code}" if bot_username else code


def _day(timestamp: str) -> date:
    return datetime.fromisoformat(timestamp).astimezone(LOCAL_TIME).date()


def _shown_date(iso_day: object, lang: str) -> str:
    return format_date(date.fromisoformat(str(iso_day)), lang) if iso_day else "—"


def certified_lines(issued: IssuedCertificate, bank: Bank, lang: str) -> list[str]:
    """What the certificate states, line by line: holder, department, track, each module with score and date,
    due date (the last two lines only when known)."""
    what = issued.certifies
    lines = [t(lang, "cert_holder", name=what["name"])]
    if what.get("department"):
        lines.append(t(lang, "cert_department", department=what["department"]))
    lines.append(t(lang, "cert_track", track=t(lang, f"track_{issued.track}")))
    for module in what["modules"]:
        title = bank.modules[module["id"]].title[lang] if module["id"] in bank.modules else module["id"]
        lines.append(
            t(
                lang,
                "cert_module",
                title=title,
                score=module["score"],
                max=module["max_score"],
                date=_shown_date(module["passed_on"], lang),
            )
        )
    if what.get("due_on"):
        lines.append(t(lang, "cert_due", date=_shown_date(what["due_on"], lang)))
    return lines


def issued_on(issued: IssuedCertificate, lang: str) -> str:
    return _shown_date(_day(issued.issued_at), lang)


def verification_text(issued: IssuedCertificate | None, code: str, bank: Bank, lang: str) -> str:
    """Whether the code is genuine, revoked or unknown, and what it certifies."""
    if issued is None:
        return t(lang, "verify_unknown", code=code)
    key = "verify_revoked" if issued.revoked_at else "verify_genuine"
    head = t(
        lang,
        key,
        code=issued.code,
        issued=issued_on(issued, lang),
        revoked=_shown_date(issued.revoked_at and _day(issued.revoked_at), lang),
    )
    return "\n".join([head, *certified_lines(issued, bank, lang)])


class Certificates:
    """Issues, renders and looks up certificates for the conversation and the command line."""

    def __init__(
        self,
        store: Store,
        bank: Bank,
        policy: CyclePolicy,
        clock: Callable[[], datetime],
        bot_username: str | None = None,
    ):
        self.store, self.bank, self.policy, self.clock, self.bot_username = store, bank, policy, clock, bot_username

    def after_pass(self, telegram_id: int, track: str) -> IssuedCertificate | None:
        """A new certificate if this pass completed the track (the refresher within one cycle period)
        and none of the track was issued in the last cycle period; None otherwise."""
        required = [m.id for m in sorted(self.bank.track(track), key=lambda m: m.id)]
        passes = self.store.track_passes(telegram_id, required)
        days = {module: _day(at) for module, (_, _, at) in passes.items()}
        complete = (
            len(days) == len(required)
            if track == "onboarding"
            else qualifying_completion(days, required, self.policy.years) is not None
        )
        now = self.clock()
        since = None if track == "onboarding" else now - timedelta(days=365 * self.policy.years)
        if not complete or self.store.latest_certificate(telegram_id, track, since) is not None:
            return None
        name, department = self.store.holder(telegram_id)
        due = self.store.cycle(telegram_id).due_on
        certifies = {
            "name": name or "—",
            "department": department,
            "track": track,
            "modules": [
                {"id": m, "score": passes[m][0], "max_score": passes[m][1], "passed_on": days[m].isoformat()}
                for m in required
            ],
            "due_on": due and due.isoformat(),
        }
        return self.store.issue_certificate(new_code(), telegram_id, track, certifies, now)

    def document(self, issued: IssuedCertificate, lang: str) -> File:
        """The certificate as a PDF document in `lang`, its code in the caption so it can be copied."""
        from bot.certificate_pdf import render

        pdf = render(issued, self.bank, lang, verification_target(issued.code, self.bot_username))
        return File(f"certificate-{issued.code}.pdf", pdf, t(lang, "cert_caption", code=issued.code))

    def latest(self, telegram_id: int) -> IssuedCertificate | None:
        return self.store.latest_certificate(telegram_id)

    def verify(self, code: str, lang: str) -> str:
        code = code.strip()[:CODE_SHOWN]
        return verification_text(self.store.certificate(code), code, self.bank, lang)
