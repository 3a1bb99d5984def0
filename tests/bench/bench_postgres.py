"""The ticket list and analytics on a team desk (PostgreSQL) at 1M tickets, beside SQLite.

    .venv/bin/python -m tests.bench.bench_postgres [--sqlite DESK.sqlite]
        [--pg postgresql://postgres@127.0.0.1:5432/ticketdesk_bench] [--runs 7] [--reload]

1. The SQLite demo desk is copied (SQLite's online backup from a read-only connection, so the
   original is never touched) to a scratch file beside the PostgreSQL copy's name.
2. If the PostgreSQL database is missing or empty (or --reload), it is (re)created and filled
   with `ticketdesk migrate --from <copy> --to <pg>`, whose time is printed.
3. Each operation runs once to warm up, then --runs times on each engine; medians are printed
   side by side with the ratio PostgreSQL / SQLite, and the load average before and after (the
   machine may be shared).

The list operations are the services the window calls (services/ticket_list.py): first page of
the default list, of a status+priority filter, of a full-text search, of the subject and
customer sorts, the count of all and of filtered tickets, the sorted id snapshot of all and of a
filter, and 200 rows fetched by id. Analytics: services/analytics.compute for Last 30 days (with
the previous period's cards, as the view asks) and All time, and All time as the analytics view
reads it (the agents table on a second connection meanwhile).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit
from zoneinfo import ZoneInfo

from tests.bench.desk import default_desk, ensure_demo_desk

DEFAULT_SQLITE = default_desk()  # built on first use (tests/bench/desk.py)
DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/ticketdesk_bench"
SCRATCH = Path(os.environ.get("TICKETDESK_BENCH_DIR", "/tmp/ticketdesk-bench"))


def copy_sqlite(source: Path, target: Path) -> Path:
    """A private copy of `source` made through SQLite's backup API, read-only on the source."""
    import apsw

    if target.exists() and target.stat().st_mtime >= source.stat().st_mtime:
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    started = time.perf_counter()
    src = apsw.Connection(f"file:{source}?mode=ro", flags=apsw.SQLITE_OPEN_READONLY
                          | apsw.SQLITE_OPEN_URI)
    dst = apsw.Connection(str(partial))
    try:
        with dst.backup("main", src, "main") as backup:
            while not backup.done:
                backup.step(20_000)
    finally:
        dst.close()
        src.close()
    partial.rename(target)
    print(f"copied {source} to {target} in {time.perf_counter() - started:.1f} s")
    return target


def ensure_database(url: str) -> None:
    """CREATE DATABASE for `url` if the server has none of that name."""
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin_url = urlunsplit(parts._replace(path="/postgres", query=""))
    with psycopg.connect(admin_url, autocommit=True) as admin:
        if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                             (name,)).fetchone():
            admin.execute(f'CREATE DATABASE "{name}"')


def drop_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin_url = urlunsplit(parts._replace(path="/postgres", query=""))
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def ticket_total(url: str) -> int:
    import psycopg

    try:
        with psycopg.connect(url) as conn:
            row = conn.execute("SELECT count(*) FROM ticket").fetchone()
            return int(row[0]) if row else 0
    except psycopg.Error:
        return 0


def load(sqlite_copy: Path, pg: str, reload: bool) -> None:
    from ticketdesk.cli import Printer
    from ticketdesk.services.desk_migration import migrate_desk

    if reload:
        drop_database(pg)
    ensure_database(pg)
    if ticket_total(pg):
        print(f"{pg}: already loaded ({ticket_total(pg):,} tickets)")
        return
    report = migrate_desk(f"sqlite:///{sqlite_copy}", pg, progress=Printer(sys.stdout))
    print(f"ticketdesk migrate: {report.count('ticket'):,} tickets, {report.rows:,} rows in "
          f"{report.seconds:.0f} s ({report.rows / report.seconds:,.0f} rows/s), verified")


