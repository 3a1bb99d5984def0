"""Time `ticketdesk import tickets` of a foreign export: a 100,000-row Zendesk-style CSV (naive
local times, durations in minutes, space-separated tags, `-` for empty) into an empty desk and
into a COPY of the 1,000,000-ticket demo desk (the original is never written).

usage: python tests/bench/bench_import.py [--rows N] [--skip-big]

Each import runs in its own process, so its peak memory (max RSS) and CPU time are its own.
Prints rows per second of the whole command (survey, check and write passes), the peak memory,
the CPU time and the load average after it.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.bench.desk import default_desk

HEADER = ["Id", "Requester", "Requester email", "Assignee", "Group", "Subject", "Tags",
          "Status", "Priority", "Via", "Created at", "Updated at", "Solved at",
          "First reply time in minutes", "Full resolution time in minutes"]
STATUSES = ["new", "open", "pending", "hold", "solved", "closed"]
PRIORITIES = ["low", "normal", "high", "urgent", "-"]


def write_csv(path: Path, rows: int, seed: int = 1) -> None:
    rnd = random.Random(seed)
    start = 1_600_000_000
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(HEADER)
        for i in range(rows):
            created = start + i * 600 + rnd.randrange(600)
            status = rnd.choice(STATUSES)
            reply = rnd.randrange(5, 600)
            done = status in ("solved", "closed")
            solved = created + reply * 60 + rnd.randrange(86400) if done else None
            updated = (solved or created + reply * 60) + rnd.randrange(3600)

            def stamp(t: int | None) -> str:
                return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(t)) if t else "-"

            out.writerow([
                100000 + i, f"Customer {i % 20000}", f"c{i % 20000}@example.com",
                f"Agent {i % 25}", rnd.choice(["Support", "Billing", "Sales"]),
                f"Problem number {i}: something does not work", rnd.choice(
                    ["", "vip", "printer hardware", "billing refund"]),
                status, rnd.choice(PRIORITIES), "Email", stamp(created), stamp(updated),
                stamp(solved), reply, (solved - created) // 60 if solved else "-"])


def run_one(csv_path: Path, db: Path) -> None:
    """In a child process: import and print seconds and peak memory."""
    from ticketdesk.app import main

    started = time.perf_counter()
    code = main(["import", "tickets", str(csv_path), "--db", str(db)])
    seconds = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(f"RESULT {code} {seconds:.2f} {usage.ru_maxrss / 1024:.0f} "
          f"{usage.ru_utime + usage.ru_stime:.2f}")


def _child(csv_path: Path, db: Path) -> tuple[float, str]:
    """Seconds, and peak memory, CPU time and load as printed."""
    done = subprocess.run([sys.executable, __file__, "--child", str(csv_path), str(db)],
                          check=True, capture_output=True, text=True)
    line = next(ln for ln in done.stdout.splitlines() if ln.startswith("RESULT"))
    _, code, seconds, peak, cpu = line.split()
    if code != "0":
        raise SystemExit(f"import failed:\n{done.stdout}\n{done.stderr}")
    return float(seconds), (f"peak {float(peak):,.0f} MB, CPU {float(cpu):.1f} s, load "
                            f"{os.getloadavg()[0]:.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--skip-big", action="store_true")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run_one(Path(args.child[0]), Path(args.child[1]))
        return
    with tempfile.TemporaryDirectory(prefix="bench-import-") as folder:
        work = Path(folder)
        source = work / "zendesk.csv"
        t0 = time.perf_counter()
        write_csv(source, args.rows)
        print(f"wrote {args.rows:,} rows ({source.stat().st_size / 1e6:.1f} MB) in "
              f"{time.perf_counter() - t0:.1f} s")
        seconds, peak = _child(source, work / "empty.sqlite")
        print(f"empty desk:        {seconds:6.1f} s  {args.rows / seconds:8,.0f} rows/s  "
              f"{peak}")
        seconds, peak = _child(source, work / "empty.sqlite")
        print(f"same file again:   {seconds:6.1f} s  {args.rows / seconds:8,.0f} rows/s  "
              f"{peak} (adds nothing)")
        big = default_desk()
        if args.skip_big or not big.exists():
            print(f"skipped the 1,000,000-ticket desk ({big} missing or --skip-big)")
            return
        copy = work / "big.sqlite"
        t0 = time.perf_counter()
        shutil.copyfile(big, copy)  # never write to the original
        print(f"copied the 1M desk in {time.perf_counter() - t0:.1f} s")
        seconds, peak = _child(source, copy)
        print(f"1,000,000 desk:    {seconds:6.1f} s  {args.rows / seconds:8,.0f} rows/s  "
              f"{peak} (includes opening and migrating the copy)")


if __name__ == "__main__":
    main()
