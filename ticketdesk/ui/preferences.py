"""Desk > Preferences…: which desk this computer opens — a desk file here, or a team desk on a
PostgreSQL server — with a "Test Connection" button that runs off the GUI thread.

The choice is saved in QSettings as a URL without its password; the password is kept in the
system keyring when the user asks for it (and a keyring exists), otherwise nowhere: ticketdesk
asks for it when it connects. The next start opens the chosen desk (`--db` and TICKETDESK_DB
still win, for scripts and for trying another desk once).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from PySide6.QtCore import QSettings, QThread, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ticketdesk.db import credentials
from ticketdesk.db.postgres_backend import parse_postgres_url
from ticketdesk.db.store import Store, open_database
from ticketdesk.db.url import default_sqlite_path, is_postgres, sqlite_path, sqlite_url
from ticketdesk.domain.errors import StorageError, TicketdeskError, ValidationError
from ticketdesk.ui.settings import DESK_URL, SLA_NOTIFY
from ticketdesk.ui.text import plain_label
from ticketdesk.ui.theme import ErrorLabel

DEFAULT_PORT = 5432


def saved_desk_url(settings: QSettings) -> str | None:
    return DESK_URL.read(settings)


def save_desk_url(settings: QSettings, url: str) -> None:
    if is_postgres(url) and "password" in parse_postgres_url(url):
        raise ValidationError("A password never goes into the settings.")
    DESK_URL.write(settings, url)
    settings.sync()


@dataclass(frozen=True)
class Server:
    host: str
    port: int
    database: str
    user: str

    def url(self) -> str:
        """postgresql://user@host:port/database, without a password."""
        user = f"{quote(self.user, safe='')}@" if self.user else ""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"postgresql://{user}{host}:{self.port}/{quote(self.database, safe='')}"

    def check(self) -> None:
        if not self.host.strip():
            raise ValidationError("Give the server's name or address.")
        if not self.database.strip():
            raise ValidationError("Give the name of the database on the server.")


def describe_server(url: str, password: str | None) -> str:
    """Connect once and say what is there (runs on a worker thread): the server's version and
    whether the database already holds a desk. Raises StorageError with the server's words."""
    import psycopg

    params = parse_postgres_url(url)
    params["dbname"] = params.pop("database")
    if password:
        params["password"] = password

    def one(conn: Any, sql: str) -> Any:
        row = conn.execute(sql).fetchone()
        return None if row is None else row[0]

    try:
        with psycopg.connect(connect_timeout=5, application_name="ticketdesk test",
                             **params) as conn:
            version = one(conn, "SHOW server_version")
            has_desk = one(conn, "SELECT to_regclass('schema_migrations') IS NOT NULL AND "
                                 "to_regclass('ticket') IS NOT NULL")
            if has_desk:
                tickets = one(conn, "SELECT count(*) FROM ticket")
                what = f"a ticketdesk desk with {tickets:,} tickets"
            else:
                may_create = one(conn, "SELECT has_schema_privilege(current_schema(), 'CREATE')")
                what = ("an empty database: ticketdesk creates its tables when it first "
                        "connects" if may_create else
                        "an empty database in which this user may not create tables; ask the "
                        "server's administrator for CREATE rights")
    except psycopg.Error as exc:
        raise StorageError(" ".join(str(exc).split()) or type(exc).__name__) from exc
    return f"Connected to PostgreSQL {version}: {what}."


class _Tester(QThread):
    answered = Signal(bool, str)

    def __init__(self, url: str, password: str | None) -> None:
        super().__init__()
        self.url = url
        self.password = password

    def run(self) -> None:
        try:
            self.answered.emit(True, describe_server(self.url, self.password))
        except Exception as exc:  # shown to the user as is
            self.answered.emit(False, str(exc))


