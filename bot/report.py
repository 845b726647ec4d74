"""Coordinator reports: plain-text tables that read well on a phone, the same lists as CSV tables
for when they are too long for a chat, and a completion chart."""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Iterator
from datetime import date

from bot.content import Bank
from bot.locales import count, format_date, t
from bot.store.records import DepartmentReport, Servant

REPORT_COLUMNS = (
    "department",
    "servants",
    "current",
    "overdue",
    "due_soon",
    "unreachable",
    "self_registered",
    "module_id",
    "completed",
    "passed",
    "average_score",
)
OVERDUE_COLUMNS = (
    "employee_id",
    "name",
    "department",
    "telegram_id",
    "due_on",
    "days_overdue",
    "unreachable_since",
    "on_roster",
)
CHART_BARS = 40  # more bars would not be readable on a phone, and the picture would pass the photo limits
LABEL_LENGTH = 40


def _modules_in_order(bank: Bank) -> list[str]:
    return sorted(bank.modules, key=lambda m: (bank.modules[m].track != "onboarding", m))


def report_text(reports: list[DepartmentReport], bank: Bank, lang: str, window_days: int) -> str:
    """Per department: servants, overdue, due soon, unreachable, self-registered; per module:
    completed, passed, average score."""
    if not reports:
        return t(lang, "report_empty")
    lines = [t(lang, "report_title", days=count(lang, "day", window_days)), t(lang, "report_legend"), ""]
    width = max(len(m.short_title[lang]) for m in bank.modules.values())
    for report in reports:
        lines.append(
            t(
                lang,
                "report_department",
                department=report.department,
                enrolled=count(lang, "servant", report.enrolled),
                overdue=report.overdue,
                soon=report.due_soon,
            )
        )
        if report.unreachable or report.self_registered:
            lines.append(
                t(lang, "report_reach", unreachable=report.unreachable, self_registered=report.self_registered)
            )
        for module_id in _modules_in_order(bank):
            completed, passed, average = report.modules.get(module_id, (0, 0, None))
            shown = f"{average:.0f}%" if average is not None else "–"
            title = bank.modules[module_id].short_title[lang]
            lines.append(f"  {title:<{width}} {completed:>4} {passed:>4} {shown:>5}")
        lines.append("")
    return "\n".join(lines).rstrip()


def report_rows(reports: list[DepartmentReport], bank: Bank) -> Iterator[tuple]:
    """REPORT_COLUMNS: one row per department and module."""
    for r in reports:
        for module_id in _modules_in_order(bank):
            completed, passed, average = r.modules.get(module_id, (0, 0, None))
            yield (
                r.department,
                r.enrolled,
                r.current,
                r.overdue,
                r.due_soon,
                r.unreachable,
                r.self_registered,
                module_id,
                completed,
                passed,
                None if average is None else round(average, 1),
            )


def marks(servant: Servant, lang: str) -> str:
    """What a coordinator should know besides the date: unreachable since, not on the roster."""
    shown = []
    if servant.unreachable_since:
        shown.append(
            t(lang, "mark_unreachable", since=format_date(date.fromisoformat(servant.unreachable_since[:10]), lang))
        )
    if not servant.on_roster:
        shown.append(t(lang, "mark_self_registered"))
    return "".join(f" {mark}" for mark in shown)


def unreachable_by_department(servants: list[Servant], lang: str) -> str | None:
    """One line: how many listed servants blocked the bot, per department; None when nobody did."""
    counts = Counter(s.department for s in servants if s.unreachable_since)
    if not counts:
        return None
    return t(
        lang,
        "unreachable_count",
        count=sum(counts.values()),
        departments=", ".join(f"{d} {n}" for d, n in sorted(counts.items())),
    )


def overdue_text(servants: list[Servant], lang: str) -> str:
    """Overdue servants grouped by department, each department with its counts."""
    if not servants:
        return t(lang, "overdue_none")
    lines = [t(lang, "overdue_title", count=len(servants))]
    unreachable = unreachable_by_department(servants, lang)
    if unreachable:
        lines.append(unreachable)
    for department in sorted({s.department for s in servants}):
        group = [s for s in servants if s.department == department]
        lines += [
            "",
            t(
                lang,
                "overdue_department",
                department=department,
                count=len(group),
                unreachable=sum(1 for s in group if s.unreachable_since),
            ),
        ]
        lines += [
            f"• {s.name}{f' ({s.employee_id})' if s.employee_id else ''}: {format_date(date.fromisoformat(s.due_on), lang)}{marks(s, lang)}"
            for s in group
        ]
    return "\n".join(lines)


def overdue_rows(servants: list[Servant]) -> Iterator[tuple]:
    """OVERDUE_COLUMNS, one row per servant."""
    for s in servants:
        yield (
            s.employee_id,
            s.name,
            s.department,
            s.telegram_id,
            s.due_on,
            -s.days_left,
            s.unreachable_since,
            int(s.on_roster),
        )


def _share(report: DepartmentReport) -> float:
    return 100 * report.current / report.enrolled if report.enrolled else 0


def chart_title(reports: list[DepartmentReport], lang: str) -> str:
    """The chart's title; past CHART_BARS departments it says which ones it shows."""
    title = t(lang, "chart_title")
    if len(reports) > CHART_BARS:
        title += "\n" + t(lang, "chart_lowest", shown=CHART_BARS, total=len(reports))
    return title


def completion_chart(reports: list[DepartmentReport], title: str) -> bytes:
    """A PNG bar chart: the share of each department's servants whose training cycle is current
    (trained within the cycle and not overdue). Past CHART_BARS departments, the CHART_BARS with
    the lowest share, so that the picture stays readable and within the Bot API's photo limits."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    if len(reports) > CHART_BARS:
        reports = sorted(reports, key=_share)[:CHART_BARS]
    names = [
        r.department if len(r.department) <= LABEL_LENGTH else r.department[: LABEL_LENGTH - 1] + "…" for r in reports
    ]
    current = [_share(r) for r in reports]
    figure, axes = pyplot.subplots(figsize=(10, 0.4 * len(names) + 1.8), dpi=100)
    bars = axes.barh(range(len(names)), current, color="#2b7bb9")
    axes.set_yticks(range(len(names)), names)
    axes.bar_label(bars, labels=[f"{v:.0f}% ({r.current}/{r.enrolled})" for v, r in zip(current, reports)], padding=3)
    axes.set_xlim(0, 125)
    axes.invert_yaxis()
    axes.set_title(title)
    axes.set_xlabel("%")
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    pyplot.close(figure)
    return buffer.getvalue()
