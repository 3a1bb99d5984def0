"""Backups: a daily snapshot on open (kept 7 days), restore that never overwrites anything, a
backup taken while another process writes, and the lock that keeps a restore from pulling the
desk from under a running window (released by the kernel when a process is killed)."""

from __future__ import annotations

import os
import time
from pathlib import Path

import apsw
import pytest

from tests.reliability.crash import Writer
from ticketdesk.db.desk_lock import DeskLock
from ticketdesk.db.store import open_database
from ticketdesk.domain.errors import StorageError, ValidationError
from ticketdesk.services import maintenance, notes, tickets
from ticketdesk.services.session import Session

DAY = 86_400
NOON = time.mktime((2026, 5, 28, 12, 0, 0, 0, 0, -1))


def _desk(tmp_path: Path, subjects: tuple[str, ...] = ("first",)) -> Path:
    desk = tmp_path / "desk.sqlite"
    store = open_database(str(desk))
    try:
        for subject in subjects:
            tickets.create_ticket(Session(store, None), subject=subject)
    finally:
        store.close()
    return desk


def _subjects(path: Path) -> list[str]:
    conn = apsw.Connection(str(path), flags=apsw.SQLITE_OPEN_READONLY)
    try:
        return [s for (s,) in conn.execute("SELECT subject FROM ticket ORDER BY id")]
    finally:
        conn.close()


def test_daily_backup_is_taken_once_a_day_and_the_newest_seven_are_kept(tmp_path: Path) -> None:
    desk = _desk(tmp_path)
    store = open_database(str(desk))
    try:
        manual = maintenance.backup(store)
        first = maintenance.daily_backup(store, now=NOON)
        assert first is not None
        assert first.name.startswith("desk-daily-20260528-")
        assert maintenance.daily_backup(store, now=NOON + 3600) is None  # same day: nothing
        made = [first]
        for day in range(1, 10):
            path = maintenance.daily_backup(store, now=NOON + day * DAY)
            assert path is not None
            made.append(path)
    finally:
        store.close()
    kept = maintenance.list_backups(desk)
    daily = [b.path for b in kept if b.daily]
    assert daily == list(reversed(made))[: maintenance.DAILY_KEEP]
    assert manual in [b.path for b in kept]  # a backup taken by hand is never pruned
    assert all(_subjects(p) == ["first"] for p in daily)


