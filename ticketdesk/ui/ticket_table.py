"""The ticket table view: fixed row heights, sorting by header click (in SQL, through the
model), and selection and scroll position kept by ticket id when the list refreshes.

Several rows can be selected (Shift, Ctrl). The selection is read as runs of rows, each a slice
of the model's id array, never row by row; Ctrl+A is a flag plus Qt's one selection range, and
"the selected ids" are then every id of the filter's snapshot (at a million tickets too)."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QItemSelection, QItemSelectionModel, QModelIndex, QPoint, Qt, Signal
from PySide6.QtGui import QContextMenuEvent, QResizeEvent
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QMenu, QTableView, QWidget

from ticketdesk.domain.filters import Sort
from ticketdesk.ui.ticket_model import (
    COL_CATEGORY,
    COL_DUE,
    COL_SUBJECT,
    COL_UPDATED,
    COLUMNS,
    TicketTableModel,
)

DEFAULT_WIDTHS = (92, 300, 108, 88, 140, 140, 120, 104, 104, 104, 96, 120)
SUBJECT_MIN = 240
"""The subject, the column people read, never gets narrower than this: when the other columns
leave less room (a laptop screen with the dock open), the table scrolls sideways instead."""
KEEP_MOST = 1_000
"""A selection of more rows is dropped when the rows are reordered in place (select all is
redone): Qt would otherwise keep a persistent index for every selected cell through it."""
HIDDEN_BY_DEFAULT = (COL_UPDATED, COL_DUE, COL_CATEGORY)
"""Due is hidden at first to leave the subject its room: the SLA badge beside it says the same
at a glance (its tooltip gives the due time) and sorts by due too."""


class TicketTable(QTableView):
    ticketSelected = Signal(object)  # int | None
    sortRequested = Signal(object)  # Sort
    selectionCounted = Signal(int)
    """How many tickets are selected, when that number changes (the dock shows one ticket,
    or "N tickets selected")."""
    contextMenuWanted = Signal(QPoint)
    """A right-click on the rows (global position): the bulk actions' menu (ui/bulk_actions)."""

    def __init__(self, model: TicketTableModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ticketTable")
        self.ticket_model = model
        self.setModel(model)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.setShowGrid(False)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        rows = self.verticalHeader()
        rows.setVisible(False)
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(self.fontMetrics().height() + 10)
        header = self.horizontalHeader()
        # The column titles get a selection model of their own, always empty: with the list's,
        # painting a title asks Qt whether its whole column is selected, which walks every row
        # (seconds at a million rows after Ctrl+A). Rows are selected here, never columns.
        header.setSelectionModel(QItemSelectionModel(model, header))
        header.setSectionsMovable(True)
        header.setHighlightSections(False)
        header.setSectionsClickable(True)
        header.setSortIndicatorShown(True)
        header.setStretchLastSection(False)
        for column, width in enumerate(DEFAULT_WIDTHS):
            header.resizeSection(column, width)
        # The subject takes whatever width is left, so every column fits without scrolling
        # (down to SUBJECT_MIN: see _fit_subject).
        header.setSectionResizeMode(COL_SUBJECT, QHeaderView.ResizeMode.Stretch)
        header.sectionResized.connect(self._section_resized)
        for column in HIDDEN_BY_DEFAULT:
            header.setSectionHidden(column, True)
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self._header_menu)
        header.sectionClicked.connect(self._header_clicked)
        self._sort = Sort()
        self._show_sort_indicator()
        self._selected: int | None = None
        self._top: int | None = None
        self._top_row = 0
        model.columnsInserted.connect(self._hide_new_columns)
        self._all = False  # Ctrl+A: every ticket of the filter, as far as its snapshot goes
        self._count = 0
        model.modelAboutToBeReset.connect(self._remember)
        model.modelReset.connect(self._restore)
        model.rowsAboutToBeInserted.connect(lambda *_: self._remember())
        model.rowsInserted.connect(self._arrived)
        model.relayoutComing.connect(self._before_relayout)
        model.layoutChanged.connect(self._after_relayout)
        self._redo_all = False
        self.selectionModel().currentRowChanged.connect(self._current_changed)
        self.selectionModel().selectionChanged.connect(self._selection_changed)

    def _hide_new_columns(self, _parent: object, first: int, last: int) -> None:
        """Custom field columns (issue 19) start hidden: the header menu shows them."""
        for column in range(first, last + 1):
            self.horizontalHeader().setSectionHidden(column, True)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_subject()

    def _section_resized(self, column: int, _old: int, _new: int) -> None:
        if column != COL_SUBJECT:  # another column widened, narrowed, shown or hidden
            self._fit_subject()

    def _fit_subject(self) -> None:
        """Stretch the subject over the room the other columns leave while that room is at
        least SUBJECT_MIN; below that, give it SUBJECT_MIN (or the width the user dragged it
        to) and let the table scroll sideways."""
        header = self.horizontalHeader()
        others = sum(header.sectionSize(c) for c in range(header.count())
                     if c != COL_SUBJECT and not header.isSectionHidden(c))
        room = self.viewport().width() - others
        mode = header.sectionResizeMode(COL_SUBJECT)
        if room >= SUBJECT_MIN:
            if mode != QHeaderView.ResizeMode.Stretch:
                header.setSectionResizeMode(COL_SUBJECT, QHeaderView.ResizeMode.Stretch)
            return
        if mode != QHeaderView.ResizeMode.Interactive:
            header.setSectionResizeMode(COL_SUBJECT, QHeaderView.ResizeMode.Interactive)
        if header.sectionSize(COL_SUBJECT) < SUBJECT_MIN:
            header.resizeSection(COL_SUBJECT, SUBJECT_MIN)

    def _header_menu(self, pos: QPoint) -> None:
        """Right-click on the column titles: show or hide columns (kept with the layout)."""
        header = self.horizontalHeader()
        menu = QMenu(self)
        for column in range(self.ticket_model.columnCount()):
            title = COLUMNS[column][0] if column < len(COLUMNS) else ""
            action = menu.addAction(self.ticket_model.headerData(
                column, Qt.Orientation.Horizontal) or title)
            action.setCheckable(True)
            action.setChecked(not header.isSectionHidden(column))
            action.setEnabled(column != COL_SUBJECT)  # the subject always shows
            action.toggled.connect(lambda on, c=column: self._show_column(c, on))
        menu.exec(header.mapToGlobal(pos))

    def _show_column(self, column: int, shown: bool) -> None:
        self.horizontalHeader().setSectionHidden(column, not shown)
        self._show_sort_indicator()  # sorted by due, the arrow goes to whichever column shows

    # -- sorting ------------------------------------------------------------------------------

    def _header_clicked(self, column: int) -> None:
        key = self.ticket_model.sort_key(column)
        if key is None:  # Assignees, Tags: not sortable; keep the indicator where it was
            self._show_sort_indicator()
            return
        descending = not self._sort.descending if key == self._sort.key else key in (
            self._sort.key.CREATED, self._sort.key.UPDATED, self._sort.key.PRIORITY)
        self.set_sort(Sort(key, descending), announce=True)

    def set_sort(self, sort: Sort, *, announce: bool = False) -> None:
        self._sort = sort
        self._show_sort_indicator()
        if announce:
            self.sortRequested.emit(sort)

    @property
    def sort(self) -> Sort:
        return self._sort

    def _show_sort_indicator(self) -> None:
        header = self.horizontalHeader()
        columns = [i for i, (_, key) in enumerate(COLUMNS) if key == self._sort.key]
        shown = [i for i in columns if not header.isSectionHidden(i)]
        column = (shown or columns)[0]  # by due: the Due column, or the SLA badge's
        order = Qt.SortOrder.DescendingOrder if self._sort.descending else \
            Qt.SortOrder.AscendingOrder
        header.blockSignals(True)
        header.setSortIndicator(column, order)
        header.blockSignals(False)

    # -- selection ----------------------------------------------------------------------------

    def selected_ticket(self) -> int | None:
        return self._selected

    def select_ticket(self, ticket_id: int | None) -> bool:
        """Select and show `ticket_id` if it is in the list; False if it is not (yet)."""
        row = self.ticket_model.row_of(ticket_id) if ticket_id is not None else None
        if row is None:
            return False
        index = self.ticket_model.index(row, 0)
        self.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows)
        self.scrollTo(index)
        return True

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        ticket_id = self.ticket_model.ticket_id(current.row()) if current.isValid() else None
        if ticket_id != self._selected:
            self._selected = ticket_id
            if self._count <= 1:
                self.ticketSelected.emit(ticket_id)

    # -- several rows -------------------------------------------------------------------------

    def selectAll(self) -> None:
        """Ctrl+A: every ticket that matches the filter (one selection range, and a flag)."""
        self._all = True
        super().selectAll()
        self._selection_changed()

    @property
    def all_selected(self) -> bool:
        return self._all

    def selected_runs(self) -> list[tuple[int, int]]:
        """The selected rows as sorted, merged runs `(first, last)`."""
        selection = self.selectionModel().selection()
        spans = sorted((selection.at(i).top(), selection.at(i).bottom())
                       for i in range(selection.size()))
        runs: list[tuple[int, int]] = []
        for top, bottom in spans:
            if runs and top <= runs[-1][1] + 1:
                runs[-1] = (runs[-1][0], max(runs[-1][1], bottom))
            else:
                runs.append((top, bottom))
        return runs

    def selection_count(self) -> int:
        if self._all:
            return self.ticket_model.rowCount()
        return sum(last - first + 1 for first, last in self.selected_runs())

    def selected_ids(self) -> np.ndarray:
        """The selected tickets' ids in list order (all of the filter after Ctrl+A)."""
        if self._all:
            return self.ticket_model.all_ids()
        return self.ticket_model.ids_of_rows(self.selected_runs())

    def _selection_changed(self, _selected: QItemSelection | None = None,
                           _deselected: QItemSelection | None = None) -> None:
        if self._all and _deselected is not None and not _deselected.isEmpty():
            self._all = False  # a row was taken out of "all"
        count = self.selection_count()
        if count == self._count:
            return
        before, self._count = self._count, count
        self.selectionCounted.emit(count)
        if count <= 1 < before:  # back to one ticket: the dock shows it again
            self.ticketSelected.emit(self._selected)

    def _arrived(self, _parent: object, first: int, last: int) -> None:
        """Rows were inserted: the rest of the snapshot after the first page (appended), or new
        tickets at the top of a newest-first list (mail coming in).

        Appended rows join a Ctrl+A selection: it is every ticket of the filter. New tickets at
        the top join no selection (a bulk action must not take in a ticket its agent has not
        seen), so "all" becomes the rows that were selected. Scrolled down the list, the same
        ticket stays at the top of the view; at the top, the new tickets show."""
        if first > 0 or last + 1 == self.ticket_model.rowCount():
            if self._all:
                super().selectAll()
                self._selection_changed()
            return
        if self._all:
            self._all = False
            self._selection_changed()
        if self._top is not None and self._top_row > 0:
            row = self.ticket_model.row_of(self._top)
            if row is not None:
                self.scrollTo(self.ticket_model.index(row, 0),
                              QAbstractItemView.ScrollHint.PositionAtTop)

    def _before_relayout(self) -> None:
        if self.selection_count() > KEEP_MOST:
            self._redo_all = self._all
            current = self.currentIndex()
            self.selectionModel().clearSelection()
            if current.isValid():  # the current ticket stays selected, alone
                self.selectionModel().select(
                    current, QItemSelectionModel.SelectionFlag.Select
                    | QItemSelectionModel.SelectionFlag.Rows)

    def _after_relayout(self) -> None:
        if self._redo_all:
            self._redo_all = False
            self.selectAll()

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        index = self.indexAt(event.pos())
        if index.isValid() and not self.selectionModel().isRowSelected(index.row()):
            self.selectionModel().setCurrentIndex(
                index, QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows)
        self.contextMenuWanted.emit(event.globalPos())

    def _remember(self) -> None:
        top = self.indexAt(self.viewport().rect().topLeft())
        self._top = self.ticket_model.ticket_id(top.row()) if top.isValid() else None
        self._top_row = top.row() if top.isValid() else 0

    def _restore(self) -> None:
        """After a reset, reselect the same ticket (quietly) and scroll back to where we were."""
        self._all = False
        many = self._count > 1  # the reset took the selection away: one ticket at most now
        self._count = 0
        selected = self._selected
        if selected is not None:
            row = self.ticket_model.row_of(selected)
            if row is not None:
                self.selectionModel().blockSignals(True)
                index = self.ticket_model.index(row, 0)
                self.selectionModel().setCurrentIndex(
                    index, QItemSelectionModel.SelectionFlag.ClearAndSelect
                    | QItemSelectionModel.SelectionFlag.Rows)
                self.selectionModel().blockSignals(False)
        self._count = self.selection_count()
        if many:
            self.selectionCounted.emit(self._count)
            self.ticketSelected.emit(self._selected)
        if self._top is not None:
            row = self.ticket_model.row_of(self._top)
            if row is not None:
                self.scrollTo(self.ticket_model.index(row, 0),
                              QAbstractItemView.ScrollHint.PositionAtTop)
