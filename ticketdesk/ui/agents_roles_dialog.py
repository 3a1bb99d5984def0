"""Desk > Agents and Roles…: an admin of a team desk sees who signs in with which role, adds an
agent (creating their database login, as `ticketdesk agents add NAME --role agent` does), changes
a role, deactivates and reactivates (issue 20; services/team_roles.py). *Names and Teams…* opens
the desk's agents dialog (ui/agents_dialog.py: rename, teams), so a team desk has one Desk menu
entry for its agents, as a desk file has *Agents…*.

Every read and change runs on the dialog's own QueryRunner (its own connection, as the signed-in
login): creating a role is a network round trip. The server decides whether this login may
manage agents; a refusal is shown as the server's reason, and the dialog reads the list again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ticketdesk.domain.errors import TicketdeskError
from ticketdesk.services import team_roles
from ticketdesk.services.changes import Changes
from ticketdesk.services.session import Session
from ticketdesk.ui.labels import QT_TRANSLATE_NOOP
from ticketdesk.ui.text import plain_label
from ticketdesk.ui.theme import ErrorLabel
from ticketdesk.ui.worker import QueryRunner

LOAD, SAVE = "agents.load", "agents.save"
ADMIN, AGENT, VIEWER = "admin", "agent", "viewer"
ROLE_NAMES = {
    ADMIN: QT_TRANSLATE_NOOP("AgentsRolesDialog", "Admin"),
    AGENT: QT_TRANSLATE_NOOP("AgentsRolesDialog", "Agent"),
    VIEWER: QT_TRANSLATE_NOOP("AgentsRolesDialog", "Viewer"),
}
COLUMNS = (QT_TRANSLATE_NOOP("AgentsRolesDialog", "Name"),
           QT_TRANSLATE_NOOP("AgentsRolesDialog", "Login"),
           QT_TRANSLATE_NOOP("AgentsRolesDialog", "Role"),
           QT_TRANSLATE_NOOP("AgentsRolesDialog", "Status"))


class AgentsRolesDialog(QDialog):
    def __init__(self, session: Session, announce: Callable[[Changes], None],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("agentsRolesDialog")
        self.setWindowTitle(self.tr("Agents and Roles"))
        self.session = session
        self.announce = announce
        self.rows: list[team_roles.AgentRole] = []
        self.names_dialog: QDialog | None = None
        self._asked = 0
        self._busy = False
        self.runner = QueryRunner(session.store, self)
        self.runner.finished.connect(self._answered)
        self.runner.failed.connect(self._failed)
        layout = QVBoxLayout(self)

        self.table = QTableWidget(0, len(COLUMNS), self)
        self.table.setObjectName("agentRolesTable")
        self.table.setHorizontalHeaderLabels([self.tr(c) for c in COLUMNS])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._selected)
        layout.addWidget(self.table, 1)

        row = QHBoxLayout()
        self.role = self._role_combo("agentRoleCombo")
        self.role_button = QPushButton(self.tr("&Change Role"), self)
        self.role_button.setObjectName("changeRoleButton")
        self.role_button.clicked.connect(self.change_role)
        self.active_button = QPushButton(self.tr("&Deactivate"), self)
        self.active_button.setObjectName("deactivateButton")
        self.active_button.clicked.connect(self.toggle_active)
        row.addWidget(self.role)
        row.addWidget(self.role_button)
        row.addStretch(1)
        self.teams_button = QPushButton(self.tr("Names and &Teams…"), self)
        self.teams_button.setObjectName("namesTeamsButton")
        self.teams_button.clicked.connect(self.show_names_and_teams)
        row.addWidget(self.teams_button)
        row.addWidget(self.active_button)
        layout.addLayout(row)

        box = QGroupBox(self.tr("Add an agent"), self)
        form = QFormLayout(box)
        self.new_name = QLineEdit(box)
        self.new_name.setObjectName("newAgentName")
        self.new_login = QLineEdit(box)
        self.new_login.setObjectName("newAgentLogin")
        self.new_login.setPlaceholderText(self.tr("made from the name, e.g. ann_data"))
        self.new_role = self._role_combo("newAgentRole")
        self.new_role.setCurrentIndex(list(ROLE_NAMES).index(AGENT))
        self.new_password = QLineEdit(box)
        self.new_password.setObjectName("newAgentPassword")
        self.new_password.setEchoMode(QLineEdit.EchoMode.Password)
        self.new_password.setPlaceholderText(self.tr(
            "empty: they sign in with a client certificate, Kerberos or .pgpass"))
        form.addRow(self.tr("&Name:"), self.new_name)
        form.addRow(self.tr("&Login:"), self.new_login)
        form.addRow(self.tr("&Role:"), self.new_role)
        form.addRow(self.tr("&Password:"), self.new_password)
        self.add_button = QPushButton(self.tr("&Add Agent"), box)
        self.add_button.setObjectName("addAgentButton")
        self.add_button.clicked.connect(self.add_agent)
        form.addRow("", self.add_button)
        layout.addWidget(box)

        self.note = plain_label("", self)
        self.note.setObjectName("agentsNote")
        self.note.setWordWrap(True)
        layout.addWidget(self.note)
        self.error = ErrorLabel(self)
        self.error.setObjectName("agentsError")
        self.error.setWordWrap(True)
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(640, 520)
        self._selected()
        self.load()

    def _role_combo(self, name: str) -> QComboBox:
        combo = QComboBox(self)
        combo.setObjectName(name)
        for role, label in ROLE_NAMES.items():
            combo.addItem(self.tr(label), role)
        return combo

    # -- the worker ----------------------------------------------------------------------------

    @property
    def busy(self) -> bool:
        """A read or a change is on its way (tests wait for it as a user watches)."""
        return self._busy

    def load(self) -> None:
        store = self.session.store
        self._asked += 1
        self._busy = True
        self.runner.submit(LOAD, self._asked, lambda: team_roles.list_agent_roles(store))

    def _change(self, fn: Callable[[], Changes], done: str) -> None:
        self._asked += 1
        self._busy = True
        self._done = done
        self.error.setText("")
        self.setEnabled(False)
        self.runner.submit(SAVE, self._asked, fn)

    def _answered(self, channel: str, _generation: int, result: Any) -> None:
        if channel == LOAD:
            self._busy = False
            self._show(result)
        elif channel == SAVE:
            self.setEnabled(True)
            self.note.setText(self._done)
            self.announce(result)
            self.load()

    def _failed(self, _channel: str, _generation: int, error: object) -> None:
        self.setEnabled(True)
        self.error.setText(str(error) if isinstance(error, TicketdeskError) else self.tr(
            "Something went wrong: {0}").format(error))
        self.load()

    # -- showing -------------------------------------------------------------------------------

    def _status(self, row: team_roles.AgentRole) -> str:
        if not row.active:
            return self.tr("deactivated")
        if row.login is None:
            return self.tr("no login")
        if row.can_login is None:
            return self.tr("login role missing")
        return self.tr("signs in") if row.can_login else self.tr("login disabled")

    def _show(self, rows: list[team_roles.AgentRole]) -> None:
        chosen = self.current()
        self.rows = rows
        self.table.setRowCount(len(rows))
        for index, row in enumerate(rows):
            role = self.tr(ROLE_NAMES[row.role]) if row.login else "–"
            for column, text in enumerate((row.name, row.login or "–", role,
                                           self._status(row))):
                self.table.setItem(index, column, QTableWidgetItem(text))
            if chosen is not None and row.id == chosen.id:
                self.table.selectRow(index)
        self._selected()

    def current(self) -> team_roles.AgentRole | None:
        index = self.table.currentRow()
        selected = self.table.selectionModel().hasSelection()
        return self.rows[index] if selected and 0 <= index < len(self.rows) else None

    def _selected(self) -> None:
        row = self.current()
        mapped = row is not None and row.login is not None
        self.role_button.setEnabled(mapped)
        self.active_button.setEnabled(mapped)
        if row is not None and mapped:
            self.role.setCurrentIndex(list(ROLE_NAMES).index(row.role))
            self.active_button.setText(self.tr("&Deactivate") if row.active
                                       else self.tr("&Reactivate"))

    # -- changes ---------------------------------------------------------------------------------

    def add_agent(self) -> None:
        session = self.session
        name, role = self.new_name.text(), str(self.new_role.currentData())
        login = self.new_login.text().strip() or None
        password = self.new_password.text() or None

        def add() -> Changes:
            return team_roles.add_agent_role(session, name, role, login=login,
                                             password=password)[1]

        self._change(add, self.tr("{0} was added as {1}.").format(
            name.strip(), self.tr(ROLE_NAMES[role])))
        self.new_name.clear()
        self.new_login.clear()
        self.new_password.clear()

    def change_role(self) -> None:
        row = self.current()
        if row is None:
            return
        session, role = self.session, str(self.role.currentData())
        self._change(lambda: team_roles.change_role(session, row.name, role),
                     self.tr("{0} is now {1}.").format(row.name, self.tr(ROLE_NAMES[role])))

    def toggle_active(self) -> None:
        row = self.current()
        if row is None:
            return
        session, active = self.session, not row.active
        self._change(lambda: team_roles.set_active(session, row.name, active),
                     self.tr("{0} may sign in again.").format(row.name) if active
                     else self.tr("{0} can no longer sign in.").format(row.name))

    def show_names_and_teams(self) -> QDialog:
        """Rename agents and make teams (the desk file's Agents… dialog, on this desk)."""
        from ticketdesk.ui.agents_dialog import AgentsDialog

        def changed(changes: Changes) -> None:
            self.announce(changes)
            self.load()

        dialog = AgentsDialog(self.session, changed, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        self.names_dialog = dialog
        return dialog

    def done(self, result: int) -> None:
        self.runner.stop()  # its thread and connection end with the dialog
        super().done(result)
