"""`make benchmark`: the figures of issue 14's table and the earlier ones, measured in one run on this
machine and printed as one table with the targets, after each section's detail lines.

    .venv/bin/python benchmarks/run.py                 # everything, a Rasa training from scratch included
    .venv/bin/python benchmarks/run.py --no-training   # the same without the training (about 3 minutes less)

The machine is shared, so latencies are percentiles over hundreds of repetitions and this bot is
compared with a bare python-telegram-bot bot measured in the same run.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import store_figures  # noqa: E402
from benchmarks.measure import Row, detail, machine, table  # noqa: E402
from benchmarks.rasa_side import training_seconds  # noqa: E402
from benchmarks.telegram_day import telegram_day  # noqa: E402

TARGET_TRAINING = 6 * 60


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-training", action="store_true", help="skip the Rasa training from scratch")
    args = parser.parse_args(argv)
    heading = f"benchmarks on {machine()}"
    detail(heading)
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        rows += telegram_day(directory)
        rows += store_figures.selection(directory)
        rows += asyncio.run(store_figures.delivery(directory))
        rows += store_figures.export(directory)
        rows += store_figures.item_analysis_figure(directory / "items.db")
        rows += store_figures.coordinator_lists(directory)
    rows += store_figures.certificate_figure()
    if args.no_training:
        rows.append(Row("Rasa training from scratch", "not measured (--no-training)"))
    else:
        seconds = training_seconds()
        detail(f"Rasa training from scratch (scripts/rasa.sh train, no model, no cache): {seconds / 60:.1f} min")
        rows.append(Row("Rasa training from scratch", f"{seconds / 60:.1f} min", "≤ 6 min", seconds <= TARGET_TRAINING))
    print()
    print(heading)
    print(table(rows))


if __name__ == "__main__":
    main()
