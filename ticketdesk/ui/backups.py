"""Backups in the window: the daily backup taken off the GUI thread when a desk opens, File >
Restore Backup…, and what the user is offered when the desk turns out to be damaged at start.

A restore replaces the desk file, so it happens with the desk closed: the window closes its
store (letting go of its lock on the file), the backup takes the desk's place (the current file is
set aside, never deleted), and a new window opens on the restored desk. Another window that has
the desk open refuses the restore with a message naming it; nothing is changed then.
"""

from __future__ import annotations

import contextlib
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, QObject, Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from ticketdesk.db.errors import DamagedDeskError
from ticketdesk.domain.errors import TicketdeskError
from ticketdesk.services import maintenance
from ticketdesk.services.maintenance import BackupInfo
from ticketdesk.ui.tasks import TaskThread
from ticketdesk.ui.text import plain_box, plain_label

if TYPE_CHECKING:
    from ticketdesk.ui.main_window import MainWindow

BACKUP_ROLE = Qt.ItemDataRole.UserRole


def _when(epoch: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(epoch))


# -- the daily backup ---------------------------------------------------------------------------

class AfterOpen(QObject):
    """What happens once a window is open on a desk: today's backup, on a thread of its own, and
    a word in the status bar when another window has the same desk open."""

    done = Signal(object)
    """The daily backup's path, None if there was nothing to do, or the error."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        store = window.store
        self._thread = TaskThread(store, lambda _progress: maintenance.daily_backup(store))
        self._thread.succeeded.connect(self._succeeded, Qt.ConnectionType.QueuedConnection)
        self._thread.failed.connect(self._failed, Qt.ConnectionType.QueuedConnection)

    def start(self) -> None:
        lock = self.window.store.lock
        others = lock.others() if lock is not None else []
        if others:
            self.window.statusBar().showMessage(self.tr(
                "This desk is also open in {0}: each window shows the other's changes as they "
                "are saved.").format(", ".join(str(h) for h in others)), 15_000)
        self._thread.start()

    def wait(self) -> None:
        """Block until the backup is done (before the desk closes or the program ends)."""
        self._thread.wait()

    def _succeeded(self, path: object) -> None:
        if isinstance(path, Path):
            self.window.statusBar().showMessage(
                self.tr("Today's backup was written to {0}.").format(path), 10_000)
        self.done.emit(path)

    def _failed(self, error: object) -> None:
        message = str(error) if isinstance(error, TicketdeskError) else repr(error)
        plain_box(self.window, QMessageBox.Icon.Warning, self.tr("Daily backup"), self.tr(
            "Today's automatic backup could not be taken: {0}\n\nYour earlier backups were all "
            "kept.").format(message)).open()
        self.done.emit(error)


def after_open(window: MainWindow) -> AfterOpen:
    job = AfterOpen(window)
    job.start()
    return job


# -- File > Restore Backup… ------------------------------------------------------------------

class RestoreDialog(QDialog):
    """The desk's backups, newest first; restoring the chosen one sets the current file aside."""

    def __init__(self, desk: Path, backups: list[BackupInfo],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("restoreDialog")
        self.setWindowTitle(self.tr("Restore Backup"))
        layout = QVBoxLayout(self)
        intro = plain_label(self.tr(
            "Choose the backup to restore. The desk as it is now is not deleted: it is set aside "
            "beside it as {0}.before-restore-<date>, and this window reopens on the restored "
            "desk.").format(desk.name), self)
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.list = QListWidget(self)
        self.list.setObjectName("backupList")
        for b in backups:
            kind = self.tr("daily") if b.daily else self.tr("by hand")
            item = QListWidgetItem(f"{_when(b.taken_at)}    {b.size / 1e6:,.1f} MB    {kind}",
                                   self.list)
            item.setData(BACKUP_ROLE, str(b.path))
        self.list.setCurrentRow(0)
        layout.addWidget(self.list)
        self.where = plain_label("", self)
        self.where.setWordWrap(True)
        layout.addWidget(self.where)
        self.list.currentItemChanged.connect(self._show_path)
        self._show_path()
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Restore"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(560, 380)

    def _show_path(self, *_args: Any) -> None:
        chosen = self.chosen()
        self.where.setText(str(chosen) if chosen else "")

    def chosen(self) -> Path | None:
        item = self.list.currentItem()
        return Path(item.data(BACKUP_ROLE)) if item is not None else None


def _reopen(old: MainWindow) -> MainWindow:
    """A new window on the same desk, as the same agent (created if the backup predates them)."""
    from ticketdesk.db.store import open_database
    from ticketdesk.services import agents
    from ticketdesk.services.session import Session
    from ticketdesk.ui.agent_picker import ensure_agent
    from ticketdesk.ui.main_window import MainWindow

    name = None
    with contextlib.suppress(TicketdeskError):
        name = agents.get_agent(old.store, old.session.agent_id or 0).name
    store = open_database(old.store.url)
    try:
        agent_id = ensure_agent(Session(store, None), None, name)
        old.settings.set_agent_for(store.location, agent_id)
        window = MainWindow(store, agent_id, old.settings, tz=old.tz)
    except BaseException:
        store.close()
        raise
    window.show()
    return window


def restore_from_menu(window: MainWindow) -> MainWindow | None:
    """Let the user pick a backup and restore it; returns the window that replaced `window`
    (which is then closed), or None when nothing was done."""
    # The main window's strings, said from here: translated in its context (lupdate would file
    # `window.tr(...)` under "window", where the running program never looks).
    translate = QCoreApplication.translate
    store = window.store
    title = translate("MainWindow", "Restore Backup")
    if not store.is_sqlite:
        plain_box(window, QMessageBox.Icon.Information, title, translate("MainWindow",
            "A team desk on PostgreSQL is restored on the server (pg_restore), not here.")).exec()
        return None
    desk = Path(store.location)
    backups = maintenance.list_backups(desk)
    if not backups:
        plain_box(window, QMessageBox.Icon.Information, title, translate("MainWindow",
            "There is no backup of this desk yet in {0}. File > Back Up Now takes one; one is "
            "also taken automatically each day the desk is opened.").format(
                desk.parent / "backups")).exec()
        return None
    others = store.lock.others() if store.lock is not None else []
    if others:
        plain_box(window, QMessageBox.Icon.Warning, title, translate("MainWindow",
            "This desk is also open in {0}. Close it there first, then restore; nothing was "
            "changed.").format(", ".join(str(h) for h in others))).exec()
        return None
    dialog = RestoreDialog(desk, backups, window)
    if not dialog.exec() or dialog.chosen() is None or not window.ticket_dock.close_work():
        return None
    chosen = dialog.chosen()
    for job in window.findChildren(AfterOpen):
        job.wait()
    window.shutdown()  # closes the store: the desk is free to be replaced
    failure: TicketdeskError | None = None
    try:
        maintenance.restore(desk, chosen)
    except TicketdeskError as exc:
        failure = exc  # the desk is as it was; reopen it all the same
    new = _reopen(window)
    window.close()
    if failure is not None:
        plain_box(new, QMessageBox.Icon.Warning, title, str(failure)).exec()
    else:
        new.statusBar().showMessage(translate("MainWindow",
            "Restored the backup of {0}; the desk as it was is kept beside it.").format(
                _when(next(b.taken_at for b in backups if b.path == chosen))), 15_000)
    return new


# -- a damaged desk at start ------------------------------------------------------------------

def offer_restore(error: DamagedDeskError, parent: QWidget | None = None) -> bool:
    """Tell the user the desk is damaged and offer its latest backup (or, with none, a fresh
    desk); the damaged file is set aside, never deleted. True if the desk can now be opened."""
    latest = maintenance.latest_backup(error.path)
    text = str(error) + "\n\n"
    if latest is not None:
        text += (f"The latest backup was taken on {_when(latest.taken_at)}. Restore it? The "
                 f"damaged file is kept beside it as {error.path.name}.damaged-<date>.")
        action = "Restore Latest Backup"
    else:
        text += (f"There is no backup of it in {error.path.parent / 'backups'}. Set the damaged "
                 "file aside (it is kept) and start with an empty desk?")
        action = "Set Aside and Start Empty"
    box = plain_box(parent, QMessageBox.Icon.Critical, "ticketdesk", text)
    go = box.addButton(action, QMessageBox.ButtonRole.AcceptRole)
    box.addButton(QMessageBox.StandardButton.Close)
    box.setDefaultButton(go)
    box.exec()
    if box.clickedButton() is not go:
        return False
    try:
        if latest is not None:
            maintenance.restore(error.path, latest.path, aside_label="damaged")
        else:
            maintenance.set_aside_damaged(error.path)
    except TicketdeskError as exc:
        plain_box(parent, QMessageBox.Icon.Critical, "ticketdesk", str(exc)).exec()
        return False
    return True

