"""The Detail tab's people and labels: assignees ("+ Add" offers the desk's agents) and tags
("+ Add" opens an editor that completes from the desk's tags). Both lists of choices are read on
the dock's query thread; each change is one save queued through the dock (`DockContext.write`),
the "+ Add" button busy until it is answered. "+ Add" and the chips' remove buttons are gated by
the signed-in role (ui/role_gate.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QFormLayout, QMenu, QToolButton, QWidget

from ticketdesk.domain import text
from ticketdesk.domain.errors import TicketdeskError
from ticketdesk.services import agents, assignees
from ticketdesk.services.changes import Changes
from ticketdesk.services.records import AgentRecord, TicketDetail
from ticketdesk.services.session import Session
from ticketdesk.ui import role_gate
from ticketdesk.ui.dock.chips import ChipRow
from ticketdesk.ui.dock.context import DockContext
from ticketdesk.ui.dock.editors import LineEditor, ListCompleter


class Shown(Protocol):
    """What the rows need of the Detail tab: the ticket it shows."""

    @property
    def ticket(self) -> TicketDetail | None: ...


class PeopleRows(QObject):
    """The Assignees and Tags rows of the Detail tab's form."""

    def __init__(self, dock: DockContext, tab: Shown, page: QWidget,
                 form: QFormLayout) -> None:
        super().__init__(page)
        self.dock = dock
        self.tab = tab
        self._build_assignees(page, form)
        self._build_tags(page, form)

    def show_ticket(self, t: TicketDetail) -> None:
        self.assignees.set_items([(a.id, a.name) for a in t.assignees])
        self.tags.set_items([(name, name) for name in t.tags])

    def _add_button(self, page: QWidget, name: str, accessible: str) -> QToolButton:
        button = QToolButton(page)
        button.setObjectName(name)
        button.setText(self.tr("+ Add"))
        button.setAccessibleName(accessible)
        button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        role_gate.gate(button)
        return button

    def _build_assignees(self, page: QWidget, form: QFormLayout) -> None:
        self.assignees = ChipRow(page, remove_label=self.tr("Unassign {0}"),
                                 empty_text=self.tr("Nobody"), writes=True)
        self.assignees.setObjectName("assigneeChips")
        self.add_assignee = self._add_button(page, "addAssigneeButton",
                                             self.tr("Assign an agent"))
        self.add_assignee.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.agent_menu = QMenu(self.add_assignee)
        self.agent_menu.setObjectName("agentMenu")
        self.agent_menu.aboutToShow.connect(self._fill_agent_menu)
        self.add_assignee.setMenu(self.agent_menu)
        self.agent_choices: list[AgentRecord] | None = None
        self.assignees.add_trailing(self.add_assignee)
        self.assignees.removeRequested.connect(self.unassign)
        form.addRow(self.tr("Assignees:"), self.assignees)

    def _build_tags(self, page: QWidget, form: QFormLayout) -> None:
        self.tags = ChipRow(page, remove_label=self.tr("Remove tag {0}"),
                            empty_text=self.tr("No tags"), writes=True)
        self.tags.setObjectName("tagChips")
        self.add_tag_button = self._add_button(page, "addTagButton", self.tr("Add a tag"))
        self.add_tag_button.clicked.connect(self.open_tag_editor)
        self.tag_editor = LineEditor(page)
        self.tag_editor.setObjectName("tagEditor")
        self.tag_editor.setPlaceholderText(self.tr("tag, Enter adds, Esc cancels"))
        self.tag_editor.setMinimumWidth(180)
        self.tag_editor.submitted.connect(self.add_tags)
        self.tag_editor.cancelled.connect(self.close_tag_editor)
        self.tag_editor.hide()
        role_gate.gate(self.tag_editor)
        self.tags.add_trailing(self.add_tag_button)
        self.tags.add_trailing(self.tag_editor)
        self.tags.removeRequested.connect(self.remove_tag)
        form.addRow(self.tr("Tags:"), self.tags)

    # -- assignees ----------------------------------------------------------------------------

    def load_choices(self) -> None:
        """Read the agents "+ Add" offers (off the GUI thread); the menu fills when they come."""
        def show(found: list[AgentRecord]) -> None:
            self.agent_choices = found
            if self.agent_menu.isVisible():
                self._fill_agent_menu()

        self.dock.read("agents", lambda session: agents.list_agents(session.store), show)

    def _fill_agent_menu(self) -> None:
        self.agent_menu.clear()
        if self.agent_choices is None:
            loading = self.agent_menu.addAction(self.tr("Loading…"))
            loading.setEnabled(False)
            self.load_choices()
            return
        assigned = {a.id for a in self.tab.ticket.assignees} if self.tab.ticket else set()
        candidates = [a for a in self.agent_choices if a.id not in assigned]
        if not candidates:
            empty = self.agent_menu.addAction(self.tr("Everyone is assigned"))
            empty.setEnabled(False)
        for agent in candidates:
            action = self.agent_menu.addAction(agent.name)
            action.setData(agent.id)
            action.triggered.connect(lambda _c=False, a=agent.id, n=agent.name: self.assign(a, n))

    def assign(self, agent_id: int, name: str = "") -> None:
        session, tid = self.dock.session, self.dock.ticket_id
        if tid is None:
            return
        self.dock.write(lambda v: assignees.assign(session, tid, v, agent_id),
                        self.tr("Assign {0}").format(name or agent_id),
                        busy=[self.add_assignee])

    def unassign(self, agent_id: object) -> None:
        session, tid = self.dock.session, self.dock.ticket_id
        if tid is None or not isinstance(agent_id, int):
            return
        name = next((a.name for a in self.tab.ticket.assignees if a.id == agent_id), "") \
            if self.tab.ticket else ""
        self.dock.write(lambda v: assignees.unassign(session, tid, v, agent_id),
                        self.tr("Unassign {0}").format(name), busy=[self.add_assignee])

    # -- tags ---------------------------------------------------------------------------------

    def open_tag_editor(self) -> None:
        """Show the tag editor at once; the completion list follows from the query thread."""
        self.add_tag_button.hide()
        self.tag_editor.show()
        self.tag_editor.setFocus(Qt.FocusReason.OtherFocusReason)

        def show(existing: list[str]) -> None:
            completer = ListCompleter(existing, self.tag_editor)
            completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
            completer.setFilterMode(Qt.MatchFlag.MatchContains)
            self.tag_editor.setCompleter(completer)

        self.dock.read("tags", _existing_tags, show)

    def close_tag_editor(self) -> None:
        had_focus = self.tag_editor.hasFocus()
        self.tag_editor.clear()
        self.tag_editor.hide()
        self.add_tag_button.show()
        if had_focus:
            self.add_tag_button.setFocus(Qt.FocusReason.OtherFocusReason)

    def add_tags(self) -> None:
        """Add the typed tag (or several, comma-separated), one save each, in order."""
        session, tid = self.dock.session, self.dock.ticket_id
        if tid is None:
            return
        try:
            names = text.split_tags(self.tag_editor.text())
        except TicketdeskError as exc:
            self.dock.notify(str(exc))
            return
        if not names:
            self.close_tag_editor()
            return

        def tagging(name: str) -> Callable[[int], Changes]:
            return lambda v: assignees.add_tag(session, tid, v, name)

        for name in names:
            self.dock.write(tagging(name), self.tr("Tag “{0}”").format(name),
                            busy=[self.add_tag_button])
        self.close_tag_editor()

    def remove_tag(self, name: object) -> None:
        session, tid = self.dock.session, self.dock.ticket_id
        if tid is None or not isinstance(name, str):
            return
        self.dock.write(lambda v: assignees.remove_tag(session, tid, v, name),
                        self.tr("Remove tag “{0}”").format(name), busy=[self.add_tag_button])


def _existing_tags(session: Session) -> list[str]:
    """Every tag on the desk, for completion (a failed read just completes nothing)."""
    try:
        return assignees.list_tags(session.store)
    except TicketdeskError:
        return []
