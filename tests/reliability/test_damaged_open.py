"""A damaged desk is caught when it is opened, before anything is written to it; the check is
cheap enough for every start; damage deeper inside is found by `check` and by the daily backup,
which then keeps every older backup."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

from tests.reliability.crash import demo_then_die, killed_at
from ticketdesk.app import main
from ticketdesk.db import damage, sqlite_files
from ticketdesk.db.errors import DamagedDeskError
from ticketdesk.db.store import open_database
from ticketdesk.domain.errors import StorageError
from ticketdesk.services import demo, maintenance, notes, tickets
from ticketdesk.services.session import Session

PAGE = 4096


@pytest.fixture
def desk(tmp_path: Path) -> Path:
    path = tmp_path / "desk.sqlite"
    store = open_database(str(path))
    try:
        session = Session(store, None)
        for n in range(60):
            tid = tickets.create_ticket(session, subject=f"ticket {n}",
                                        description="words " * 200).new_id
            notes.add_note(session, tid, "a note " * 50)
    finally:
        store.close()  # the last connection checkpoints: no -wal remains
    assert not path.with_name("desk.sqlite-wal").exists()
    return path


def _refused(path: Path, match: str) -> DamagedDeskError:
    before = path.read_bytes()
    with pytest.raises(DamagedDeskError, match=match) as info:
        open_database(str(path))
    assert path.read_bytes() == before  # nothing written to it
    assert not path.with_name(path.name + "-wal").exists()
    return info.value


def test_a_truncated_desk_is_caught_at_open(desk: Path) -> None:
    data = desk.read_bytes()
    desk.write_bytes(data[: len(data) // 2 // PAGE * PAGE])
    error = _refused(desk, "cut short")
    assert "header says" in error.detail


def test_a_desk_cut_mid_page_is_caught_at_open(desk: Path) -> None:
    data = desk.read_bytes()
    desk.write_bytes(data[: len(data) - 1000])
    _refused(desk, "not a whole number")


def test_a_desk_shorter_than_its_header_is_caught(desk: Path) -> None:
    desk.write_bytes(desk.read_bytes()[:60])
    _refused(desk, "shorter than a SQLite header")


def test_a_garbage_header_is_caught_at_open(desk: Path) -> None:
    data = bytearray(desk.read_bytes())
    data[:100] = os.urandom(100)
    desk.write_bytes(bytes(data))
    error = _refused(desk, "not a ticketdesk database, or it is damaged beyond reading")
    assert error.path == desk


def test_a_damaged_schema_page_is_caught_when_sqlite_reads_it(desk: Path) -> None:
    data = bytearray(desk.read_bytes())
    data[100:PAGE] = b"\xff" * (PAGE - 100)  # page 1 after the header: the schema's b-tree
    desk.write_bytes(bytes(data))
    error = _refused(desk, "is damaged")
    assert "SQLite says" in error.detail


def test_a_desk_with_a_hot_wal_is_not_a_false_alarm(desk: Path, tmp_path: Path) -> None:
    """A copy taken while the desk was in use (main file + -wal, as after a crash or a power
    cut) opens normally: SQLite replays the WAL."""
    store = open_database(str(desk))
    try:
        tickets.create_ticket(Session(store, None), subject="only in the WAL so far")
        copy = tmp_path / "copy"
        copy.mkdir()
        for name in ("desk.sqlite", "desk.sqlite-wal"):
            shutil.copyfile(desk.with_name(name), copy / name)
    finally:
        store.close()
    assert (copy / "desk.sqlite-wal").stat().st_size > 0
    assert damage.problem(copy / "desk.sqlite") is None
    reopened = open_database(str(copy / "desk.sqlite"))
    try:
        assert tickets.ticket_count() == 61
        assert reopened.integrity_problems() == []
    finally:
        reopened.close()


def test_the_check_at_open_costs_the_same_for_a_huge_desk(desk: Path) -> None:
    """It reads the 100-byte header and the file size, whatever the size: a 4 GB desk (a sparse
    file here) is checked as fast as a small one."""
    huge = desk.with_name("huge.sqlite")
    shutil.copyfile(desk, huge)
    pages = 4 * 1024**3 // PAGE
    with open(huge, "r+b") as fh:
        fh.seek(28)
        fh.write(pages.to_bytes(4, "big"))
        fh.truncate(pages * PAGE)
    started = time.perf_counter()
    for _ in range(100):
        assert damage.problem(huge) is None
    assert (time.perf_counter() - started) / 100 < 0.005
    with open(huge, "r+b") as fh:
        fh.truncate(pages * PAGE - PAGE)
    assert "cut short" in (damage.problem(huge) or "")


def test_damage_deep_inside_is_found_by_check_and_the_daily_backup_keeps_older_ones(
        desk: Path) -> None:
    store = open_database(str(desk))
    try:
        good = maintenance.daily_backup(store, now=time.time() - 86_400)
        assert good is not None
        root = store.db.execute_sql(
            "SELECT rootpage FROM sqlite_master WHERE name = 'note'").fetchone()[0]
    finally:
        store.close()
    data = bytearray(desk.read_bytes())
    leaf = (root - 1) * PAGE  # the note table's root page: it says how its rows are laid out
    data[leaf:leaf + 12] = b"\x0d\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff"
    desk.write_bytes(bytes(data))
    store = open_database(str(desk))  # the cheap check cannot see this far: it opens
    try:
        assert maintenance.check(store).problems
        with pytest.raises(StorageError, match="damaged"):
            maintenance.daily_backup(store)
    finally:
        store.close()
    assert [b.path for b in maintenance.list_backups(desk)] == [good]


def _fresh_desk_killed_mid_demo(tmp_path: Path) -> tuple[Path, Path]:
    """A desk whose large demo (rollback-journal mode) was killed mid-load, and a backup of
    200 tickets in its backups folder."""
    source = tmp_path / "source" / "desk.sqlite"
    store = open_database(str(source))
    try:
        demo.generate(store, tickets=200)
    finally:
        store.close()
    backup = tmp_path / "backups" / "desk-20260101-120000.sqlite"
    backup.parent.mkdir()
    shutil.copyfile(source, backup)
    desk = tmp_path / "desk.sqlite"
    killed_at(demo_then_die, str(desk), 3000, 500)
    assert sqlite_files.hot_journal(desk)
    header = desk.read_bytes()[:100]
    assert int.from_bytes(header[28:32], "big") * PAGE > desk.stat().st_size  # "cut short"
    return desk, backup


def test_a_demo_killed_mid_load_is_recovered_at_start_not_called_damaged(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Item 2: a hot journal is recovery, not damage: the desk opens, SQLite rolls the half
    load back, and the desk is as it was before the demo (empty, sound)."""
    desk, _ = _fresh_desk_killed_mid_demo(tmp_path)
    assert damage.problem(desk) is None
    assert main(["check", "--db", str(desk)]) == 0
    assert "ok" in capsys.readouterr().out
    assert not desk.with_name("desk.sqlite-journal").exists()
    store = open_database(str(desk), create=False)
    try:
        assert tickets.ticket_count() == 0
    finally:
        store.close()


def test_a_restore_over_a_hot_journal_keeps_the_backup_and_the_set_aside_desk_whole(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Item 2: the journal is set aside with the file it belongs to, so it is not played over
    the restored backup (all 200 tickets stay), and the set-aside desk rolls back soundly."""
    desk, backup = _fresh_desk_killed_mid_demo(tmp_path)
    assert main(["restore", "--db", str(desk), str(backup)]) == 0
    assert not desk.with_name("desk.sqlite-journal").exists()
    aside = next(tmp_path.glob("desk.sqlite.before-restore-*[0-9]"))
    assert aside.with_name(aside.name + "-journal").exists()
    assert main(["check", "--db", str(desk)]) == 0
    store = open_database(str(desk), create=False)
    try:
        assert tickets.ticket_count() == 200
    finally:
        store.close()
    assert sqlite_files.verify(aside, 10**6) == []
