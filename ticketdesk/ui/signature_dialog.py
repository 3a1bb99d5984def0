"""Preferences ▸ Mail Signature…: the signed-in agent's signature, appended below `-- ` to every
reply they mail (services/mail/signature.py). Read on a thread of the dialog's own, saved through
the window's write queue; a signature that is too long is refused by the service, and the dialog
shows why and keeps the text."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from ticketdesk.services.changes import Changes
from ticketdesk.services.mail.signature import get_signature, set_signature
from ticketdesk.services.session import Session
from ticketdesk.ui.one_call import OneCall
from ticketdesk.ui.text import plain_label
from ticketdesk.ui.theme import ErrorLabel
from ticketdesk.ui.write_queue import WriteQueue


class SignatureDialog(QDialog):
    def __init__(self, session: Session, writes: WriteQueue, parent: QWidget | None = None
                 ) -> None:
        super().__init__(parent)
        self.setObjectName("signatureDialog")
        self.setWindowTitle(self.tr("Mail Signature"))
        self.session = session
        self.writes = writes
        self.saved = False
        column = QVBoxLayout(self)
        column.addWidget(plain_label(self.tr(
            "Added below your replies that are mailed to customers, after a line \"-- \". "
            "A change applies to replies you send from now on."), self))
        self.text = QPlainTextEdit(self)
        self.text.setObjectName("signatureText")
        self.text.setTabChangesFocus(True)
        self.text.setPlaceholderText(self.tr("e.g. your name, your role and the team's phone"))
        self.text.setEnabled(False)
        column.addWidget(self.text)
        self.error = ErrorLabel(self)
        self.error.setObjectName("signatureError")
        self.error.setWordWrap(True)
        self.error.hide()
        column.addWidget(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                   | QDialogButtonBox.StandardButton.Cancel, self)
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setObjectName("saveSignature")
        self.save_button.setEnabled(False)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        column.addWidget(buttons)
        self.resize(460, 260)
        agent_id = session.agent_id or 0
        self._call: OneCall | None = OneCall(lambda: get_signature(agent_id), session.store)
        self._call.answered.connect(self._loaded)
        self._call.finished.connect(self._ended)
        self._call.start()

    def _ended(self) -> None:
        self._call = None

    def is_idle(self) -> bool:
        return self._call is None and self.save_button.isEnabled()

    def done(self, result: int) -> None:
        if self._call is not None:
            self._call.wait()  # a local read; it ends at once
        super().done(result)

    def _loaded(self, ok: bool, found: object) -> None:
        if not ok:
            self._fail(str(found))
            return
        self.text.setPlainText(str(found))
        self.text.setEnabled(True)
        self.save_button.setEnabled(True)
        self.text.setFocus()

    def _fail(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()

    def save(self) -> None:
        self.error.hide()
        session, text = self.session, self.text.toPlainText()

        def write() -> Changes:
            return set_signature(session, session.agent_id or 0, text)

        def saved(_changes: object) -> None:
            self.saved = True
            self.accept()

        def failed(exc: Exception) -> None:
            self.save_button.setEnabled(True)
            self._fail(str(exc))

        self.save_button.setEnabled(False)
        self.writes.submit(("signature", session.agent_id), write, done=saved, error=failed,
                           cancelled=lambda: self.save_button.setEnabled(True))
