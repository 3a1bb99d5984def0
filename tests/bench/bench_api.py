"""The HTTP API under load (issue 22): creates per second and list-page latency (p50/p99) with 8
concurrent clients, against a real `ticketdesk serve` process over a COPY of the demo desk
(never the cached file itself: opening migrates it).

    .venv/bin/python tests/bench/bench_api.py                      # the 1,000,000-ticket desk
    .venv/bin/python tests/bench/bench_api.py --tickets 100000     # a 100k desk (built once)
    .venv/bin/python tests/bench/bench_api.py --db postgresql://…  # a PostgreSQL desk as is

Each of the 8 clients keeps one HTTP connection and sends its requests one after the other;
the server is the one process `ticketdesk serve` runs (one uvicorn worker, its thread pool).
Reported: wall-clock creates per second over all clients, and per-request latency medians
(p50) and p99 for creates, first pages of several filters, and the following pages by cursor.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from tests.api.conftest import start_server  # noqa: E402
from tests.bench.desk import default_desk, ensure_demo_desk  # noqa: E402

BASE = "/v2/support-tickets"
FILTERS: list[dict[str, str]] = [
    {}, {"status": "Open"}, {"priority": "Urgent"}, {"status": "Waiting,In Progress"},
    {"search": "printer"}, {"date_field": "updated", "from": "2025-01-01"},
]


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] * 1000


def _line(name: str, values: list[float]) -> str:
    return (f"  {name:28} n={len(values):5}  p50 {_pct(values, 0.5):7.1f} ms  "
            f"p99 {_pct(values, 0.99):7.1f} ms  mean {statistics.fmean(values) * 1000:7.1f} ms")


def _creates(base: str, token: str, n: int, client_no: int) -> list[float]:
    times = []
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"},
                      timeout=120) as c:
        for i in range(n):
            start = time.perf_counter()
            answer = c.post(BASE, json={
                "title": f"Bench client {client_no} ticket {i}", "description": "Load test",
                "priority": "High" if i % 5 == 0 else "Medium", "tags": ["bench"],
                "customer": {"name": f"Bench {client_no}",
                             "email": f"bench{client_no}@example.com"}})
            times.append(time.perf_counter() - start)
            if answer.status_code != 201:
                raise SystemExit(f"create failed: {answer.status_code} {answer.text}")
    return times


def _pages(base: str, token: str, rounds: int,
           client_no: int) -> tuple[list[float], list[float]]:
    first, following = [], []
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"},
                      timeout=120) as c:
        for r in range(rounds):
            params = {**FILTERS[(r + client_no) % len(FILTERS)], "limit": "50"}
            start = time.perf_counter()
            page = c.get(BASE, params=params)
            first.append(time.perf_counter() - start)
            cursor = page.json()["next_cursor"]
            for _ in range(2):
                if not cursor:
                    break
                start = time.perf_counter()
                page = c.get(BASE, params={**params, "cursor": cursor})
                following.append(time.perf_counter() - start)
                cursor = page.json()["next_cursor"]
    return first, following


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--db", help="a PostgreSQL desk URL to use as it is (no copy)")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--creates", type=int, default=60, help="creates per client")
    parser.add_argument("--rounds", type=int, default=30, help="list rounds per client")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="bench_api_"))
    try:
        if args.db:
            url = args.db
            print(f"desk: {url}")
        else:
            source = ensure_demo_desk(default_desk(args.tickets), args.tickets)
            copy = tmp / "desk.sqlite"
            started = time.perf_counter()
            shutil.copyfile(source, copy)
            wal = source.with_name(source.name + "-wal")
            if wal.exists():
                shutil.copyfile(wal, copy.with_name(copy.name + "-wal"))
            # The copy's pages sit dirty in the page cache: the desk's first fsync (its first
            # checkpoint) would write all 2.6 GB inside a timed create. Flush them first.
            for path in copy.parent.iterdir():
                with path.open("rb+") as f:
                    os.fsync(f.fileno())
            print(f"desk: a copy of {source} ({copy.stat().st_size / 1e9:.1f} GB, copied and "
                  f"flushed to disk in {time.perf_counter() - started:.0f} s)")
            url = f"sqlite:///{copy}"
        server = start_server(url, "--rate", "100000", "--burst", "100000")
        try:
            token = server.tokens["writer"]
            # Warm-up, reported apart: the first writes to a freshly built demo desk pay a
            # one-time merge of its full-text index (the bulk build leaves its segments for
            # the next writer; measured 10-25 s inside one create at a million tickets).
            warm = _creates(server.base, token, 40, 99)
            _pages(server.base, token, 2, 0)
            print(f"warm-up: 40 creates one at a time, slowest {max(warm):.1f} s "
                  f"(median {statistics.median(warm) * 1000:.0f} ms)")
            with ThreadPoolExecutor(args.clients) as pool:
                started = time.perf_counter()
                create_times = [t for part in pool.map(
                    lambda n: _creates(server.base, token, args.creates, n),
                    range(args.clients)) for t in part]
                elapsed = time.perf_counter() - started
            print(f"{args.clients} clients, {len(create_times)} creates in {elapsed:.1f} s: "
                  f"{len(create_times) / elapsed:.1f} creates/s")
            print(_line("create", create_times))
            with ThreadPoolExecutor(args.clients) as pool:
                results = list(pool.map(lambda n: _pages(server.base, token, args.rounds, n),
                                        range(args.clients)))
            print(_line("list, first page (50)", [t for f, _ in results for t in f]))
            print(_line("list, next page by cursor", [t for _, n in results for t in n]))
        finally:
            server.stop()
    finally:
        subprocess.run(["rm", "-rf", str(tmp)], check=False)


if __name__ == "__main__":
    main()
