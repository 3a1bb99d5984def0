"""The status bar's availability button (issue 21): the signed-in agent's own status
(available, away, off — routing skips agents who are away or off), set from its menu, and the
team's statuses shown in the same menu.

The statuses are read by a `QueryRunner` of its own and a change is saved through the window's
`WriteQueue` (the dock's, so saves stay in order): nothing here touches the database on the GUI
thread. A change is announced on the hub (`Changes(agents=True)`), and any announced change of
agents (another desktop, the command line
through the desk watch) rereads the team.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QMenu, QToolButton, QWidget

from ticketdesk.domain.routing import AgentStatus
from ticketdesk.services import availability
from ticketdesk.services.availability import AgentAvailability
from ticketdesk.services.changes import Changes
from ticketdesk.services.session import Session
from ticketdesk.ui.hub import ChangeHub
from ticketdesk.ui.worker import QueryRunner
from ticketdesk.ui.write_queue import WriteQueue

TEAM = "availability.team"
MARKS = {AgentStatus.AVAILABLE: "●", AgentStatus.AWAY: "◐", AgentStatus.OFF: "○"}
"""A shape for each status, so it reads without colour."""


class AvailabilityButton(QToolButton):
    saved = Signal(object)  # AgentStatus, once stored
    loaded = Signal(object)  # list[AgentAvailability], once shown

    def __init__(self, session: Session, hub: ChangeHub, writes: WriteQueue,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("availabilityButton")
        self.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.setAutoRaise(True)
        self.session = session
        self.hub = hub
        self.team: list[AgentAvailability] = []
        self.mine: AgentStatus | None = None
        self._generation = 0
        self.runner = QueryRunner(session.store, self)
        self.runner.finished.connect(self._done)
        self.runner.failed.connect(self._failed)
        self.writes = writes  # the window's saves, in order (the dock's queue)
        self.menu_ = QMenu(self)
        self.menu_.setObjectName("availabilityMenu")
        self.setMenu(self.menu_)
        self.status_actions = {}
        for status in AgentStatus:
            action = self.menu_.addAction(self._label(status))
            action.setCheckable(True)
            action.triggered.connect(lambda _checked=False, s=status: self.set_status(s))
            self.status_actions[status] = action
        self.menu_.addSeparator()
        self.team_title = self.menu_.addSection(self.tr("Team"))
        self.team_actions: list = []
        self.setText(self.tr("Availability…"))
        self.setToolTip(self.tr("Your availability: routing gives new tickets only to "
                                "available agents."))
        hub.changed.connect(self._on_changes)
        self.reload()

    def _label(self, status: AgentStatus) -> str:
        words = {AgentStatus.AVAILABLE: self.tr("Available"), AgentStatus.AWAY: self.tr("Away"),
                 AgentStatus.OFF: self.tr("Off")}
        return f"{MARKS[status]} {words[status]}"

    def set_session(self, session: Session) -> None:
        """Another agent signed in (Switch Agent)."""
        self.session = session
        self.reload()

    def reload(self) -> None:
        session = self.session
        self._generation += 1
        self.runner.submit(TEAM, self._generation, lambda: availability.team(session))

    def set_status(self, status: AgentStatus) -> None:
        """The signed-in agent's own status, saved off the GUI thread."""
        agent_id = self.session.agent_id
        if agent_id is None:
            return
        session = self.session

        def done(changes: object) -> None:
            assert isinstance(changes, Changes)
            self.hub.announce(changes, self)
            self.saved.emit(status)
            self.reload()

        self.writes.submit(("availability", agent_id),
                           lambda: availability.set_status(session, agent_id, status),
                           done=done, error=lambda exc: self.setToolTip(str(exc)))
        self._show_mine(status)

    def _on_changes(self, changes: object, initiator: object) -> None:
        if initiator is self:
            return
        if isinstance(changes, Changes) and (changes.agents or changes.everything):
            self.reload()

    def _done(self, channel: str, generation: int, result: object) -> None:
        if channel != TEAM or generation != self._generation:
            return
        assert isinstance(result, list)
        self.team = result
        for action in self.team_actions:
            self.menu_.removeAction(action)
        self.team_actions = []
        for agent in result:
            action = self.menu_.addAction(f"{self._label(agent.status)} — {agent.name}")
            action.setEnabled(False)
            self.team_actions.append(action)
        mine = next((a.status for a in result if a.agent_id == self.session.agent_id), None)
        self._show_mine(mine)
        self.loaded.emit(result)

    def _failed(self, channel: str, generation: int, error: object) -> None:
        if channel == TEAM and generation == self._generation:
            self.setToolTip(str(error))

    def _show_mine(self, status: AgentStatus | None) -> None:
        self.mine = status
        for s, action in self.status_actions.items():
            action.setChecked(s == status)
            action.setEnabled(self.session.agent_id is not None)
        self.setText(self._label(status) if status is not None else self.tr("Availability…"))

    def stop(self) -> None:
        """Stop its query thread (the window calls this before it closes the desk)."""
        self.runner.stop()
