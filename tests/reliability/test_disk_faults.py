"""Disk and file faults: a full disk, a read-only file or folder, an I/O error, in the middle of
a session. Each gives a clear message, writes nothing half-way (the desk passes its integrity
check, every change still has its activity row), and the desk works again once the fault is
gone. Real faults where the machine allows (a 2 MB tmpfs, a read-only bind mount, a file made
read-only for an unprivileged process); the same faults simulated through an APSW VFS
everywhere (so they also run where mounting is not allowed)."""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
import threading
from pathlib import Path

import apsw
import pytest
from PySide6.QtWidgets import QMessageBox, QWidget

from tests.reliability.checks import audit_invariants
from tests.reliability.crash import context
from tests.reliability.faults import can_mount, faulty_vfs, read_only_view, tmpfs
from tests.ui.conftest import answer_modal
from ticketdesk.app import main
from ticketdesk.db.models import Activity, Note
from ticketdesk.db.store import Store, open_database
from ticketdesk.domain.errors import StorageError
from ticketdesk.services import notes, tickets
from ticketdesk.services.session import Session

needs_mount = pytest.mark.skipif(not can_mount(), reason="mounting needs root; the simulated "
                                 "faults below cover the same paths")


def _sound(store: Store) -> None:
    assert store.integrity_problems() == []
    assert audit_invariants(store.db) == []


def _snapshot() -> tuple[int, int]:
    return Note.select().count(), Activity.select().count()


@needs_mount
def test_a_full_disk_mid_session_saves_nothing_half_way_and_recovers(tmp_path: Path) -> None:
    with tmpfs(tmp_path / "small", "2m") as disk:
        store = open_database(str(disk / "desk.sqlite"))
        try:
            session = Session(store, None)
            tid = tickets.create_ticket(session, subject="disk filling up").new_id
            ballast = disk / "ballast"
            free = os.statvfs(disk).f_bavail * os.statvfs(disk).f_frsize
            ballast.write_bytes(b"\0" * max(0, free - 96 * 1024))
            saved = 0
            error: StorageError | None = None
            for n in range(1000):
                before = _snapshot()
                try:
                    notes.add_note(session, tid, f"note {n} " + "x" * 8000)
                except StorageError as exc:
                    error = exc
                    break
                saved += 1
            assert error is not None
            assert "disk holding the database is full" in str(error)
            assert "Nothing was saved" in str(error)
            assert _snapshot() == before  # the note that failed left no row and no activity
            assert len(notes.notes_for(tid)) == saved
            _sound(store)
            ballast.unlink()
            notes.add_note(session, tid, "after freeing space")
            assert len(notes.notes_for(tid)) == saved + 1
        finally:
            store.close()
        reopened = open_database(str(disk / "desk.sqlite"))
        try:
            _sound(reopened)
            assert len(notes.notes_for(tid)) == saved + 1
        finally:
            reopened.close()


@needs_mount
def test_a_desk_on_a_read_only_file_system_is_refused_clearly_at_open(tmp_path: Path) -> None:
    desk = tmp_path / "rw" / "desk.sqlite"
    store = open_database(str(desk))
    tickets.create_ticket(Session(store, None), subject="on a disk that becomes read-only")
    store.close()
    before = sorted(p.name for p in desk.parent.iterdir())
    with read_only_view(desk.parent, tmp_path / "ro") as view, \
            pytest.raises(StorageError) as info:
        open_database(str(view / "desk.sqlite"))
    assert "cannot write in" in str(info.value)
    assert "Read-only file system" in str(info.value)
    assert sorted(p.name for p in desk.parent.iterdir()) == before


def _read_only_mid_session(folder: str, report: str) -> None:
    """In a child process: as an unprivileged user (root ignores permissions), open a desk,
    write, make the file read-only, and write again from a new connection, as the app's task
    threads do. Writes `what happened` lines to `report`."""
    if os.geteuid() == 0:
        os.setgid(65534)
        os.setuid(65534)
    lines = []
    store = open_database(os.path.join(folder, "desk.sqlite"))
    session = Session(store, None)
    tid = tickets.create_ticket(session, subject="becomes read-only").new_id
    os.chmod(os.path.join(folder, "desk.sqlite"), 0o444)

    def other_thread() -> None:
        try:
            notes.add_note(session, tid, "from a new connection")
            lines.append("saved")
        except StorageError as exc:
            lines.append(f"refused {exc}")
        finally:
            store.close_thread()

    thread = threading.Thread(target=other_thread)
    thread.start()
    thread.join()
    lines.append(f"notes {len(notes.notes_for(tid))}")
    lines.append(f"problems {store.integrity_problems()}")
    store.close()
    with open(report, "w", encoding="utf-8") as fh:
        fh.write("\n".join(lines))


def test_a_desk_file_made_read_only_mid_session_refuses_clearly(tmp_path: Path) -> None:
    folder = tempfile.mkdtemp(prefix="td-ro-", dir="/tmp" if os.path.isdir("/tmp") else None)
    try:
        if os.geteuid() == 0:
            os.chown(folder, 65534, 65534)
        report = os.path.join(folder, "report.txt")
        child = context().Process(target=_read_only_mid_session, args=(folder, report))
        child.start()
        child.join(60)
        assert child.exitcode == 0
        with open(report, encoding="utf-8") as fh:
            lines = fh.read().splitlines()
        assert lines[0].startswith("refused The database file is read-only.")
        assert lines[0].endswith("Nothing was saved.")
        assert lines[1:] == ["notes 0", "problems []"]
        assert stat.S_IMODE(os.stat(os.path.join(folder, "desk.sqlite")).st_mode) == 0o444
    finally:
        import shutil

        shutil.rmtree(folder, ignore_errors=True)


