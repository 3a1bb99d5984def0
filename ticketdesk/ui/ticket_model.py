"""The ticket table's model, built to stay instant at a million tickets and never to wait on the
database (ticketdesk/ARCHITECTURE.md).

It holds the sorted ids of the current filter in a numpy array and a cache of display rows
fetched by id, a page at a time. No query runs on the GUI thread: `data()` never queries; a row
not yet in the cache shows its ticket number at once and asks for its page, which the window's
quick runner fetches (a few milliseconds for 200 rows by primary key, one round trip more on a
server). A new filter keeps the previous rows until its first page (one LIMIT query) arrives
from the quick runner; the full id snapshot and the total follow from the slow one. Answers for
an older filter are dropped by generation.
"""

from __future__ import annotations

from datetime import tzinfo
from typing import Any

import numpy as np
from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QColor

from ticketdesk.db.store import Store
from ticketdesk.domain.clock import utc_now
from ticketdesk.domain.custom_fields import FieldDef
from ticketdesk.domain.filters import Sort, SortKey, TicketFilter
from ticketdesk.domain.numbers import format_number, read_search
from ticketdesk.domain.sla import SlaState, state_at
from ticketdesk.services import bulk, custom_fields, ticket_list
from ticketdesk.services.changes import Changes
from ticketdesk.services.ticket_list import PAGE, TicketRow
from ticketdesk.ui.custom_columns import CustomColumns
from ticketdesk.ui.icons import priority_icon, sla_icon, status_icon
from ticketdesk.ui.labels import QT_TRANSLATE_NOOP, priority_text, sla_text, status_text
from ticketdesk.ui.text import CompactTimes, local_time, plain_tooltip
from ticketdesk.ui.worker import QueryRunner

COLUMNS: tuple[tuple[str, SortKey | None], ...] = (
    (QT_TRANSLATE_NOOP("TicketTableModel", "Ticket #"), SortKey.NUMBER),
    (QT_TRANSLATE_NOOP("TicketTableModel", "Subject"), SortKey.SUBJECT),
    (QT_TRANSLATE_NOOP("TicketTableModel", "Status"), SortKey.STATUS),
    (QT_TRANSLATE_NOOP("TicketTableModel", "Priority"), SortKey.PRIORITY),
    (QT_TRANSLATE_NOOP("TicketTableModel", "Customer"), SortKey.CUSTOMER),
    (QT_TRANSLATE_NOOP("TicketTableModel", "Assignees"), None),
    (QT_TRANSLATE_NOOP("TicketTableModel", "Tags"), None),
    (QT_TRANSLATE_NOOP("TicketTableModel", "Created"), SortKey.CREATED),
    (QT_TRANSLATE_NOOP("TicketTableModel", "Updated"), SortKey.UPDATED),
    # Added last, so a header layout saved before they existed still restores column by column.
    (QT_TRANSLATE_NOOP("TicketTableModel", "Due"), SortKey.DUE),
    (QT_TRANSLATE_NOOP("TicketTableModel", "SLA"), SortKey.DUE),  # the most urgent first
    (QT_TRANSLATE_NOOP("TicketTableModel", "Category"), None),  # issue 19: filter by it
)
COL_NUMBER, COL_SUBJECT, COL_STATUS, COL_PRIORITY, COL_CUSTOMER = 0, 1, 2, 3, 4
COL_ASSIGNEES, COL_TAGS, COL_CREATED, COL_UPDATED, COL_DUE, COL_SLA = 5, 6, 7, 8, 9, 10
COL_CATEGORY = 11
NO_DUE = "—"
SLA_TICK_MS = 30_000
"""How often the Due and SLA cells are repainted: at risk and breached follow from the stored
instants and the time of day, so a ticket turns Breached on screen without any query."""
CACHE_LIMIT = 20_000
EXACT_REPAINT_ROWS = 100_000
"""Up to this many rows, a change repaints exactly the changed rows (see `_repaint_ids`)."""
FIRST, SNAPSHOT, TOTAL, ROWS = "list.first", "list.snapshot", "list.total", "list.rows"
MARK = "list.mark"
"""The newest activity id, read just before a first page or a snapshot: what a selection of
these rows is dated by (services/bulk.py: a ticket with a later activity row changed since)."""
TicketIdRole = Qt.ItemDataRole.UserRole + 1

