"""Desk ▸ API Tokens…: the integrations that may call `ticketdesk serve` (issue 22) — list, add
(the token is shown once, with Copy), revoke.

Every read and write runs on the dialog's own query thread through `services.api_tokens`; the
window never waits (ticketdesk/ARCHITECTURE.md, "Threading"). The token itself lives only in
this dialog's field until it closes: the desk keeps its hash.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ticketdesk.domain.errors import TicketdeskError
from ticketdesk.services import api_tokens
from ticketdesk.services.api_tokens import TokenRecord
from ticketdesk.services.session import Session
from ticketdesk.ui.text import plain_box, plain_label
from ticketdesk.ui.worker import QueryRunner

LOAD, ADD, REVOKE = "tokens.load", "tokens.add", "tokens.revoke"


class NewTokenDialog(QDialog):
    """The integration's name and whether its token may only read."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("newApiTokenDialog")
        self.setWindowTitle(self.tr("Add API Token"))
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.name = QLineEdit(self)
        self.name.setObjectName("apiTokenName")
        self.name.setPlaceholderText(self.tr("website-form"))
        form.addRow(self.tr("&Integration:"), self.name)
        self.read_only = QCheckBox(self.tr("&Read-only (may list and read tickets only)"), self)
        self.read_only.setObjectName("apiTokenReadOnly")
        form.addRow("", self.read_only)
        layout.addLayout(form)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)


class ApiTokensDialog(QDialog):
    def __init__(self, session: Session, parent: QWidget | None = None, *,
                 ask_new: Callable[[QWidget], tuple[str, bool] | None] | None = None) -> None:
        """`ask_new` asks for a new token's name and read-only flag (tests answer it)."""
        super().__init__(parent)
        self.setObjectName("apiTokensDialog")
        self.setWindowTitle(self.tr("API Tokens"))
        self.session = session
        self.ask_new = ask_new or self._ask_new
        self.records: list[TokenRecord] = []
        self._pending = 0
        self.runner = QueryRunner(session.store, self)
        self.runner.finished.connect(self._answered)
        self.runner.failed.connect(self._failed)
        layout = QVBoxLayout(self)
        intro = plain_label(self.tr(
            "Programs that call the desk's HTTP API (ticketdesk serve) each use a token of "
            "their own. Their changes appear in the activity as api:NAME."), self)
        intro.setWordWrap(True)
        layout.addWidget(intro)
        row = QHBoxLayout()
        self.table = QTreeWidget(self)
        self.table.setObjectName("apiTokenList")
        self.table.setRootIsDecorated(False)
        self.table.setHeaderLabels([self.tr("Integration"), self.tr("Access"),
                                    self.tr("Created"), self.tr("Last used")])
        row.addWidget(self.table, 1)
        side = QVBoxLayout()
        self.add_button = QPushButton(self.tr("&Add…"), self)
        self.add_button.setObjectName("addApiTokenButton")
        self.add_button.clicked.connect(self.add_token)
        self.revoke_button = QPushButton(self.tr("&Revoke"), self)
        self.revoke_button.setObjectName("revokeApiTokenButton")
        self.revoke_button.clicked.connect(self.revoke_token)
        side.addWidget(self.add_button)
        side.addWidget(self.revoke_button)
        side.addStretch(1)
        row.addLayout(side)
        layout.addLayout(row)
        self.shown = plain_label("", self)
        self.shown.setObjectName("apiTokenShownOnce")
        self.shown.setWordWrap(True)
        layout.addWidget(self.shown)
        token_row = QHBoxLayout()
        self.token = QLineEdit(self)
        self.token.setObjectName("apiTokenValue")
        self.token.setReadOnly(True)
        self.copy_button = QPushButton(self.tr("&Copy"), self)
        self.copy_button.setObjectName("copyApiTokenButton")
        self.copy_button.clicked.connect(self.copy_token)
        token_row.addWidget(self.token, 1)
        token_row.addWidget(self.copy_button)
        layout.addLayout(token_row)
        self._show_token("", "")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(620, 420)
        self.load()

    @property
    def busy(self) -> bool:
        """A read or a write is on its way (tests wait for it as a user watches)."""
        return self._pending > 0

    def _submit(self, channel: str, fn: Callable[[], Any]) -> None:
        self._pending += 1
        self.runner.submit_each(channel, fn)

    def load(self) -> None:
        store = self.session.store
        self._submit(LOAD, lambda: api_tokens.list_tokens(store))

    def _ask_new(self, parent: QWidget) -> tuple[str, bool] | None:
        dialog = NewTokenDialog(parent)
        try:
            if dialog.exec():
                return dialog.name.text(), dialog.read_only.isChecked()
            return None
        finally:
            dialog.deleteLater()

    def add_token(self) -> None:
        answer = self.ask_new(self)
        if answer is None:
            return
        name, read_only = answer
        session = self.session
        self.setEnabled(False)
        self._submit(ADD, lambda: (name.strip(), api_tokens.add_token(
            session, name, read_only=read_only)[0]))

    def revoke_token(self) -> None:
        item = self.table.currentItem()
        if item is None:
            return
        record = self.records[self.table.indexOfTopLevelItem(item)]
        if not record.active:
            return
        asked = QMessageBox.question(self, self.windowTitle(), self.tr(
            "Revoke the token of {0}? Its next call is refused.").format(record.name))
        if asked != QMessageBox.StandardButton.Yes:
            return
        session = self.session
        self.setEnabled(False)
        self._submit(REVOKE, lambda: api_tokens.revoke_token(session, record.name))

    def copy_token(self) -> None:
        if self.token.text():
            QApplication.clipboard().setText(self.token.text())

    def _show_token(self, name: str, token: str) -> None:
        self.token.setText(token)
        for widget in (self.token, self.copy_button):
            widget.setVisible(bool(token))
        self.shown.setText(self.tr(
            "The token of {0}, shown only now: copy it into the integration's settings.")
            .format(name) if token else "")

    def _answered(self, channel: str, _generation: int, result: Any) -> None:
        self._pending -= 1
        self.setEnabled(True)
        if channel == LOAD:
            self._fill(result)
            return
        if channel == ADD:
            self._show_token(*result)
        self.load()

    def _failed(self, channel: str, _generation: int, error: object) -> None:
        self._pending -= 1
        self.setEnabled(True)
        message = str(error) if isinstance(error, TicketdeskError) else self.tr(
            "Something went wrong: {0}").format(error)
        plain_box(self, QMessageBox.Icon.Warning, self.windowTitle(), message).open()

    def _fill(self, records: list[TokenRecord]) -> None:
        self.records = records
        self.table.clear()
        for r in records:
            access = (self.tr("revoked") if not r.active else
                      self.tr("read-only") if r.read_only else self.tr("read and write"))
            used = _when(r.last_used_at) if r.last_used_at else self.tr("never")
            QTreeWidgetItem(self.table, [r.name, access, _when(r.created_at), used])
        self.revoke_button.setEnabled(any(r.active for r in records))

    def done(self, result: int) -> None:
        self.token.clear()  # the secret does not outlive the dialog
        self.runner.stop()  # its thread and connection end with the dialog
        super().done(result)


def _when(epoch: int | None) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(epoch or 0))
