"""Change a ticket's customer: search existing customers by name, email or company (in SQL, a
page at a time), or choose none."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ticketdesk.db.store import Store
from ticketdesk.domain.errors import TicketdeskError
from ticketdesk.services import customers
from ticketdesk.services.records import CustomerRecord
from ticketdesk.ui.text import plain_label

NONE = -1
LIMIT = 50


def customer_line(c: CustomerRecord) -> str:
    details = " · ".join(p for p in (c.email, c.company) if p)
    return f"{c.name} — {details}" if details else c.name


class CustomerPicker(QDialog):
    """`customer_id` is the choice after accept (None: no customer)."""

    def __init__(self, store: Store, current: CustomerRecord | None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.setObjectName("customerPicker")
        self.setWindowTitle(self.tr("Change customer"))
        self.customer_id: int | None = current.id if current else None
        column = QVBoxLayout(self)
        column.addWidget(plain_label(self.tr("Search by name, email or company:"), self))
        self.search = QLineEdit(self)
        self.search.setObjectName("customerSearch")
        self.search.setClearButtonEnabled(True)
        column.addWidget(self.search)
        self.results = QListWidget(self)
        self.results.setObjectName("customerResults")
        self.results.setUniformItemSizes(True)
        column.addWidget(self.results)
        self.error = plain_label("", self)
        self.error.setWordWrap(True)
        column.addWidget(self.error)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        column.addWidget(self.buttons)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(150)
        self._timer.timeout.connect(self.refresh)
        self.search.textEdited.connect(lambda _t: self._timer.start())
        self.search.returnPressed.connect(self._enter)
        self.results.itemDoubleClicked.connect(lambda _i: self.accept())
        self.refresh()
        self.resize(440, 380)

    def refresh(self) -> None:
        self._timer.stop()
        try:
            found = customers.find_customers(self.store, self.search.text(), limit=LIMIT)
        except TicketdeskError as exc:
            self.error.setText(str(exc))
            return
        self.results.clear()
        none = QListWidgetItem(self.tr("(no customer)"), self.results)
        none.setData(Qt.ItemDataRole.UserRole, NONE)
        for c in found:
            item = QListWidgetItem(customer_line(c), self.results)
            item.setData(Qt.ItemDataRole.UserRole, c.id)
            if c.id == self.customer_id:
                self.results.setCurrentItem(item)
        if self.results.currentRow() < 0:
            self.results.setCurrentRow(1 if found else 0)

    def _enter(self) -> None:
        self.refresh()
        self.results.setFocus()

    def accept(self) -> None:
        if self.results.currentRow() < 0:
            return
        item = self.results.currentItem()
        chosen = int(item.data(Qt.ItemDataRole.UserRole))
        self.customer_id = None if chosen == NONE else chosen
        super().accept()
