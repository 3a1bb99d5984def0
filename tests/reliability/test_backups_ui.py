"""Backups and faults in the window: today's backup taken off the GUI thread at open, File >
Restore Backup… (refused while another window has the desk), the offer made when the desk is
damaged at start, two windows on one desk, and a full disk while creating a ticket (the typed
text stays in the dialog)."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path

import apsw
import pytest
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox, QWidget

from tests.reliability.faults import faulty_vfs
from tests.ui.conftest import answer_modal, wait_listed
from ticketdesk.db.errors import DamagedDeskError
from ticketdesk.db.store import open_database
from ticketdesk.services import maintenance, tickets
from ticketdesk.services.session import Session
from ticketdesk.ui.backups import RestoreDialog, after_open, offer_restore
from ticketdesk.ui.create_ticket import CreateTicketDialog
from ticketdesk.ui.main_window import MainWindow


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'desk.sqlite'}"


def _desk(url: str, *subjects: str) -> None:
    store = open_database(url)
    try:
        for subject in subjects:
            tickets.create_ticket(Session(store, None), subject=subject)
    finally:
        store.close()


def _press(button_text: str) -> Callable[[QWidget], None]:
    def act(dialog: QWidget) -> None:
        assert isinstance(dialog, QMessageBox)
        for button in dialog.buttons():
            if button.text().replace("&", "") == button_text:
                button.click()
                return
        raise AssertionError([b.text() for b in dialog.buttons()])
    return act


def test_the_daily_backup_runs_off_the_gui_thread_at_open(
        db_url: str, tmp_path: Path, open_window: Callable[..., MainWindow], qtbot,
        monkeypatch: pytest.MonkeyPatch) -> None:
    _desk(db_url, "backed up")
    window = open_window()
    threads: list[threading.Thread] = []
    real = maintenance.daily_backup

    def spy(store: object, **kwargs: object) -> object:
        threads.append(threading.current_thread())
        return real(store, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(maintenance, "daily_backup", spy)
    job = after_open(window)
    with qtbot.waitSignal(job.done, timeout=10_000) as done:
        pass
    path = done.args[0]
    assert isinstance(path, Path)
    assert threads
    assert threads[0] is not threading.main_thread()
    assert path.parent == tmp_path / "backups"
    assert "Today's backup was written" in window.statusBar().currentMessage()
    again = after_open(window)
    with qtbot.waitSignal(again.done, timeout=10_000) as second:
        pass
    assert second.args[0] is None  # one a day
    assert len(maintenance.list_backups(tmp_path / "desk.sqlite")) == 1


def test_a_second_window_on_the_same_desk_is_told_and_sees_the_firsts_changes(
        db_url: str, open_window: Callable[..., MainWindow], qtbot) -> None:
    _desk(db_url, "first")
    first = open_window()
    second = open_window(agent="Bob Builder")
    job = after_open(second)
    assert f"also open in process {os.getpid()}" in second.statusBar().currentMessage()
    job.wait()
    wait_listed(qtbot, second)
    tickets.create_ticket(first.session, subject="made in the first window")
    qtbot.waitUntil(lambda: second.model.matching == 2, timeout=5000)


def test_restore_from_the_menu_reopens_the_window_on_the_backup(
        db_url: str, tmp_path: Path, open_window: Callable[..., MainWindow], qtbot) -> None:
    _desk(db_url, "in the backup")
    window = open_window()
    assert window.restore_action in window.menuBar().actions()[0].menu().actions()
    backup = maintenance.backup(window.store)
    tickets.create_ticket(window.session, subject="after the backup")

    def choose(dialog: QWidget) -> None:
        assert isinstance(dialog, RestoreDialog)
        assert dialog.chosen() == backup
        dialog.accept()

    answer_modal(choose)
    window.restore_action.trigger()
    new = window.successor
    assert new is not None
    try:
        assert not window.isVisible()
        wait_listed(qtbot, new)
        assert new.model.matching == 1
        assert "Restored the backup" in new.statusBar().currentMessage()
        aside = list(tmp_path.glob("desk.sqlite.before-restore-*"))
        assert len(aside) == 1
        conn = apsw.Connection(str(aside[0]), flags=apsw.SQLITE_OPEN_READONLY)
        try:
            assert conn.execute("SELECT count(*) FROM ticket").fetchall() == [(2,)]
        finally:
            conn.close()
    finally:
        new.close()


def test_restore_from_the_menu_is_refused_while_another_window_has_the_desk(
        db_url: str, tmp_path: Path, open_window: Callable[..., MainWindow]) -> None:
    _desk(db_url, "only")
    window = open_window()
    open_window(agent="Bob Builder")
    maintenance.backup(window.store)
    seen: list[str] = []

    def read_and_close(dialog: QWidget) -> None:
        assert isinstance(dialog, QMessageBox)
        seen.append(dialog.text())
        dialog.accept()

    answer_modal(read_and_close)
    window.restore_action.trigger()
    assert window.successor is None
    assert "also open in process" in seen[0]
    assert "nothing was changed" in seen[0]
    assert not list(tmp_path.glob("desk.sqlite.before-restore-*"))


def test_restore_with_no_backup_says_how_to_make_one(
        db_url: str, open_window: Callable[..., MainWindow]) -> None:
    window = open_window()
    seen: list[str] = []
    answer_modal(lambda box: (seen.append(box.text()), box.close()))  # type: ignore[attr-defined]
    window.restore_action.trigger()
    assert "Back Up Now" in seen[0]


def _damage(desk: Path) -> bytes:
    data = desk.read_bytes()
    desk.write_bytes(data[: len(data) // 2])
    return data[: len(data) // 2]


def test_a_damaged_desk_at_start_offers_its_latest_backup(db_url: str, tmp_path: Path,
                                                           qtbot) -> None:
    _desk(db_url, "safe in the backup")
    store = open_database(db_url)
    maintenance.backup(store)
    store.close()
    desk = tmp_path / "desk.sqlite"
    damaged = _damage(desk)
    with pytest.raises(DamagedDeskError) as info:
        open_database(db_url)
    answer_modal(_press("Close"))
    assert offer_restore(info.value) is False
    assert desk.read_bytes() == damaged  # declined: untouched
    answer_modal(_press("Restore Latest Backup"))
    assert offer_restore(info.value) is True
    [aside] = tmp_path.glob("desk.sqlite.damaged-*")
    assert aside.read_bytes() == damaged  # kept, not deleted
    store = open_database(db_url)
    try:
        assert tickets.get_ticket(1).subject == "safe in the backup"
    finally:
        store.close()


def test_a_damaged_desk_without_backup_can_be_set_aside(db_url: str, tmp_path: Path) -> None:
    _desk(db_url, "lost")
    damaged = _damage(tmp_path / "desk.sqlite")
    with pytest.raises(DamagedDeskError) as info:
        open_database(db_url)
    answer_modal(_press("Set Aside and Start Empty"))
    assert offer_restore(info.value) is True
    [aside] = tmp_path.glob("desk.sqlite.damaged-*")
    assert aside.read_bytes() == damaged
    store = open_database(db_url)
    try:
        assert tickets.ticket_count() == 0
    finally:
        store.close()


def test_a_full_disk_while_creating_a_ticket_keeps_the_typed_text(
        db_url: str, open_window: Callable[..., MainWindow], qtbot) -> None:
    """Simulated (APSW VFS): the dialog stays open with a clear message and everything typed;
    once there is room again, the same click saves it."""
    with faulty_vfs() as vfs:
        window = open_window()
        try:
            dialog = CreateTicketDialog(window.session, window)
            dialog.show()
            dialog.subject.setText("Printer on fire")
            dialog.description.setPlainText("Smoke everywhere.\nSecond line.")
            vfs.error = apsw.FullError
            dialog.accept()  # saved on the dialog's worker thread: the answer comes back
            qtbot.waitUntil(lambda: dialog.error.text() != "", timeout=5000)
            QApplication.processEvents()
            assert dialog.isVisible()
            assert dialog.result() != QDialog.DialogCode.Accepted
            assert "disk holding the database is full" in dialog.error.text()
            assert dialog.subject.text() == "Printer on fire"
            assert dialog.description.toPlainText() == "Smoke everywhere.\nSecond line."
            assert tickets.ticket_count() == 0
            vfs.error = None
            dialog.accept()
            qtbot.waitUntil(lambda: dialog.result() == QDialog.DialogCode.Accepted, timeout=5000)
            assert tickets.get_ticket(1).description == "Smoke everywhere.\nSecond line."
        finally:
            window.close()
