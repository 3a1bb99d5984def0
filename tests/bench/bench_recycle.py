"""Benchmark: the recycle bin (issue 19) on the 1,000,000-ticket demo desk.

    .venv/bin/python -m tests.bench.bench_recycle [SOURCE_DB] [--work DIR] [--rounds 3]
        [--count 10000]

SOURCE_DB (default: the benchmarks' 1M demo desk, tests/bench/desk.py) is never opened: it is
copied (with its write-ahead log) into --work once, and the copy is migrated and used. Each
round takes --count tickets spread over the whole desk (every 100th id from a different start)
and measures, each as one service call in one transaction:

1. `recycle_bin.delete_tickets` (snapshot every row to JSON, attachment bytes, delete, drop the
   search documents);
2. `recycle_bin.restore` of all of them (same ids);
3. delete again, then `recycle_bin.purge` of those entries;

and with --erase, once, `erasure.erase_customer` of one customer (on SQLite that includes
merging the search index and a VACUUM of the whole file).

It also times the list's first page and count before and after, to show the live list is as
fast with a full bin. Medians over the rounds are printed.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

from tests.bench.desk import default_desk, work_copy

DEFAULT_WORK = Path(os.environ.get("TMPDIR", "/tmp")) / "ticketdesk-bench-recycle"


def _copy(source: Path, work: Path) -> Path:
    return work_copy(source, work, f"recycle_{source.stem}.sqlite")


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("source", nargs="?", type=Path, default=default_desk())
    parser.add_argument("--work", type=Path, default=DEFAULT_WORK)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--offset", type=int, default=0,
                        help="first id of the first round (a copy reused by an earlier run "
                             "has lost the tickets it purged)")
    parser.add_argument("--erase", action="store_true",
                        help="then time erasing one customer (VACUUMs the whole copy)")
    args = parser.parse_args()

    from ticketdesk.db.models import RecycleBin, Ticket
    from ticketdesk.db.store import open_database
    from ticketdesk.domain.filters import Sort, TicketFilter
    from ticketdesk.services import recycle_bin, ticket_list
    from ticketdesk.services.session import Session

    copy = _copy(args.source, args.work)
    started = time.perf_counter()
    store = open_database(f"sqlite:///{copy}")
    print(f"opened (and migrated) in {_ms(started):.0f} ms", flush=True)
    session = Session(store, None)
    with store.read():
        total = int(Ticket.select().count())
        top = int(Ticket.select(Ticket.id).order_by(Ticket.id.desc()).limit(1).scalar())
    print(f"{total:,} tickets", flush=True)

    def list_times() -> tuple[float, float]:
        t0 = time.perf_counter()
        ticket_list.first_page(store, TicketFilter(), Sort())
        first = _ms(t0)
        t0 = time.perf_counter()
        ticket_list.count(store, TicketFilter())
        return first, _ms(t0)

    print("list before: first page {:.1f} ms, count {:.1f} ms".format(*list_times()), flush=True)
    step = max(top // args.count, 1)
    timings: dict[str, list[float]] = {"delete": [], "restore": [], "purge": []}
    for round_ in range(args.rounds):
        ids = list(range(1 + args.offset + round_, top + 1, step))[:args.count]
        t0 = time.perf_counter()
        recycle_bin.delete_tickets(session, ids)
        timings["delete"].append(_ms(t0))
        if round_ == 0:
            first, counted = list_times()
            print(f"list with {len(ids)} in the bin: first page {first:.1f} ms, "
                  f"count {counted:.1f} ms", flush=True)
        with store.read():
            entries = [i for (i,) in RecycleBin.select(RecycleBin.id).tuples()]
        t0 = time.perf_counter()
        recycle_bin.restore(session, entries)
        timings["restore"].append(_ms(t0))
        recycle_bin.delete_tickets(session, ids)
        with store.read():
            entries = [i for (i,) in RecycleBin.select(RecycleBin.id).tuples()]
        t0 = time.perf_counter()
        purged = recycle_bin.purge(session, entries)
        timings["purge"].append(_ms(t0))
        print(f"round {round_ + 1}: {len(ids):,} tickets — delete {timings['delete'][-1]:.0f} ms, "
              f"restore {timings['restore'][-1]:.0f} ms, purge {purged:,} in "
              f"{timings['purge'][-1]:.0f} ms", flush=True)
    for name, values in timings.items():
        print(f"median {name} of {args.count:,} tickets: {statistics.median(values):.0f} ms")
    if args.erase:
        from ticketdesk.services import erasure

        with store.read():
            customer = Ticket.select(Ticket.customer).where(
                Ticket.customer.is_null(False)).order_by(Ticket.id.desc()).limit(1).scalar()
        t0 = time.perf_counter()
        report = erasure.erase_customer(session, int(customer), messages=True)
        print(f"erase customer {customer} ({report.tickets} tickets, {report.mentions} "
              f"mentions) incl. FTS optimize and VACUUM: {_ms(t0):.0f} ms", flush=True)
    store.close()


if __name__ == "__main__":
    main()
