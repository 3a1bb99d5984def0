"""Crash safety: writer processes committing tickets, notes, messages with attachments, status
changes and backups are killed with SIGKILL at random moments; after every round the desk opens
as the app would open it and every commit a writer reported is there, whole, with its activity
rows, and nothing else is damaged. `python -m tests.reliability.stress crash` runs hundreds."""

from __future__ import annotations

from pathlib import Path

from tests.reliability.crash import crash_rounds

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
