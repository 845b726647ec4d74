"""Certificates on the command line: verify a code, revoke a certificate (thin commands)."""

from __future__ import annotations

import argparse

from bot.certificate import Certificates
from bot.cli import CommandError, utcnow
from bot.config import Settings
from bot.content import load_bank
from bot.store import Store


def _certificates(settings: Settings) -> Certificates:
    store = Store(settings.db_path, settings.cycle.years)
    return Certificates(store, load_bank(settings.quizzes_dir), settings.cycle, utcnow, settings.bot_username)


def verify(settings: Settings, args: argparse.Namespace) -> int:
    """Whether the code is genuine and what it certifies; exit 1 when it is revoked or unknown."""
    certificates = _certificates(settings)
    print(certificates.verify(args.code, args.language))
    issued = certificates.store.certificate(args.code.strip())
    return 0 if issued is not None and issued.revoked_at is None else 1


def revoke(settings: Settings, args: argparse.Namespace) -> int:
    """Revoke a certificate: from now on its code verifies as revoked."""
    if not _certificates(settings).store.revoke_certificate(args.code.strip(), utcnow()):
        raise CommandError(f"{args.code}: no valid certificate has this code (unknown or already revoked)")
    print(f"{args.code}: revoked")
    return 0


def add_commands(commands: argparse._SubParsersAction) -> None:
    """Register `verify CODE` and `certificate revoke CODE` on the main parser."""
    verifier = commands.add_parser("verify", help="check a certificate's verification code")
    verifier.add_argument("code")
    verifier.add_argument("--language", choices=["kk", "ru", "en"], default="en", help="the answer's language")
    verifier.set_defaults(func=verify)
    certificate = commands.add_parser("certificate", help="manage certificates of completion")
    actions = certificate.add_subparsers(dest="certificate_command", required=True)
    revoker = actions.add_parser("revoke", help="revoke a certificate by its code")
    revoker.add_argument("code")
    revoker.set_defaults(func=revoke)
