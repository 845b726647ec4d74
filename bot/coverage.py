"""The content report: how many questions touch each chapter of the Code, per module (pure)."""

from __future__ import annotations

from bot.content import Bank


def coverage_report(bank: Bank, lang: str = "en") -> str:
    """A plain-text table: chapters down, modules across, question counts in the cells."""
    modules = sorted(bank.modules.values(), key=lambda m: (m.track != "onboarding", m.id))
    table = bank.coverage()
    width = max(len(chapter) for chapter in table)
    header = "chapter".ljust(width) + "".join(f" {m.id[:12]:>12}" for m in modules) + "  total"
    lines = ["Questions per chapter (a question citing two chapters counts in both):", header]
    for chapter, counts in table.items():
        cells = "".join(f" {counts.get(m.id, 0):>12}" for m in modules)
        lines.append(f"{chapter.ljust(width)}{cells}  {sum(counts.values()):>5}   {bank.chapters[chapter][lang]}")
    lines.append("")
    lines.append("Questions per module:")
    for module in modules:
        lines.append(f"  {module.id:<28} {module.track:<11} {len(module.questions):>3}   {module.title[lang]}")
    lines.append(f"  {'total':<28} {'':<11} {sum(len(m.questions) for m in modules):>3}")
    return "\n".join(lines)
