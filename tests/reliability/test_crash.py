"""Crash safety: writer processes committing tickets, notes, messages with attachments, status
changes and backups are killed with SIGKILL at random moments; after every round the desk opens
as the app would open it and every commit a writer reported is there, whole, with its activity
rows, and nothing else is damaged. `python -m tests.reliability.stress crash` runs hundreds."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.reliability.crash import crash_rounds
from ticketdesk.services.demo import pipeline

ROUNDS = 15
WRITERS = 2


def test_sigkill_at_random_moments_loses_no_reported_commit(tmp_path: Path) -> None:
    stats = crash_rounds(tmp_path, ROUNDS, writers=WRITERS, seed=7)
    assert stats.problems == []
    assert stats.kills == ROUNDS * WRITERS
    assert stats.lost == 0
    assert stats.reported > 0  # the writers got real work done between kills
    assert stats.counts["ticket"] > 0
    assert stats.counts["activity"] >= stats.counts["ticket"]


def test_a_commit_cut_short_by_the_kill_leaves_nothing_behind(tmp_path: Path) -> None:
    """A writer killed inside a big transaction (a ticket with a 240 kB description) leaves
    either the whole ticket with its activity row and search document, or none of them."""
    stats = crash_rounds(tmp_path, 6, writers=1, seed=11, max_delay=0.05)
    assert stats.problems == []
    assert stats.kills == 6


def _children(pid: int) -> list[int]:
    """The live processes whose parent is `pid` (Linux /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        if int(fields[1]) == pid and fields[0] != "Z":
            found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rindex(")") + 2:].split()[0] != "Z"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_the_workers_of_a_killed_demo_end_with_it(tmp_path: Path) -> None:
    """Issue 13, item 21: `ticketdesk demo` killed with SIGKILL while its worker processes
    generate tickets leaves none of them running (they used to wait for work forever, each
    holding the other's pipes open)."""
    tickets = pipeline.MIN_TICKETS_FOR_WORKERS * 10
    demo = subprocess.Popen(
        [sys.executable, "-m", "ticketdesk", "demo", "--db", str(tmp_path / "demo.sqlite"),
         "--tickets", str(tickets)],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert demo.stdout is not None
    try:
        for line in demo.stdout:  # progress lines, every few seconds
            written = re.search(r"Writing tickets \(([\d,]+) of", line)
            if written and int(written[1].replace(",", "")) > 0:
                break  # the workers are generating: chunks have arrived
        else:
            pytest.fail("the demo ended before it wrote tickets")
        children = _children(demo.pid)
        assert len(children) > pipeline.worker_count(tickets)  # the workers and their tracker
    finally:
        demo.kill()
        demo.wait()
        demo.stdout.close()
    deadline = time.monotonic() + 30
    while any(_alive(p) for p in children) and time.monotonic() < deadline:
        time.sleep(0.1)
    left = [p for p in children if _alive(p)]
    for pid in left:  # (when the test fails: leave no orphan running on the machine)
        os.kill(pid, signal.SIGKILL)
    assert left == []
