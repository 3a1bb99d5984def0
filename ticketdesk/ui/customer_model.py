"""The Customers view's model: instant at 100,000 customers and never waiting on the database.

The ticket list's approach (ui/ticket_model.py), smaller: a search's first rows come from one
LIMIT query, then the sorted ids of every match (a numpy array, 8 bytes a customer); rows are
fetched by id a page at a time on the view's QueryRunner, and `data()` never queries — a row
not yet fetched is blank and asks for its page. Answers for an older search are dropped by
generation."""

from __future__ import annotations

from typing import Any

import numpy as np
from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)

from ticketdesk.db.store import Store
from ticketdesk.services import customer_list
from ticketdesk.services.changes import Changes
from ticketdesk.services.customer_list import PAGE, CustomerQuery, CustomerRow, CustomerSort
from ticketdesk.ui.labels import QT_TRANSLATE_NOOP
from ticketdesk.ui.text import compact_time, local_time, plain_tooltip
from ticketdesk.ui.worker import QueryRunner

COLUMNS: tuple[tuple[str, CustomerSort], ...] = (
    (QT_TRANSLATE_NOOP("CustomerTableModel", "Name"), CustomerSort.NAME),
    (QT_TRANSLATE_NOOP("CustomerTableModel", "Emails"), CustomerSort.EMAIL),
    (QT_TRANSLATE_NOOP("CustomerTableModel", "Phone"), CustomerSort.PHONE),
    (QT_TRANSLATE_NOOP("CustomerTableModel", "Organisation"), CustomerSort.ORGANISATION),
    (QT_TRANSLATE_NOOP("CustomerTableModel", "Open tickets"), CustomerSort.OPEN_TICKETS),
    (QT_TRANSLATE_NOOP("CustomerTableModel", "Tickets"), CustomerSort.TICKETS),
    (QT_TRANSLATE_NOOP("CustomerTableModel", "Last contact"), CustomerSort.LAST_CONTACT),
)
COL_NAME, COL_EMAILS, COL_LAST = 0, 1, 6
FIRST, SNAPSHOT, ROWS = "customers.first", "customers.snapshot", "customers.rows"
CustomerIdRole = Qt.ItemDataRole.UserRole + 1
NO_CONTACT = "—"

Index = QModelIndex | QPersistentModelIndex


def _texts(row: CustomerRow) -> tuple[str, ...]:
    return (row.name, row.emails, row.phone, row.organisation, str(row.open_tickets),
            str(row.tickets),
            compact_time(row.last_contact) if row.last_contact is not None else NO_CONTACT)


