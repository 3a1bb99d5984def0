"""Several processes writing one SQLite desk at once (status changes, notes, replies with
files), starting together on a desk that does not exist yet: no "database is locked" reaches
anyone, version collisions are retried as a user would, and the final counts are exact."""

from __future__ import annotations

from pathlib import Path

from tests.reliability.checks import parse_reports, verify
from tests.reliability.crash import Writer

WRITERS = 4
OPS = 40


def test_four_writers_on_one_file_lose_nothing_and_never_see_locked(tmp_path: Path) -> None:
    desk = tmp_path / "desk.sqlite"
    procs = [Writer(desk, seed, ops=OPS, shared=True) for seed in range(1, WRITERS + 1)]
    codes = [w.finish() for w in procs]
    reports = [parse_reports(w.lines()) for w in procs]
    errors = [r for mine in reports for r in mine if r[0] == "E"]
    assert errors == []
    assert codes == [0] * WRITERS
    flat = [r for mine in reports for r in mine]
    made = {kind: sum(1 for r in flat if r[0] == kind) for kind in "TNMS"}
    assert sum(made.values()) == WRITERS * OPS

    verdict = verify(desk, flat)
    assert verdict.problems == []
    assert verdict.counts["ticket"] == made["T"]
    assert verdict.counts["note"] == made["N"]
    assert verdict.counts["message"] == made["M"]
    from ticketdesk.db.store import open_database

    store = open_database(str(desk))
    try:
        status_rows = store.db.execute_sql(
            "SELECT count(*) FROM activity WHERE kind IN ('status', 'reopened')").fetchone()[0]
        bumps = store.db.execute_sql("SELECT sum(version - 1) FROM ticket").fetchone()[0]
    finally:
        store.close()
    assert status_rows == made["S"]
    assert bumps == made["S"]  # every status change is exactly one version, none lost or doubled


def test_a_lock_held_longer_than_the_busy_timeout_is_a_clear_message(
        tmp_path: Path, monkeypatch) -> None:
    """Another program keeping the desk locked for longer than ticketdesk waits (10 s; 0.3 s
    here) gives a message to act on, not "database is locked", and saves nothing."""
    import apsw

    from ticketdesk.db import sqlite_backend
    from ticketdesk.db.store import open_database
    from ticketdesk.domain.errors import StorageError
    from ticketdesk.services import notes, tickets
    from ticketdesk.services.session import Session

    monkeypatch.setattr(sqlite_backend, "BUSY_SECONDS", 0.3)
    desk = tmp_path / "desk.sqlite"
    store = open_database(str(desk))
    other = apsw.Connection(str(desk))
    try:
        session = Session(store, None)
        tid = tickets.create_ticket(session, subject="contended").new_id
        other.execute("BEGIN IMMEDIATE")
        try:
            notes.add_note(session, tid, "waits, then gives up")
        except StorageError as exc:
            message = str(exc)
        else:
            raise AssertionError("the write went through a held lock")
        other.execute("ROLLBACK")
        assert message.startswith("Another program kept the database busy for too long.")
        assert "locked" not in message
        assert notes.notes_for(tid) == []
        notes.add_note(session, tid, "waits, then gives up")  # the user's retry
        assert len(notes.notes_for(tid)) == 1
    finally:
        other.close()
        store.close()
