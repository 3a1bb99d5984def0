"""The long reliability runs, with their figures (see README, "Reliability"):

    .venv/bin/python -m tests.reliability.stress all            # ~10 minutes on 2 cores
    .venv/bin/python -m tests.reliability.stress crash --kills 500
    .venv/bin/python -m tests.reliability.stress concurrent --rounds 20
    .venv/bin/python -m tests.reliability.stress inputs --scale 20

`crash` kills writer processes with SIGKILL at random moments and checks the desk after every
round (integrity, foreign keys, every reported commit present, no change without its activity
row, every backup under its final name whole). `concurrent` runs four writers on one new desk at
once, round after round, and checks exact counts. `inputs` runs the property tests of
tests/reliability with `scale` times their everyday number of inputs. Exit status 1 if anything
was lost or wrong.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.reliability.checks import parse_reports, verify
from tests.reliability.crash import Writer, crash_rounds

ROOT = Path(__file__).resolve().parents[2]
PROPERTY_TESTS = [
    "tests/reliability/test_search_input.py",
    "tests/reliability/test_untrusted_input.py",
]


def _say(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def run_crash(kills: int, writers: int, seed: int) -> dict[str, int]:
    rounds = max(1, kills // writers)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="td-crash-") as folder:
        stats = crash_rounds(Path(folder), rounds, writers=writers, seed=seed,
                             log=lambda line: _say(f"  {line}"))
    _say(f"crash: {stats.kills} SIGKILLs survived in {stats.rounds} rounds, "
         f"{stats.reported:,} reported commits all present after every later kill "
         f"({stats.commits_checked:,} checks), lost = {stats.lost}, "
         f"{len(stats.problems)} problems, {time.monotonic() - started:.0f} s")
    for problem in stats.problems[:20]:
        _say(f"  PROBLEM {problem}")
    return {"kills": stats.kills, "writes": stats.reported, "lost": stats.lost,
            "problems": len(stats.problems)}


def run_concurrent(rounds: int, writers: int, ops: int) -> dict[str, int]:
    started = time.monotonic()
    total = retries = problems = 0
    for n in range(rounds):
        with tempfile.TemporaryDirectory(prefix="td-concurrent-") as folder:
            desk = Path(folder) / "desk.sqlite"
            procs = [Writer(desk, 1000 * n + w, ops=ops, shared=True) for w in range(writers)]
            codes = [w.finish() for w in procs]
            reports = [r for w in procs for r in parse_reports(w.lines())]
            errors = [r for r in reports if r[0] == "E"]
            verdict = verify(desk, reports)
            made = {k: sum(1 for r in reports if r[0] == k) for k in "TNMS"}
            exact = (verdict.counts["ticket"] == made["T"] and verdict.counts["note"] == made["N"]
                     and verdict.counts["message"] == made["M"])
            bad = errors or verdict.problems or not exact or any(c != 0 for c in codes)
            problems += bool(bad)
            if bad:
                _say(f"  round {n}: codes {codes}, errors {errors[:3]}, {verdict.problems[:3]}")
            total += sum(made.values())
            retries += sum(int(r[1]) for r in reports if r[0] == "X")
    _say(f"concurrent: {rounds} rounds of {writers} writers on one new desk, {total:,} writes, "
         f"{retries:,} version collisions retried, counts exact in "
         f"{rounds - problems}/{rounds} rounds, {time.monotonic() - started:.0f} s")
    return {"writes": total, "problems": problems}


def run_inputs(scale: float) -> dict[str, int]:
    started = time.monotonic()
    env = dict(os.environ, TICKETDESK_HYPOTHESIS_SCALE=str(scale))
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         "--hypothesis-show-statistics", *PROPERTY_TESTS],
        cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    tried = sum(int(n) for n in re.findall(r"(\d+) passing", result.stdout))
    failing = sum(int(n) for n in re.findall(r"(\d+) failing", result.stdout))
    summary = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""
    _say(f"inputs: {tried:,} generated inputs passed ({failing} failing) at scale {scale:g}: "
         f"{summary}, {time.monotonic() - started:.0f} s")
    if result.returncode != 0:
        _say(result.stdout[-4000:])
    return {"inputs": tried, "problems": int(result.returncode != 0) + failing}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="what", required=True)
    crash = sub.add_parser("crash")
    crash.add_argument("--kills", type=int, default=500)
    crash.add_argument("--writers", type=int, default=2)
    crash.add_argument("--seed", type=int, default=int(time.time()) % 100_000)
    concurrent = sub.add_parser("concurrent")
    concurrent.add_argument("--rounds", type=int, default=20)
    concurrent.add_argument("--writers", type=int, default=4)
    concurrent.add_argument("--ops", type=int, default=100)
    inputs = sub.add_parser("inputs")
    inputs.add_argument("--scale", type=float, default=20)
    everything = sub.add_parser("all")
    everything.add_argument("--kills", type=int, default=500)
    everything.add_argument("--scale", type=float, default=20)
    args = parser.parse_args(argv)

    figures: dict[str, int] = {}

    def add(found: dict[str, int]) -> None:
        for key, value in found.items():
            figures[key] = figures.get(key, 0) + value

    if args.what in ("crash", "all"):
        seed = getattr(args, "seed", int(time.time()) % 100_000)
        _say(f"crash seed {seed}")
        add(run_crash(args.kills, getattr(args, "writers", 2), seed))
    if args.what in ("concurrent", "all"):
        add(run_concurrent(getattr(args, "rounds", 20), getattr(args, "writers", 4),
                           getattr(args, "ops", 100)))
    if args.what in ("inputs", "all"):
        add(run_inputs(args.scale))
    _say(f"TOTAL: kills survived {figures.get('kills', 0):,}, writes checked "
         f"{figures.get('writes', 0):,}, inputs tried {figures.get('inputs', 0):,}, "
         f"lost = {figures.get('lost', 0)}, problems = {figures.get('problems', 0)}")
    return 1 if figures.get("lost", 0) or figures.get("problems", 0) else 0


if __name__ == "__main__":
    sys.exit(main())
