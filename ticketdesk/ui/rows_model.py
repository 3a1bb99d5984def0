"""A table of plain rows (the analytics view's satisfaction and SLA section, the routing dialog): a
breakdown table (group, name, figures) and the list of the customers' comments. Rows are plain
tuples of display text with a drill-down filter each (None: nothing behind the row); `data()`
never computes or queries."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from ticketdesk.domain.filters import TicketFilter

FILTER_ROLE = Qt.ItemDataRole.UserRole + 1
"""The TicketFilter behind a row (the ticket list shows exactly those tickets)."""

Index = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class Row:
    cells: tuple[str, ...]
    drill: TicketFilter | None = None
    tooltip: str = ""


class TableModel(QAbstractTableModel):
    """Read-only rows under fixed headers: what every small table of the window shares. A
    subclass says what a row shows (`data`); rows come whole from a worker (`set_rows`)."""

    def __init__(self, headers: tuple[str, ...], parent: Any = None) -> None:
        super().__init__(parent)
        self.headers = headers
        self.rows: list[Any] = []

    def set_rows(self, rows: list[Any]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.headers)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if (role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal
                and 0 <= section < len(self.headers)):
            return self.headers[section]
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable


class RowsModel(TableModel):
    """Rows of display text (`Row`) under fixed headers."""

    rows: list[Row]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self.rows):
            return None
        row = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return row.cells[index.column()] if index.column() < len(row.cells) else ""
        if role == Qt.ItemDataRole.ToolTipRole:
            return row.tooltip or None
        if role == FILTER_ROLE:
            return row.drill
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() >= 2:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None
