"""Benchmark: the CSAT figures (issue 21, `services.csat.report`) at 1,000,000 tickets.

    .venv/bin/python -m tests.bench.bench_csat [SOURCE_DB] [--work DIR] [--runs 7]
        [--pg postgresql://postgres@127.0.0.1:5432/ticketdesk_bench] [--no-sqlite]

SOURCE_DB (default: the benchmarks' 1M demo desk, tests/bench/desk.py) is never modified: it is
copied into --work once (the copy is reused by later runs). A desk without ratings gets a fifth
of its resolved tickets rated an hour after their resolution (the statement of
bench_routing._rate). `--pg` measures a PostgreSQL desk as well (rated the same way if it has no
rating; opening it applies this version's migrations, as every bench does). For each engine:
`csat.report` for Last 30 days and All time,
without and with a ticket filter (priority High), median and maximum wall time over --runs and
the median CPU time of this process beside it (PostgreSQL's own work is on the server: its CPU
is not in that figure), and the machine's load. Goals as the other analytics cards: ≤ 150 ms
for Last 30 days, ≤ 1.5 s for All time.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path
from typing import Any

from tests.bench.desk import default_desk, work_copy

DEFAULT_WORK = Path(os.environ.get("TMPDIR", "/tmp")) / "ticketdesk-bench-csat"

RATE = (
    "INSERT INTO csat_rating (ticket_id, resolved_at, rating, good, comment, source, "
    "agent_id, created_at, updated_at) "
    "SELECT id, resolved_at, 1 + id / 5 % 5, id / 5 % 5 >= 3, "
    "CASE WHEN id % 25 = 0 THEN 'comment ' || id ELSE '' END, 'email', NULL, "
    "resolved_at + 3600, resolved_at + 3600 FROM ticket "
    "WHERE resolved_at IS NOT NULL AND id % 5 = 0")


def _copy(source: Path, work: Path) -> Path:
    return work_copy(source, work, "csat_1m.sqlite")


def _rate(session: Any) -> int:
    """A fifth of the resolved tickets rated, unless the desk has ratings already."""
    from ticketdesk.db.models import CsatRating

    with session.store.read():
        if CsatRating.select().exists():
            return int(CsatRating.select().count())
    started = time.perf_counter()
    with session.store.write():
        session.store.db.execute_sql(RATE)
    with session.store.read():
        count = int(CsatRating.select().count())
    print(f"rated {count:,} resolved tickets in {time.perf_counter() - started:.1f} s")
    return count


def _measure(label: str, url: str, runs: int) -> None:
    from ticketdesk.db.store import open_database
    from ticketdesk.domain.filters import TicketFilter
    from ticketdesk.domain.period import PeriodKind
    from ticketdesk.domain.status import Priority
    from ticketdesk.services import analytics, csat
    from ticketdesk.services.session import Session

    store = open_database(url)
    try:
        session = Session(store, None)
        print(f"\n{label}: {_rate(session):,} ratings")
        for kind in (PeriodKind.LAST_30D, PeriodKind.ALL_TIME):
            period = analytics.period_for(store, kind)
            for name, f in (("", None), (", filter High", TicketFilter(
                    priorities=frozenset({Priority.HIGH})))):
                walls, cpus, report = [], [], None
                for _ in range(runs):
                    started, started_cpu = time.perf_counter(), time.process_time()
                    report = csat.report(session, period, filter=f)
                    walls.append((time.perf_counter() - started) * 1000)
                    cpus.append((time.process_time() - started_cpu) * 1000)
                assert report is not None
                print(f"  {kind.value}{name} ({period.day_count} days, "
                      f"{report.summary.ratings:,} ratings): median {statistics.median(walls):.0f}"
                      f" ms, max {max(walls):.0f} ms, CPU median {statistics.median(cpus):.0f} ms"
                      f" (load {os.getloadavg()[0]:.1f})", flush=True)
    finally:
        store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", nargs="?", type=Path, default=default_desk())
    parser.add_argument("--work", type=Path, default=DEFAULT_WORK)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--pg", help="also a PostgreSQL desk (its URL)")
    parser.add_argument("--no-sqlite", action="store_true", help="PostgreSQL (--pg) only")
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()}")
    if not args.no_sqlite:
        copy = _copy(args.source, args.work)
        _measure("SQLite", str(copy), args.runs)
    if args.pg:
        _measure("PostgreSQL", args.pg, args.runs)
    print(f"\nload average now {os.getloadavg()}")


if __name__ == "__main__":
    main()
