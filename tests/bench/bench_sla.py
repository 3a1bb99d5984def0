"""Benchmark: the SLA (issue 17) on the 1,000,000-ticket demo desk.

    .venv/bin/python -m tests.bench.bench_sla [SOURCE_DB] [--work DIR] [--runs 9]

SOURCE_DB (default: the benchmarks' 1M demo desk, tests/bench/desk.py) is never modified: it is
copied into --work once (the copy is reused by later runs). On the copy the script sets business
hours (Europe/Berlin, mon-fri 09:00-17:00, German public holidays) and a policy with targets for
every priority, dated back before the first ticket so it applies to the whole history, and
measures:

1. `sla.recompute` of every ticket after that policy change: time, tickets/s, and the process's
   peak resident memory before and after (SQLite's page cache included);
2. the list's first page (200 rows, through `ticket_list.first_page`, what the window asks)
   for Breached, Due within the hour, Due today, Needs first reply, and sorted by due — median
   and maximum over --runs, with EXPLAIN QUERY PLAN of each id query;
3. the cost the SLA adds to one status change: `tickets.set_status` on random open tickets
   with the hook on and with it off (median ms).
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import statistics
import time
from pathlib import Path
from typing import Any

from tests.bench.desk import default_desk, work_copy

DEFAULT_WORK = Path(os.environ.get("TMPDIR", "/tmp")) / "ticketdesk-bench-sla"
H = 3600


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _copy(source: Path, work: Path) -> Path:
    return work_copy(source, work, "sla_1m.sqlite")


def _rules(session: Any, scale: float) -> None:
    from ticketdesk.db.models import SlaPolicy, Ticket
    from ticketdesk.domain.business_time import holidays_from_country
    from ticketdesk.domain.sla import Targets
    from ticketdesk.domain.status import Priority
    from ticketdesk.services import sla

    sla.set_hours(session, timezone="Europe/Berlin", week="mon-fri 09:00-17:00",
                  add_holidays=holidays_from_country("DE", range(2024, 2028)))
    for level, first, nxt, res in ((Priority.URGENT, 1 * H, 2 * H, 8 * H),
                                   (Priority.HIGH, 2 * H, 4 * H, 16 * H),
                                   (Priority.MEDIUM, 4 * H, 8 * H, 40 * H),
                                   (Priority.LOW, 8 * H, 16 * H, 80 * H)):
        sla.save_policy(session, "Standard", priority=level,
                        targets=Targets(*(int(v * scale) for v in (first, nxt, res))))
    oldest = int(Ticket.select(Ticket.created_at).order_by(Ticket.created_at).limit(1).scalar())
    with session.store.write():
        SlaPolicy.update(created_at=oldest - 1).execute()  # "applies to the whole history"
        sla._bump_rules()


def _time(fn: Any, runs: int) -> tuple[float, float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), max(times)


def _plan(store: Any, query: Any) -> str:
    sql, params = query.limit(200).sql()
    rows = store.db.execute_sql("EXPLAIN QUERY PLAN " + sql, params).fetchall()
    return " | ".join(str(r[-1]) for r in rows)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("source", nargs="?", type=Path, default=default_desk())
    parser.add_argument("--work", type=Path, default=DEFAULT_WORK)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--skip-recompute", action="store_true",
                        help="the copy was recomputed by an earlier run")
    parser.add_argument("--scale", type=float, default=1.0,
                        help="multiply the policy's targets (a second run with another scale "
                             "measures a policy change that moves every ticket)")
    args = parser.parse_args()

    from ticketdesk.db import ticket_query
    from ticketdesk.db.models import Ticket
    from ticketdesk.db.store import open_database
    from ticketdesk.domain.filters import DueWindow, Sort, SortKey, TicketFilter
    from ticketdesk.domain.sla import SlaState
    from ticketdesk.domain.status import Status
    from ticketdesk.services import audit, sla, ticket_list, tickets
    from ticketdesk.services.session import Session

    copy = _copy(args.source, args.work)
    started = time.perf_counter()
    store = open_database(f"sqlite:///{copy}")
    print(f"opened (and migrated) the copy in {time.perf_counter() - started:.1f} s")
    session = Session(store, None)
    try:
        total = int(Ticket.select().count())
        print(f"{total:,} tickets; load average {os.getloadavg()[0]:.1f} on "
              f"{os.cpu_count()} cores")
        if not args.skip_recompute:
            _rules(session, args.scale)
            before = _peak_mb()
            started = time.perf_counter()
            last = [0.0]

            def progress(done: int, all_: int, _phase: str = "") -> None:
                if time.perf_counter() - last[0] > 30:
                    last[0] = time.perf_counter()
                    print(f"  recompute {done:,}/{all_:,}", flush=True)

            result = sla.recompute(session, progress=progress, resume=True)
            seconds = time.perf_counter() - started
            print(f"recompute: {result.tickets:,} tickets in {seconds:.1f} s "
                  f"({result.tickets / seconds:,.0f} tickets/s), {result.changed:,} changed; "
                  f"peak RSS {before:,.0f} MB before, {_peak_mb():,.0f} MB after")

        now = int(time.time())
        print(f"\nlist queries at {total:,} tickets (first page of 200, median/max of "
              f"{args.runs} runs):")
        cases = [
            ("Breached", TicketFilter(sla=frozenset({SlaState.BREACHED})), Sort()),
            ("Breached, open only", TicketFilter(
                sla=frozenset({SlaState.BREACHED}),
                statuses=frozenset({Status.OPEN, Status.IN_PROGRESS})), Sort()),
            ("Breached, sorted by due", TicketFilter(sla=frozenset({SlaState.BREACHED})),
             Sort(SortKey.DUE, descending=False)),
            ("At risk", TicketFilter(sla=frozenset({SlaState.AT_RISK})), Sort()),
            ("Due within the hour", TicketFilter(due=DueWindow.HOUR), Sort()),
            ("Due today", TicketFilter(due=DueWindow.TODAY), Sort()),
            ("Needs first reply", TicketFilter(needs_first_reply=True), Sort()),
            ("All, sorted by due", TicketFilter(), Sort(SortKey.DUE, descending=False)),
        ]
        for name, f, sort in cases:
            median, worst = _time(lambda f=f, sort=sort: ticket_list.first_page(store, f, sort),
                                  args.runs)
            count = ticket_list.count(store, f)
            parts = ticket_query.ordered_parts(f, sort, store.backend, now=now)
            print(f"  {name:28} {median:8.1f} ms  (max {worst:.1f}); {count:,} match")
            for part in parts:
                print(f"      plan: {_plan(store, part)}")

        print("\ncost of one status change (Open <-> In Progress on random open tickets):")
        open_ids = [i for (i,) in Ticket.select(Ticket.id).where(
            Ticket.status.in_([0, 1])).tuples()]
        rng = random.Random(1)
        sample = rng.sample(open_ids, min(len(open_ids), 60))

        hook = audit._keep_sla_current

        def flip(tid: int, with_hook: bool) -> float:
            row = Ticket.get_by_id(tid)
            target = Status.IN_PROGRESS if row.status == Status.OPEN else Status.OPEN
            if not with_hook:
                audit._keep_sla_current = lambda *a, **k: None  # type: ignore[assignment]
            try:
                started = time.perf_counter()
                tickets.set_status(session, tid, row.version, target)
                return (time.perf_counter() - started) * 1000
            finally:
                audit._keep_sla_current = hook  # type: ignore[assignment]

        for tid in sample:  # warm the caches, so neither side pays for reading cold pages
            flip(tid, True)
        with_sla, without = [], []
        for tid in sample:  # interleaved, so both sides see the same machine
            with_sla.append(flip(tid, True))
            without.append(flip(tid, False))
        w, wo = statistics.median(with_sla), statistics.median(without)
        print(f"  with the SLA hook {w:.2f} ms, without {wo:.2f} ms: +{w - wo:.2f} ms "
              f"per change (median of {len(sample)})")
    finally:
        store.close()


if __name__ == "__main__":
    main()
