"""The agents table: the cards split by current assignee, sortable by any column.

A few dozen rows at most (one per agent), already computed: sorting them in Python is instant,
unlike the ticket list, which sorts in SQL. Double-clicking a Closed, Avg Resolution or Avg First
Response cell (or the agent's name, which stands for Closed) lists exactly those tickets; Handled
is a union of four date ranges that no single ticket filter holds, which its tooltip says.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from ticketdesk.domain.analytics import (
    AgentFigures,
    Metric,
    PeriodFigures,
    format_count,
    format_duration,
)
from ticketdesk.domain.filters import TicketFilter
from ticketdesk.ui.text import plain_tooltip

COL_AGENT, COL_HANDLED, COL_CLOSED, COL_RESOLUTION, COL_RESPONSE = range(5)
DRILLS = {COL_AGENT: Metric.CLOSED, COL_CLOSED: Metric.CLOSED,
          COL_RESOLUTION: Metric.AVG_RESOLUTION, COL_RESPONSE: Metric.AVG_FIRST_RESPONSE}
Index = QModelIndex | QPersistentModelIndex


def _sort_key(column: int) -> Callable[[AgentFigures], Any]:
    def duration(value: float | None) -> tuple[bool, float]:
        return (value is None, value or 0.0)  # "—" sorts after every figure

    return {
        COL_AGENT: lambda a: a.name.casefold(),
        COL_HANDLED: lambda a: a.handled,
        COL_CLOSED: lambda a: a.closed,
        COL_RESOLUTION: lambda a: duration(a.avg_resolution),
        COL_RESPONSE: lambda a: duration(a.avg_first_response),
    }[column]


class AgentsModel(QAbstractTableModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.figures: PeriodFigures | None = None
        self.rows: list[AgentFigures] = []
        self._sort: tuple[int, Qt.SortOrder] | None = None
        self.headers = [self.tr("Agent"), self.tr("Handled"), self.tr("Closed"),
                        self.tr("Avg Resolution"), self.tr("Avg First Response")]
        self.header_tips = [
            self.tr("Agents assigned to the tickets now (a ticket with two assignees counts "
                    "for both). Double-click a name to list the tickets the agent closed."),
            self.tr("Tickets created, first answered, resolved or closed in the period. No "
                    "single ticket list shows this union; double-click another column."),
            self.tr("Tickets whose latest closure falls in the period."),
            self.tr("Average time from creation to the latest resolution, over the agent's "
                    "tickets resolved in the period."),
            self.tr("Average time from creation to the first reply, over the agent's tickets "
                    "first answered in the period."),
        ]

    def set_figures(self, figures: PeriodFigures | None) -> None:
        self.beginResetModel()
        self.figures = figures
        charts = figures.breakdowns if figures is not None else None
        self.rows = list(charts.agents) if charts is not None else []
        if self._sort is not None:
            self._sort_rows(*self._sort)
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.headers)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self.headers):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.headers[section]
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.header_tips[section]
        if role == Qt.ItemDataRole.TextAlignmentRole and section != COL_AGENT:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        agent, column = self.rows[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self.text(agent, column)
        if role == Qt.ItemDataRole.TextAlignmentRole and column != COL_AGENT:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.tooltip(agent, column)
        return None

    def text(self, agent: AgentFigures, column: int) -> str:
        if column == COL_AGENT:
            return agent.name
        if column == COL_HANDLED:
            return format_count(agent.handled)
        if column == COL_CLOSED:
            return format_count(agent.closed)
        if column == COL_RESOLUTION:
            return format_duration(agent.avg_resolution)
        return format_duration(agent.avg_first_response)

    def tooltip(self, agent: AgentFigures, column: int) -> str:
        """Plain text always: the name is what someone typed."""
        if column == COL_RESOLUTION:
            text = self.tr("{0}: average over {1} resolved tickets").format(
                agent.name, format_count(agent.resolved))
        elif column == COL_RESPONSE:
            text = self.tr("{0}: average over {1} tickets first answered").format(
                agent.name, format_count(agent.responded))
        else:
            text = agent.name
        if self.drill(agent, column) is not None:
            text += "\n" + self.tr("Double-click to list these tickets.")
        return plain_tooltip(text)

    def drill(self, agent: AgentFigures, column: int) -> TicketFilter | None:
        metric = DRILLS.get(column)
        if metric is None or self.figures is None:
            return None
        return self.figures.drill_agent(agent.agent_id, metric)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(self.headers):
            return
        self.layoutAboutToBeChanged.emit()
        self._sort = (column, order)
        self._sort_rows(column, order)
        self.layoutChanged.emit()

    def _sort_rows(self, column: int, order: Qt.SortOrder) -> None:
        self.rows.sort(key=_sort_key(column), reverse=order == Qt.SortOrder.DescendingOrder)


class AgentsTable(QTableView):
    """Emits `activated(filter)` for a double-clicked cell that has a ticket list, and
    `hint(text)` for one that has none."""

    activated = Signal(object)  # TicketFilter
    hint = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("agentsTable")
        self.agents = AgentsModel(self)
        self.setModel(self.agents)
        self.setSortingEnabled(True)
        self.horizontalHeader().setSortIndicator(COL_HANDLED, Qt.SortOrder.DescendingOrder)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setAlternatingRowColors(True)
        self.verticalHeader().setVisible(False)
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header = self.horizontalHeader()
        header.setSectionResizeMode(COL_AGENT, QHeaderView.ResizeMode.Stretch)
        for column in range(1, self.agents.columnCount()):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.doubleClicked.connect(self._double_clicked)

    def set_figures(self, figures: PeriodFigures | None) -> None:
        self.agents.set_figures(figures)

    def activate(self, row: int, column: int) -> bool:
        """What a double-click on (row, column) does; False when the cell has no list."""
        if not 0 <= row < len(self.agents.rows):
            return False
        drill = self.agents.drill(self.agents.rows[row], column)
        if drill is None:
            self.hint.emit(self.tr(
                "Handled has no single ticket list: double-click Closed, Avg Resolution or "
                "Avg First Response."))
            return False
        self.activated.emit(drill)
        return True

    def _double_clicked(self, index: QModelIndex) -> None:
        self.activate(index.row(), index.column())

    def keyPressEvent(self, event: QKeyEvent) -> None:
        index = self.currentIndex()
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and index.isValid():
            self.activate(index.row(), index.column())
            return
        super().keyPressEvent(event)