class PreferencesDialog(QDialog):
    def __init__(self, settings: QSettings, current_url: str | None = None,
                 parent: QWidget | None = None, *,
                 edit_signature: Callable[[QWidget], None] | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("preferencesDialog")
        self.setWindowTitle(self.tr("Preferences"))
        self.settings = settings
        self._tester: _Tester | None = None
        self.saved_url: str | None = None
        layout = QVBoxLayout(self)

        desk = QGroupBox(self.tr("Desk"), self)
        column = QVBoxLayout(desk)
        self.file_choice = QRadioButton(self.tr("A desk &file on this computer (SQLite)"), desk)
        self.server_choice = QRadioButton(
            self.tr("A &team desk on a PostgreSQL server"), desk)
        choices = QButtonGroup(self)
        choices.addButton(self.file_choice)
        choices.addButton(self.server_choice)
        column.addWidget(self.file_choice)
        file_row = QHBoxLayout()
        self.file_path = QLineEdit(desk)
        self.file_path.setObjectName("deskFilePath")
        self.browse_button = QPushButton(self.tr("&Browse…"), desk)
        self.browse_button.clicked.connect(self._browse)
        file_row.addWidget(self.file_path, 1)
        file_row.addWidget(self.browse_button)
        column.addLayout(file_row)
        column.addWidget(self.server_choice)

        self.server_box = QWidget(desk)
        form = QFormLayout(self.server_box)
        self.host = QLineEdit(self.server_box)
        self.host.setObjectName("serverHost")
        self.port = QSpinBox(self.server_box)
        self.port.setRange(1, 65535)
        self.port.setValue(DEFAULT_PORT)
        self.database = QLineEdit(self.server_box)
        self.database.setObjectName("serverDatabase")
        self.user = QLineEdit(self.server_box)
        self.user.setObjectName("serverUser")
        self.password = QLineEdit(self.server_box)
        self.password.setObjectName("serverPassword")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.remember = QCheckBox(self.tr("&Remember the password in the system keyring"),
                                  self.server_box)
        form.addRow(self.tr("&Server:"), self.host)
        form.addRow(self.tr("P&ort:"), self.port)
        form.addRow(self.tr("&Database:"), self.database)
        form.addRow(self.tr("&User:"), self.user)
        form.addRow(self.tr("&Password:"), self.password)
        form.addRow("", self.remember)
        self.keyring_note = plain_label("", self.server_box)
        self.keyring_note.setWordWrap(True)
        form.addRow("", self.keyring_note)
        column.addWidget(self.server_box)
        layout.addWidget(desk)

        notices = QGroupBox(self.tr("Notifications"), self)
        notices_column = QVBoxLayout(notices)
        self.sla_notify = QCheckBox(self.tr(
            "Tell me when a ticket assigned to me is at risk or breaches its S&LA"), notices)
        self.sla_notify.setObjectName("slaNotify")
        self.sla_notify.setChecked(bool(SLA_NOTIFY.read(settings)))
        notices_column.addWidget(self.sla_notify)
        layout.addWidget(notices)

        if edit_signature is not None:
            you = QGroupBox(self.tr("Your replies"), self)
            you_row = QHBoxLayout(you)
            you_row.addWidget(plain_label(self.tr(
                "Your signature goes below every reply you mail to a customer."), you), 1)
            self.signature_button = QPushButton(self.tr("Mail Si&gnature…"), you)
            self.signature_button.setObjectName("signatureButton")
            self.signature_button.clicked.connect(lambda: edit_signature(self))
            you_row.addWidget(self.signature_button)
            layout.addWidget(you)

        test_row = QHBoxLayout()
        self.test_button = QPushButton(self.tr("Test Co&nnection"), self)
        self.test_button.setObjectName("testConnectionButton")
        self.test_button.clicked.connect(self.test_connection)
        test_row.addWidget(self.test_button)
        test_row.addStretch(1)
        layout.addLayout(test_row)
        self.test_result = plain_label("", self)
        self.test_result.setObjectName("testResult")
        self.test_result.setWordWrap(True)
        layout.addWidget(self.test_result)
        self.error = ErrorLabel(self)
        self.error.setObjectName("preferencesError")
        self.error.setWordWrap(True)
        layout.addWidget(self.error)
        layout.addWidget(plain_label(self.tr(
            "ticketdesk opens this desk the next time it starts. --db and TICKETDESK_DB still "
            "choose another desk for one run."), self))
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

        usable, why = credentials.keyring_status()
        self.remember.setEnabled(usable)
        self.keyring_note.setText(why)
        self.keyring_note.setVisible(not usable)
        self.file_choice.toggled.connect(self._update)
        self._fill(current_url or saved_desk_url(settings) or sqlite_url(default_sqlite_path()))
        self._update()

    # -- reading and writing the form ---------------------------------------------------------

    def _fill(self, url: str) -> None:
        if is_postgres(url):
            params = parse_postgres_url(url)
            self.server_choice.setChecked(True)
            self.host.setText(str(params.get("host", "")))
            self.port.setValue(int(params.get("port", DEFAULT_PORT)))
            self.database.setText(str(params["database"]))
            self.user.setText(str(params.get("user", "")))
            saved = credentials.saved_password(Server(
                self.host.text(), self.port.value(), self.database.text(),
                self.user.text()).url())
            if saved:
                self.password.setText(saved)
                self.remember.setChecked(True)
            self.file_path.setText(str(default_sqlite_path()))
        else:
            self.file_choice.setChecked(True)
            self.file_path.setText(str(sqlite_path(url)))
            self.user.setText(os.environ.get("USER", ""))

    def _update(self) -> None:
        server = self.server_choice.isChecked()
        self.server_box.setEnabled(server)
        self.file_path.setEnabled(not server)
        self.browse_button.setEnabled(not server)
        self.test_button.setEnabled(server)
        self.test_result.setText("")
        self.error.setText("")

    def server(self) -> Server:
        return Server(self.host.text().strip(), self.port.value(), self.database.text().strip(),
                      self.user.text().strip())

    def url(self) -> str:
        """The chosen desk as a URL, never with a password in it."""
        if self.server_choice.isChecked():
            server = self.server()
            server.check()
            return server.url()
        text = self.file_path.text().strip()
        if not text:
            raise ValidationError("Give the desk file's path.")
        return sqlite_url(Path(text).expanduser())

    def _browse(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, self.tr("Desk file"), self.file_path.text(),
            self.tr("ticketdesk desks (*.sqlite *.db);;All files (*)"),
            options=QFileDialog.Option.DontConfirmOverwrite)
        if path:
            self.file_path.setText(path)

    # -- test and save ------------------------------------------------------------------------

    def test_connection(self) -> None:
        """Connect on a worker thread; the answer shows below the button."""
        try:
            url = self.url()
        except TicketdeskError as exc:
            self.error.setText(str(exc))
            return
        if self._tester is not None and self._tester.isRunning():
            return
        self.error.setText("")
        self.test_result.setText(self.tr("Connecting to {0}…").format(url))
        self.test_button.setEnabled(False)
        self._tester = _Tester(url, self.password.text() or None)
        self._tester.answered.connect(self._tested)
        self._tester.start()

    def _tested(self, ok: bool, message: str) -> None:
        self.test_button.setEnabled(self.server_choice.isChecked())
        if ok:
            self.test_result.setText("✓ " + message)
            self.error.setText("")
        else:
            self.test_result.setText("")
            self.error.setText(self.tr("Could not connect: {0}").format(message))

    def wait_for_test(self, ms: int = 10_000) -> bool:
        return self._tester is None or self._tester.wait(ms)

    def accept(self) -> None:
        try:
            url = self.url()
            if is_postgres(url):
                if self.remember.isChecked() and self.password.text():
                    credentials.save_password(url, self.password.text())
                else:
                    credentials.forget_password(url)
            save_desk_url(self.settings, url)
        except TicketdeskError as exc:
            self.error.setText(str(exc))
            return
        self.saved_url = url
        SLA_NOTIFY.write(self.settings, int(self.sla_notify.isChecked()))
        super().accept()

    def done(self, result: int) -> None:
        if self._tester is not None:
            self._tester.wait()  # never leave a thread running behind a closed dialog
        super().done(result)


# -- opening the desk at start ----------------------------------------------------------------

def _needs_password(exc: BaseException) -> bool:
    text = str(exc).lower()
    return "password" in text and ("no password" in text or "authentication failed" in text)


def open_desk(explicit: str | None, settings: QSettings, parent: QWidget | None = None,
              *, ask: Any = None) -> Store:
    """Open the desk to start with: `explicit` (--db or TICKETDESK_DB), else the one chosen in
    Preferences, else the default file. A team desk's password comes from the keyring (or
    libpq's own ways); if the server refuses, or the login is no agent of the desk, the sign-in
    dialog asks (ui/sign_in_dialog.py; `ask(parent, url, wrong)`, a password prompt, instead
    when given). Raises TicketdeskError."""
    from ticketdesk.db.url import resolve_url
    from ticketdesk.services import sign_in

    url = resolve_url(explicit or os.environ.get("TICKETDESK_DB") or saved_desk_url(settings))
    password = credentials.saved_password(url)
    try:
        store = open_database(url, password=password)
    except StorageError as exc:
        if not is_postgres(url) or not _needs_password(exc):
            raise
        if ask is None:
            return _sign_in(parent, url, sign_in.SignInRefused(
                sign_in.WRONG_PASSWORD if password else sign_in.NO_PASSWORD,
                sign_in.login_of(url), str(exc)), exc)
        typed = ask(parent, url, password is not None)
        if not typed:
            raise
        store = open_database(url, password=typed)  # kept for this run only
    if is_postgres(url) and ask is None:  # (a password prompt has no dialog to say more)
        try:
            sign_in.check_mapped(store)
        except sign_in.SignInRefused as refused:
            store.close()
            if ask is not None:
                raise
            return _sign_in(parent, url, refused, refused)
    return store


def _sign_in(parent: QWidget | None, url: str, problem: Exception,
             error: Exception) -> Store:
    """The sign-in dialog after the server (or the desk) refused `url`'s sign-in; `error` is
    raised if the user cancels."""
    from ticketdesk.ui.sign_in_dialog import SignInDialog

    dialog = SignInDialog(url, parent=parent)
    dialog.error.setText(dialog.explain(problem))
    if not dialog.exec() or dialog.signed_in is None:
        raise error
    return dialog.signed_in.store


def _ask_password(parent: QWidget | None, url: str, wrong: bool) -> str | None:
    from ticketdesk.db.url import redact

    text, ok = QInputDialog.getText(
        parent, "ticketdesk",
        ("The saved password was refused. " if wrong else "")
        + f"Password for {redact(url)}:", QLineEdit.EchoMode.Password)
    return text if ok and text else None
