"""Certificates of completion through the real Telegram stack: sent as a PDF once the whole track is
passed, its code in the caption, verified by /verify and the command line, revoked then refused,
sent again by /certificate; the PDF's own text read without matplotlib in every language."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from bot.certificate import verification_target
from bot.certificate_pdf import render
from bot.locales import format_date, t
from bot.store import Employee, IssuedCertificate
from tests.conftest import running_bot, texts
from tests.pdf_text import pdf_text
from tests.quiz_runs import finish_module
from tests.test_cli import _bot

COORDINATOR = 900
NAME = "Құрманғалиқызы Әйгерім Жұмабайқызы"
DEPARTMENT = "Министерство юстиции Республики Казахстан, департамент регистрационной службы"


def _documents(calls):
    return [c for c in calls if c.method == "sendDocument"]


def _code(caption: str) -> str:
    return re.search(r"[A-Za-z0-9_-]{12}$", caption).group()


async def test_passing_the_onboarding_track_sends_a_certificate_that_verifies_until_revoked(bank, tmp_path, clock):
    async for harness in running_bot(bank, tmp_path, clock, None, coordinator_ids=frozenset({COORDINATOR})):
        harness.store.upsert_employees(
            [Employee("E-1042", NAME, DEPARTMENT, "главный специалист", "2026-11-02", None)], clock()
        )
        user = harness.user(601, "kk", first_name="Әйгерім")
        await user.send(f"/start {harness.store.invite('E-1042', clock(), 30).code}")
        assert texts(await user.send("/certificate")) == [t("kk", "certificate_none")]

        failed = await finish_module(harness, user, "onboarding", wrong=8)
        assert not _documents(failed)  # not passed: no certificate
        calls = await finish_module(harness, user, "onboarding")
        [document] = _documents(calls)
        caption = document.params["caption"]
        code = _code(caption)
        assert caption == t("kk", "cert_caption", code=code)
        text = pdf_text(document.files["document"])
        assert NAME in text and code in text and t("kk", "cert_title") in text
        assert (
            t("kk", "cert_module", title=bank.modules["onboarding"].title["kk"], score=16, max=16, date="23.11.2026")
            in text
        )
        row = harness.store.db.execute(
            "SELECT telegram_id, track, revoked_at FROM certificates WHERE code = ?", [code]
        ).fetchone()
        assert row == (601, "onboarding", None)

        coordinator = harness.user(COORDINATOR, "en")
        verified = texts(await coordinator.send(f"/verify {code}"))[0]
        assert verified.startswith(t("en", "verify_genuine", code=code, issued="23 November 2026"))
        assert NAME in verified and DEPARTMENT in verified
        assert f"{bank.modules['onboarding'].title['en']}: 16/16, passed on 23 November 2026" in verified
        assert texts(await user.send(f"/verify {code}")) == [t("kk", "not_permitted")]
        assert texts(await harness.user(602, "ru").send(f"/start verify-{code}"))[0].startswith("✅")

        db = {"BOT_DB_PATH": str(tmp_path / "bot.db")}
        cli = _bot("verify", code, **db)
        assert cli.returncode == 0 and cli.stdout.startswith("✅") and NAME in cli.stdout
        again = _documents(await user.send("/certificate"))
        assert len(again) == 1 and _code(again[0].params["caption"]) == code

        assert _bot("certificate", "revoke", code, **db).stdout == f"{code}: revoked\n"
        cli = _bot("verify", code, "--language", "ru", **db)
        assert cli.returncode == 1 and cli.stdout.startswith("⛔") and NAME in cli.stdout
        revoked_at = harness.store.certificate(code).revoked_at  # the command line's own clock
        revoked = format_date(datetime.fromisoformat(revoked_at).astimezone(ZoneInfo("Asia/Almaty")).date(), "en")
        assert texts(await coordinator.send(f"/verify {code}"))[0].startswith(
            t("en", "verify_revoked", code=code, revoked=revoked, issued="23 November 2026")
        )
        repeated = _bot("certificate", "revoke", code, **db)
        assert repeated.returncode == 2 and repeated.stderr.count("\n") == 1 and "already revoked" in repeated.stderr
        unknown = _bot("verify", "AAAAAAAAAAAA", **db)
        assert unknown.returncode == 1 and unknown.stdout.strip() == t("en", "verify_unknown", code="AAAAAAAAAAAA")
        assert texts(await coordinator.send("/verify")) == [t("en", "verify_usage")]
        assert texts(await user.send("/certificate")) == [t("kk", "certificate_none")]


async def test_one_refresher_module_is_not_the_whole_track(telegram):
    user = telegram.user(603, "en")
    calls = await finish_module(telegram, user, "r1-standards")
    assert not _documents(calls) and not telegram.store.db["certificates"].count
    assert texts(await user.send("/certificate")) == [t("en", "certificate_none")]


async def test_a_self_registered_servant_is_certified_once_however_often_they_retake(telegram):
    user = telegram.user(604, "ru", first_name="Нұрсұлтан")  # not on the roster: Telegram's name, no department
    [document] = _documents(await finish_module(telegram, user, "onboarding"))
    text = pdf_text(document.files["document"])
    assert "Нұрсұлтан" in text and t("ru", "cert_department", department="") not in text
    assert not _documents(await finish_module(telegram, user, "onboarding"))
    assert telegram.store.db["certificates"].count == 1


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_the_pdf_holds_the_name_and_the_code_in_each_language(bank, lang):
    issued = IssuedCertificate(
        "Xq3_-k9ZpL2a",
        605,
        "refresher",
        datetime(2026, 11, 23, 9, tzinfo=timezone.utc).isoformat(),
        None,
        {
            "name": NAME,
            "department": DEPARTMENT,
            "track": "refresher",
            "modules": [
                {"id": m.id, "score": 11, "max_score": 12, "passed_on": "2026-11-20"} for m in bank.track("refresher")
            ],
            "due_on": "2029-11-20",
        },
    )
    pdf = render(issued, bank, lang, verification_target(issued.code, "ethics_kz_bot"))
    text = pdf_text(pdf)
    assert NAME in text and f"{t(lang, 'cert_code', code='Xq3_-k9ZpL2a')}" in text
    assert t(lang, "track_refresher") in text and t(lang, "cert_title") in text
    assert all(m.title[lang].split(":")[0] in text for m in bank.track("refresher"))
    assert b"/Subtype /Image" in pdf  # the QR code
    assert (
        verification_target("Xq3_-k9ZpL2a", "ethics_kz_bot") == "https://t.me/ethics_kz_bot?start=verify-Xq3_-k9ZpL2a"
    )
    assert verification_target("Xq3_-k9ZpL2a", None) == "Xq3_-k9ZpL2a"