Index = QModelIndex | QPersistentModelIndex
_MISSING: Any = object()


def _display(row: TicketRow, times: CompactTimes | None = None) -> tuple[str, ...]:
    times = times or CompactTimes()
    assigned = row.assignees or QCoreApplication.translate("TicketTableModel", "Unassigned")
    return (format_number(row.id), row.subject, status_text(row.status),
            priority_text(row.priority),
            row.customer, assigned, row.tags, times.text(row.created_at),
            times.text(row.updated_at),
            times.text(row.sla_due) if row.sla_due is not None else NO_DUE, "",
            row.category)


def first_color(tags: str, colors: dict[str, str]) -> QColor | None:
    """The colour of the first coloured tag of a row's "a, b, c" (the Tags cell's swatch)."""
    for name in tags.split(", "):
        if name in colors:
            return QColor(colors[name])
    return None


def row_sla(row: TicketRow, now: int) -> SlaState:
    """The ticket's SLA badge at `now`, from the instants stored with it (no query)."""
    return state_at(row.sla_phase, row.sla_breach_at, row.sla_risk_at, now)


# The roles as plain ints: `data()` runs for every cell of every paint, and comparing an int
# with a Qt enum member costs an enum lookup each time.
_DISPLAY, _DECORATION, _TOOLTIP, _TICKET_ID = (
    int(Qt.ItemDataRole.DisplayRole), int(Qt.ItemDataRole.DecorationRole),
    int(Qt.ItemDataRole.ToolTipRole), int(TicketIdRole))
_SERVED_ROLES = frozenset({_DISPLAY, _DECORATION, _TOOLTIP, _TICKET_ID})


def searches_text(f: TicketFilter) -> bool:
    """A full-text search (not a ticket number): its first page may take tens of milliseconds
    on a big desk, too long for the GUI thread."""
    return read_search(f.text).is_full_text


