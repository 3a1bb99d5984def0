"""Desk ▸ Agents…: the desk's agents (rename, deactivate, reactivate) and teams (new, edit,
delete), through services/agent_records.py. Role management for team desks lives elsewhere
(ui/agents_roles*); this dialog is about the records.

Every read and change runs on the dialog's own query thread; the window never waits
(ticketdesk/ARCHITECTURE.md, "Threading"). Refusals (yourself, the last active agent, a name
taken) are shown in the dialog's note and change nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ticketdesk.domain.errors import TicketdeskError
from ticketdesk.services import agent_records
from ticketdesk.services.agent_records import AgentRow, TeamRow
from ticketdesk.services.changes import Changes
from ticketdesk.services.session import Session
from ticketdesk.ui.text import plain_label, plain_tooltip
from ticketdesk.ui.worker import QueryRunner

Index = QModelIndex | QPersistentModelIndex
LOAD, SAVE = "agents.load", "agents.save"
COLUMNS = 5
COL_NAME, COL_EMAIL, COL_STATE, COL_OPEN, COL_TEAMS = range(COLUMNS)


class AgentsModel(QAbstractTableModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.rows: list[AgentRow] = []

    def set_rows(self, rows: list[AgentRow]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else COLUMNS

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        return (self.tr("Name"), self.tr("Email"), self.tr("State"), self.tr("Open tickets"),
                self.tr("Teams"))[section]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.TextAlignmentRole and column == COL_OPEN:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if column == COL_NAME:
            return row.name
        if column == COL_EMAIL:
            return row.email
        if column == COL_STATE:
            return self.tr("Active") if row.active else self.tr("Deactivated")
        if column == COL_OPEN:
            return f"{row.open_tickets:,}"
        return ", ".join(row.teams)


class TeamEditor(QDialog):
    """A team's name and its agents (active ones, and those already in it)."""

    def __init__(self, team: TeamRow | None, people: list[AgentRow],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("teamEditor")
        self.setWindowTitle(self.tr("Edit Team") if team else self.tr("New Team"))
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.name = QLineEdit(team.name if team else "", self)
        self.name.setObjectName("teamName")
        form.addRow(self.tr("&Name:"), self.name)
        self.members = QListWidget(self)
        self.members.setObjectName("teamMembers")
        current = set(team.members) if team else set()
        for person in people:
            if not person.active and person.id not in current:
                continue
            item = QListWidgetItem(person.name, self.members)
            item.setData(Qt.ItemDataRole.UserRole, person.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if person.id in current
                               else Qt.CheckState.Unchecked)
        form.addRow(self.tr("&Agents:"), self.members)
        layout.addLayout(form)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def chosen(self) -> list[int]:
        items = (self.members.item(i) for i in range(self.members.count()))
        return [int(i.data(Qt.ItemDataRole.UserRole)) for i in items
                if i.checkState() == Qt.CheckState.Checked]


class AgentsDialog(QDialog):
    def __init__(self, session: Session, announce: Callable[[Changes], None],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("agentsDialog")
        self.setWindowTitle(self.tr("Agents"))
        self.session = session
        self.announce = announce
        self.runner = QueryRunner(session.store, self)
        self.runner.finished.connect(self._answered)
        self.runner.failed.connect(self._failed)
        self._asked = 0
        self._loading = self._saving = False
        self.teams: list[TeamRow] = []

        layout = QVBoxLayout(self)
        self.model = AgentsModel(self)
        self.view = QTableView(self)
        self.view.setObjectName("agentsTable")
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.horizontalHeader().setSectionResizeMode(COL_TEAMS,
                                                          QHeaderView.ResizeMode.Stretch)
        self.view.verticalHeader().hide()
        layout.addWidget(self.view)
        row = QHBoxLayout()
        self.rename_button = self._button(self.tr("&Rename…"), "renameAgentButton",
                                          self.rename_selected, row)
        self.active_button = self._button(self.tr("&Deactivate"), "activeAgentButton",
                                          self.toggle_selected, row)
        row.addStretch(1)
        layout.addLayout(row)
        self.team_list = QListWidget(self)
        self.team_list.setObjectName("teamList")
        self.team_list.setMaximumHeight(140)
        layout.addWidget(self.team_list)
        row = QHBoxLayout()
        self._button(self.tr("&New Team…"), "newTeamButton", lambda: self.edit_team(None), row)
        self._button(self.tr("&Edit Team…"), "editTeamButton", self.edit_selected_team, row)
        self._button(self.tr("De&lete Team"), "deleteTeamButton", self.delete_selected_team, row)
        row.addStretch(1)
        layout.addLayout(row)
        self.note = plain_label("", self)
        self.note.setObjectName("agentsNote")
        self.note.setWordWrap(True)
        layout.addWidget(self.note)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.view.selectionModel().selectionChanged.connect(self._selection_changed)
        self.resize(720, 520)
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
        self.runner.submit(LOAD, self._asked, lambda: (agent_records.read_agents(session),
                                                       agent_records.read_teams(session)))

    def _save(self, fn: Callable[[], Changes], done: str) -> None:
        self._asked += 1
        self._saving = True
        self._done_text = done
        self.setEnabled(False)
        self.runner.submit(SAVE, self._asked, fn)

    def _answered(self, channel: str, _generation: int, result: Any) -> None:
        if channel == LOAD:
            chosen = self.selected()
            rows, self.teams = result
            self.model.set_rows(rows)
            self.team_list.clear()
            names = {r.id: r.name for r in rows}
            for team in self.teams:
                item = QListWidgetItem(team.name, self.team_list)
                item.setToolTip(plain_tooltip(", ".join(names.get(a, "?") for a in team.members)))
            if chosen is not None:
                for i, r in enumerate(rows):
                    if r.id == chosen.id:
                        self.view.selectRow(i)
            self._selection_changed()
            self._loading = False
            return
        self.setEnabled(True)
        self._saving = False
        self.note.setText(self._done_text)
        if isinstance(result, Changes) and not result.nothing:
            self.announce(result)
        self.load()

    def _failed(self, channel: str, _generation: int, error: object) -> None:
        self.setEnabled(True)
        self._loading = self._saving = False
        self.note.setText(str(error) if isinstance(error, TicketdeskError) else self.tr(
            "Something went wrong: {0}").format(error))
        if channel == SAVE:
            self.load()

    # -- agents -------------------------------------------------------------------------------

    def selected(self) -> AgentRow | None:
        rows = self.view.selectionModel().selectedRows() if self.view.selectionModel() else []
        return self.model.rows[rows[0].row()] if rows else None

    def _selection_changed(self, *_args: object) -> None:
        row = self.selected()
        self.rename_button.setEnabled(row is not None)
        self.active_button.setEnabled(row is not None)
        self.active_button.setText(self.tr("Re&activate") if row is not None and not row.active
                                   else self.tr("&Deactivate"))

    def rename_selected(self) -> None:
        row = self.selected()
        if row is None:
            return
        name, ok = QInputDialog.getText(self, self.tr("Rename Agent"), self.tr("New name:"),
                                        QLineEdit.EchoMode.Normal, row.name)
        if ok:
            self.rename(row.id, name)

    def rename(self, agent_id: int, name: str) -> None:
        session = self.session
        self._save(lambda: agent_records.rename_agent(session, agent_id, name),
                   self.tr("Renamed the agent to {0}.").format(name.strip()))

    def toggle_selected(self) -> None:
        row = self.selected()
        if row is None:
            return
        session, agent_id, active = self.session, row.id, not row.active
        done = (self.tr("{0} is active again.") if active else self.tr(
            "{0} is deactivated: their history stays theirs; they are no longer offered or "
            "routed to.")).format(row.name)
        self._save(lambda: agent_records.set_agent_active(session, agent_id, active), done)

    # -- teams --------------------------------------------------------------------------------

    def _selected_team(self) -> TeamRow | None:
        row = self.team_list.currentRow()
        return self.teams[row] if 0 <= row < len(self.teams) else None

    def edit_selected_team(self) -> None:
        team = self._selected_team()
        if team is not None:
            self.edit_team(team)

    def edit_team(self, team: TeamRow | None) -> None:
        editor = TeamEditor(team, self.model.rows, self)
        if editor.exec():
            self.save_team(team.id if team else None, editor.name.text(), editor.chosen())

    def save_team(self, team_id: int | None, name: str, members: list[int]) -> None:
        session = self.session
        self._save(lambda: agent_records.save_team(session, team_id, name, members),
                   self.tr("Saved the team {0}.").format(name.strip()))

    def delete_selected_team(self) -> None:
        team = self._selected_team()
        if team is None:
            return
        session, team_id = self.session, team.id
        self._save(lambda: agent_records.delete_team(session, team_id),
                   self.tr("Deleted the team {0}.").format(team.name))

    def done(self, result: int) -> None:
        self.runner.stop()
        super().done(result)
