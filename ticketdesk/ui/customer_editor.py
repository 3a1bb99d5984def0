"""A customer's record: the editor (name, addresses, phone, organisation, notes, tags, external
id) with their tickets and their history, from the Customers view or the ticket dock.

Reads and the save run on the dialog's own QueryRunner (ticketdesk/ARCHITECTURE.md, "The window
never waits"); a refused save shows its message and keeps what was typed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QPlainTextEdit,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ticketdesk.domain.errors import TicketdeskError
from ticketdesk.domain.numbers import format_number
from ticketdesk.services import customer_records
from ticketdesk.services.changes import Changes
from ticketdesk.services.customer_records import CustomerDetail, CustomerEdit
from ticketdesk.services.session import Session
from ticketdesk.ui.labels import status_text
from ticketdesk.ui.text import local_time, plain_label
from ticketdesk.ui.worker import QueryRunner

LOAD, SAVE = "customer.load", "customer.save"
TicketIdRole = Qt.ItemDataRole.UserRole + 1


class CustomerEditor(QDialog):
    """`customer_id` None: a new customer. `announce` tells the window what a save changed;
    `open_ticket` shows a ticket of theirs in the main window."""

    def __init__(self, session: Session, customer_id: int | None,
                 announce: Callable[[Changes], None],
                 open_ticket: Callable[[int], None] | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("customerEditor")
        self.session = session
        self.customer_id = customer_id
        self.announce = announce
        self.open_ticket = open_ticket
        self.version = 0
        self.loading = customer_id is not None
        self.saving = False
        self._asked = 0
        self.runner = QueryRunner(session.store, self)
        self.runner.finished.connect(self._answered)
        self.runner.failed.connect(self._failed)
        self.setWindowTitle(self.tr("New Customer") if customer_id is None
                            else self.tr("Customer"))

        layout = QVBoxLayout(self)
        self.tabs = QTabWidget(self)
        details = QWidget(self.tabs)
        form = QFormLayout(details)
        self.name = self._line("customerNameEdit")
        form.addRow(self.tr("&Name:"), self.name)
        self.emails = QPlainTextEdit(details)
        self.emails.setObjectName("customerEmailsEdit")
        self.emails.setPlaceholderText(self.tr("One address a line; the first is the primary"))
        self.emails.setMaximumHeight(90)
        form.addRow(self.tr("&Email addresses:"), self.emails)
        self.phone = self._line("customerPhoneEdit")
        form.addRow(self.tr("&Phone:"), self.phone)
        self.organisation = self._line("customerOrganisationEdit")
        self.organisation.setPlaceholderText(self.tr("Company or organisation"))
        form.addRow(self.tr("&Organisation:"), self.organisation)
        self.tags = self._line("customerTagsEdit")
        self.tags.setPlaceholderText(self.tr("vip, reseller"))
        form.addRow(self.tr("&Tags:"), self.tags)
        self.external_id = self._line("customerExternalIdEdit")
        form.addRow(self.tr("E&xternal ID:"), self.external_id)
        self.notes = QPlainTextEdit(details)
        self.notes.setObjectName("customerNotesEdit")
        form.addRow(self.tr("No&tes:"), self.notes)
        self.details = details
        self.tabs.addTab(details, self.tr("Details"))
        self.tickets = self._tree("customerTickets", [self.tr("Ticket"), self.tr("Subject"),
                                                      self.tr("Status"), self.tr("Updated")])
        self.tickets.itemActivated.connect(self._ticket_activated)
        self.tabs.addTab(self.tickets, self.tr("Tickets"))
        self.history = self._tree("customerHistory", [self.tr("When"), self.tr("Who"),
                                                      self.tr("What")])
        self.tabs.addTab(self.history, self.tr("History"))
        layout.addWidget(self.tabs)
        self.message = plain_label("", self)
        self.message.setObjectName("customerEditorMessage")
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                        | QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.resize(560, 560)
        if customer_id is not None:
            self.details.setEnabled(False)
            self.message.setText(self.tr("Loading…"))
            self.load()

    def _line(self, name: str) -> QLineEdit:
        edit = QLineEdit(self)
        edit.setObjectName(name)
        return edit

    def _tree(self, name: str, headers: list[str]) -> QTreeWidget:
        tree = QTreeWidget(self)
        tree.setObjectName(name)
        tree.setRootIsDecorated(False)
        tree.setHeaderLabels(headers)
        return tree

    @property
    def busy(self) -> bool:
        return self.loading or self.saving

    # -- reading ------------------------------------------------------------------------------

    def load(self) -> None:
        store, cid = self.session.store, self.customer_id
        assert cid is not None
        self._asked += 1
        self.loading = True
        self.runner.submit(LOAD, self._asked, lambda: (
            customer_records.read_customer(store, cid),
            customer_records.customer_tickets(store, cid),
            customer_records.customer_history(store, cid)))

    def _show(self, detail: CustomerDetail, tickets: list[customer_records.CustomerTicket],
              history: list[customer_records.HistoryRow]) -> None:
        self.version = detail.version
        self.setWindowTitle(self.tr("Customer — {0}").format(detail.name))
        self.name.setText(detail.name)
        self.emails.setPlainText("\n".join(detail.emails))
        self.phone.setText(detail.phone)
        self.organisation.setText(detail.organisation)
        self.tags.setText(", ".join(detail.tags))
        self.external_id.setText(detail.external_id or "")
        self.notes.setPlainText(detail.notes)
        self.tickets.clear()
        for t in tickets:
            item = QTreeWidgetItem([format_number(t.id), t.subject, status_text(t.status),
                                    local_time(t.updated_at)])
            item.setData(0, TicketIdRole, t.id)
            self.tickets.addTopLevelItem(item)
        self.tabs.setTabText(1, self.tr("Tickets ({0})").format(len(tickets)))
        self.history.clear()
        for h in history:
            self.history.addTopLevelItem(QTreeWidgetItem(
                [local_time(h.at), h.agent, self._describe(h)]))

    def _describe(self, h: customer_records.HistoryRow) -> str:
        ticket = format_number(h.ticket_id) if h.ticket_id else ""
        words = {
            customer_records.CREATED: self.tr("Created as {new}"),
            customer_records.EDITED: self.tr("Changed {old} → {new}"),
            customer_records.ADDRESS_ADDED: self.tr("Address added: {new}"),
            customer_records.ADDRESS_REMOVED: self.tr("Address removed: {old}"),
            customer_records.MERGED: self.tr("Merged {old} into this customer"),
            customer_records.TICKET_MOVED: self.tr("{ticket} moved here from {old}"),
        }.get(h.kind, "{old} → {new}")
        return words.format(old=h.old or "", new=h.new or "", ticket=ticket)

    def _ticket_activated(self, item: QTreeWidgetItem) -> None:
        ticket_id = item.data(0, TicketIdRole)
        if self.open_ticket is not None and ticket_id is not None:
            self.open_ticket(int(ticket_id))

    # -- saving -------------------------------------------------------------------------------

    def edit(self) -> CustomerEdit:
        return CustomerEdit(
            name=self.name.text(), emails=self.emails.toPlainText().splitlines(),
            phone=self.phone.text(), organisation=self.organisation.text(),
            notes=self.notes.toPlainText(), tags=self.tags.text().split(","),
            external_id=self.external_id.text())

    def save(self) -> None:
        if self.busy:
            return
        session, cid, version, edit = self.session, self.customer_id, self.version, self.edit()
        self._asked += 1
        self.saving = True
        self.buttons.setEnabled(False)
        self.message.setText(self.tr("Saving…"))
        self.runner.submit(SAVE, self._asked,
                           lambda: customer_records.save_customer(session, cid, version, edit))

    def _answered(self, channel: str, _generation: int, result: Any) -> None:
        if channel == LOAD:
            self.loading = False
            self.details.setEnabled(True)
            self.message.setText("")
            self._show(*result)
        elif channel == SAVE:
            self.saving = False
            self.buttons.setEnabled(True)
            self.customer_id, changes = result
            self.message.setText(self.tr("Saved."))
            if not changes.nothing:
                self.announce(changes)
            self.accept()

    def _failed(self, channel: str, _generation: int, error: object) -> None:
        self.loading = self.saving = False
        self.details.setEnabled(True)
        self.buttons.setEnabled(True)
        self.message.setText(str(error) if isinstance(error, TicketdeskError)
                             else self.tr("Something went wrong: {0}").format(error))

    def done(self, result: int) -> None:
        self.runner.stop()  # its thread and connection end with the dialog
        super().done(result)