class TicketTableModel(QAbstractTableModel):
    countsChanged = Signal()
    queryFailed = Signal(str)
    snapshotReady = Signal()
    relayoutComing = Signal()
    """Emitted before the rows are reordered in place (`_relayout`): a view with a large
    selection drops it first (ui/ticket_table.py), or Qt would track each selected cell."""

    def __init__(self, store: Store, runner: QueryRunner, parent: QObject | None = None,
                 tz: tzinfo | None = None, reader: QueryRunner | None = None) -> None:
        """`runner` computes snapshots and counts; `reader` (default: `runner`) the first pages
        and the rows to paint, so they never queue behind a slow snapshot."""
        super().__init__(parent)
        self.store = store
        self.runner = runner
        self.reader = reader or runner
        self.tz = tz
        self.ticket_filter = TicketFilter()
        self.ticket_sort = Sort()
        self.custom = CustomColumns()
        self.tag_colors: dict[str, str] = {}
        """Tag name -> '#rrggbb' (Desk ▸ Tags…): the tag cell's swatch; set by the window."""
        self.matching: int | None = None
        self.total: int | None = None
        self._ids = np.empty(0, dtype=np.int64)
        self._complete = False
        # Rows fetched by id (None: no longer there), and their cell texts, formatted when a row
        # is first painted: a page is 200 rows, a screen shows about 35.
        self._rows: dict[int, TicketRow | None] = {}
        self._texts: dict[int, tuple[str, ...]] = {}
        self._times: CompactTimes | None = None
        self._wanted: set[int] = set()
        self._asked: set[int] = set()  # pages of the ids shown whose rows are on their way
        self._rows_epoch = 0  # moves when cached rows go stale: older answers are not kept
        self._generation = 0
        self._shown = 0  # the generation whose ids are displayed
        self._early: np.ndarray | None = None  # a snapshot that came before its first page
        self._first_due = False
        self._asked_for: dict[str, int] = {}  # the generation each slow answer was asked for
        self.searching = False
        self.selection_mark = 0
        self._fetch_timer = QTimer(self)
        self._fetch_timer.setSingleShot(True)
        self._fetch_timer.setInterval(0)
        self._fetch_timer.timeout.connect(self._fetch_wanted)
        self._sla_timer = QTimer(self)
        self._sla_timer.setInterval(SLA_TICK_MS)
        self._sla_timer.timeout.connect(self._repaint_sla)
        self._sla_timer.start()
        runner.finished.connect(self._on_result)
        runner.failed.connect(self._on_failed)
        if self.reader is not runner:
            self.reader.finished.connect(self._on_result)
            self.reader.failed.connect(self._on_failed)

    # -- queries ------------------------------------------------------------------------------

    def set_query(self, f: TicketFilter, sort: Sort) -> None:
        """Show a new filter/sort. Its first page (one LIMIT query over an index) is fetched
        off the GUI thread and the list keeps the previous rows until it comes, so neither a
        click nor typing ever freezes the window; the full snapshot follows. While a full-text
        search runs, `searching` is set (the status bar says so).

        The snapshot and the total are asked for when the first page has come: on a small
        machine they would otherwise compete with it for the CPU (a snapshot of a common word
        takes a core for half a second at a million tickets)."""
        self.ticket_filter, self.ticket_sort = f, sort
        self._generation += 1
        self._early = None
        self._complete = False
        if searches_text(f):
            self.searching = True
            self.matching = None
        self._request_first()
        self.countsChanged.emit()

    @property
    def pending(self) -> bool:
        """The rows shown are not yet the current filter's (its first page is on its way)."""
        return self._shown != self._generation

    def _show_first(self, first: list[TicketRow]) -> None:
        self.beginResetModel()
        self._ids = np.fromiter((r.id for r in first), dtype=np.int64, count=len(first))
        self._asked.clear()
        for r in first:
            self._rows[r.id] = r
            self._texts.pop(r.id, None)
        self._complete = len(first) < PAGE
        self.matching = len(first) if self._complete else None
        self._shown = self._generation
        self.searching = False
        self.endResetModel()

    def refresh(self, changes: Changes | None = None) -> None:
        """Bring the list up to date after a change, here or elsewhere, without blanking it:
        changed rows are refetched, and a new snapshot replaces the ids when it arrives."""
        self._rows_epoch += 1  # rows read before this change must not land in the cache
        self._asked.clear()
        if changes is not None and not changes.everything:
            stale = changes.tickets | frozenset(changes.created)
            if changes.customers or changes.agents or changes.tags:
                self._forget_all()  # names shown in many rows (a tag renamed: issue 19)
            if changes.tags:
                self._repaint_all()
            for tid in stale:
                self._rows.pop(tid, None)
                self._texts.pop(tid, None)
            self._repaint_ids(stale)
        else:
            self._forget_all()
            self._repaint_all()
        waiting = self.pending
        self._generation += 1
        self._early = None
        if waiting:  # the first page on its way may predate the change: ask again
            self._request_first()
        else:  # the rows shown are this query's, only out of date
            self._shown = self._generation
        self._request_snapshot()
        self._request_total()

    def now(self) -> int:
        """The moment SLA badges and SLA filters are read at (a module-level clock, so tests
        can move time)."""
        return utc_now()

    def _request_first(self) -> None:
        f, sort, tz, store, now = (self.ticket_filter, self.ticket_sort, self.tz, self.store,
                                   self.now())
        self._first_due = True
        self._request_mark(self.reader)
        self.reader.submit(FIRST, self._generation,
                           lambda: ticket_list.first_page(store, f, sort, PAGE, tz, now=now))

    def _request_snapshot(self) -> None:
        if self._asked_for.get(SNAPSHOT) == self._generation:
            return  # asked already (a refresh while the first page was on its way)
        self._asked_for[SNAPSHOT] = self._generation
        f, sort, tz, store, now = (self.ticket_filter, self.ticket_sort, self.tz, self.store,
                                   self.now())
        self._request_mark(self.runner)
        self.runner.submit(SNAPSHOT, self._generation,
                           lambda: ticket_list.id_snapshot(store, f, sort, tz, now=now))

    def _request_mark(self, runner: QueryRunner) -> None:
        store, generation = self.store, self._generation
        runner.submit_each(MARK, lambda: (generation, bulk.selection_mark(store)))

    def _request_total(self) -> None:
        if self._asked_for.get(TOTAL) == self._generation:
            return
        self._asked_for[TOTAL] = self._generation
        store = self.store
        self.runner.submit(TOTAL, self._generation,
                           lambda: ticket_list.count(store, TicketFilter()))

    def _on_result(self, channel: str, generation: int, result: Any) -> None:
        if channel == ROWS:
            self._rows_arrived(*result)
            return
        if channel == MARK:
            asked, mark = result
            if asked == self._generation:
                self.selection_mark = mark
            return
        if generation != self._generation:
            return
        if channel == FIRST:
            self._first_due = False
            if self._shown != generation:
                self._show_first(result)
                self.countsChanged.emit()
                if self._early is not None:
                    self._take_snapshot(self._early)
            if not self._complete:
                self._request_snapshot()
            self._request_total()
        elif channel == SNAPSHOT:
            if self._shown != generation and self._first_due:
                # Came before the first page (a small desk): kept until the page has shown,
                # so the rows appear with their texts, never as bare numbers first.
                self._early = result
                return
            self._take_snapshot(result)
        elif channel == TOTAL:
            self.total = int(result)
            self.countsChanged.emit()

    def _take_snapshot(self, ids: np.ndarray) -> None:
        self._early = None
        if self._shown != self._generation:
            self._show_snapshot(ids)
        else:
            self._apply_snapshot(ids)
        self.matching = len(ids)
        self.countsChanged.emit()
        self.snapshotReady.emit()

    def _on_failed(self, channel: str, generation: int, error: object) -> None:
        if channel == ROWS:
            self._asked.clear()  # asked again when painted (after a reconnect, say)
            self.queryFailed.emit(str(error))
            return
        if generation == self._generation and channel in (FIRST, SNAPSHOT, TOTAL):
            self.searching = False
            self.queryFailed.emit(str(error))
            self.countsChanged.emit()
            if channel == FIRST:
                self._first_due = False
                if self._early is not None:
                    self._take_snapshot(self._early)  # the ids at least; rows when painted
                self._request_snapshot()
                self._request_total()

    def _show_snapshot(self, ids: np.ndarray) -> None:
        """A filter whose first page never came (it failed): show the ids, rows follow."""
        self.beginResetModel()
        self._ids = ids
        self._asked.clear()
        self._complete = True
        self._shown = self._generation
        self.searching = False
        self.endResetModel()

    def _apply_snapshot(self, ids: np.ndarray) -> None:
        old = self._ids
        self._complete = True
        if np.array_equal(ids, old):
            return
        if len(ids) > len(old) and np.array_equal(ids[: len(old)], old):
            self.beginInsertRows(QModelIndex(), len(old), len(ids) - 1)
            self._ids = ids
            self.endInsertRows()
            return
        grown = len(ids) - len(old)
        if len(old) and grown > 0 and np.array_equal(ids[grown:], old):
            # New tickets at the top (mail coming in, newest first): inserted, not a reset, so
            # the view keeps a selection of several rows (ui/ticket_table.py, _arrived).
            self._asked.clear()  # pages are row ranges: every one moved
            self.beginInsertRows(QModelIndex(), 0, grown - 1)
            self._ids = ids
            self.endInsertRows()
            return
        self._asked.clear()
        if len(ids) == len(old):
            self._relayout(ids)
            return
        self.beginResetModel()
        self._ids = ids
        self.endResetModel()

    def _relayout(self, ids: np.ndarray) -> None:
        """Same number of rows in a new order: keep selection and current row by ticket id."""
        self.relayoutComing.emit()
        self.layoutAboutToBeChanged.emit()
        persistent = self.persistentIndexList()
        moved = []
        for index in persistent:
            row = index.row()
            new_row = -1
            if 0 <= row < len(self._ids):
                hits = np.flatnonzero(ids == self._ids[row])
                new_row = int(hits[0]) if len(hits) else -1
            moved.append(self.index(new_row, index.column()) if new_row >= 0 else QModelIndex())
        self._ids = ids
        self.changePersistentIndexList(persistent, moved)
        self.layoutChanged.emit()

    # -- page cache ---------------------------------------------------------------------------

    def set_custom_fields(self, fields: list[FieldDef]) -> None:
        """The desk's custom fields as columns after the fixed ones (read by the window)."""
        if fields == self.custom.fields:
            return
        first = len(COLUMNS)
        if len(self.custom):
            self.beginRemoveColumns(QModelIndex(), first, first + len(self.custom) - 1)
            self.custom.fields = []
            self.endRemoveColumns()
        if fields:
            self.beginInsertColumns(QModelIndex(), first, first + len(fields) - 1)
            self.custom.fields = list(fields)
            self.endInsertColumns()
        self._forget_all()
        self._repaint_all()

    def _forget_all(self) -> None:
        self.custom.forget()
        self._rows.clear()
        self._texts.clear()
        self._asked.clear()

    def _want(self, row: int) -> None:
        page = row // PAGE
        if page not in self._wanted and page not in self._asked:
            self._wanted.add(page)
            self._fetch_timer.start()

    def _fetch_wanted(self) -> None:
        """Ask the quick runner for the rows of the pages painted since the last turn of the
        event loop, in one job; they are painted when they come (`_rows_arrived`)."""
        pages, self._wanted = sorted(self._wanted), set()
        if len(self._rows) > CACHE_LIMIT:
            self._forget_all()
        wanted: list[int] = []
        for page in pages:
            start, end = page * PAGE, min((page + 1) * PAGE, len(self._ids))
            if start < end:
                wanted += [int(i) for i in self._ids[start:end]]
                self._asked.add(page)
        if not wanted:
            return
        store, epoch, custom = self.store, self._rows_epoch, bool(self.custom)
        self.reader.submit_each(ROWS, lambda: (
            epoch, wanted, ticket_list.rows_by_ids(store, wanted),
            custom_fields.page_values(store, wanted) if custom else {}))

    def _rows_arrived(self, epoch: int, wanted: list[int], found: dict[int, TicketRow],
                      values: dict[int, dict[int, str]] | None = None) -> None:
        if epoch != self._rows_epoch:  # read before a change: the rows it covers ask again
            self._repaint_ids(frozenset(wanted))
            return
        self.custom.arrived(wanted, values or {})
        for tid in wanted:
            self._rows[tid] = found.get(tid)
            self._texts.pop(tid, None)
        self._repaint_ids(frozenset(wanted))

    def _repaint_ids(self, ticket_ids: frozenset[int]) -> None:
        """Tell the view these tickets' rows changed: one signal per run of adjacent rows (a
        page of rows is one signal, not two hundred), the view repainting the part it shows.

        Finding a few ids among a million rows (np.isin) costs the GUI thread 13-80 ms, and it
        ran for every page of rows painted and every change announced; above EXACT_REPAINT_ROWS
        rows the whole list is said to have changed instead, which costs one repaint of what
        the view shows (about 8 ms at most)."""
        if not ticket_ids or not len(self._ids):
            return
        if len(self._ids) > EXACT_REPAINT_ROWS:
            self._repaint_all()
            return
        rows = np.flatnonzero(np.isin(self._ids, np.fromiter(ticket_ids, dtype=np.int64)))
        if not len(rows):
            return
        breaks = np.flatnonzero(np.diff(rows) != 1) + 1
        for run in np.split(rows, breaks):
            self.dataChanged.emit(self.index(int(run[0]), 0),
                                  self.index(int(run[-1]), self.columnCount() - 1))

    def _repaint_sla(self) -> None:
        if len(self._ids):
            self.dataChanged.emit(self.index(0, COL_DUE), self.index(len(self._ids) - 1, COL_SLA),
                                  [Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.DecorationRole,
                                   Qt.ItemDataRole.ToolTipRole])

    def _repaint_all(self) -> None:
        if len(self._ids):
            self.dataChanged.emit(self.index(0, 0),
                                  self.index(len(self._ids) - 1, self.columnCount() - 1))

    # -- lookups ------------------------------------------------------------------------------

    def ticket_id(self, row: int) -> int | None:
        return int(self._ids[row]) if 0 <= row < len(self._ids) else None

    def row_of(self, ticket_id: int) -> int | None:
        hits = np.flatnonzero(self._ids == ticket_id)
        return int(hits[0]) if len(hits) else None

    def all_ids(self) -> np.ndarray:
        """Every id of the list (a copy): what "select all" selects."""
        return self._ids.copy()

    def ids_of_rows(self, runs: list[tuple[int, int]]) -> np.ndarray:
        """The ids of runs of rows `(first, last)`, in order: a slice a run, never a row at a
        time, so a Shift-click over half a million rows costs one numpy copy."""
        parts = [self._ids[first:last + 1] for first, last in runs]
        return np.concatenate(parts) if parts else np.empty(0, dtype=np.int64)

    @property
    def is_complete(self) -> bool:
        return self._complete

    # -- Qt model interface -------------------------------------------------------------------

    def index(self, row: int, column: int,
              parent: Index = QModelIndex()) -> QModelIndex:  # noqa: B008
        """One call into Python a painted cell instead of two: Qt's own `index` asks
        `rowCount` and `columnCount` (each a call into Python, and each call takes Python's
        lock) before making the index. `flags` is Qt's own for the same reason (a table
        model's default: enabled, selectable, no children)."""
        if 0 <= row < len(self._ids) and 0 <= column < len(COLUMNS) + len(self.custom.fields) \
                and not parent.isValid():
            return self.createIndex(row, column)
        return QModelIndex()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS) + len(self.custom)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and len(COLUMNS) <= section \
                < self.columnCount() and role == Qt.ItemDataRole.DisplayRole:
            return self.custom.title(section - len(COLUMNS))
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(COLUMNS):
            if role == Qt.ItemDataRole.DisplayRole:
                return self.tr(COLUMNS[section][0])
            if role == Qt.ItemDataRole.ToolTipRole and COLUMNS[section][1] is None:
                return self.tr("This column cannot be sorted; filter by it instead.")
        return None

    def multiData(self, index: Index, span: Any) -> None:  # a QModelRoleDataSpan
        """Every role a painted cell asks for in one call from Qt (its item delegate asks
        several): each call from C++ into Python takes Python's lock, which a busy worker
        thread holds for up to the switch interval, so three calls a cell made a paint of a
        screenful several times slower while mail was being read (1,386 calls a paint, 3x)."""
        row, column = index.row(), index.column()
        ticket = self._rows.get(int(self._ids[row]), _MISSING) if 0 <= row < len(self._ids) \
            else None
        display = self._texts.get(ticket.id) if isinstance(ticket, TicketRow) else None
        if display is None or column in (COL_SLA, COL_STATUS, COL_PRIORITY, COL_TAGS) \
                or column >= len(COLUMNS):
            for item in span:  # the general path (and the cell's first paint)
                role = int(item.role())
                if role in _SERVED_ROLES:
                    item.setData(self.data(index, role))
            return
        for item in span:  # a plain cell of a row painted before: its text, nothing else
            role = int(item.role())
            if role == _DISPLAY:
                item.setData(display[column])
            elif role == _DECORATION:
                item.setData(None)  # Qt may hand over a span of a cell painted before
            elif role in _SERVED_ROLES:
                item.setData(self.data(index, role))

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        role = int(role)
        if role not in _SERVED_ROLES:  # most calls while painting ask for roles we leave default
            return None
        row, column = index.row(), index.column()
        if row >= len(self._ids) or not index.isValid():
            return None
        tid = int(self._ids[row])
        if role == _TICKET_ID:
            return tid
        ticket = self._rows.get(tid, _MISSING)
        if ticket is _MISSING:
            self._want(row)
            if role == _DISPLAY and column == COL_NUMBER:
                return format_number(tid)
            return None
        display = self._texts.get(tid)
        if display is None:
            times = self._times
            if times is None or not times.fresh():
                times = self._times = CompactTimes()
            display = self._texts[tid] = _display(ticket, times) if ticket else _gone(tid)
        if column >= len(COLUMNS):  # a custom field's column (ui/custom_columns.py)
            if ticket is None or role not in (_DISPLAY, _TOOLTIP):
                return None
            if tid not in self.custom.values:  # a first page's row: read again with values
                self._want(row)
                return None
            return self.custom.text(tid, column - len(COLUMNS))
        if column == COL_SLA and ticket is not None:
            return self._sla_data(ticket, role)
        if role == _DISPLAY:
            return display[column]
        if ticket is None:
            return None
        if role == _DECORATION:
            if column == COL_STATUS:
                return status_icon(ticket.status)
            if column == COL_PRIORITY:
                return priority_icon(ticket.priority)
            if column == COL_TAGS and self.tag_colors and ticket.tags:
                return first_color(ticket.tags, self.tag_colors)
        elif role == _TOOLTIP:
            if column in (COL_SUBJECT, COL_CUSTOMER, COL_ASSIGNEES, COL_TAGS, COL_CATEGORY):
                return plain_tooltip(display[column]) if display[column] else None
            if column in (COL_CREATED, COL_UPDATED):
                epoch = ticket.created_at if column == COL_CREATED else ticket.updated_at
                return local_time(epoch)
            if column == COL_DUE:
                return local_time(ticket.sla_due) if ticket.sla_due is not None else \
                    self.tr("No SLA clock is running")
        return None

    def _sla_data(self, ticket: TicketRow, role: int) -> Any:
        """The badge reads without colour: its words, and a shape per state."""
        state = row_sla(ticket, self.now())
        if role == _DISPLAY:
            return sla_text(state) if state != SlaState.NONE else NO_DUE
        if role == _DECORATION:
            return sla_icon(state)
        if role == _TOOLTIP:
            if state == SlaState.BREACHED and ticket.sla_breach_at is not None:
                return self.tr("Breached at {0}").format(local_time(ticket.sla_breach_at))
            if state in (SlaState.AT_RISK, SlaState.ON_TRACK) and ticket.sla_due is not None:
                return self.tr("{0}: due {1}").format(sla_text(state),
                                                     local_time(ticket.sla_due))
            return sla_text(state)
        return None

    def sort_key(self, column: int) -> SortKey | None:
        return COLUMNS[column][1] if 0 <= column < len(COLUMNS) else None


def _gone(ticket_id: int) -> tuple[str, ...]:
    return (format_number(ticket_id),
            QCoreApplication.translate("TicketTableModel", "(no longer available)"),
            "", "", "", "", "", "", "", "", "", "")