def test_a_failed_daily_backup_deletes_no_older_backup(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    desk = _desk(tmp_path)
    store = open_database(str(desk))
    try:
        for day in range(maintenance.DAILY_KEEP):
            maintenance.daily_backup(store, now=NOON + day * DAY)
        before = maintenance.list_backups(desk)

        def broken(_target: Path) -> None:
            raise StorageError("The disk holding the database is full.")

        monkeypatch.setattr(store, "snapshot_to", broken)
        with pytest.raises(StorageError):
            maintenance.daily_backup(store, now=NOON + 30 * DAY)
    finally:
        store.close()
    assert maintenance.list_backups(desk) == before


def test_pruning_removes_partial_files_of_killed_backups_only_when_a_day_old(
        tmp_path: Path) -> None:
    desk = _desk(tmp_path)
    folder = tmp_path / "backups"
    folder.mkdir()
    old = folder / ".desk-20260101-000000.sqlite.partial"
    fresh = folder / ".desk-20260528-115959.sqlite.partial"
    for path in (old, fresh):
        path.write_bytes(b"half a backup")
    os.utime(old, (NOON - 2 * DAY, NOON - 2 * DAY))
    os.utime(fresh, (NOON - 60, NOON - 60))
    assert maintenance.prune_daily(desk, now=NOON) == [old]
    assert fresh.exists()


def test_a_backup_taken_while_another_process_writes_completes_and_is_consistent(
        tmp_path: Path) -> None:
    desk = _desk(tmp_path)
    writer = Writer(desk, seed=5, shared=True)
    writer.wait_ready()
    store = open_database(str(desk))
    try:
        taken = []
        seen = len(writer.lines())
        for n in range(4):
            while len(writer.lines()) < seen + 3:
                time.sleep(0.01)  # the writer commits between two backups, and during them
            taken.append(maintenance.backup(store, tmp_path / "backups" / f"during-{n}.sqlite"))
            seen = len(writer.lines())
    finally:
        writer.kill()
        writer.finish()
        store.close()
    counts = []
    for path in taken:
        conn = apsw.Connection(str(path), flags=apsw.SQLITE_OPEN_READONLY)
        try:
            assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
            assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
            counts.append(conn.execute("SELECT count(*) FROM activity").fetchall()[0][0])
        finally:
            conn.close()
    assert counts == sorted(counts)
    assert counts[-1] > counts[0]


def test_restore_sets_the_desk_aside_with_its_wal_and_overwrites_nothing(tmp_path: Path) -> None:
    desk = _desk(tmp_path, ("kept in the backup",))
    store = open_database(str(desk))
    try:
        backup = maintenance.backup(store)
        tickets.create_ticket(Session(store, None), subject="made after the backup")
        assert desk.with_name("desk.sqlite-wal").stat().st_size > 0  # not checkpointed yet
        with pytest.raises(StorageError, match=r"open in process \d+"):
            maintenance.restore(desk)  # this very store still has it open
    finally:
        store.close()
    with open(desk.with_name("desk.sqlite-wal"), "ab"):
        pass  # (closing the store may have checkpointed; the test wants a -wal either way)
    backup_bytes = backup.read_bytes()
    result = maintenance.restore(desk, now=NOON)
    assert result.backup == backup
    assert result.set_aside[0] == tmp_path / "desk.sqlite.before-restore-20260528-120000"
    assert result.set_aside[1].name == "desk.sqlite.before-restore-20260528-120000-wal"
    assert backup.read_bytes() == backup_bytes  # the backup itself is untouched
    assert _subjects(desk) == ["kept in the backup"]
    assert _subjects(result.set_aside[0]) == ["kept in the backup", "made after the backup"]
    assert not list(tmp_path.glob(".desk.sqlite.restoring*"))
    again = maintenance.restore(desk, backup, now=NOON)  # same second: a new name, not over it
    assert again.set_aside[0].name == "desk.sqlite.before-restore-20260528-120000-2"
    assert result.set_aside[0].exists()


def test_restore_refuses_a_damaged_backup_and_changes_nothing(tmp_path: Path) -> None:
    desk = _desk(tmp_path, ("the desk",))
    folder = tmp_path / "backups"
    folder.mkdir()
    bad = folder / "desk-20260101-000000.sqlite"
    bad.write_bytes(b"SQLite format 3\x00" + os.urandom(8192))
    with pytest.raises(StorageError, match="cannot be restored"):
        maintenance.restore(desk, bad)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["backups", "desk.sqlite",
                                                          "desk.sqlite.lock"]
    assert _subjects(desk) == ["the desk"]


def test_restore_without_any_backup_says_so(tmp_path: Path) -> None:
    desk = _desk(tmp_path)
    with pytest.raises(ValidationError, match=r"no backup of desk\.sqlite"):
        maintenance.restore(desk)


def test_a_lock_left_by_a_killed_process_is_recovered(tmp_path: Path) -> None:
    desk = _desk(tmp_path)
    store = open_database(str(desk))
    try:
        backup = maintenance.backup(store)
    finally:
        store.close()
    writer = Writer(desk, seed=9)
    writer.wait_ready()
    lock = DeskLock(desk)
    lock.acquire()
    try:
        assert [h.pid for h in lock.others()] == [writer.proc.pid]
    finally:
        lock.release()
    with pytest.raises(StorageError, match=f"open in process {writer.proc.pid}"):
        maintenance.restore(desk, backup)
    writer.kill()
    writer.finish()
    left = [p.name for p in (tmp_path / "desk.sqlite.lock").iterdir()]
    assert f"{writer.proc.pid}-1" in left  # its registration outlived it...
    assert DeskLock(desk).others() == []  # ...but its lock did not, and it is cleaned up
    assert sorted(p.name for p in (tmp_path / "desk.sqlite.lock").iterdir()) == ["open"]
    maintenance.restore(desk, backup)
    assert _subjects(desk) == ["first"]


def test_two_stores_on_one_desk_know_about_each_other(tmp_path: Path) -> None:
    desk = _desk(tmp_path)
    first = open_database(str(desk))
    second = open_database(str(desk))
    try:
        assert first.lock is not None
        assert second.lock is not None
        assert [h.pid for h in first.lock.others()] == [os.getpid()]
        tid = tickets.ticket_count()
        before = first.data_version()
        notes.add_note(Session(second, None), tid, "seen by the other window")
        assert first.data_version() != before  # what the window's poll notices
    finally:
        second.close()
        first.close()
    assert DeskLock(desk).others() == []
