"""Read-only parts of the Detail tab: the customer box and the times box.

Kept apart from detail_tab.py, which holds the controls that save: these only show a
`TicketDetail` (plain-text labels: a customer's name and email are untrusted text).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFormLayout, QGroupBox, QHBoxLayout, QLabel, QPushButton, QWidget

from ticketdesk.services.records import TicketDetail
from ticketdesk.ui import role_gate
from ticketdesk.ui.dock.chips import ChipRow
from ticketdesk.ui.text import local_time, plain_label

NO_TIME = "—"


class CustomerBox(QGroupBox):
    """Who the ticket is for, with "Change…" (the Detail tab connects it) and "Record…",
    which asks the window to open the customer's record (ui/customer_editor.py)."""

    openRequested = Signal(int)  # a customer id

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("Customer"), parent)
        self.setObjectName("customerBox")
        form = QFormLayout(self)
        self.name = plain_label("", self)
        self.name.setObjectName("customerName")
        bold = self.name.font()
        bold.setBold(True)
        self.name.setFont(bold)
        self.change_button = QPushButton(self.tr("Chan&ge…"), self)
        self.change_button.setObjectName("changeCustomerButton")
        name_row = QHBoxLayout()
        name_row.addWidget(self.name, 1)
        name_row.addWidget(self.change_button)
        self.customer_id: int | None = None
        self.open_button = QPushButton(self.tr("Record…"), self)
        self.open_button.setObjectName("openCustomerButton")
        self.open_button.setToolTip(self.tr("Open the customer's record: details, tickets, "
                                            "history"))
        self.open_button.setEnabled(False)
        self.open_button.clicked.connect(self._open)
        name_row.addWidget(self.open_button)
        form.addRow(self.tr("Name:"), name_row)
        self.fields: dict[str, QLabel] = {}
        for key, label in (("email", self.tr("Email:")), ("phone", self.tr("Phone:")),
                           ("company", self.tr("Company:"))):
            value = plain_label("", self)
            value.setObjectName(f"customer{key.capitalize()}")
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                          | Qt.TextInteractionFlag.TextSelectableByKeyboard)
            value.setWordWrap(True)
            form.addRow(label, value)
            self.fields[key] = value
        self.tags = ChipRow(self, removable=False, empty_text="—")
        self.tags.setObjectName("customerTagChips")
        form.addRow(self.tr("Tags:"), self.tags)

    def show_ticket(self, t: TicketDetail) -> None:
        c = t.customer
        self.customer_id = c.id if c else None
        self.open_button.setEnabled(c is not None)
        self.name.setText(c.name if c else self.tr("No customer"))
        for key, label in self.fields.items():
            label.setText(getattr(c, key) if c else "")
        self.tags.set_items([(n, n) for n in c.tags] if c else [])
        if role_gate.wanted(self.change_button):  # a busy one says "Saving…" until answered
            self.change_button.setText(self.tr("Chan&ge…") if c else self.tr("Choose (&G)…"))

    def _open(self) -> None:
        if self.customer_id is not None:
            self.openRequested.emit(self.customer_id)


class TimesBox(QGroupBox):
    """Created, updated, first response, resolved, closed: in the user's local time."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("Times"), parent)
        form = QFormLayout(self)
        self.times: dict[str, QLabel] = {}
        for key, label in (("created", self.tr("Created:")), ("updated", self.tr("Updated:")),
                           ("first_response", self.tr("First response:")),
                           ("resolved", self.tr("Resolved:")), ("closed", self.tr("Closed:"))):
            value = plain_label(NO_TIME, self)
            value.setObjectName(f"{key}Time")
            form.addRow(label, value)
            self.times[key] = value

    def show_ticket(self, t: TicketDetail) -> None:
        for key, epoch in (("created", t.created_at), ("updated", t.updated_at),
                           ("first_response", t.first_response_at),
                           ("resolved", t.resolved_at), ("closed", t.closed_at)):
            self.times[key].setText(local_time(epoch) or NO_TIME)
