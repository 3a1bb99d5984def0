"""Keyboard-only work from the list to the dock and back (issue 18): the Ticket menu.

Open (Enter in the list, or Ctrl+O) moves the focus into the dock; Ctrl+R opens the reply box;
Ctrl+Shift+A assigns the ticket to whoever is working; Ctrl+Shift+C closes it; F8 / Shift+F8
select the next / previous ticket of the list; Ctrl+L puts the focus back in the list. Each
command goes through the dock's own controls, so its saves take the dock's path (versions,
conflicts, the write queue) and nothing here touches the database.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu

from ticketdesk.domain.status import Status
from ticketdesk.ui import role_gate
from ticketdesk.ui.dock.ticket_dock import CONVERSATION, DETAIL

if TYPE_CHECKING:
    from ticketdesk.ui.main_window import MainWindow


class TicketKeys(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window_ = window
        menu = QMenu(self.tr("Tic&ket"), window)
        menu.setObjectName("ticketMenu")
        self.menu = menu
        self.open_action = self._add("&Open in Details", self.open_ticket, "Ctrl+O",
                                     "openTicketAction")
        self.reply_action = self._add("&Reply", self.reply, "Ctrl+R", "replyAction")
        self.assign_action = self._add("Assign to &Me", self.assign_to_me, "Ctrl+Shift+A",
                                       "assignToMeAction")
        self.close_action = self._add("&Close Ticket", self.close_ticket, "Ctrl+Shift+C",
                                      "closeTicketAction")
        menu.addSeparator()
        self.next_action = self._add("&Next Ticket", lambda: self.step(1), "F8",
                                     "nextTicketAction")
        self.previous_action = self._add("&Previous Ticket", lambda: self.step(-1), "Shift+F8",
                                         "previousTicketAction")
        self.list_action = self._add("Back to the &List", self.focus_list, "Ctrl+L",
                                     "focusListAction")
        window.table.activated.connect(lambda _index: self.open_ticket())
        window.table.ticketSelected.connect(self.update)
        self.update(None)

    def update(self, ticket_id: object) -> None:
        """The commands on one ticket are enabled while a ticket is shown (menus, palette);
        Assign to Me and Close Ticket only if the signed-in role may change it."""
        for action in (self.open_action, self.reply_action, self.assign_action,
                       self.close_action):
            role_gate.enable(action, ticket_id is not None)

    def _add(self, text: str, slot: Callable[[], object], keys: str, name: str) -> QAction:
        action = QAction(QCoreApplication.translate("TicketKeys", text), self.window_)
        action.setObjectName(name)
        action.setShortcut(QKeySequence(keys))
        action.triggered.connect(slot)
        self.window_.addAction(action)
        self.menu.addAction(action)
        return action

    def _dock_ready(self, tab: int) -> bool:
        window = self.window_
        if window.ticket_dock.ticket_id is None:
            window.statusBar().showMessage(self.tr("Select a ticket first."), 3000)
            return False
        window.show_tickets()
        window.dock.show()
        window.dock.raise_()
        window.ticket_dock.tabs.setCurrentIndex(tab)
        return True

    def open_ticket(self) -> None:
        if self._dock_ready(DETAIL):
            self.window_.ticket_dock.detail_tab.status.setFocus(
                Qt.FocusReason.ShortcutFocusReason)

    def reply(self) -> None:
        if self._dock_ready(CONVERSATION):
            self.window_.ticket_dock.conversation_tab.reply.setFocus(
                Qt.FocusReason.ShortcutFocusReason)

    def assign_to_me(self) -> None:
        window = self.window_
        me, ticket = window.session.agent_id, window.ticket_dock.ticket
        if me is None or ticket is None:
            return
        if any(a.id == me for a in ticket.assignees):
            window.statusBar().showMessage(self.tr("Already assigned to you."), 3000)
            return
        window.ticket_dock.detail_tab.people.assign(me)

    def close_ticket(self) -> None:
        ticket = self.window_.ticket_dock.ticket
        if ticket is not None and ticket.status != Status.CLOSED:
            self.window_.ticket_dock.detail_tab.set_status(Status.CLOSED)

    def step(self, by: int) -> None:
        table = self.window_.table
        rows = table.ticket_model.rowCount()
        if rows == 0:
            return
        current = table.currentIndex()
        row = current.row() + by if current.isValid() else 0
        row = max(0, min(rows - 1, row))
        table.selectRow(row)
        table.scrollTo(table.ticket_model.index(row, 0))

    def focus_list(self) -> None:
        self.window_.show_tickets()
        self.window_.table.setFocus(Qt.FocusReason.ShortcutFocusReason)


def everyday_keys() -> list[tuple[str, str]]:
    """Keys that are not menu commands, for Help ▸ Keyboard Shortcuts."""
    def t(text: str) -> str:
        return QCoreApplication.translate("TicketKeys", text)

    return [
        ("Enter", t("In the list: open the ticket in the details")),
        ("/ or Ctrl+M", t("In the reply or note box: insert a canned response")),
        ("F2 / Delete", t("In the views panel: rename / delete the view")),
        ("Ctrl+Up / Ctrl+Down", t("In the views panel: move the view up / down")),
    ]
