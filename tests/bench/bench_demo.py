"""Time `ticketdesk demo`: generate N demo tickets into a fresh desk and report speed and size.

usage: python tests/bench/bench_demo.py N [PATH_OR_URL] [--seed S]

Without a path the desk goes to a temporary folder and is deleted afterwards; with one it is kept
(an existing SQLite file there is replaced). Prints the elapsed time, rows written per second,
the database size, the machine's load before and after (the machine may be shared), and how long
a few basic queries take on the result.
"""

from __future__ import annotations

import argparse
import itertools
import os
import resource
import shutil
import tempfile
import time
from pathlib import Path

from ticketdesk.db.store import open_database
from ticketdesk.db.url import is_postgres
from ticketdesk.services.demo import generate


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def _size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tickets", type=int)
    parser.add_argument("target", nargs="?", help="SQLite file or postgresql:// URL")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    temp = None
    target = args.target
    if target is None:
        temp = tempfile.mkdtemp(prefix="ticketdesk-bench-")
        target = str(Path(temp) / "demo.sqlite")
    elif not is_postgres(target):
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(target + suffix).unlink(missing_ok=True)
    try:
        run(target, args.tickets, args.seed)
    finally:
        if temp:
            shutil.rmtree(temp, ignore_errors=True)


def run(target: str, tickets: int, seed: int) -> None:
    print(f"load before: {_load()}  cpus: {os.cpu_count()}")
    store = open_database(target)
    last = [0.0]
    phases: dict[str, float] = {}  # phase (without its counter) -> first seen, seconds in
    started = time.perf_counter()

    def progress(done: int, total: int, phase: str) -> None:
        now = time.perf_counter() - started
        phases.setdefault(phase.split(" (", maxsplit=1)[0], now)
        if now - last[0] >= 10:
            last[0] = now
            print(f"  {now:6.1f} s {done / total:6.1%}  {phase}", flush=True)

    cpu = time.process_time()
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    summary = generate(store, tickets=tickets, seed=seed, progress=progress)
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    workers = (after.ru_utime + after.ru_stime) - (children.ru_utime + children.ru_stime)
    marks = [*phases.items(), ("end", elapsed)]
    print("phases: " + ", ".join(f"{name} {after[1] - at:.1f} s"
                                 for (name, at), after in itertools.pairwise(marks)))
    print(f"CPU: this process {cpu:.1f} s, worker processes {workers:.1f} s")
    rows = (summary.tickets * 2 + summary.customers + summary.agents + summary.messages
            + summary.notes + summary.activity_rows + summary.attachments * 2)
    print(summary.describe())
    print(f"elapsed {elapsed:.1f} s, {rows:,} rows ({rows / elapsed:,.0f} rows/s, "
          f"{summary.tickets / elapsed:,.0f} tickets/s)  load after: {_load()}")
    if not is_postgres(target):
        print(f"database size {_size(Path(target)) / 1e6:,.0f} MB")
    for label, sql in (
        ("count(*) tickets", "SELECT count(*) FROM ticket"),
        ("count(*) activity", "SELECT count(*) FROM activity"),
        ("open tickets", "SELECT count(*) FROM ticket WHERE status = 0"),
        ("first page by created", "SELECT id FROM ticket ORDER BY created_at DESC, id DESC "
                                  "LIMIT 200"),
    ):
        t = time.perf_counter()
        value = store.db.execute_sql(sql).fetchall()
        shown = value[0][0] if len(value) == 1 else f"{len(value)} rows"
        print(f"  {label:24s} {(time.perf_counter() - t) * 1000:8.1f} ms  ({shown})")
    if store.is_sqlite:
        t = time.perf_counter()
        found = store.db.execute_sql(
            "SELECT count(*) FROM ticket_fts WHERE ticket_fts MATCH 'refund'").fetchone()[0]
        print(f"  {'FTS count refund':24s} {(time.perf_counter() - t) * 1000:8.1f} ms  ({found})")
    store.close()


if __name__ == "__main__":
    main()
