"""Backups: a daily snapshot on open (kept 7 days), restore that never overwrites anything, a
backup taken while another process writes, and the lock that keeps a restore from pulling the
desk from under a running window (released by the kernel when a process is killed)."""

from __future__ import annotations

import os
import time
from pathlib import Path

import apsw
import pytest

from tests.reliability.crash import Writer, commit_then_die, killed_at, restore_then_die
from ticketdesk.app import main
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


# -- issue 13: data loss around restore, locks and backups -----------------------------------

def _count(path: Path) -> int:
    conn = apsw.Connection(str(path))
    try:
        return int(conn.execute("SELECT count(*) FROM ticket").fetchall()[0][0])
    finally:
        conn.close()


def test_undoing_a_restore_brings_back_the_changes_that_were_only_in_the_wal(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Item 1: a desk is its file and its -wal. The desk set aside by a restore carries the
    commits of a window that was killed (still in its -wal); restoring that set-aside desk
    brings back all 220 tickets, not the 200 of its main file."""
    desk = _desk(tmp_path, tuple(f"ticket {n}" for n in range(200)))
    store = open_database(str(desk))
    try:
        backup = maintenance.backup(store)
    finally:
        store.close()
    killed_at(commit_then_die, str(desk), [f"late {n}" for n in range(20)])
    assert desk.with_name("desk.sqlite-wal").stat().st_size > 0  # the 20 live in the WAL only
    assert main(["restore", "--db", str(desk), str(backup)]) == 0
    aside = next(tmp_path.glob("desk.sqlite.before-restore-*[0-9]"))
    assert aside.with_name(aside.name + "-wal").exists()
    assert _count(desk) == 200
    assert main(["restore", "--db", str(desk), str(aside)]) == 0  # undo the restore
    assert _count(desk) == 220
    assert not desk.with_name("desk.sqlite-wal").exists()  # folded into the restored file
    assert main(["check", "--db", str(desk)]) == 0
    assert "ok" in capsys.readouterr().out


def test_a_window_that_opened_the_desk_through_a_symlink_stops_a_restore(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Item 3: the lock belongs to the real file, so a restore by its real name sees the window
    that opened it through a link (and the other way round), and the window's saves go on
    landing in the desk."""
    real_folder = tmp_path / "real"
    real_folder.mkdir()
    desk = _desk(real_folder, ("before",))
    store = open_database(str(desk))
    try:
        backup = maintenance.backup(store)
    finally:
        store.close()
    link = tmp_path / "link.sqlite"
    link.symlink_to(desk)
    linked_folder = tmp_path / "linked-folder"
    linked_folder.symlink_to(real_folder)
    for opened_by, restored_by in ((link, desk), (desk, link),
                                   (linked_folder / "desk.sqlite", desk)):
        window = open_database(str(opened_by))
        try:
            assert main(["restore", "--db", str(restored_by), str(backup)]) == 1
            assert f"open in process {os.getpid()}" in capsys.readouterr().err
            tickets.create_ticket(Session(window, None), subject=f"saved via {opened_by.name}")
        finally:
            window.close()
    assert not list(real_folder.glob("*.before-restore-*"))
    assert not (tmp_path / "link.sqlite.lock").exists()
    assert _subjects(desk) == ["before", "saved via link.sqlite", "saved via desk.sqlite",
                               "saved via desk.sqlite"]
    assert main(["restore", "--db", str(link), str(backup)]) == 0  # nobody has it open now
    assert link.is_symlink()
    assert _subjects(link) == ["before"]


@pytest.mark.parametrize("renames", [1, 2])
def test_a_restore_killed_in_the_middle_of_the_swap_is_finished_at_the_next_start(
        tmp_path: Path, renames: int, capsys: pytest.CaptureFixture[str]) -> None:
    """Item 4: killed after the desk's main file (1) or also its -wal (2) was set aside, before
    the backup took its name: the next start finishes the restore instead of creating an
    empty desk, and the set-aside desk keeps everything."""
    desk = _desk(tmp_path, ("in the backup",))
    store = open_database(str(desk))
    try:
        backup = maintenance.backup(store)
    finally:
        store.close()
    killed_at(commit_then_die, str(desk), ["after the backup"])
    killed_at(restore_then_die, str(desk), str(backup), renames)
    assert not desk.exists()  # the moment the issue describes
    assert main(["check", "--db", str(desk)]) == 0
    assert _subjects(desk) == ["in the backup"]
    aside = next(tmp_path.glob("desk.sqlite.before-restore-*[0-9]"))
    assert _subjects(aside) == ["in the backup", "after the backup"]
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_a_restore_killed_before_its_copy_was_in_place_is_undone_at_the_next_start(
        tmp_path: Path) -> None:
    """Item 4, the other way: if the checked copy is gone, the set-aside desk is put back."""
    desk = _desk(tmp_path, ("the desk",))
    store = open_database(str(desk))
    try:
        backup = maintenance.backup(store)
    finally:
        store.close()
    killed_at(restore_then_die, str(desk), str(backup), 1)
    next(tmp_path.glob(".desk.sqlite.restoring")).unlink()
    store = open_database(str(desk), create=False)
    try:
        assert tickets.ticket_count() == 1
    finally:
        store.close()
    assert not list(tmp_path.glob("desk.sqlite.before-restore-*"))


def test_an_oddly_named_file_in_backups_stops_neither_backups_nor_restore(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Item 5: `desk-20261399-000000.sqlite` looks like a backup but has no real date: it is
    ignored (and kept) by the daily backup, restore, restore --list and the damage advice."""
    desk = _desk(tmp_path, ("the desk",))
    folder = tmp_path / "backups"
    folder.mkdir()
    odd = folder / "desk-20261399-000000.sqlite"
    odd.write_bytes(b"not a backup")
    store = open_database(str(desk))
    try:
        assert maintenance.daily_backup(store, now=NOON) is not None
    finally:
        store.close()
    assert main(["restore", "--list", "--db", str(desk)]) == 0
    listed = capsys.readouterr().out
    assert "desk-daily-20260528-" in listed
    assert odd.name not in listed
    assert main(["restore", "--db", str(desk)]) == 0
    desk.write_bytes(b"garbage" * 100)
    assert main(["check", "--db", str(desk)]) == 1
    assert "ticketdesk restore" in capsys.readouterr().err
    assert odd.exists()


def test_a_clock_once_set_ahead_does_not_make_new_daily_backups_vanish(tmp_path: Path) -> None:
    """Item 5: daily backups dated in the future (taken while the clock was ahead) do not count
    among the seven kept, so today's backup is kept; they are not deleted either."""
    desk = _desk(tmp_path)
    store = open_database(str(desk))
    try:
        ahead = [maintenance.daily_backup(store, now=NOON + 400 * DAY + n * DAY)
                 for n in range(maintenance.DAILY_KEEP)]
        today = maintenance.daily_backup(store, now=NOON)
        assert today is not None
        assert today.exists()
        tomorrow = maintenance.daily_backup(store, now=NOON + DAY)
        assert tomorrow is not None
        assert tomorrow.exists()
        assert today.exists()
    finally:
        store.close()
    assert all(p is not None and p.exists() for p in ahead)
