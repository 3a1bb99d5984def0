"""The dock for the selected ticket. This first version shows the ticket read-only; the full
dock (editing, conversation, notes, activity) replaces it."""

from __future__ import annotations

from PySide6.QtWidgets import QFormLayout, QTabWidget, QVBoxLayout, QWidget

from ticketdesk.domain.errors import TicketdeskError
from ticketdesk.services import tickets
from ticketdesk.services.changes import Changes
from ticketdesk.services.session import Session
from ticketdesk.ui.hub import ChangeHub
from ticketdesk.ui.text import local_time, plain_label


class TicketDock(QWidget):
    def __init__(self, session: Session, hub: ChangeHub, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.hub = hub
        self.ticket_id: int | None = None
        layout = QVBoxLayout(self)
        self.tabs = QTabWidget(self)
        layout.addWidget(self.tabs)
        detail = QWidget(self)
        form = QFormLayout(detail)
        self.fields = {name: plain_label("", detail) for name in (
            "number", "subject", "status", "priority", "customer", "assignees", "tags",
            "created", "updated")}
        for name, label in self.fields.items():
            label.setWordWrap(True)
            form.addRow(self.tr(name.capitalize() + ":"), label)
        self.tabs.addTab(detail, self.tr("Detail"))
        hub.changed.connect(self._changed)

    def set_session(self, session: Session) -> None:
        self.session = session

    def show_ticket(self, ticket_id: int | None) -> None:
        self.ticket_id = ticket_id
        self._load()

    def _load(self) -> None:
        if self.ticket_id is None:
            for label in self.fields.values():
                label.setText("")
            return
        try:
            t = tickets.get_ticket(self.ticket_id)
        except TicketdeskError as exc:
            self.fields["subject"].setText(str(exc))
            return
        values = {
            "number": t.number, "subject": t.subject, "status": t.status.label,
            "priority": t.priority.label, "customer": t.customer.name if t.customer else "",
            "assignees": ", ".join(a.name for a in t.assignees), "tags": ", ".join(t.tags),
            "created": local_time(t.created_at), "updated": local_time(t.updated_at),
        }
        for name, value in values.items():
            self.fields[name].setText(value)

    def _changed(self, changes: Changes, _initiator: object) -> None:
        if self.ticket_id is not None and (changes.everything or self.ticket_id in changes.touched):
            self._load()

    def close_work(self) -> bool:
        """Called before the window closes; True if it may close."""
        return True
