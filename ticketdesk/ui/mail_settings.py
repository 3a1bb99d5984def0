"""Desk ▸ Mail Settings…: the desk's mailbox (IMAP to fetch, SMTP to send), what happens to
fetched mail, reopening, the acknowledgement and the fetch interval.

Everything that touches the desk or the network runs off the GUI thread
(ticketdesk/ARCHITECTURE.md, "Threading"): the current settings are read on a thread of the
dialog's own, Test Connection (`test_connection`, which logs in to both servers and opens the
folder) runs on one and shows each server's answer in words, and Save goes through the window's
write queue (`save_settings`, and the password into the system keyring as `ticketdesk mail
setup` does — never into the settings).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ticketdesk.db.store import Store
from ticketdesk.domain.errors import TicketdeskError, ValidationError
from ticketdesk.services.changes import Changes
from ticketdesk.services.mail.settings import (
    DEFAULT_ACK,
    MailSettings,
    load_settings,
    mail_password,
    parse_endpoint,
    save_mail_password,
    save_settings,
    test_connection,
)
from ticketdesk.services.session import Session
from ticketdesk.ui.one_call import OneCall
from ticketdesk.ui.text import plain_label
from ticketdesk.ui.theme import ErrorLabel
from ticketdesk.ui.write_queue import WriteQueue

IMPLICIT, STARTTLS, PLAIN = "tls", "starttls", "off"
"""TLS modes: TLS from the first byte (993/465), STARTTLS (143/587), none (127.0.0.1 only)."""
PORTS = {("imap", IMPLICIT): 993, ("imap", STARTTLS): 143, ("imap", PLAIN): 143,
         ("smtp", IMPLICIT): 465, ("smtp", STARTTLS): 587, ("smtp", PLAIN): 25}
AFTER_SEEN, AFTER_MOVE = "seen", "move"
"""What the after-fetch combo holds: mark fetched mail seen, or move it to a folder."""


def endpoint_url(kind: str, security: str, user: str, host: str, port: int,
                 folder: str = "") -> str:
    """The URL `parse_endpoint` reads, from the dialog's fields."""
    scheme = kind + ("s" if security == IMPLICIT else "")
    where = f"{scheme}://{quote(user.strip(), safe='@')}@{host.strip()}"
    if port and port != PORTS[(kind, security)]:
        where += f":{port}"
    if kind == "imap":
        where += "/" + quote(folder.strip() or "INBOX", safe="")
    return where + ("?tls=off" if security == PLAIN else "")


class _ServerBox(QGroupBox):
    def __init__(self, title: str, kind: str, parent: QWidget) -> None:
        super().__init__(title, parent)
        self.kind = kind
        form = QFormLayout(self)
        imap = kind == "imap"  # the two boxes show at once: each access key has one owner
        self.host = QLineEdit(self)
        self.host.setObjectName(f"{kind}Host")
        form.addRow(self.tr("&Server:") if imap else self.tr("Ser&ver:"), self.host)
        self.security = QComboBox(self)
        self.security.setObjectName(f"{kind}Security")
        self.security.addItem(self.tr("TLS (port {0})").format(PORTS[(kind, IMPLICIT)]),
                              IMPLICIT)
        self.security.addItem(self.tr("STARTTLS (port {0})").format(PORTS[(kind, STARTTLS)]),
                              STARTTLS)
        self.security.addItem(self.tr("None (only a server on 127.0.0.1)"), PLAIN)
        self.security.activated.connect(self._default_port)
        form.addRow(self.tr("Secur&ity:") if imap else self.tr("Se&curity:"), self.security)
        self.port = QSpinBox(self)
        self.port.setObjectName(f"{kind}Port")
        self.port.setRange(1, 65535)
        self.port.setValue(PORTS[(kind, IMPLICIT)])
        form.addRow(self.tr("&Port:") if imap else self.tr("Po&rt:"), self.port)
        self.user = QLineEdit(self)
        self.user.setObjectName(f"{kind}User")
        form.addRow(self.tr("&User:") if imap else self.tr("Us&er:"), self.user)
        self.folder = QLineEdit("INBOX", self)
        self.folder.setObjectName(f"{kind}Folder")
        if kind == "imap":
            form.addRow(self.tr("F&older:"), self.folder)
        else:
            self.folder.hide()

    def _default_port(self) -> None:
        self.port.setValue(PORTS[(self.kind, str(self.security.currentData()))])

    def url(self) -> str:
        return endpoint_url(self.kind, str(self.security.currentData()), self.user.text(),
                            self.host.text(), self.port.value(), self.folder.text())

    def show_url(self, url: str) -> None:
        endpoint = parse_endpoint(url, self.kind)
        self.host.setText(endpoint.host)
        self.security.setCurrentIndex(max(0, self.security.findData(endpoint.security)))
        self.port.setValue(endpoint.port)
        self.user.setText(endpoint.user)
        self.folder.setText(endpoint.folder)


