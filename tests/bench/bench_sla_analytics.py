"""Benchmark: SLA analytics (issue 17, services/sla_analytics.py) on the 1,000,000-ticket demo
desk.

    .venv/bin/python -m tests.bench.bench_sla_analytics [SOURCE_DB] [--work DIR] [--runs 5]

SOURCE_DB (default: the benchmarks' 1M demo desk, tests/bench/desk.py) is never modified: it is
copied into --work once (the copy is reused by later runs). The demo desk has no SLA policy, so
on the copy every ticket is given due times in one statement, as a policy and `sla recompute`
would store them: first response 4-12 h after creation, resolution 1-4 days (by id, so some
targets are met and some breached). Then, for the last 30 days and all time: the SLA figures of
the period (`report`), and of the period and the one before (`report_pair`, what the view and
`export analytics` compute) — median and maximum over --runs (goals as the other cards: ≤ 150 ms
for 30 days, ≤ 1.5 s all time).
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.bench.desk import default_desk, work_copy

DEFAULT_WORK = Path(os.environ.get("TMPDIR", "/tmp")) / "ticketdesk-bench-sla-analytics"


def _copy(source: Path, work: Path) -> Path:
    return work_copy(source, work, "sla_analytics_1m.sqlite")


def _timed(fn: Callable[[], Any], runs: int) -> tuple[float, float, Any]:
    """(median wall ms, max wall ms, result); the median CPU time of this process is printed
    too, as the shared machine's wall clock also measures the other processes."""
    times, cpu, result = [], [], None
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        result = fn()
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    print(f"    (CPU median {statistics.median(cpu):.0f} ms, load average "
          f"{os.getloadavg()[0]:.1f})")
    return statistics.median(times), max(times), result


def _dues(store: Any) -> None:
    from ticketdesk.db.models import Ticket

    with store.read():
        if Ticket.select().where(Ticket.first_response_due.is_null(False)).exists():
            return
    started = time.perf_counter()
    with store.write():
        store.db.execute_sql(
            "UPDATE ticket SET first_response_due = created_at + 14400 * (1 + id % 3), "
            "resolution_due = created_at + 86400 * (1 + id % 4)")
    print(f"due times stored for every ticket in {time.perf_counter() - started:.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", nargs="?", type=Path, default=default_desk())
    parser.add_argument("--work", type=Path, default=DEFAULT_WORK)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    from ticketdesk.db.store import open_database
    from ticketdesk.domain.analytics import format_percent
    from ticketdesk.domain.period import PeriodKind
    from ticketdesk.services import analytics, sla_analytics
    from ticketdesk.services.session import Session

    copy = _copy(args.source, args.work)
    store = open_database(str(copy))
    try:
        session = Session(store, None)
        _dues(store)
        for kind in (PeriodKind.LAST_30D, PeriodKind.ALL_TIME):
            period = analytics.period_for(store, kind)
            median, worst, report = _timed(
                lambda p=period: sla_analytics.report(session, p), args.runs)
            s = report.summary
            print(f"SLA figures, {kind.value} ({s.tickets:,} tickets, first response met "
                  f"{format_percent(s.response_met_share)}, resolution met "
                  f"{format_percent(s.resolution_met_share)}, {s.breaches:,} breaches, "
                  f"{len(report.by_agent)} agents, {len(report.by_tag)} tags): "
                  f"median {median:.0f} ms, max {worst:.0f} ms")
            median, worst, _ = _timed(
                lambda p=period: sla_analytics.report_pair(session, p), args.runs)
            print(f"  with the previous period (view, export): median {median:.0f} ms, "
                  f"max {worst:.0f} ms")
    finally:
        store.close()


if __name__ == "__main__":
    main()