def operations(store: Any, tz: Any, now: int) -> dict[str, Callable[[], object]]:
    from peewee import fn

    from ticketdesk.db.models import Ticket
    from ticketdesk.domain.filters import Sort, SortKey, TicketFilter
    from ticketdesk.domain.period import PeriodKind
    from ticketdesk.domain.status import Priority, Status
    from ticketdesk.services import analytics, ticket_list

    everything = TicketFilter()
    filtered = TicketFilter(statuses=frozenset({Status.OPEN, Status.IN_PROGRESS}),
                            priorities=frozenset({Priority.HIGH, Priority.URGENT}))
    search = TicketFilter(text="refund")
    rare = TicketFilter(text="printer jam")
    newest = Sort()
    with store.read():
        top = int(Ticket.select(fn.max(Ticket.id)).scalar() or 1)
    ids = random.Random(7).sample(range(1, top + 1), 200)
    periods = {kind: analytics.period_for(store, kind, tz=tz, now=now)
               for kind in (PeriodKind.LAST_30D, PeriodKind.ALL_TIME)}

    def read(fn_: Callable[[], object]) -> Callable[[], object]:
        def run() -> object:
            with store.read():
                return fn_()
        return run

    beside = ThreadPoolExecutor(1)  # the analytics view's second query thread (one connection)

    def as_the_view(kind: PeriodKind) -> Callable[[], object]:
        """The analytics view's read: the agents table on its second thread while the rest of
        the report is computed (ui/analytics/view.py); done when both are."""
        def run() -> object:
            agents = beside.submit(analytics.agents_table, store, periods[kind], tz=tz)
            report = analytics.compute(store, periods[kind], tz=tz, now=now, agents=False)
            return report.with_agents(agents.result())
        return run

    return {
        "first page": read(lambda: ticket_list.first_page(store, everything, newest, tz=tz)),
        "filtered page (status+priority)": read(
            lambda: ticket_list.first_page(store, filtered, newest, tz=tz)),
        "FTS page ('refund', common)": read(
            lambda: ticket_list.first_page(store, search, newest, tz=tz)),
        "FTS page ('printer jam')": read(
            lambda: ticket_list.first_page(store, rare, newest, tz=tz)),
        "subject sort page": read(lambda: ticket_list.first_page(
            store, everything, Sort(SortKey.SUBJECT, False), tz=tz)),
        "customer sort page": read(lambda: ticket_list.first_page(
            store, everything, Sort(SortKey.CUSTOMER, False), tz=tz)),
        "count all": read(lambda: ticket_list.count(store, everything, tz)),
        "count filtered": read(lambda: ticket_list.count(store, filtered, tz)),
        "count FTS 'refund'": read(lambda: ticket_list.count(store, search, tz)),
        "id snapshot all (1M, newest first)": read(
            lambda: ticket_list.id_snapshot(store, everything, newest, tz)),
        "id snapshot filtered": read(
            lambda: ticket_list.id_snapshot(store, filtered, newest, tz)),
        "rows by 200 ids": read(lambda: ticket_list.rows_by_ids(store, ids)),
        "analytics Last 30 days": lambda: analytics.compute(
            store, periods[PeriodKind.LAST_30D], tz=tz, now=now),
        "analytics All time": lambda: analytics.compute(
            store, periods[PeriodKind.ALL_TIME], tz=tz, now=now),
        "analytics All time, as the view reads it": as_the_view(PeriodKind.ALL_TIME),
    }


def measure(url: str, runs: int, tz: Any, now: int | None) -> tuple[dict[str, float], int]:
    from peewee import fn

    from ticketdesk.db.models import Ticket
    from ticketdesk.db.store import open_database

    store = open_database(url)
    try:
        if now is None:
            with store.read():
                now = int(Ticket.select(fn.max(Ticket.created_at)).scalar() or time.time())
        result: dict[str, float] = {}
        for name, op in operations(store, tz, now).items():
            op()  # warm-up
            times = []
            for _ in range(runs):
                started = time.perf_counter()
                op()
                times.append(time.perf_counter() - started)
            result[name] = statistics.median(times) * 1000
            print(f"  {name:38} {result[name]:9.1f} ms", flush=True)
        return result, now
    finally:
        store.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sqlite", type=Path, default=DEFAULT_SQLITE)
    parser.add_argument("--pg", default=DEFAULT_PG)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--tz", default="Europe/Berlin")
    parser.add_argument("--reload", action="store_true",
                        help="drop and refill the PostgreSQL database")
    parser.add_argument("--skip-load", action="store_true",
                        help="measure what is there (no copy, no migrate)")
    args = parser.parse_args(argv)
    ensure_demo_desk(args.sqlite)
    tz = ZoneInfo(args.tz)
    copy = SCRATCH / args.sqlite.name
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()}")
    if not args.skip_load:
        copy = copy_sqlite(args.sqlite, copy)
        load(copy, args.pg, args.reload)
    print(f"SQLite {copy}:")
    lite, now = measure(f"sqlite:///{copy}", args.runs, tz, None)
    print(f"PostgreSQL {args.pg}:")
    server, _ = measure(args.pg, args.runs, tz, now)
    print(f"\nmedians of {args.runs} runs (ms); load average now {os.getloadavg()}")
    print(f"{'operation':38} {'SQLite':>9} {'PostgreSQL':>11} {'PG/SQLite':>10}")
    for name, ms in lite.items():
        ratio = server[name] / ms
        print(f"{name:38} {ms:9.1f} {server[name]:11.1f} {ratio:9.{2 if ratio < 1 else 1}f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
