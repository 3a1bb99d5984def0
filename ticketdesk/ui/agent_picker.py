"""Who is working? Picked (or created) on first run, switchable from the Desk menu.

Every change made in a window is recorded as this agent's. The choice is remembered per desk.
The picker reads the agents and saves a new one on a worker thread (its own QueryRunner), so a
desk on a slow server never freezes it.
"""

from __future__ import annotations

import getpass
import os
from typing import Any

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
from ticketdesk.ui.worker import QueryRunner

LIST, CHOOSE = "picker.list", "picker.choose"


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
            if agents.get_agent(system.store, remembered).active:
                return remembered
        except TicketdeskError:
            pass
    name = wanted_name or login_name() or "Agent"
    found = agents.find_agent(system.store, name)
    if found is not None:
        return found.id
    agent_id, _ = agents.create_agent(system, name)
    return agent_id


class AgentPicker(QDialog):
    """Choose yourself from the desk's agents, or add yourself.

    `current` is selected when the list arrives (the agent working now, or on a fresh demo desk
    one of the demo's agents with work assigned)."""

    def __init__(self, system: Session, current: int | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Who is working? Choose the agent you work as"))
        self.system = system
        self.agent_id: int | None = None
        self.loaded = False
        self._current = current
        self._asked = 0
        self.runner = QueryRunner(system.store, self)
        self.runner.finished.connect(self._answered)
        self.runner.failed.connect(self._answer_failed)
        layout = QVBoxLayout(self)
        heading = plain_label(self.tr("Who is working?"), self)
        heading.setObjectName("agentPickerHeading")
        font = heading.font()
        font.setBold(True)
        heading.setFont(font)
        layout.addWidget(heading)
        layout.addWidget(plain_label(self.tr(
            "Changes you make are recorded under this name in every ticket's activity."), self))
        self.list = QListWidget(self)
        self.list.setObjectName("agentList")
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
        self.buttons = buttons
        store = system.store
        self._asked += 1
        self.runner.submit(LIST, self._asked, lambda: agents.list_agents(store))

    def _answered(self, channel: str, _generation: int, result: Any) -> None:
        if channel == LIST:
            self._listed(result)
        elif channel == CHOOSE:
            self.buttons.setEnabled(True)
            self.agent_id = int(result)
            super().accept()

    def _answer_failed(self, channel: str, _generation: int, error: object) -> None:
        self.buttons.setEnabled(True)
        self.error.setText(str(error) if isinstance(error, TicketdeskError) else self.tr(
            "Something went wrong: {0}").format(error))

    def _listed(self, found: list[Any]) -> None:
        self.loaded = True
        for agent in found:
            item = QListWidgetItem(agent.name, self.list)
            item.setData(Qt.ItemDataRole.UserRole, agent.id)
            if agent.id == self._current:
                self.list.setCurrentItem(item)
        if self.list.count() == 0 and not self.new_name.text():
            self.new_name.setText(login_name())
            self.new_name.setFocus()

    def accept(self) -> None:
        name = self.new_name.text().strip()
        item = self.list.currentItem()
        if name:
            system = self.system
            self.buttons.setEnabled(False)  # one save at a time; the answer accepts
            self.error.setText("")
            self._asked += 1
            self.runner.submit(CHOOSE, self._asked, lambda: _find_or_create(system, name))
        elif item is not None and item.isSelected():
            self.agent_id = int(item.data(Qt.ItemDataRole.UserRole))
            super().accept()
        else:
            self.error.setText(self.tr("Pick your name from the list or type it."))

    def done(self, result: int) -> None:
        self.runner.stop()  # its thread and connection end with the dialog
        super().done(result)


def _find_or_create(system: Session, name: str) -> int:
    existing = agents.find_agent(system.store, name)
    return existing.id if existing else agents.create_agent(system, name)[0]
