"""Desk ▸ Canned Responses…: the desk's shared reply texts (issue 18), each with a title, a
text with placeholders and optional actions (status, priority, tags to add).

Saving checks the placeholders in the service (`services/canned.save_canned`); an unknown one
is refused with a message naming it and the text stays in the form to be corrected. Reads and
saves run on the dialog's own `QueryRunner`: the window never waits (ticketdesk/ARCHITECTURE.md).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ticketdesk.domain.placeholders import PLACEHOLDERS
from ticketdesk.domain.status import Priority, Status
from ticketdesk.services import canned
from ticketdesk.services.canned import Canned
from ticketdesk.services.session import Session
from ticketdesk.ui.dock.canned_completer import CannedCompleter
from ticketdesk.ui.labels import priority_text, status_text
from ticketdesk.ui.worker import QueryRunner

LIST, WRITE = "canned.list", "canned.write"
NO_CHANGE = -1
"""The combo boxes' "leave it" entry."""


class CannedDialog(QDialog):
    saved = Signal()
    """A save or delete was done (tests wait for it)."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("cannedDialog")
        self.setWindowTitle(self.tr("Canned Responses"))
        self.session = session
        self.responses: list[Canned] = []
        self.editing: int | None = None
        self.runner = QueryRunner(session.store, self)
        self.runner.finished.connect(self._answer)
        self.runner.failed.connect(self._failed)
        self._generation = 0

        self.list = QListWidget(self)
        self.list.setObjectName("cannedList")
        self.list.setAccessibleName(self.tr("Canned responses"))
        self.list.currentItemChanged.connect(lambda item, _old: self._show(item))
        self.title = QLineEdit(self)
        self.title.setObjectName("cannedTitle")
        self.body = QPlainTextEdit(self)
        self.body.setObjectName("cannedBody")
        self.status = QComboBox(self)
        self.status.setObjectName("cannedStatus")
        self.status.addItem(self.tr("(leave as it is)"), NO_CHANGE)
        for s in Status:
            self.status.addItem(status_text(s), int(s))
        self.priority = QComboBox(self)
        self.priority.setObjectName("cannedPriority")
        self.priority.addItem(self.tr("(leave as it is)"), NO_CHANGE)
        for p in Priority:
            self.priority.addItem(priority_text(p), int(p))
        self.tags = QLineEdit(self)
        self.tags.setObjectName("cannedTags")
        self.tags.setPlaceholderText(self.tr("billing, refund"))
        self.error = QLabel(self)
        self.error.setObjectName("cannedError")
        self.error.setTextFormat(Qt.TextFormat.PlainText)
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: palette(highlight)")
        known = QLabel(self.tr("Placeholders: {0}").format(
            "  ".join(f"{{{{{name}}}}}" for name in PLACEHOLDERS)), self)
        known.setTextFormat(Qt.TextFormat.PlainText)
        known.setWordWrap(True)
        known.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        form = QFormLayout()
        form.addRow(self._buddy(self.tr("&Title:"), self.title), self.title)
        form.addRow(self._buddy(self.tr("Te&xt:"), self.body), self.body)
        form.addRow(known)
        form.addRow(self._buddy(self.tr("Set stat&us:"), self.status), self.status)
        form.addRow(self._buddy(self.tr("Set &priority:"), self.priority), self.priority)
        form.addRow(self._buddy(self.tr("&Add tags:"), self.tags), self.tags)
        form.addRow(self.error)
        self.new_button = QPushButton(self.tr("&New"), self)
        self.save_button = QPushButton(self.tr("&Save"), self)
        self.save_button.setObjectName("cannedSave")
        self.delete_button = QPushButton(self.tr("&Delete"), self)
        self.new_button.clicked.connect(self.new)
        self.save_button.clicked.connect(self.save)
        self.delete_button.clicked.connect(self.delete)
        buttons = QHBoxLayout()
        for b in (self.new_button, self.save_button, self.delete_button):
            b.setAutoDefault(False)
            buttons.addWidget(b)
        buttons.addStretch(1)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close.rejected.connect(self.reject)
        buttons.addWidget(close)
        right = QVBoxLayout()
        right.addLayout(form)
        right.addLayout(buttons)
        row = QHBoxLayout(self)
        row.addWidget(self.list, 1)
        row.addLayout(right, 2)
        self.resize(820, 480)
        self.reload()

    def _buddy(self, text: str, widget: QWidget) -> QLabel:
        label = QLabel(text, self)
        label.setBuddy(widget)
        return label

    # -- reading ------------------------------------------------------------------------------

    def reload(self) -> None:
        store = self.session.store
        self._generation += 1
        self.runner.submit(LIST, self._generation, lambda: canned.list_canned(store))

    def _answer(self, channel: str, _generation: int, result: Any) -> None:
        if channel == LIST:
            self.responses = result
            self.list.blockSignals(True)
            self.list.clear()
            for response in result:
                item = QListWidgetItem(response.title, self.list)
                item.setData(Qt.ItemDataRole.UserRole, response.id)
                if response.id == self.editing:
                    self.list.setCurrentItem(item)
            self.list.blockSignals(False)
        elif channel == WRITE:
            then: Callable[[Any], None] = result[0]
            then(result[1])
            CannedCompleter.invalidate()
            self.saved.emit()
            self.reload()

    def _failed(self, channel: str, _generation: int, error: object) -> None:
        self.error.setText(str(error))
        self.save_button.setEnabled(True)

    def _show(self, item: QListWidgetItem | None) -> None:
        found = next((c for c in self.responses
                      if item is not None and c.id == item.data(Qt.ItemDataRole.UserRole)), None)
        self.error.clear()
        if found is None:
            return
        self.editing = found.id
        self.title.setText(found.title)
        self.body.setPlainText(found.body)
        self._choose(self.status, found.set_status)
        self._choose(self.priority, found.set_priority)
        self.tags.setText(", ".join(found.add_tags))

    @staticmethod
    def _choose(combo: QComboBox, value: int | None) -> None:
        index = combo.findData(NO_CHANGE if value is None else int(value))
        combo.setCurrentIndex(max(index, 0))

    # -- changing -----------------------------------------------------------------------------

    def new(self) -> None:
        self.editing = None
        self.list.clearSelection()
        for edit in (self.title, self.tags):
            edit.clear()
        self.body.clear()
        self.status.setCurrentIndex(0)
        self.priority.setCurrentIndex(0)
        self.error.clear()
        self.title.setFocus()

    def save(self) -> None:
        session, editing = self.session, self.editing
        title, body = self.title.text(), self.body.toPlainText()
        status_value, priority_value = self.status.currentData(), self.priority.currentData()
        status = Status(status_value) if status_value != NO_CHANGE else None
        priority = Priority(priority_value) if priority_value != NO_CHANGE else None
        tags = [t for t in self.tags.text().split(",") if t.strip()]
        self.error.clear()
        self.save_button.setEnabled(False)

        def done(saved: Canned) -> None:
            self.editing = saved.id
            self.save_button.setEnabled(True)

        self.runner.submit_each(WRITE, lambda: (done, canned.save_canned(
            session, title, body, canned_id=editing, set_status=status, set_priority=priority,
            add_tags=tags)))

    def delete(self) -> None:
        if self.editing is None:
            return
        session, canned_id = self.session, self.editing
        def delete() -> tuple[Callable[[Any], None], None]:
            canned.delete_canned(session, canned_id)
            return (lambda _r: self.new()), None

        self.runner.submit_each(WRITE, delete)

    def done(self, result: int) -> None:
        self.runner.stop()
        super().done(result)