class MailSettingsDialog(QDialog):
    def __init__(self, session: Session, writes: WriteQueue, parent: QWidget | None = None
                 ) -> None:
        super().__init__(parent)
        self.setObjectName("mailSettingsDialog")
        self.setWindowTitle(self.tr("Mail Settings"))
        self.session = session
        self.writes = writes
        self.extra: dict[str, Any] = {}
        self._calls: list[OneCall] = []
        column = QVBoxLayout(self)
        servers = QHBoxLayout()
        self.imap = _ServerBox(self.tr("Fetch from (IMAP)"), "imap", self)
        self.smtp = _ServerBox(self.tr("Send through (SMTP)"), "smtp", self)
        servers.addWidget(self.imap)
        servers.addWidget(self.smtp)
        column.addLayout(servers)

        form = QFormLayout()
        self.address = QLineEdit(self)
        self.address.setObjectName("mailAddress")
        self.address.setPlaceholderText(self.tr("support@example.com"))
        form.addRow(self.tr("&Address the desk sends as:"), self.address)
        self.name = QLineEdit(self)
        self.name.setObjectName("mailName")
        form.addRow(self.tr("Display &name:"), self.name)
        self.password = QLineEdit(self)
        self.password.setObjectName("mailPassword")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText(self.tr("unchanged (kept in the system keyring)"))
        form.addRow(self.tr("Pass&word:"), self.password)
        after = QHBoxLayout()
        self.after_fetch = QComboBox(self)
        self.after_fetch.setObjectName("afterFetch")
        self.after_fetch.addItem(self.tr("Mark it seen"), AFTER_SEEN)
        self.after_fetch.addItem(self.tr("Move it to folder:"), AFTER_MOVE)
        self.move_folder = QLineEdit(self)
        self.move_folder.setObjectName("moveFolder")
        self.move_folder.setPlaceholderText(self.tr("e.g. Done"))
        self.after_fetch.currentIndexChanged.connect(
            lambda: self.move_folder.setEnabled(self.after_fetch.currentData() == AFTER_MOVE))
        self.move_folder.setEnabled(False)
        after.addWidget(self.after_fetch)
        after.addWidget(self.move_folder, 1)
        form.addRow(self.tr("After fetching a mail:"), after)
        self.reopen_days = QSpinBox(self)
        self.reopen_days.setObjectName("reopenDays")
        self.reopen_days.setRange(0, 3650)
        self.reopen_days.setValue(30)
        self.reopen_days.setSuffix(self.tr(" days"))
        form.addRow(self.tr("A reply reopens a closed ticket wit&hin:"), self.reopen_days)
        self.acknowledge = QCheckBox(self.tr("Send an automatic ac&knowledgement to new "
                                             "tickets"), self)
        self.acknowledge.setObjectName("acknowledge")
        form.addRow("", self.acknowledge)
        self.ack_template = QPlainTextEdit(self)
        self.ack_template.setObjectName("ackTemplate")
        self.ack_template.setPlainText(DEFAULT_ACK)
        self.ack_template.setTabChangesFocus(True)
        self.ack_template.setMaximumHeight(110)
        self.ack_template.setToolTip(self.tr(
            "{number} is the ticket number, {name} the sender's name, {subject} the mail's "
            "subject. Other placeholders are refused when you save."))
        self.ack_template.setEnabled(False)
        self.acknowledge.toggled.connect(self.ack_template.setEnabled)
        form.addRow(self.tr("Acknowledgement te&xt:"), self.ack_template)
        self.interval = QSpinBox(self)
        self.interval.setObjectName("fetchInterval")
        self.interval.setRange(30, 86_400)
        self.interval.setValue(300)
        self.interval.setSuffix(self.tr(" s"))
        self.interval.setToolTip(self.tr("Used when the server cannot announce new mail "
                                         "itself (IMAP IDLE)"))
        form.addRow(self.tr("&Fetch every:"), self.interval)
        column.addLayout(form)

        self.test_result = plain_label("", self)
        self.test_result.setObjectName("testResult")
        self.test_result.setWordWrap(True)
        column.addWidget(self.test_result)
        self.error = ErrorLabel(self)
        self.error.setObjectName("mailSettingsError")
        self.error.setWordWrap(True)
        self.error.hide()
        column.addWidget(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                   | QDialogButtonBox.StandardButton.Cancel, self)
        self.test_button = QPushButton(self.tr("&Test Connection"), self)
        self.test_button.setObjectName("testConnectionButton")
        self.test_button.clicked.connect(self.test)
        buttons.addButton(self.test_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setObjectName("saveMailSettings")
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        column.addWidget(buttons)
        self.loading = True
        self.save_button.setEnabled(False)
        self._run(load_settings, self._loaded, store=session.store)

    # -- off the GUI thread ---------------------------------------------------------------------

    def _run(self, fn: Callable[[], Any], answer: Callable[[bool, object], None], *,
             store: Store | None = None) -> None:
        call = OneCall(fn, store)
        call.answered.connect(answer)
        call.finished.connect(lambda: self._calls.remove(call) if call in self._calls else None)
        self._calls.append(call)
        call.start()

    def done(self, result: int) -> None:
        for call in list(self._calls):
            call.wait()  # a test or a read still under way ends within its timeouts
        super().done(result)

    def is_idle(self) -> bool:
        return not self._calls and self.save_button.isEnabled() == (not self.loading)

    # -- showing --------------------------------------------------------------------------------

    def _loaded(self, ok: bool, found: object) -> None:
        self.loading = False
        self.save_button.setEnabled(True)
        if not ok:
            self._fail(str(found))
            return
        if isinstance(found, MailSettings):
            self.show_settings(found)

    def show_settings(self, settings: MailSettings) -> None:
        try:
            self.imap.show_url(settings.imap)
            self.smtp.show_url(settings.smtp)
        except ValidationError as exc:
            self._fail(str(exc))
        self.address.setText(settings.address)
        self.name.setText(settings.name)
        move = settings.move_to
        self.after_fetch.setCurrentIndex(1 if move else 0)
        self.move_folder.setText(move or "")
        self.reopen_days.setValue(settings.reopen_days)
        self.acknowledge.setChecked(settings.acknowledge)
        self.interval.setValue(settings.poll_seconds)
        self.ack_template.setPlainText(settings.ack_template)
        self.extra = dict(settings.extra)

    def settings(self) -> MailSettings:
        """What the fields say, checked (ValidationError says what to fix)."""
        after = "seen" if self.after_fetch.currentData() == AFTER_SEEN else \
            f"move:{self.move_folder.text().strip()}"
        found = MailSettings(self.imap.url(), self.smtp.url(), self.address.text().strip(),
                             self.name.text().strip(), after, self.reopen_days.value(),
                             self.acknowledge.isChecked(),
                             ack_template=self.ack_template.toPlainText(),
                             poll_seconds=self.interval.value(), extra=self.extra)
        return found.checked()

    def _fail(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()

    # -- Test Connection ------------------------------------------------------------------------

    def test(self) -> None:
        self.error.hide()
        try:
            settings = self.settings()
        except TicketdeskError as exc:
            self._fail(str(exc))
            return
        typed = self.password.text()
        self.test_button.setEnabled(False)
        self.test_result.setText(self.tr("Testing…"))

        def check() -> object:
            password = typed or mail_password(settings.imap_endpoint)
            return test_connection(settings, password)

        self._run(check, self._tested)

    def _tested(self, ok: bool, found: object) -> None:
        self.test_button.setEnabled(True)
        if not ok:
            self.test_result.setText("")
            self._fail(str(found))
            return
        lines = [f"{'✓' if r.ok else '✗'} {r.what}: {r.message}"
                 for r in found]  # type: ignore[attr-defined]
        self.test_result.setText("\n".join(lines))

    # -- Save -----------------------------------------------------------------------------------

    def save(self) -> None:
        self.error.hide()
        try:
            settings = self.settings()
        except TicketdeskError as exc:
            self._fail(str(exc))
            return
        session, typed = self.session, self.password.text()

        def write() -> Changes:
            if typed:  # first: a keyring that refuses leaves the settings as they were
                save_mail_password(settings.imap_endpoint, typed)
                if settings.smtp_endpoint.account != settings.imap_endpoint.account:
                    save_mail_password(settings.smtp_endpoint, typed)
            return save_settings(session, settings)

        self.save_button.setEnabled(False)

        def failed(exc: Exception) -> None:
            self.save_button.setEnabled(True)
            self._fail(str(exc))

        self.writes.submit(("mail-settings",), write, done=lambda _c: self.accept(),
                           error=failed, cancelled=lambda: self.save_button.setEnabled(True))