@pytest.mark.parametrize(("error", "message"), [
    (apsw.FullError, "The disk holding the database is full."),
    (apsw.ReadOnlyError, "The database file is read-only."),
    (apsw.IOError, "The disk reported an error while reading or writing the database."),
])
def test_simulated_write_faults_mid_session_save_nothing_half_way(
        tmp_path: Path, error: type[BaseException], message: str) -> None:
    with faulty_vfs() as vfs:
        store = open_database(str(tmp_path / "desk.sqlite"))
        try:
            session = Session(store, None)
            tid = tickets.create_ticket(session, subject="before the fault").new_id
            notes.add_note(session, tid, "saved before")
            before = _snapshot()
            vfs.error = error
            with pytest.raises(StorageError) as info:
                notes.add_note(session, tid, "typed during the fault")
            with pytest.raises(StorageError):
                tickets.create_ticket(session, subject="also during the fault")
            vfs.error = None
            assert str(info.value).startswith(message)
            assert str(info.value).endswith("Nothing was saved.")
            assert _snapshot() == before
            assert tickets.ticket_count() == 1
            _sound(store)
            notes.add_note(session, tid, "typed during the fault")  # the user's retry
            assert [n.body for n in notes.notes_for(tid)] == ["saved before",
                                                              "typed during the fault"]
        finally:
            store.close()
    reopened = open_database(str(tmp_path / "desk.sqlite"))
    try:
        _sound(reopened)
    finally:
        reopened.close()


# -- issue 13, item 9: a full disk while opening and locking -----------------------------------

def _desk_with_tickets(path: Path, count: int = 20) -> Path:
    store = open_database(str(path))
    try:
        for n in range(count):
            tickets.create_ticket(Session(store, None), subject=f"ticket {n}")
    finally:
        store.close()
    return path


def _fill(disk: Path, *, inodes: bool = False) -> None:
    """Fill the disk to the last byte (and, if asked, to its last inode)."""
    n = 0
    while True:
        try:
            with open(disk / f"ballast-{n}", "wb", buffering=0) as fh:
                while True:
                    fh.write(b"\0" * 4096)
        except OSError:
            n += 1
            if not inodes or n > 10_000:
                return


def _window_refuses(desk: Path) -> str:
    """Start the window on `desk` as the user does; the message it shows (closed with OK)."""
    shown: list[str] = []

    def read_and_close(dialog: QWidget) -> None:
        assert isinstance(dialog, QMessageBox)
        shown.append(dialog.text())
        dialog.accept()

    answer_modal(read_and_close)
    assert main(["--db", str(desk), "--agent", "Ann"]) == 1
    return shown[0]


@needs_mount
def test_a_full_desk_disk_does_not_stop_an_export_to_another_disk(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with tmpfs(tmp_path / "small", "4m") as disk:
        desk = _desk_with_tickets(disk / "desk.sqlite")
        _fill(disk)
        out = tmp_path / "tickets.csv"
        assert main(["export", "tickets", "--db", str(desk), "--out", str(out)]) == 0
        assert len(out.read_text(encoding="utf-8").splitlines()) == 21
        assert main(["check", "--db", str(desk)]) == 0
        assert main(["backup", "--db", str(desk), "--out", str(tmp_path / "b.sqlite")]) == 0
        capsys.readouterr()
        assert main(["backup", "--db", str(desk)]) == 1  # this one must write there
        err = capsys.readouterr().err
        assert "full" in err
        assert "Traceback" not in err
        assert not list((disk / "desk.sqlite.lock").glob("[0-9]*"))  # no registration left


@needs_mount
def test_a_full_disk_while_writing_the_lock_file_is_a_message_in_the_window_and_the_cli(
        qtbot: object, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with tmpfs(tmp_path / "small", "4m", inodes=64) as disk:
        desk = _desk_with_tickets(disk / "desk.sqlite")
        before = desk.read_bytes()
        _fill(disk)
        assert "is full" in _window_refuses(desk)  # no room to write its registration
        shutil.rmtree(disk / "desk.sqlite.lock")
        _fill(disk, inodes=True)  # the lock folder cannot even be made now
        assert "is full" in _window_refuses(desk)
        capsys.readouterr()
        assert main(["check", "--db", str(desk)]) == 1
        err = capsys.readouterr().err
        assert "is full" in err
        assert "Traceback" not in err
        assert desk.read_bytes() == before


def test_no_room_for_the_lock_files_is_a_storage_error_not_a_traceback(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The same faults, simulated where mounting is not allowed: the lock folder cannot be made
    (ENOSPC, EDQUOT, EROFS give a message), and the registration cannot be written (a reader
    goes on with the shared lock alone)."""
    import errno

    from ticketdesk.db import desk_lock

    desk = _desk_with_tickets(tmp_path / "desk.sqlite", 3)
    real_write = os.write

    def no_room(fd: int, data: bytes) -> int:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(desk_lock.os, "write", no_room)
    out = tmp_path / "t.csv"
    assert main(["export", "tickets", "--db", str(desk), "--out", str(out)]) == 0
    monkeypatch.setattr(desk_lock.os, "write", real_write)
    shutil.rmtree(tmp_path / "desk.sqlite.lock")
    for code, said in ((errno.ENOSPC, "is full"), (errno.EDQUOT, "is full"),
                       (errno.EROFS, "read-only")):
        def refuse(path: Path, mode: int = 0o777, code: int = code) -> None:
            raise OSError(code, os.strerror(code))

        monkeypatch.setattr(Path, "mkdir", refuse)
        capsys.readouterr()
        assert main(["export", "tickets", "--db", str(desk), "--out", str(out)]) == 1
        err = capsys.readouterr().err
        assert said in err
        assert "Traceback" not in err
