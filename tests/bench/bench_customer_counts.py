"""Benchmark: what migration 27 (stored customer ticket counts, issue 19) adds to a write.

    .venv/bin/python -m tests.bench.bench_customer_counts [--work DIR] [--runs 41]

Works on bench_customers' copy of the 1M-ticket demo desk in --work (made there by
`tests.bench.bench_customers --work DIR` first; the original is never opened). One ticket is
created for a customer and then resolved, --runs times each, through the services as the window
does; then the copy's counts triggers and its `ticket_customer_updated` index are dropped (the
copy is spoiled for the counts: delete it afterwards) and the same is timed again, in the same
process on the same file, so the difference is what the triggers and the index cost. Medians of
wall and CPU time (ms), load beside them.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from tests.bench.bench_customers import DEFAULT_WORK

DROPS = ("DROP TRIGGER customer_count_ticket_in", "DROP TRIGGER customer_count_ticket_out",
         "DROP TRIGGER customer_count_ticket_changed", "DROP INDEX ticket_customer_updated")


def _median(fn: Callable[[], object], runs: int) -> tuple[float, float]:
    wall, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.thread_time()
        fn()
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.thread_time() - start_cpu) * 1000)
    return statistics.median(wall), statistics.median(cpu)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--work", type=Path, default=DEFAULT_WORK)
    parser.add_argument("--runs", type=int, default=41)
    args = parser.parse_args()

    from ticketdesk.db.store import open_database
    from ticketdesk.domain.status import Status
    from ticketdesk.services import customer_list, tickets
    from ticketdesk.services.customer_list import CustomerQuery
    from ticketdesk.services.session import Session

    path = args.work / "customers.sqlite"
    if not path.exists():
        raise SystemExit(f"{path} is missing: run tests.bench.bench_customers --work first")
    store = open_database(f"sqlite:///{path}")
    try:
        customer = customer_list.first_rows(store, CustomerQuery(), 1)[0].id
        session = Session(store, None)
        created: list[int] = []

        def create() -> None:
            created.append(tickets.create_ticket(session, subject="Bench ticket",
                                                 customer_id=customer).new_id)

        def resolve() -> None:
            ticket = tickets.get_ticket(created.pop())
            tickets.set_status(session, ticket.id, ticket.version, Status.RESOLVED)

        for label in ("with the counts", "without (dropped)"):
            if label.startswith("without"):
                with store.write():
                    for statement in DROPS:
                        store.db.execute_sql(statement)
            create()  # warm
            resolve()
            for name, fn in (("create", create), ("resolve", resolve)):
                wall, cpu = _median(fn, args.runs)
                print(f"{label:20} {name:8} median {wall:6.2f} ms, cpu {cpu:6.2f} ms; "
                      f"load {os.getloadavg()[0]:.2f}", flush=True)
    finally:
        store.close()


if __name__ == "__main__":
    main()
