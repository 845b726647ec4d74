"""The core imports no Telegram, Rasa, HTTP or SQLite module, so it stays pure and fast to test."""

from __future__ import annotations

import ast

from bot.config import ROOT

CORE = ("content", "quiz", "typed", "coverage", "dialogue", "replies")
FORBIDDEN = ("telegram", "rasa", "httpx", "sqlite3", "sqlite_utils", "bot.store", "bot.nlu", "bot.telegram_app")


def _imports(module: str) -> set[str]:
    tree = ast.parse((ROOT / "bot" / f"{module}.py").read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_the_core_imports_no_adapter():
    for module in CORE:
        bad = {name for name in _imports(module) if name.split(".")[0] in FORBIDDEN or name in FORBIDDEN}
        assert not bad, f"bot/{module}.py imports {bad}"


def test_the_conversation_does_not_import_telegram_or_rasa():
    bad = {n for n in _imports("conversation") if n.split(".")[0] in ("telegram", "rasa", "httpx")}
    assert not bad
