"""Trip history (issue 12): a month of 300-booking days into SQLite and PostgreSQL, and the
month report read back, side by side in one run.

    flock /tmp/maas-cpu.lock .venv/bin/python -m pytest benchmarks/bench_history.py -s

Measures, per backend: importing the 25 operating days of November 2026, 300 bookings
each (ms per day, p50 and max), re-importing them (the idempotent no-op, ms per day),
reading the month beside the month before and figuring it (``read_month``), and rendering
``report.html`` and ``report.csv``. PostgreSQL is the suite's own (pytest-postgresql, a free
port). Figures go to ``docs/benchmarks.md`` (section "Issue 12").
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import time
from pathlib import Path

import pytest

from maas.history import HistoryStore, Month, ReportConfig, read_month
from scenarios.monthly_report import write_month_report
from tests.history.conftest import postgresql_proc, store  # noqa: F401  (fixtures)
from tests.history.week import AREA, ZONES, closed_day, operating_days

BOOKINGS = 300
RESULTS: dict[str, dict[str, float]] = {}


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


def test_month_of_days(store: HistoryStore, tmp_path: Path) -> None:  # noqa: F811
    """Import, re-import and report a month on one backend."""
    days = [closed_day(d, bookings=BOOKINGS)
            for d in operating_days(dt.date(2026, 11, 1), dt.date(2026, 11, 30))]
    backend = store.engine.dialect.name
    imports, again = [], []
    for record in days:
        t0 = time.perf_counter()
        assert store.import_day(record)
        imports.append(time.perf_counter() - t0)
    for record in days:
        t0 = time.perf_counter()
        assert not store.import_day(record)
        again.append(time.perf_counter() - t0)
    t0 = time.perf_counter()
    read = read_month(store, AREA, Month(2026, 11), ReportConfig(zones=ZONES))
    reading = time.perf_counter() - t0
    t0 = time.perf_counter()
    write_month_report(read.report, read.days, read.zones, tmp_path / "report")
    writing = time.perf_counter() - t0
    assert read.report.current.total.rides > 0
    RESULTS[backend] = {
        "days": len(days),
        "bookings": sum(len(d.bookings) for d in days),
        "import p50 ms/day": _ms(statistics.median(imports)),
        "import max ms/day": _ms(max(imports)),
        "re-import p50 ms/day": _ms(statistics.median(again)),
        "read + figure month ms": _ms(reading),
        "write html+csv ms": _ms(writing),
    }


@pytest.fixture(scope="module", autouse=True)
def _table() -> object:
    yield None
    if not RESULTS:
        return
    names = list(next(iter(RESULTS.values())))
    backends = sorted(RESULTS)
    print(f"\nhistory benchmark ({os.uname().machine}, load {os.getloadavg()[0]:.2f})")
    print(f"{'':26}" + "".join(f"{b:>14}" for b in backends))
    for name in names:
        print(f"{name:26}" + "".join(f"{RESULTS[b][name]:>14}" for b in backends))
