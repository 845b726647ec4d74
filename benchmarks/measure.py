"""What every benchmark section shares: the table's rows, percentiles, peak memory and the machine.

The machine is shared and noisy, so figures are medians and percentiles over many repetitions, and
comparisons are made within one run.
"""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Row:
    """One line of the final table: a figure, and the issue's target for it if it has one."""

    what: str
    figure: str
    target: str = ""
    met: bool | None = None  # None: no target

    def verdict(self) -> str:
        return "" if self.met is None else ("met" if self.met else "MISSED")


def percentile(values: Iterable[float], share: float) -> float:
    """The `share` percentile (0.95 for p95) by linear interpolation between the closest ranks."""
    ordered = sorted(values)
    if not ordered:
        raise ValueError("no values")
    rank = share * (len(ordered) - 1)
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def p50_p95(values: list[float]) -> tuple[float, float]:
    return percentile(values, 0.5), percentile(values, 0.95)


def median_ms(action: Callable[[], T], runs: int = 7) -> tuple[float, T]:
    """The median time of `action` over `runs` runs, in milliseconds, and its last result."""
    timings, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = action()
        timings.append((time.perf_counter() - start) * 1000)
    return statistics.median(timings), result


def peak_kb(pid: int) -> int:
    """VmHWM of a running process: its peak resident memory so far, in KiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmHWM for process {pid}")


def group_peak_kb(pgid: int) -> tuple[int, int]:
    """The summed VmHWM of every process in a process group (an upper bound of their joint peak), and
    how many processes there are."""
    peaks = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[2]) == pgid:
                peaks.append(peak_kb(int(stat.parent.name)))
        except (OSError, RuntimeError, IndexError):
            continue  # ended meanwhile
    return sum(peaks), len(peaks)


def machine() -> str:
    """Date, cores, CPU model and the two Pythons, for the table's heading."""
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or "unknown CPU",
    )
    rasa_python = Path(__file__).resolve().parent.parent / ".venv-rasa" / "bin" / "python"
    try:
        rasa_version = subprocess.run(
            [str(rasa_python), "--version"], capture_output=True, text=True, check=True
        ).stdout.split()[-1]
    except (OSError, subprocess.CalledProcessError):
        rasa_version = "not installed"
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    return (
        f"{datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC; {os.cpu_count()} cores, {cpu}; "
        f"Python {sys.version.split()[0]} (bot), {rasa_version} (Rasa); load average at start {load}"
    )


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def table(rows: list[Row]) -> str:
    """The rows as a Markdown table, ready for the README."""
    lines = ["| what | measured | target | |", "|---|---|---|---|"]
    lines += [f"| {r.what} | {r.figure} | {r.target} | {r.verdict()} |" for r in rows]
    return "\n".join(lines)


def detail(*parts: Any) -> None:
    """A section's detail line, printed as it is measured."""
    print(*parts, flush=True)
