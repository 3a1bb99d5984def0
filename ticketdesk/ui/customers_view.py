"""View ▸ Customers (Ctrl+3): every customer, searchable and sortable, instant at 100,000
(ui/customer_model.py); a double-click or Enter opens the record (ui/customer_editor.py);
likely duplicates and organisations from the buttons above the list; "Delete…" moves the
selected customer to the recycle bin (ui/customer_delete.py).

The view reads on its own QueryRunner (its own thread and connection), so a search never
waits behind the ticket list's snapshot, and the window never waits on it."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QModelIndex, Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ticketdesk.services.changes import Changes
from ticketdesk.services.customer_list import CustomerQuery
from ticketdesk.services.session import Session
from ticketdesk.ui.customer_delete import CustomerDeleter
from ticketdesk.ui.customer_editor import CustomerEditor
from ticketdesk.ui.customer_model import CustomerTableModel
from ticketdesk.ui.hub import ChangeHub
from ticketdesk.ui.text import plain_label
from ticketdesk.ui.worker import QueryRunner

SEARCH_DELAY_MS = 150


class CustomersView(QWidget):
    def __init__(self, session: Session, hub: ChangeHub,
                 open_ticket: Callable[[int], None] | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("customersView")
        self.session = session
        self.hub = hub
        self.open_ticket = open_ticket
        self.organisation_id: int | None = None
        self.editor: CustomerEditor | None = None
        self.runner = QueryRunner(session.store, self)
        self.model = CustomerTableModel(session.store, self.runner, self)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 0)
        bar = QHBoxLayout()
        self.search = QLineEdit(self)
        self.search.setObjectName("customerSearch")
        self.search.setPlaceholderText(self.tr("Search name, any email address, phone, "
                                               "organisation…"))
        self.search.setClearButtonEnabled(True)
        bar.addWidget(self.search, 1)
        self.new_button = self._button(self.tr("New C&ustomer…"), "newCustomerButton",
                                       self.new_customer, bar)
        self.open_button = self._button(self.tr("Open…"), "openCustomerRecordButton",
                                        self.open_current, bar)
        self.duplicates_button = self._button(self.tr("&Merge Duplicates…"),
                                              "findDuplicatesButton", self.find_duplicates,
                                              bar)
        self.organisations_button = self._button(self.tr("Organisations…"),
                                                 "organisationsButton", self.show_organisations,
                                                 bar)
        self.deleter = CustomerDeleter(session, lambda changes: hub.announce(changes, self), self)
        self.delete_button = self._button(self.tr("Delete…"), "deleteCustomerButton",
                                          self.delete_current, bar)
        self.delete_button.setToolTip(self.tr("Move the selected customer to the recycle bin"))
        layout.addLayout(bar)
        self.filter_note = QPushButton("", self)
        self.filter_note.setObjectName("customerFilterNote")
        self.filter_note.setFlat(True)
        self.filter_note.clicked.connect(lambda: self.show_organisation(None))
        self.filter_note.hide()
        layout.addWidget(self.filter_note)

        self.table = QTableView(self)
        self.table.setObjectName("customerTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(
            self.table.fontMetrics().height() + 8)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        header.setSortIndicatorShown(True)
        header.setSectionsClickable(True)
        header.setSortIndicator(0, Qt.SortOrder.AscendingOrder)
        header.sectionClicked.connect(self._sort_clicked)
        for column, width in enumerate((200, 240, 120, 160, 90, 70)):
            header.resizeSection(column, width)
        self.table.doubleClicked.connect(self._activated)
        self.table.activated.connect(self._activated)
        layout.addWidget(self.table, 1)
        self.count_label = plain_label("", self)
        self.count_label.setObjectName("customerCount")
        self.notice = plain_label("", self)
        self.notice.setObjectName("customerNotice")
        self.deleter.said.connect(self.notice.setText)
        counts = QHBoxLayout()
        counts.addWidget(self.count_label)
        counts.addWidget(self.notice, 1)
        layout.addLayout(counts)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_DELAY_MS)
        self._timer.timeout.connect(self._search_now)
        self.search.textEdited.connect(lambda _text: self._timer.start())
        self.search.returnPressed.connect(self._search_now)
        self.model.countChanged.connect(self._show_count)
        self.model.queryFailed.connect(self.count_label.setText)
        hub.changed.connect(self._on_changes)
        self.model.set_query(CustomerQuery())

    def _button(self, text: str, name: str, slot: Callable[[], object],
                bar: QHBoxLayout) -> QPushButton:
        button = QPushButton(text, self)
        button.setObjectName(name)
        button.clicked.connect(slot)
        bar.addWidget(button)
        return button

    # -- the list -----------------------------------------------------------------------------

    def current_query(self) -> CustomerQuery:
        header = self.table.horizontalHeader()
        key = self.model.sort_key(header.sortIndicatorSection()) or CustomerQuery().sort
        return CustomerQuery(self.search.text(), key,
                             header.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder,
                             self.organisation_id)

    def _search_now(self) -> None:
        self._timer.stop()
        self.model.set_query(self.current_query())

    def _sort_clicked(self, _column: int) -> None:
        self.model.set_query(self.current_query())

    def show_organisation(self, organisation_id: int | None, name: str = "") -> None:
        """List only this organisation's customers (None: everyone)."""
        self.organisation_id = organisation_id
        self.filter_note.setText(self.tr("Customers of {0} ✕ (click to show everyone)")
                                 .format(name))
        self.filter_note.setVisible(organisation_id is not None)
        self.model.set_query(self.current_query())

    def _show_count(self) -> None:
        if self.model.matching is not None:
            self.count_label.setText(self.tr("{0} customers").format(
                f"{self.model.matching:,}"))

    def _on_changes(self, changes: Changes, _initiator: object) -> None:
        self.model.refresh(changes)

    def selected_customer(self) -> int | None:
        index = self.table.currentIndex()
        return self.model.customer_id(index.row()) if index.isValid() else None

    # -- commands -----------------------------------------------------------------------------

    def _activated(self, index: QModelIndex) -> None:
        cid = self.model.customer_id(index.row())
        if cid is not None:
            self.open_customer(cid)

    def open_current(self) -> None:
        cid = self.selected_customer()
        if cid is not None:
            self.open_customer(cid)

    def delete_current(self) -> None:
        self.notice.setText("")
        cid = self.selected_customer()
        if cid is None:
            self.notice.setText(self.tr("Select a customer to delete."))
            return
        self.deleter.delete(cid, self.model.name_of(cid)
                            or self.tr("customer {0}").format(cid))

    def new_customer(self) -> CustomerEditor:
        return self.open_customer(None)

    def open_customer(self, customer_id: int | None) -> CustomerEditor:
        editor = CustomerEditor(self.session, customer_id,
                                lambda changes: self.hub.announce(changes, self),
                                self.open_ticket, self)
        editor.finished.connect(editor.deleteLater)
        self.editor = editor
        editor.open()
        return editor

    def find_duplicates(self) -> QWidget:
        from ticketdesk.ui.customer_duplicates import DuplicatesDialog

        dialog = DuplicatesDialog(self.session, lambda changes: self.hub.announce(changes, self),
                                  self)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        return dialog

    def show_organisations(self) -> QWidget:
        from ticketdesk.ui.organisations_dialog import OrganisationsDialog

        dialog = OrganisationsDialog(self.session, self.show_organisation, self.open_ticket,
                                     lambda changes: self.hub.announce(changes, self), self)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        return dialog

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def shutdown(self) -> None:
        self.runner.stop()
