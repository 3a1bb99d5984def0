"""Desk ▸ Recycle Bin…: deleted tickets and customers, newest first; Restore, Purge, Empty the
bin, and how many days deleted items are kept (services/recycle_bin.py).

Every read and change runs on the dialog's own query thread; the window never waits
(ticketdesk/ARCHITECTURE.md, "Threading"). What changed is announced on the window's hub, so
the list shows restored tickets at once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QDateTime,
    QLocale,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ticketdesk.domain.errors import TicketdeskError
from ticketdesk.services import agents, recycle_bin
from ticketdesk.services.changes import Changes
from ticketdesk.services.recycle_bin import BinEntry
from ticketdesk.services.session import Session
from ticketdesk.ui.text import plain_box, plain_label
from ticketdesk.ui.worker import QueryRunner

Index = QModelIndex | QPersistentModelIndex
LOAD, SAVE = "bin.load", "bin.save"
COLUMNS = 4
COL_ITEM, COL_KIND, COL_DELETED, COL_BY = range(COLUMNS)


class BinModel(QAbstractTableModel):
    """The bin's entries (never their snapshots): item, kind, when and by whom deleted."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.entries: list[BinEntry] = []
        self.names: dict[int, str] = {}

    def set_entries(self, entries: list[BinEntry], names: dict[int, str]) -> None:
        self.beginResetModel()
        self.entries, self.names = entries, names
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.entries)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else COLUMNS

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        return (self.tr("Item"), self.tr("Kind"), self.tr("Deleted"), self.tr("By"))[section]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or role != Qt.ItemDataRole.DisplayRole:
            return None
        entry = self.entries[index.row()]
        column = index.column()
        if column == COL_ITEM:
            return entry.label
        if column == COL_KIND:
            return self.tr("Ticket") if entry.kind == recycle_bin.TICKET else self.tr("Customer")
        if column == COL_DELETED:
            return QLocale().toString(QDateTime.fromSecsSinceEpoch(entry.deleted_at),
                                      QLocale.FormatType.ShortFormat)
        if entry.deleted_by is None:
            return self.tr("System")
        return self.names.get(entry.deleted_by, "?")


def _read(session: Session) -> tuple[list[BinEntry], dict[int, str], int]:
    entries = recycle_bin.list_bin(session)
    names = agents.agent_names(session.store, {e.deleted_by for e in entries
                                               if e.deleted_by is not None})
    return entries, names, recycle_bin.retention_days(session)


class RecycleBinDialog(QDialog):
    def __init__(self, session: Session, announce: Callable[[Changes], None],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("recycleBinDialog")
        self.setWindowTitle(self.tr("Recycle Bin"))
        self.session = session
        self.announce = announce
        self.runner = QueryRunner(session.store, self)
        self.runner.finished.connect(self._answered)
        self.runner.failed.connect(self._failed)
        self._asked = 0
        self._loading = False
        self._saving = False
        self._after: Callable[[Any], None] | None = None

        layout = QVBoxLayout(self)
        self.model = BinModel(self)
        self.view = QTableView(self)
        self.view.setObjectName("recycleBinTable")
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.horizontalHeader().setSectionResizeMode(COL_ITEM,
                                                          QHeaderView.ResizeMode.Stretch)
        self.view.verticalHeader().hide()
        layout.addWidget(self.view)
        row = QHBoxLayout()
        self.restore_button = self._button(self.tr("&Restore"), "restoreButton", self.restore,
                                           row)
        self.purge_button = self._button(self.tr("&Purge"), "purgeButton", self.purge, row)
        self.empty_button = self._button(self.tr("&Empty Recycle Bin"), "emptyBinButton",
                                         self.empty, row)
        row.addStretch(1)
        row.addWidget(QLabel(self.tr("Keep deleted items for"), self))
        self.days = QSpinBox(self)
        self.days.setObjectName("retentionDays")
        self.days.setRange(1, 3650)
        self.days.setSuffix(self.tr(" days"))
        row.addWidget(self.days)
        self.days_button = self._button(self.tr("&Save"), "saveDaysButton", self.save_days, row)
        layout.addLayout(row)
        self.note = plain_label("", self)
        self.note.setObjectName("recycleBinNote")
        self.note.setWordWrap(True)
        layout.addWidget(self.note)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(720, 480)
        self.load()

    def _button(self, text: str, name: str, slot: Callable[[], None],
                layout: QHBoxLayout) -> QPushButton:
        button = QPushButton(text, self)
        button.setObjectName(name)
        button.clicked.connect(slot)
        layout.addWidget(button)
        return button

    @property
    def busy(self) -> bool:
        return self._loading or self._saving

    def load(self) -> None:
        session = self.session
        self._asked += 1
        self._loading = True
        self.runner.submit(LOAD, self._asked, lambda: _read(session))

    def _save(self, fn: Callable[[], Any], after: Callable[[Any], None]) -> None:
        self._asked += 1
        self._saving = True
        self._after = after
        self.setEnabled(False)
        self.runner.submit(SAVE, self._asked, fn)

    def _answered(self, channel: str, _generation: int, result: Any) -> None:
        if channel == LOAD:
            entries, names, days = result
            self.model.set_entries(entries, names)
            self.days.setValue(days)
            self._loading = False
            return
        self.setEnabled(True)
        after, self._after = self._after, None
        if after is not None:
            after(result)
        self._saving = False
        self.load()

    def _failed(self, channel: str, _generation: int, error: object) -> None:
        self.setEnabled(True)
        self._loading = self._saving = False
        self._after = None
        message = str(error) if isinstance(error, TicketdeskError) else self.tr(
            "Something went wrong: {0}").format(error)
        self.note.setText(message)
        if channel == SAVE:
            self.load()

    def selected(self) -> list[BinEntry]:
        rows = sorted({i.row() for i in self.view.selectionModel().selectedRows()})
        return [self.model.entries[r] for r in rows]

    def restore(self) -> None:
        chosen = self.selected()
        if not chosen:
            self.note.setText(self.tr("Select what to restore."))
            return
        session, ids = self.session, [e.id for e in chosen]

        def done(changes: Any) -> None:
            self.note.setText(self.tr("Restored {0} items.").format(len(ids)))
            self.announce(changes)

        self._save(lambda: recycle_bin.restore(session, ids), done)

    def _confirmed(self, text: str) -> bool:
        asked = plain_box(self, QMessageBox.Icon.Question, self.windowTitle(), text)
        asked.setStandardButtons(QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
        return asked.exec() == QMessageBox.StandardButton.Yes

    def purge(self) -> None:
        chosen = self.selected()
        if not chosen or not self._confirmed(self.tr(
                "Delete {0} items for good? This cannot be undone.").format(len(chosen))):
            return
        session, ids = self.session, [e.id for e in chosen]
        self._save(lambda: recycle_bin.purge(session, ids), lambda n: self.note.setText(
            self.tr("Purged {0} items.").format(n)))

    def empty(self) -> None:
        if not self.model.entries or not self._confirmed(self.tr(
                "Delete everything in the recycle bin for good? This cannot be undone.")):
            return
        session = self.session
        self._save(lambda: recycle_bin.purge(session), lambda n: self.note.setText(
            self.tr("Purged {0} items.").format(n)))

    def save_days(self) -> None:
        session, days = self.session, self.days.value()
        self._save(lambda: recycle_bin.set_retention_days(session, days), lambda _r: (
            self.note.setText(self.tr("Deleted items are kept {0} days.").format(days))))

    def done(self, result: int) -> None:
        self.runner.stop()  # its thread and connection end with the dialog
        super().done(result)
