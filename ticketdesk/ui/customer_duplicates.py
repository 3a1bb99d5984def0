"""Find likely duplicate customers and merge a pair (services/customer_merge.py), off the GUI
thread on the dialog's own QueryRunner."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ticketdesk.domain.errors import TicketdeskError
from ticketdesk.services import customer_merge
from ticketdesk.services.changes import Changes
from ticketdesk.services.customer_merge import DuplicatePair
from ticketdesk.services.session import Session
from ticketdesk.ui.text import plain_label
from ticketdesk.ui.worker import QueryRunner

FIND, MERGE = "duplicates.find", "duplicates.merge"
PairRole = Qt.ItemDataRole.UserRole + 1


class DuplicatesDialog(QDialog):
    def __init__(self, session: Session, announce: Callable[[Changes], None],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("duplicatesDialog")
        self.setWindowTitle(self.tr("Likely Duplicate Customers"))
        self.session = session
        self.announce = announce
        self.busy = False
        self._asked = 0
        self._merged = False
        self.runner = QueryRunner(session.store, self)
        self.runner.finished.connect(self._answered)
        self.runner.failed.connect(self._failed)
        layout = QVBoxLayout(self)
        self.pairs = QTreeWidget(self)
        self.pairs.setObjectName("duplicatePairs")
        self.pairs.setRootIsDecorated(False)
        self.pairs.setHeaderLabels([self.tr("Customer"), self.tr("Probably the same as"),
                                    self.tr("Why")])
        layout.addWidget(self.pairs, 1)
        self.message = plain_label("", self)
        self.message.setObjectName("duplicatesMessage")
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.merge_button = QPushButton(self.tr("&Merge Second into First"), self)
        self.merge_button.setObjectName("mergeCustomersButton")
        self.merge_button.setToolTip(self.tr(
            "The second customer's tickets, addresses and tags move to the first, "
            "and the second record is removed"))
        self.merge_button.clicked.connect(self.merge_current)
        buttons.addButton(self.merge_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(640, 460)
        self.look()

    def look(self) -> None:
        store = self.session.store
        self._asked += 1
        self.busy = True
        self.message.setText(self.tr("Looking for duplicates…"))
        self.runner.submit(FIND, self._asked, lambda: customer_merge.find_duplicates(store))

    def merge_current(self) -> None:
        item = self.pairs.currentItem()
        if item is None or self.busy:
            return
        pair: DuplicatePair = item.data(0, PairRole)
        session = self.session
        self._asked += 1
        self.busy = True
        self.merge_button.setEnabled(False)
        self.message.setText(self.tr("Merging…"))
        self.runner.submit(MERGE, self._asked, lambda: customer_merge.merge_customers(
            session, pair.first_id, pair.first_version, pair.second_id, pair.second_version))

    def _answered(self, channel: str, _generation: int, result: Any) -> None:
        self.busy = False
        self.merge_button.setEnabled(True)
        if channel == FIND:
            self.pairs.clear()
            for pair in result:
                item = QTreeWidgetItem([f"{pair.first_name} ({pair.first_id})",
                                        f"{pair.second_name} ({pair.second_id})",
                                        self._why(pair.reason)])
                item.setData(0, PairRole, pair)
                self.pairs.addTopLevelItem(item)
            found = self.tr("{0} likely duplicates").format(len(result))
            if self._merged:  # the list read again after a merge: say both
                self._merged = False
                found = self.tr("Merged. {0} likely duplicates left.").format(len(result))
            self.message.setText(found)
        elif channel == MERGE:
            self.announce(result)
            self.look()
            self.message.setText(self.tr("Merged."))
            self._merged = True

    def _why(self, reason: str) -> str:
        if reason.startswith("same address "):
            return self.tr("Same address {0}").format(reason.removeprefix("same address "))
        return self.tr("Same name") if reason == "same name" else self.tr("Similar names")

    def _failed(self, _channel: str, _generation: int, error: object) -> None:
        self.busy = False
        self.merge_button.setEnabled(True)
        self.message.setText(str(error) if isinstance(error, TicketdeskError)
                             else self.tr("Something went wrong: {0}").format(error))

    def done(self, result: int) -> None:
        self.runner.stop()
        super().done(result)
