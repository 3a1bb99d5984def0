"""Time `services.analytics.compute` on a big SQLite desk, beside the raw-SQL floors.

Issue 5 holds analytics to: Last 30 days, every card and chart, <= 150 ms; All time <= 1.5 s, at
1,000,000 tickets. Each period is computed `--runs` times (after one warm-up) and the median is
printed for what the view asks (the previous period's cards) and what the CSV export asks (its
charts too), with the time spent in each query family. Beside the wall time the process's CPU
time is printed: on a shared machine it shows what the queries cost when the wall clock also
counts waiting for a core. Then, with `--limit SCRIPT` (a raw-SQL floor script: `OPS`, the plain
SQL of the operations, `timeit`, `D30`, `NOW`; or the environment's TICKETDESK_LIMIT_SCRIPT), the
floors: that script's analytics SQL run on the same database (and on the script's own one when
`--limit-db` names it).

usage: python -m tests.bench.bench_analytics [DB] [--runs 7] [--tz Europe/Berlin]
                                             [--now EPOCH] [--limit SCRIPT]
                                             [--limit-db /tmp/limit_1000000.db]

DB defaults to the 1M demo desk (~/.cache/ticketdesk-bench/demo_1000000.sqlite); `python -m
tests.bench.analytics_data PATH` builds a synthetic one. "now" defaults to the newest ticket's
creation, so "Last 30 days" is the busy end of the data whenever the file was generated.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from tests.bench.desk import default_desk, ensure_demo_desk

DEFAULT_DB = default_desk()  # built on first use (tests/bench/desk.py)
BUDGET = {"last-30d": 0.150, "all-time": 1.5}
# The floor script's analytics queries for one 30-day period (best plans) and for all time.
FLOOR_30D = ("an_created_per_day_30d", "an_closed_per_day_30d", "an_by_status_30d",
             "an_by_tag_30d_crossjoin", "an_top_agents_30d_crossjoin", "an_avg_resolution_30d")
FLOOR_ALL = ("an_by_status_all", "an_created_per_day_all", "an_avg_resolution_all")


def instrument(timings: dict[str, float],
               clock: Callable[[], float] = time.perf_counter) -> Callable[[], None]:
    """Wrap each query family of the service to add its time by `clock` to `timings`."""
    from ticketdesk.services import analytics

    originals: dict[str, Any] = {}
    for name in ("_extent", "daily", "duration_sums", "open_at", "created_closed", "by_status",
                 "by_priority", "by_tag", "agents"):
        if not hasattr(analytics._Queries, name):  # an older tree, to compare with
            continue
        original = getattr(analytics._Queries, name)
        originals[name] = original

        def timed(*args: Any, _name: str = name, _f: Any = original, **kw: Any) -> Any:
            started = clock()
            try:
                return _f(*args, **kw)
            finally:
                timings[_name] += clock() - started

        setattr(analytics._Queries, name, timed)

    def restore() -> None:
        for name, original in originals.items():
            setattr(analytics._Queries, name, original)

    return restore


def bench(db: Path, runs: int, tz: Any, now: int | None, cpu_parts: bool = False) -> None:
    from peewee import fn

    from ticketdesk.db.models import Ticket
    from ticketdesk.db.store import open_database
    from ticketdesk.domain.period import PeriodKind
    from ticketdesk.services import analytics

    started = time.perf_counter()
    store = open_database(f"sqlite:///{db}")
    opened = time.perf_counter() - started
    count = Ticket.select(fn.count(Ticket.id)).scalar()
    if now is None:
        now = int(Ticket.select(fn.max(Ticket.created_at)).scalar() or time.time())
    print(f"{db}: {count:,} tickets, opened (and migrated) in {opened:.1f} s; "
          f"now={now} ({time.strftime('%Y-%m-%d %H:%M', time.gmtime(now))} UTC), "
          f"tz={analytics.tz_name(tz)}")
    try:
        for kind in (PeriodKind.LAST_30D, PeriodKind.ALL_TIME):
            period = analytics.period_for(store, kind, tz=tz, now=now)
            print(f"\n{kind.label} ({period.first_day} – {period.last_day}, "
                  f"{period.day_count} days), budget {BUDGET[kind.value] * 1000:.0f} ms:")
            # What the view asks for (previous period: cards and days), then what the CSV
            # export asks for (previous period's breakdowns and agents too).
            for label, previous in (("view", False), ("export", True)):
                analytics.compute(store, period, tz=tz, now=now,
                                  previous_breakdowns=previous)  # warm-up
                timings: dict[str, float] = defaultdict(float)
                restore = instrument(timings, time.process_time if cpu_parts else time.perf_counter)
                try:
                    times, cpu = [], []
                    for _ in range(runs):
                        t0, c0 = time.perf_counter(), time.process_time()
                        report = analytics.compute(store, period, tz=tz, now=now,
                                                   previous_breakdowns=previous)
                        times.append(time.perf_counter() - t0)
                        cpu.append(time.process_time() - c0)
                finally:
                    restore()
                median = statistics.median(times)
                verdict = "ok" if median <= BUDGET[kind.value] else "OVER BUDGET"
                parts = ", ".join(f"{name} {total / runs * 1000:.1f}" for name, total in
                                  sorted(timings.items(), key=lambda kv: -kv[1]))
                print(f"  {label:6s} median {median * 1000:7.1f} ms of {runs} (min "
                      f"{min(times) * 1000:.1f}, max {max(times) * 1000:.1f}; CPU median "
                      f"{statistics.median(cpu) * 1000:.1f} ms) {verdict}\n"
                      f"         {parts}")
            s = report.current.summary
            charts = report.current.breakdowns
            print(f"  created {s.created:,}  closed {s.closed:,}  open {s.open_at_end:,}  "
                  f"agents {len(charts.agents) if charts else 0}")
    finally:
        store.close()


def floors(script: Path, db: Path, now: int | None) -> None:
    """The floor script's analytics SQL (its best plans), timed with APSW on `db`, best of 5.

    Its queries name the same tables and columns as our schema, so they run unchanged on the
    script's own database and on ours; on ours "the last 30 days" is counted back from
    `now` (default: the newest ticket), as the service does.
    """
    import importlib.util
    import sys

    import apsw

    spec = importlib.util.spec_from_file_location("limit", script)
    assert spec is not None
    assert spec.loader is not None
    argv, sys.argv = sys.argv, ["limit.py", "1000000", str(db)]
    try:
        limit = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(limit)
    finally:
        sys.argv = argv
    con = apsw.Connection(str(db), flags=apsw.SQLITE_OPEN_READONLY)
    con.execute("PRAGMA cache_size=-32768")  # as the application's connections
    if now is None:
        now = con.execute("SELECT max(created_at) FROM ticket").fetchone()[0] or limit.NOW
    print(f"\nfloors: {script.name}'s analytics SQL on {db} (best of 5; one period, simpler "
          "figures: top agents there counts created tickets only):")
    for label, names in (("Last 30 days", FLOOR_30D), ("All time", FLOOR_ALL)):
        total = cpu_total = 0.0
        for name in names:
            sql, args = limit.OPS[name]
            args = tuple(now - 30 * 86400 if a == limit.D30 else a for a in args)
            best = cpu = float("inf")
            for _ in range(5):
                t0, c0 = time.perf_counter(), time.process_time()
                con.execute(sql, args).fetchall()
                best = min(best, time.perf_counter() - t0)
                cpu = min(cpu, time.process_time() - c0)
            total += best
            cpu_total += cpu
            print(f"    {name:30s} {best * 1000:8.1f} ms (CPU {cpu * 1000:.1f})")
        print(f"  {label}: {total * 1000:.1f} ms (CPU {cpu_total * 1000:.1f})")
    con.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("db", nargs="?", type=Path, default=DEFAULT_DB)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--tz", default=None, help="IANA zone (default: the system's)")
    parser.add_argument("--now", type=int, default=None)
    parser.add_argument("--cpu-parts", action="store_true",
                        help="break the time down by query family in CPU time, not wall time")
    parser.add_argument("--limit", type=Path, default=os.environ.get("TICKETDESK_LIMIT_SCRIPT"),
                        help="a raw-SQL floor script whose analytics SQL is timed as well")
    parser.add_argument("--limit-db", type=Path, default=None,
                        help="also time the floors on the floor script's own database")
    args = parser.parse_args()
    ensure_demo_desk(args.db)
    if not args.db.exists():
        raise SystemExit(f"{args.db} does not exist; build one with "
                         "python -m tests.bench.analytics_data PATH")
    bench(args.db, args.runs, ZoneInfo(args.tz) if args.tz else None, args.now, args.cpu_parts)
    if args.limit is not None:
        floors(args.limit, args.db, args.now)
        if args.limit_db is not None:
            floors(args.limit, args.limit_db, None)


if __name__ == "__main__":
    main()
