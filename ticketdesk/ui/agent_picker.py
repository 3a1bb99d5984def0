"""Who is working? Picked (or created) on first run, switchable from the Desk menu.

Every change made in a window is recorded as this agent's. The choice is remembered per desk.
"""

from __future__ import annotations

import getpass
import os

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ticketdesk.domain.errors import TicketdeskError
from ticketdesk.services import agents
from ticketdesk.services.session import Session
from ticketdesk.ui.text import plain_label
from ticketdesk.ui.theme import ErrorLabel


def login_name() -> str:
    """The person's name as the OS knows it, to suggest for a new agent."""
    try:
        import pwd

        gecos = pwd.getpwuid(os.getuid()).pw_gecos.split(",")[0].strip()
        if gecos:
            return gecos
    except (ImportError, KeyError, AttributeError):
        pass
    try:
        return getpass.getuser().replace(".", " ").title()
    except OSError:  # pragma: no cover
        return ""


def ensure_agent(system: Session, remembered: int | None, wanted_name: str | None = None) -> int:
    """The agent to work as without asking: `wanted_name` (created if new), else the remembered
    one if still active, else the login name's agent (created if new)."""
    if wanted_name is None and remembered is not None:
        try:
            if agents.get_agent(remembered).active:
                return remembered
        except TicketdeskError:
            pass
    name = wanted_name or login_name() or "Agent"
    found = agents.find_agent(name)
    if found is not None:
        return found.id
    agent_id, _ = agents.create_agent(system, name)
    return agent_id


class AgentPicker(QDialog):
    """Choose yourself from the desk's agents, or add yourself."""

    def __init__(self, system: Session, current: int | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Who is working?"))
        self.system = system
        self.agent_id: int | None = None
        layout = QVBoxLayout(self)
        layout.addWidget(plain_label(self.tr(
            "Changes you make are recorded under this name in every ticket's activity."), self))
        self.list = QListWidget(self)
        self.list.setObjectName("agentList")
        for agent in agents.list_agents():
            item = QListWidgetItem(agent.name, self.list)
            item.setData(Qt.ItemDataRole.UserRole, agent.id)
            if agent.id == current:
                self.list.setCurrentItem(item)
        self.list.itemDoubleClicked.connect(lambda _item: self.accept())
        layout.addWidget(self.list)
        form = QFormLayout()
        self.new_name = QLineEdit(self)
        self.new_name.setObjectName("newAgentName")
        self.new_name.setPlaceholderText(login_name() or self.tr("Your name"))
        self.new_name.textEdited.connect(lambda _t: self.list.clearSelection())
        form.addRow(self.tr("Or add yourself:"), self.new_name)
        layout.addLayout(form)
        self.error = ErrorLabel(self)
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        if self.list.count() == 0:
            self.new_name.setText(login_name())
            self.new_name.setFocus()

    def accept(self) -> None:
        name = self.new_name.text().strip()
        item = self.list.currentItem()
        try:
            if name:
                existing = agents.find_agent(name)
                self.agent_id = existing.id if existing else agents.create_agent(
                    self.system, name)[0]
            elif item is not None and item.isSelected():
                self.agent_id = int(item.data(Qt.ItemDataRole.UserRole))
            else:
                self.error.setText(self.tr("Pick your name from the list or type it."))
                return
        except TicketdeskError as exc:
            self.error.setText(str(exc))
            return
        super().accept()
