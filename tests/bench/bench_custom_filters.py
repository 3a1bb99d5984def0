"""Benchmark: filtering the ticket list by custom fields at 1,000,000 tickets (issue 19).

    .venv/bin/python -m tests.bench.bench_custom_filters [SOURCE_DB] [--work DIR] [--runs 7]
    .venv/bin/python -m tests.bench.bench_custom_filters --url postgresql://... [--runs 7]

SOURCE_DB (default: the benchmarks' 1M-ticket demo desk, tests/bench/desk.py) is never opened:
it is copied into --work once and the copy is opened (migrations run there). With --url, a
PostgreSQL desk filled before with `ticketdesk demo` is used as it is (and changed). The desk
gets four fields once, set on many tickets with one INSERT ... SELECT each:

- Seats (number) on every ticket, 0-999 (every tenth with .5);
- Notes (text) on 30%: "printer jam in room N" on a tenth of all tickets, "50% refunded" on a
  tenth, "called back" on the rest;
- Renewal (date) on half, days spread over 2024-2026;
- Plan (list) on 60%, Basic or Pro.

Then, for each condition, the three queries the list asks of one filter are timed --runs times
(medians; the first, cold run apart; wall and the thread's CPU time): the first page (200 rows,
newest first), the count, and the id snapshot. Last, one first page sorted by subject.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.bench.desk import default_desk, ensure_demo_desk, work_copy

DEFAULT_WORK = Path("/tmp/ticketdesk-bench-custom-filters")

FILL = {
    "Seats": "SELECT id, {fid}, CAST(id * 7919 % 1000 AS TEXT) || "
             "CASE WHEN id % 10 = 0 THEN '.5' ELSE '' END FROM ticket",
    "Notes": "SELECT id, {fid}, CASE WHEN id % 10 = 0 THEN 'printer jam in room ' || (id % 97) "
             "WHEN id % 10 = 1 THEN '50% refunded' ELSE 'called back' END FROM ticket "
             "WHERE id % 10 < 3",
    "Renewal": "SELECT id, {fid}, {day} FROM ticket WHERE id % 2 = 0",
    "Plan": "SELECT id, {fid}, CASE WHEN id % 5 < 2 THEN 'Pro' ELSE 'Basic' END FROM ticket "
            "WHERE id % 5 < 3",
}
DAY = {True: "date('2024-01-01', '+' || (id * 31 % 1000) || ' days')",
       False: "to_char(date '2024-01-01' + CAST(id * 31 % 1000 AS integer), 'YYYY-MM-DD')"}
KINDS = {"Seats": "number", "Notes": "text", "Renewal": "date", "Plan": "list"}


def _copy(source: Path, work: Path) -> Path:
    return work_copy(source, work, "fields.sqlite")


def _time(fn: Callable[[], Any], runs: int) -> tuple[float, float, float]:
    """(cold, median, median CPU) in milliseconds."""
    times, cpu = [], []
    for _ in range(runs + 1):
        start, start_cpu = time.perf_counter(), time.thread_time()
        fn()
        times.append((time.perf_counter() - start) * 1000)
        cpu.append((time.thread_time() - start_cpu) * 1000)
    return times[0], statistics.median(times[1:]), statistics.median(cpu[1:])


def _fields(store: Any) -> dict[str, Any]:
    from ticketdesk.services import custom_fields
    from ticketdesk.services.session import Session

    system = Session(store, None)
    have = {f.name: f for f in custom_fields.list_fields(system)}
    for name, kind in KINDS.items():
        if name in have:
            continue
        started = time.perf_counter()
        fid, _ = custom_fields.add_field(system, name, kind, "Basic\nPro")
        with store.write():
            sql = FILL[name].format(fid=fid, day=DAY[store.backend.dialect.is_sqlite])
            store.db.execute_sql("INSERT INTO custom_value (ticket_id, field_id, value) "
                                 + (sql if store.backend.dialect.is_sqlite
                                    else sql.replace("%", "%%")))
        if not store.backend.dialect.is_sqlite:
            store.db.execute_sql("ANALYZE custom_value")
        print(f"  {name}: set in {time.perf_counter() - started:.1f} s", flush=True)
    return {f.name: f for f in custom_fields.list_fields(system)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("source", nargs="?", type=Path, default=default_desk())
    parser.add_argument("--work", type=Path, default=DEFAULT_WORK)
    parser.add_argument("--url", help="a PostgreSQL desk instead of a copy of SOURCE_DB")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--only", default="", help="run the cases whose name holds this text")
    args = parser.parse_args()

    from ticketdesk.db.store import open_database
    from ticketdesk.domain.field_conditions import condition
    from ticketdesk.domain.filters import Sort, SortKey, TicketFilter
    from ticketdesk.domain.status import Status
    from ticketdesk.services import ticket_list

    if args.url:
        url = args.url
    else:
        source = args.source if args.source != default_desk() else \
            ensure_demo_desk(args.source)
        url = f"sqlite:///{_copy(source, args.work)}"
    started = time.perf_counter()
    store = open_database(url)
    print(f"opened (and migrated) in {time.perf_counter() - started:.1f} s")
    try:
        f = _fields(store)
        seats, notes, renewal, plan = f["Seats"], f["Notes"], f["Renewal"], f["Plan"]

        def on(*conditions: Any, **more: Any) -> TicketFilter:
            return TicketFilter(field_conditions=tuple(conditions), **more)

        cases: dict[str, TicketFilter] = {
            "Seats >= 990 (1%)": on(condition(seats, "ge", "990")),
            "Seats >= 10 (99%)": on(condition(seats, "ge", "10")),
            "Seats < 5": on(condition(seats, "lt", "5")),
            "Seats between 100 and 110": on(condition(seats, "between", "100", "110")),
            "Seats = 501": on(condition(seats, "eq", "501")),
            "Seats >= 990 and Open": on(condition(seats, "ge", "990"),
                                        statuses=frozenset({Status.OPEN})),
            "Notes contains printer (10%)": on(condition(notes, "contains", "printer")),
            "Notes contains 'room 42'": on(condition(notes, "contains", "room 42")),
            "Notes contains 50% (10%)": on(condition(notes, "contains", "50%")),
            "Notes is empty (70%)": on(condition(notes, "empty")),
            "Notes is set (30%)": on(condition(notes, "set")),
            "Renewal on 2025-03-02": on(condition(renewal, "eq", "2025-03-02")),
            "Renewal before 2024-02-01": on(condition(renewal, "lt", "2024-02-01")),
            "Renewal between 2025-01-01 and 2025-01-31": on(
                condition(renewal, "between", "2025-01-01", "2025-01-31")),
            "Plan = Pro (list)": TicketFilter(custom=((plan.id, "Pro"),)),
            "Seats >= 999.4 (none)": on(condition(seats, "ge", "999.4")),
        }
        print(f"load {os.getloadavg()[0]:.2f} (uptime: {os.getloadavg()})")
        print(f"{'case':44} {'rows':>9} {'first page':>22} {'count':>22} {'id snapshot':>22}")
        print(f"{'':44} {'':>9} {'cold/median/cpu ms':>22} {'cold/median/cpu ms':>22} "
              f"{'cold/median/cpu ms':>22}")
        for name, filt in cases.items():
            if args.only and args.only not in name:
                continue
            rows = ticket_list.count(store, filt)
            figures = []
            for fn in (lambda f=filt: ticket_list.first_page(store, f, Sort()),
                       lambda f=filt: ticket_list.count(store, f),
                       lambda f=filt: ticket_list.id_snapshot(store, f, Sort())):
                cold, median, cpu = _time(fn, args.runs)
                figures.append(f"{cold:7.1f}/{median:7.1f}/{cpu:6.1f}")
            print(f"{name:44} {rows:9,} " + " ".join(f"{x:>22}" for x in figures), flush=True)
        by_subject = Sort(SortKey.SUBJECT, False)
        filt = cases["Seats >= 990 (1%)"]
        cold, median, cpu = _time(lambda: ticket_list.first_page(store, filt, by_subject),
                                  args.runs)
        print(f"{'Seats >= 990, sorted by subject: first page':44} {'':9} "
              f"{cold:7.1f}/{median:7.1f}/{cpu:6.1f}")
        print(f"load {os.getloadavg()[0]:.2f}")
    finally:
        store.close()


if __name__ == "__main__":
    main()
