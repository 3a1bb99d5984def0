"""Organisations: the companies customers belong to, each with its customers and tickets
(services/organisations.py), read off the GUI thread on the dialog's own QueryRunner."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ticketdesk.domain.errors import TicketdeskError
from ticketdesk.domain.numbers import format_number
from ticketdesk.services import organisations
from ticketdesk.services.changes import Changes
from ticketdesk.services.session import Session
from ticketdesk.ui.labels import status_text
from ticketdesk.ui.text import local_time, plain_label
from ticketdesk.ui.worker import QueryRunner

LIST, TICKETS, RENAME = "organisations.list", "organisations.tickets", "organisations.rename"
IdRole = Qt.ItemDataRole.UserRole + 1


class OrganisationsDialog(QDialog):
    """`show_customers(id, name)` lists an organisation's customers in the Customers view;
    `open_ticket` shows a ticket in the main window."""

    def __init__(self, session: Session, show_customers: Callable[[int, str], None],
                 open_ticket: Callable[[int], None] | None,
                 announce: Callable[[Changes], None] | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("organisationsDialog")
        self.setWindowTitle(self.tr("Organisations"))
        self.session = session
        self.show_customers = show_customers
        self.open_ticket = open_ticket
        self.announce = announce
        self.versions: dict[int, int] = {}
        self.busy = True
        self._asked = 0
        self.runner = QueryRunner(session.store, self)
        self.runner.finished.connect(self._answered)
        self.runner.failed.connect(self._failed)
        layout = QVBoxLayout(self)
        row = QHBoxLayout()
        self.organisations = QTreeWidget(self)
        self.organisations.setObjectName("organisationList")
        self.organisations.setRootIsDecorated(False)
        self.organisations.setHeaderLabels([self.tr("Organisation"), self.tr("Customers")])
        self.organisations.currentItemChanged.connect(lambda item, _old: self._chosen(item))
        row.addWidget(self.organisations, 1)
        self.tickets = QTreeWidget(self)
        self.tickets.setObjectName("organisationTickets")
        self.tickets.setRootIsDecorated(False)
        self.tickets.setHeaderLabels([self.tr("Ticket"), self.tr("Subject"), self.tr("Status"),
                                      self.tr("Customer"), self.tr("Updated")])
        self.tickets.itemActivated.connect(self._ticket_activated)
        row.addWidget(self.tickets, 2)
        layout.addLayout(row, 1)
        rename_row = QHBoxLayout()
        self.name = QLineEdit(self)
        self.name.setObjectName("organisationNameEdit")
        self.name.setPlaceholderText(self.tr("The chosen organisation's name"))
        rename_row.addWidget(self.name, 1)
        self.rename_button = QPushButton(self.tr("Re&name"), self)
        self.rename_button.setObjectName("renameOrganisationButton")
        self.rename_button.clicked.connect(self.rename)
        rename_row.addWidget(self.rename_button)
        layout.addLayout(rename_row)
        self.message = plain_label("", self)
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.customers_button = QPushButton(self.tr("Show &Customers"), self)
        self.customers_button.setObjectName("showOrganisationCustomersButton")
        self.customers_button.clicked.connect(self._show_customers)
        buttons.addButton(self.customers_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(820, 480)
        self.load()

    def load(self) -> None:
        store = self.session.store
        self._asked += 1
        self.busy = True
        self.runner.submit(LIST, self._asked, lambda: organisations.list_organisations(store))

    def rename(self) -> None:
        item = self.organisations.currentItem()
        if item is None or self.busy:
            return
        session, oid, name = self.session, int(item.data(0, IdRole)), self.name.text()
        version = self.versions.get(oid, 1)
        self._asked += 1
        self.busy = True
        self.runner.submit(RENAME, self._asked, lambda: organisations.rename_organisation(
            session, oid, version, name))

    def _chosen(self, item: QTreeWidgetItem | None) -> None:
        if item is None:
            return
        self.name.setText(item.text(0))
        store, oid = self.session.store, int(item.data(0, IdRole))
        self._asked += 1
        self.busy = True
        self.runner.submit(TICKETS, self._asked,
                           lambda: organisations.organisation_tickets(store, oid))

    def _answered(self, channel: str, _generation: int, result: Any) -> None:
        self.busy = False
        if channel == LIST:
            self.organisations.clear()
            for org in result:
                item = QTreeWidgetItem([org.name, str(org.customers)])
                item.setData(0, IdRole, org.id)
                self.versions[org.id] = org.version
                self.organisations.addTopLevelItem(item)
            self.message.setText(self.tr("{0} organisations").format(len(result)))
        elif channel == TICKETS:
            self.tickets.clear()
            for t in result:
                item = QTreeWidgetItem([format_number(t.id), t.subject, status_text(t.status),
                                        t.customer, local_time(t.updated_at)])
                item.setData(0, IdRole, t.id)
                self.tickets.addTopLevelItem(item)
            self.message.setText(self.tr("{0} tickets").format(len(result)))
        elif channel == RENAME:
            if self.announce is not None and not result.nothing:
                self.announce(result)
            self.load()

    def _failed(self, _channel: str, _generation: int, error: object) -> None:
        self.busy = False
        self.message.setText(str(error) if isinstance(error, TicketdeskError)
                             else self.tr("Something went wrong: {0}").format(error))

    def _show_customers(self) -> None:
        item = self.organisations.currentItem()
        if item is not None:
            self.show_customers(int(item.data(0, IdRole)), item.text(0))
            self.accept()

    def _ticket_activated(self, item: QTreeWidgetItem) -> None:
        if self.open_ticket is not None:
            self.open_ticket(int(item.data(0, IdRole)))

    def done(self, result: int) -> None:
        self.runner.stop()
        super().done(result)