class CustomerTableModel(QAbstractTableModel):
    countChanged = Signal()
    queryFailed = Signal(str)

    def __init__(self, store: Store, runner: QueryRunner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.runner = runner
        self.query = CustomerQuery()
        self.matching: int | None = None
        self._ids = np.empty(0, dtype=np.int64)
        self._rows: dict[int, CustomerRow | None] = {}
        self._wanted: set[int] = set()
        self._asked: set[int] = set()
        self._epoch = 0
        self._generation = 0
        self.shown = 0  # the generation whose first rows are in the model
        self.complete = False
        self._fetch = QTimer(self)
        self._fetch.setSingleShot(True)
        self._fetch.setInterval(0)
        self._fetch.timeout.connect(self._fetch_wanted)
        runner.finished.connect(self._on_result)
        runner.failed.connect(self._on_failed)

    # -- queries ------------------------------------------------------------------------------

    def set_query(self, query: CustomerQuery) -> None:
        """Show a new search or sort: the first rows, then every match."""
        self.query = query
        self._generation += 1
        self.complete = False
        store, generation = self.store, self._generation
        self.runner.submit(FIRST, generation, lambda: customer_list.first_rows(store, query))
        self.runner.submit(SNAPSHOT, generation,
                           lambda: customer_list.id_snapshot(store, query))

    def refresh(self, changes: Changes | None = None) -> None:
        """After a change: forget the rows and ask again (the rows shown stay until then)."""
        if changes is not None and not (changes.everything or changes.customers
                                        or changes.tickets or changes.created):
            return
        self._epoch += 1
        self._rows.clear()
        self._asked.clear()
        self.set_query(self.query)

    def _on_result(self, channel: str, generation: int, result: Any) -> None:
        if channel == ROWS:
            self._rows_arrived(*result)
        elif generation != self._generation:
            return
        elif channel == FIRST:
            self._show([r.id for r in result], {r.id: r for r in result})
            self.shown = generation
        elif channel == SNAPSHOT:
            self.complete = True
            self._show(result, {})
            self.matching = len(result)
            self.countChanged.emit()

    def _on_failed(self, channel: str, generation: int, error: object) -> None:
        if channel == ROWS:
            self._asked.clear()
        if channel == ROWS or generation == self._generation:
            self.queryFailed.emit(str(error))

    def _show(self, ids: Any, rows: dict[int, CustomerRow]) -> None:
        new = np.asarray(ids, dtype=np.int64)
        self._rows.update(rows)
        if np.array_equal(new, self._ids):
            self._repaint(frozenset(rows))
            return
        if len(new) > len(self._ids) and len(self._ids) and \
                np.array_equal(new[: len(self._ids)], self._ids):
            self.beginInsertRows(QModelIndex(), len(self._ids), len(new) - 1)
            self._ids = new
            self.endInsertRows()
            return
        self.beginResetModel()
        self._ids = new
        self._asked.clear()
        self.endResetModel()

    # -- page cache ---------------------------------------------------------------------------

    def _want(self, row: int) -> None:
        page = row // PAGE
        if page not in self._wanted and page not in self._asked:
            self._wanted.add(page)
            self._fetch.start()

    def _fetch_wanted(self) -> None:
        pages, self._wanted = sorted(self._wanted), set()
        wanted: list[int] = []
        for page in pages:
            wanted += [int(i) for i in self._ids[page * PAGE:(page + 1) * PAGE]]
            self._asked.add(page)
        if wanted:
            store, epoch = self.store, self._epoch
            self.runner.submit_each(ROWS, lambda: (epoch, wanted,
                                                   customer_list.rows_by_ids(store, wanted)))

    def _rows_arrived(self, epoch: int, wanted: list[int], found: dict[int, CustomerRow]) -> None:
        if epoch != self._epoch:
            return
        for cid in wanted:
            self._rows[cid] = found.get(cid)
        self._repaint(frozenset(wanted))

    def _repaint(self, ids: frozenset[int]) -> None:
        if not ids or not len(self._ids):
            return
        rows = np.flatnonzero(np.isin(self._ids, np.fromiter(ids, dtype=np.int64)))
        if len(rows):
            self.dataChanged.emit(self.index(int(rows[0]), 0),
                                  self.index(int(rows[-1]), len(COLUMNS) - 1))

    # -- lookups ------------------------------------------------------------------------------

    @property
    def generation(self) -> int:
        return self._generation

    def customer_id(self, row: int) -> int | None:
        return int(self._ids[row]) if 0 <= row < len(self._ids) else None

    def row_of(self, customer_id: int) -> int | None:
        hits = np.flatnonzero(self._ids == customer_id)
        return int(hits[0]) if len(hits) else None

    def name_of(self, customer_id: int) -> str:
        row = self._rows.get(customer_id)
        return row.name if row is not None else ""

    # -- Qt model interface -------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(COLUMNS) \
                and role == Qt.ItemDataRole.DisplayRole:
            return self.tr(COLUMNS[section][0])
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        row, column = index.row(), index.column()
        if not index.isValid() or row >= len(self._ids):
            return None
        cid = int(self._ids[row])
        if role == CustomerIdRole:
            return cid
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        if cid not in self._rows:
            self._want(row)
            return None
        found = self._rows[cid]
        if found is None:
            return self.tr("(no longer available)") if column == COL_NAME and \
                role == Qt.ItemDataRole.DisplayRole else None
        text = _texts(found)[column]
        if role == Qt.ItemDataRole.DisplayRole:
            return text
        if column == COL_LAST and found.last_contact is not None:
            return local_time(found.last_contact)
        return plain_tooltip(text) if text else None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable \
            | Qt.ItemFlag.ItemNeverHasChildren

    def sort_key(self, column: int) -> CustomerSort | None:
        return COLUMNS[column][1] if 0 <= column < len(COLUMNS) else None
