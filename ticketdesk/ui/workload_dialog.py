"""Desk ▸ Workload… (issue 21): open, due-soon and breached tickets per agent against their
capacity, in a window that stays open beside the ticket list.

A figure activated (double-click, or Enter) lists exactly the tickets it counts in the main window
(`services.workload.Workload.tickets`, through `MainWindow.drill_down`, as the analytics view's
drill-downs do); the agent's name lists their open tickets. The figures are read on the
window's own query thread (never the GUI thread), again 400 ms after the last change the hub
announces (any desktop's, through the desk watch), every minute (due soon moves with the clock)
and on Refresh — one read at a time, as the views panel counts: a change during a read asks for
one more after it, never interrupts it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import (
    QDateTime,
    QLocale,
    QModelIndex,
    QRect,
    Qt,
    QTimer,
)
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QPushButton,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionProgressBar,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ticketdesk.domain.errors import TicketdeskError
from ticketdesk.domain.filters import TicketFilter
from ticketdesk.domain.routing import AgentStatus
from ticketdesk.services import workload
from ticketdesk.services.changes import Changes
from ticketdesk.services.session import Session
from ticketdesk.services.workload import Workload, WorkloadFigure
from ticketdesk.ui.availability import MARKS
from ticketdesk.ui.hub import ChangeHub
from ticketdesk.ui.rows_model import FILTER_ROLE, Index, TableModel
from ticketdesk.ui.text import plain_label
from ticketdesk.ui.worker import QueryRunner

LOAD = "workload.load"
CHANGE_DELAY_MS = 400
"""A burst of changes (an import, a bulk edit) reads the figures once, after it."""
TICK_MS = 60_000
AGENT, STATUS, OPEN, DUE_SOON, BREACHED, CAPACITY, LOAD_COLUMN = range(7)
FIGURES = {AGENT: WorkloadFigure.OPEN, OPEN: WorkloadFigure.OPEN,
           DUE_SOON: WorkloadFigure.DUE_SOON, BREACHED: WorkloadFigure.BREACHED}
"""The columns a double-click lists the tickets of, and which."""
LOAD_ROLE = Qt.ItemDataRole.UserRole + 2
"""A row's open tickets over its capacity, 0.0-1.0 (None: no capacity)."""


