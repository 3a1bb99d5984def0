"""The shared shape of the managed-list dialogs (Desk ▸ Tags…, Categories…, Custom Fields…):
a table of names with their ticket counts read on the dialog's own QueryRunner, and changes
that run as a long job (`ui/tasks.Task`, progress and Cancel) so that renaming a tag used by
200,000 tickets never stalls the window (ticketdesk/ARCHITECTURE.md, "Threading").
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ticketdesk.domain.errors import TicketdeskError
from ticketdesk.domain.progress import Progress
from ticketdesk.services.changes import Changes
from ticketdesk.services.session import Session
from ticketdesk.ui.importing import responsive
from ticketdesk.ui.tasks import Task
from ticketdesk.ui.text import plain_box, plain_label
from ticketdesk.ui.worker import QueryRunner

LOAD = "records.load"
AnyIndex = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class ListEntry:
    id: int
    name: str
    tickets: int
    color: str = ""
    detail: str = ""
    extra: object = None
    """What the subclass needs of the record (a custom field's definition)."""


class RecordListModel(QAbstractTableModel):
    """Name, tickets (and a detail column when `detail_title` is given); a colour, when the
    entry has one, is the name cell's swatch."""

    def __init__(self, detail_title: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.entries: list[ListEntry] = []
        self.detail_title = detail_title

    def set_entries(self, entries: Sequence[ListEntry]) -> None:
        self.beginResetModel()
        self.entries = list(entries)
        self.endResetModel()

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.entries)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else (3 if self.detail_title else 2)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            titles = (self.tr("Name"), self.tr("Tickets"), self.detail_title)
            return titles[section] if 0 <= section < self.columnCount() else None
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.entries):
            return None
        entry, column = self.entries[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return (entry.name, f"{entry.tickets:,}", entry.detail)[column]
        if role == Qt.ItemDataRole.DecorationRole and column == 0 and entry.color:
            return QColor(entry.color)
        if role == Qt.ItemDataRole.TextAlignmentRole and column == 1:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


class RecordListDialog(QDialog):
    """Subclasses give `read()` (runs on the worker, returns the entries) and their buttons."""

    def __init__(self, session: Session, announce: Callable[[Changes], None],
                 parent: QWidget | None = None, detail_title: str = "") -> None:
        super().__init__(parent)
        self.session = session
        self.announce = announce
        self.task: Task | None = None
        self._asked = 0
        self._asked_responsive = False
        self.loading = False
        self.runner = QueryRunner(session.store, self)
        self.runner.finished.connect(self._answered)
        self.runner.failed.connect(self._failed)
        layout = QVBoxLayout(self)
        row = QHBoxLayout()
        self.model = RecordListModel(detail_title, self)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setVisible(False)
        row.addWidget(self.table, 1)
        self.side = QVBoxLayout()
        row.addLayout(self.side)
        layout.addLayout(row)
        self.note = plain_label("", self)
        self.note.setObjectName("recordNote")
        self.note.setWordWrap(True)
        layout.addWidget(self.note)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(520, 460)

    def add_button(self, text: str, name: str, slot: Callable[[], None]) -> QPushButton:
        button = QPushButton(text, self)
        button.setObjectName(name)
        button.clicked.connect(slot)
        self.side.addWidget(button)
        return button

    def finish_buttons(self) -> None:
        self.side.addStretch(1)

    # -- reading ------------------------------------------------------------------------------

    def read(self) -> list[ListEntry]:
        raise NotImplementedError

    def load(self) -> None:
        self._asked += 1
        self.loading = True
        self.runner.submit(LOAD, self._asked, self.read)

    def _answered(self, channel: str, generation: int, result: Any) -> None:
        if channel == LOAD and generation == self._asked:
            self.loading = False
            chosen = self.current()
            self.model.set_entries(result)
            if chosen is not None:
                for row, entry in enumerate(self.model.entries):
                    if entry.id == chosen.id:
                        self.table.selectRow(row)

    def _failed(self, _channel: str, _generation: int, error: object) -> None:
        self.loading = False
        self.note.setText(str(error))

    def current(self) -> ListEntry | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.entries[rows[0].row()] if rows else None

    def others(self, entry: ListEntry) -> list[ListEntry]:
        return [e for e in self.model.entries if e.id != entry.id]

    @property
    def busy(self) -> bool:
        return self.loading or self.task is not None

    # -- asking -------------------------------------------------------------------------------

    def ask_text(self, title: str, label: str, text: str = "") -> str | None:
        value, ok = QInputDialog.getText(self, title, label, text=text)
        return value if ok and value.strip() else None

    def ask_choice(self, title: str, label: str, names: list[str]) -> int | None:
        if not names:
            self.note.setText(self.tr("There is nothing to merge it into."))
            return None
        value, ok = QInputDialog.getItem(self, title, label, names, 0, False)
        return names.index(value) if ok and value in names else None

    def confirm(self, title: str, text: str) -> bool:
        box = plain_box(self, QMessageBox.Icon.Question, title, text)
        box.setStandardButtons(QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
        return box.exec() == QMessageBox.StandardButton.Yes

    # -- changing -----------------------------------------------------------------------------

    def run(self, title: str, job: Callable[[Progress], Changes], done: str) -> None:
        """A change as a long job with progress and Cancel; then reload, announce, say so."""
        self.task = Task(self.session.store, job, title, self)
        self.task.done.connect(lambda changes: self._ran(changes, done))
        self.task.failed.connect(self._run_failed)
        self.setEnabled(False)
        self._responsive(True)  # short GIL turns, the window's heap frozen out of the collector
        self.task.start()

    def _responsive(self, on: bool) -> None:
        """`ui/importing.responsive` for the running change, asked once and given back once."""
        if on != self._asked_responsive:
            self._asked_responsive = on
            responsive(on)

    def _ran(self, changes: object, done: str) -> None:
        self._responsive(False)
        self.task = None
        self.setEnabled(True)
        self.note.setText(done)
        if isinstance(changes, Changes) and not changes.nothing:
            self.announce(changes)
        self.load()

    def _run_failed(self, error: object) -> None:
        self._responsive(False)
        self.task = None
        self.setEnabled(True)
        self.note.setText(str(error) if isinstance(error, TicketdeskError)
                          else self.tr("Something went wrong: {0}").format(error))
        self.load()

    def done(self, result: int) -> None:
        if self.task is not None:
            self.task.cancel()
            self.task.wait()
        self._responsive(False)
        self.runner.stop()
        super().done(result)
