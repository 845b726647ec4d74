"""Coordinator reports: plain-text tables that read well on a phone, and a completion chart."""

from __future__ import annotations

import io
from datetime import date

from bot.content import Bank
from bot.locales import count, format_date, t
from bot.store.records import DepartmentReport


def report_text(reports: list[DepartmentReport], bank: Bank, lang: str, window_days: int) -> str:
    """Per department: servants, overdue, due soon; per module: completed, passed, average score."""
    if not reports:
        return t(lang, "report_empty")
    lines = [t(lang, "report_title", days=count(lang, "day", window_days)), t(lang, "report_legend"), ""]
    width = max(len(m.short_title[lang]) for m in bank.modules.values())
    for report in reports:
        lines.append(t(lang, "report_department", department=report.department,
                       enrolled=count(lang, "servant", report.enrolled), overdue=report.overdue, soon=report.due_soon))
        for module_id in sorted(bank.modules, key=lambda m: (bank.modules[m].track != "onboarding", m)):
            completed, passed, average = report.modules.get(module_id, (0, 0, None))
            shown = f"{average:.0f}%" if average is not None else "–"
            title = bank.modules[module_id].short_title[lang]
            lines.append(f"  {title:<{width}} {completed:>4} {passed:>4} {shown:>5}")
        lines.append("")
    return "\n".join(lines).rstrip()


def overdue_text(rows: list[tuple[str | None, str, str, str]], lang: str) -> str:
    """Every overdue civil servant with the due date they missed."""
    if not rows:
        return t(lang, "overdue_none")
    lines = [t(lang, "overdue_title", count=len(rows))]
    lines += [f"• {name} ({department}{', ' + employee_id if employee_id else ''}): "
              f"{format_date(date.fromisoformat(due), lang)}" for employee_id, name, department, due in rows]
    return "\n".join(lines)


def completion_chart(reports: list[DepartmentReport], title: str) -> bytes:
    """A PNG bar chart: the share of each department's servants whose training cycle is current
    (trained within the cycle and not overdue)."""
    import matplotlib
    matplotlib.use("Agg")
    from matplotlib import pyplot

    names = [r.department for r in reports]
    current = [100 * r.current / r.enrolled if r.enrolled else 0 for r in reports]
    figure, axes = pyplot.subplots(figsize=(8, 0.5 * len(names) + 1.5), dpi=100)
    bars = axes.barh(names, current, color="#2b7bb9")
    axes.bar_label(bars, labels=[f"{v:.0f}% ({r.current}/{r.enrolled})" for v, r in zip(current, reports)],
                   padding=3)
    axes.set_xlim(0, 115)
    axes.invert_yaxis()
    axes.set_title(title)
    axes.set_xlabel("%")
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    pyplot.close(figure)
    return buffer.getvalue()