class WorkloadModel(TableModel):
    rows: list[Workload]

    def __init__(self, headers: tuple[str, ...], status_words: dict[AgentStatus, str],
                 no_limit: str, parent: Any = None) -> None:
        super().__init__(headers, parent)
        self.status_words = status_words
        self.no_limit = no_limit

    def text(self, row: Workload, column: int) -> str:
        if column == AGENT:
            return row.name
        if column == STATUS:
            return f"{MARKS[row.status]} {self.status_words[row.status]}"
        if column in (OPEN, DUE_SOON, BREACHED):
            return str((row.open, row.due_soon, row.breached)[column - OPEN])
        if column == CAPACITY:
            return self.no_limit if row.capacity is None else str(row.capacity)
        return str(row.open) if row.capacity is None else f"{row.open} / {row.capacity}"

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self.rows):
            return None
        row, column = self.rows[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self.text(row, column)
        if role == FILTER_ROLE:
            figure = FIGURES.get(column)
            return None if figure is None else row.tickets(figure)
        if role == LOAD_ROLE and column == LOAD_COLUMN:
            return None if not row.capacity else min(row.open / row.capacity, 1.0)
        if role == Qt.ItemDataRole.TextAlignmentRole and column >= OPEN:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


class LoadBarDelegate(QStyledItemDelegate):
    """The load column as a bar with "7 / 10" on it (the text alone when there is no limit)."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        share = index.data(LOAD_ROLE)
        if share is None:
            super().paint(painter, option, index)
            return
        bar = QStyleOptionProgressBar()
        bar.rect = QRect(option.rect).adjusted(2, 3, -2, -3)
        bar.minimum, bar.maximum = 0, 1000
        bar.progress = round(1000 * float(share))
        bar.text = str(index.data(Qt.ItemDataRole.DisplayRole))
        bar.textVisible = True
        bar.state = option.state
        bar.palette = option.palette
        style = option.widget.style() if option.widget else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ProgressBar, bar, painter)


class WorkloadDialog(QDialog):
    def __init__(self, session: Session, hub: ChangeHub, drill: Callable[[TicketFilter], None],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("workloadDialog")
        self.setWindowTitle(self.tr("Workload"))
        self.session = session
        self.drill = drill
        self.rows: list[Workload] = []
        self._asked = 0
        self._shown = 0
        self._again = False
        self._stopped = False
        self.runner = QueryRunner(session.store, self)
        self.runner.finished.connect(self._answered)
        self.runner.failed.connect(self._failed)
        words = {AgentStatus.AVAILABLE: self.tr("Available"), AgentStatus.AWAY: self.tr("Away"),
                 AgentStatus.OFF: self.tr("Off")}
        self.model = WorkloadModel((self.tr("Agent"), self.tr("Status"), self.tr("Open"),
                                    self.tr("Due soon"), self.tr("Breached"),
                                    self.tr("Capacity"), self.tr("Load")),
                                   words, self.tr("No limit"), self)
        layout = QVBoxLayout(self)
        note = plain_label(self.tr("Open tickets per agent; due soon: an SLA due within the "
                                   "hour. Double-click a figure to list its tickets."), self)
        note.setWordWrap(True)
        layout.addWidget(note)
        self.table = QTableView(self)
        self.table.setObjectName("workloadTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectItems)
        self.table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setItemDelegateForColumn(LOAD_COLUMN, LoadBarDelegate(self.table))
        self.table.activated.connect(self.list_tickets)
        layout.addWidget(self.table, 1)
        line = QHBoxLayout()
        self.when = plain_label("", self)
        self.when.setObjectName("workloadWhen")
        self.refresh_button = QPushButton(self.tr("&Refresh"), self)
        self.refresh_button.setObjectName("workloadRefresh")
        self.refresh_button.clicked.connect(self.load)
        line.addWidget(self.when, 1)
        line.addWidget(self.refresh_button)
        layout.addLayout(line)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self._later = QTimer(self)
        self._later.setSingleShot(True)
        self._later.setInterval(CHANGE_DELAY_MS)
        self._later.timeout.connect(self.load)
        self._tick = QTimer(self)
        self._tick.setInterval(TICK_MS)
        self._tick.timeout.connect(self.load)
        self._tick.start()
        hub.changed.connect(self._on_changes)
        self.hub = hub
        self.resize(720, 420)
        self.load()

    @property
    def loading(self) -> bool:
        """A read is on its way, or another is asked for after it (tests wait for False, as a
        user watches the figures)."""
        return self._shown != self._asked or self._again

    def load(self) -> None:
        """Read the figures; asked while a read runs, one more follows it (a read is never
        interrupted, so a desk that changes all the time still shows figures)."""
        if self.loading:
            self._again = True
            return
        session = self.session
        self._asked += 1
        self.refresh_button.setEnabled(False)
        self.runner.submit(LOAD, self._asked, lambda: workload.workload(session))

    def _read_again(self) -> None:
        if self._again:
            self._again = False
            self.load()

    def _on_changes(self, changes: Changes, _initiator: object) -> None:
        if changes.tickets or changes.created or changes.agents or changes.everything:
            self._later.start()

    def _answered(self, channel: str, generation: int, result: Any) -> None:
        if channel != LOAD or generation != self._asked:
            return
        self._shown = generation
        self.refresh_button.setEnabled(True)
        self.rows = result
        self.model.set_rows(result)
        self.table.resizeColumnsToContents()
        self.when.setText(self.tr("As of {0}").format(QLocale().toString(
            QDateTime.currentDateTime().time(), QLocale.FormatType.ShortFormat)))
        self._read_again()

    def _failed(self, channel: str, generation: int, error: object) -> None:
        if channel != LOAD or generation != self._asked:
            return
        self._shown = generation
        self.refresh_button.setEnabled(True)
        self.when.setText(str(error) if isinstance(error, TicketdeskError) else self.tr(
            "The workload could not be read: {0}").format(error))
        self._read_again()

    def list_tickets(self, index: QModelIndex) -> None:
        """The main list shows exactly the tickets behind the figure (the agent's name: their
        open tickets)."""
        f = index.data(FILTER_ROLE) if index.isValid() else None
        if isinstance(f, TicketFilter):
            self.drill(f)

    def done(self, result: int) -> None:
        super().done(result)
        self.shutdown()

    def shutdown(self) -> None:
        """Stop its timers and its query thread (closing it, or the window closing the desk
        while it is open). Safe to call twice."""
        if self._stopped:
            return
        self._stopped = True
        self._tick.stop()
        self._later.stop()
        self.hub.changed.disconnect(self._on_changes)
        self.runner.stop()  # its thread and connection end with the window
