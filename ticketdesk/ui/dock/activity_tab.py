"""The Activity tab: the ticket's audit trail, newest first: when, who, what (old → new).

A small table model over the rows read in one query; fixed row heights, so 200 or 20,000 rows
show at once. Selecting a row shows the full old and new values below (a deleted note's text is
there), as plain text.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QPlainTextEdit,
    QSplitter,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from ticketdesk.services import audit
from ticketdesk.services.records import ActivityRecord
from ticketdesk.ui.dock.context import DockContext
from ticketdesk.ui.dock.times import time_formatter
from ticketdesk.ui.labels import QT_TRANSLATE_NOOP
from ticketdesk.ui.text import local_time, plain_tooltip

Index = QModelIndex | QPersistentModelIndex
COLUMNS = (QT_TRANSLATE_NOOP("ActivityModel", "When"), QT_TRANSLATE_NOOP("ActivityModel", "Who"),
           QT_TRANSLATE_NOOP("ActivityModel", "What"))
FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | \
    Qt.ItemFlag.ItemNeverHasChildren  # computed once: Qt flag arithmetic is slow in Python


class ActivityModel(QAbstractTableModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.rows: list[ActivityRecord] = []
        self._times: dict[int, str] = {}
        self._format = time_formatter()

    def set_rows(self, rows: list[ActivityRecord]) -> bool:
        if rows == self.rows:
            return False
        self.beginResetModel()
        self.rows = rows
        self._times = {}
        self._format = time_formatter()
        self.endResetModel()
        return True

    def time_text(self, row: int) -> str:
        """Formatted when first painted: most of a long trail is never scrolled to."""
        text = self._times.get(row)
        if text is None:
            text = self._format(self.rows[row].at)
            self._times[row] = text
        return text

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole \
                and 0 <= section < len(COLUMNS):
            return self.tr(COLUMNS[section])
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self.rows):
            return None
        row = self.rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                return self.time_text(index.row())
            return row.agent if column == 1 else row.text
        if role == Qt.ItemDataRole.ToolTipRole and column == 2:
            return plain_tooltip(full_text(row))
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        return FLAGS if index.isValid() else Qt.ItemFlag.NoItemFlags


def full_text(row: ActivityRecord) -> str:
    """The whole change, for the tooltip and the pane below the list."""
    parts = [row.text]
    if row.old and row.new:
        parts += ["", QCoreApplication.translate("ActivityTab", "Before:"), row.old, "",
                  QCoreApplication.translate("ActivityTab", "After:"), row.new]
    elif row.old:
        parts += ["", QCoreApplication.translate("ActivityTab", "Was:"), row.old]
    elif row.new and row.new not in row.text:
        parts += ["", row.new]
    return "\n".join(parts)


class ActivityTab(QWidget):
    def __init__(self, dock: DockContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.dock = dock
        self.setObjectName("activityTab")
        column = QVBoxLayout(self)
        column.setContentsMargins(4, 4, 4, 4)
        self.model = ActivityModel(self)
        self.view = QTreeView(self)
        self.view.setObjectName("activityView")
        self.view.setModel(self.model)
        self.view.setRootIsDecorated(False)
        self.view.setUniformRowHeights(True)
        self.view.setAlternatingRowColors(True)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setTextElideMode(Qt.TextElideMode.ElideRight)
        header = self.view.header()
        header.setStretchLastSection(True)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(0, 130)
        header.resizeSection(1, 110)
        self.details = QPlainTextEdit(self)
        self.details.setObjectName("activityDetails")
        self.details.setReadOnly(True)
        self.details.setTabChangesFocus(True)
        self.details.setPlaceholderText(self.tr("Select a row to see the whole change."))
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(self.view)
        splitter.addWidget(self.details)
        splitter.setStretchFactor(0, 4)
        splitter.setStretchFactor(1, 1)
        splitter.setChildrenCollapsible(False)
        splitter.setSizes([600, 120])
        column.addWidget(splitter)
        self.view.selectionModel().currentRowChanged.connect(self._current)

    def load(self, ticket_id: int) -> None:
        """Read the trail off the GUI thread; the rows show when they come."""
        self.dock.read("activity", lambda session: audit.read_activity(session, ticket_id),
                       self.show_rows)

    def show_rows(self, rows: list[ActivityRecord]) -> None:
        if self.model.set_rows(rows):
            self.details.clear()

    def clear(self) -> None:
        self.show_rows([])

    def lines(self) -> list[str]:
        """What the rows say, newest first (for people reading tests)."""
        return [r.text for r in self.model.rows]

    def _current(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid() and current.row() < len(self.model.rows):
            row = self.model.rows[current.row()]
            self.details.setPlainText(f"{local_time(row.at)} · {row.agent}\n" + full_text(row))
        else:
            self.details.clear()
