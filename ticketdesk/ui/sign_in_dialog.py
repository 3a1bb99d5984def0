"""Signing in to a team desk: your database login and password, or none to let the server's
own ways (.pgpass, a client certificate, Kerberos) speak for you (issue 20).

Connecting is a network call, so it runs on a worker thread (services/sign_in.sign_in); the
dialog stays live and says what it is doing. What the server refused is said in words the user
can act on: a wrong password, a login the server does not know, a login no agent is mapped to.
On success `signed_in` holds the open desk; the caller owns it from then on.
"""

from __future__ import annotations

from PySide6.QtCore import QThread, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from ticketdesk.services import sign_in
from ticketdesk.ui.text import plain_label
from ticketdesk.ui.theme import ErrorLabel


class _Connect(QThread):
    answered = Signal(object)  # SignedIn or the exception

    def __init__(self, url: str, login: str, password: str, remember: bool) -> None:
        super().__init__()
        self.args = (url, login, password, remember)

    def run(self) -> None:
        url, login, password, remember = self.args
        try:
            result = sign_in.sign_in(url, login, password or None, remember=remember)
        except Exception as exc:  # shown in the dialog
            self.answered.emit(exc)
            return
        result.store.close_thread()  # this thread ends; the desk reconnects where it is used
        self.answered.emit(result)


class SignInDialog(QDialog):
    def __init__(self, url: str, problem: str = "", parent: QWidget | None = None) -> None:
        """`url`: the team desk; its user, if any, fills the login. `problem`: why the
        dialog is shown (the server refused the saved sign-in), shown as an error."""
        super().__init__(parent)
        self.setObjectName("signInDialog")
        self.setWindowTitle(self.tr("Sign In to the Team Desk"))
        self.url = url
        self.signed_in: sign_in.SignedIn | None = None
        self._thread: _Connect | None = None
        self._closed = False
        layout = QVBoxLayout(self)
        layout.addWidget(plain_label(self.tr("Sign in to {0} with your database login.").format(
            sign_in.shown_url(url)), self))
        form = QFormLayout()
        self.login = QLineEdit(sign_in.login_of(url), self)
        self.login.setObjectName("signInLogin")
        self.password = QLineEdit(self)
        self.password.setObjectName("signInPassword")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText(self.tr(
            "empty: .pgpass, a client certificate or Kerberos"))
        self.remember = QCheckBox(self.tr("&Remember the password in the system keyring"), self)
        self.remember.setObjectName("signInRemember")
        form.addRow(self.tr("&Login:"), self.login)
        form.addRow(self.tr("&Password:"), self.password)
        form.addRow("", self.remember)
        layout.addLayout(form)
        usable, why = sign_in.keyring_status()
        self.remember.setEnabled(usable)
        self.remember.setToolTip("" if usable else why)
        self.status = plain_label("", self)
        self.status.setObjectName("signInStatus")
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        self.error = ErrorLabel(self)
        self.error.setObjectName("signInError")
        self.error.setWordWrap(True)
        self.error.setText(problem)
        layout.addWidget(self.error)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.sign_in_button = self.buttons.addButton(
            self.tr("&Sign In"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.sign_in_button.setObjectName("signInButton")
        self.sign_in_button.setDefault(True)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        (self.password if self.login.text() else self.login).setFocus()

    @property
    def busy(self) -> bool:
        return self._thread is not None and self._thread.isRunning()

    def accept(self) -> None:
        """Sign in on the worker; the dialog closes when the server has said yes."""
        if self.busy:
            return
        self.error.setText("")
        self.status.setText(self.tr("Connecting as {0}…").format(self.login.text().strip()))
        self.sign_in_button.setEnabled(False)
        self._thread = _Connect(self.url, self.login.text(), self.password.text(),
                                self.remember.isChecked())
        self._thread.answered.connect(self._answered)
        self._thread.start()

    def _answered(self, result: object) -> None:
        if self._closed:  # cancelled while connecting: nobody takes the desk
            if isinstance(result, sign_in.SignedIn):
                result.store.close()
            return
        self.sign_in_button.setEnabled(True)
        self.status.setText("")
        if isinstance(result, sign_in.SignedIn):
            self.signed_in = result
            super().accept()
            return
        self.error.setText(self.explain(result))
        self.password.selectAll()
        self.password.setFocus()

    def explain(self, error: object) -> str:
        """The server's refusal in words the user can act on."""
        if not isinstance(error, sign_in.SignInRefused):
            return self.tr("Could not sign in: {0}").format(error)
        login = error.login
        if error.kind == sign_in.WRONG_PASSWORD:
            return self.tr("The server refused the password for {0}. Check the login and the "
                           "password (they are case-sensitive).").format(login)
        if error.kind == sign_in.NO_PASSWORD:
            return self.tr("The server wants a password for {0}, and neither .pgpass nor a "
                           "client certificate gave one. Type your password.").format(login)
        if error.kind == sign_in.UNKNOWN_LOGIN:
            return self.tr("The server has no login called {0}. Ask an admin of the desk to "
                           "add you (Desk > Agents and Roles…).").format(login) if login else \
                self.tr("Give your database login.")
        if error.kind == sign_in.UNMAPPED:
            return self.tr("{0} may connect to the server, but no agent of this desk signs in "
                           "as {0}. Ask an admin of the desk to map your login to your agent "
                           "(Desk > Agents and Roles…).").format(login)
        if error.kind == sign_in.NOT_ALLOWED:
            return self.tr("{0} may not sign in to this desk (deactivated, or without access "
                           "to the database). Ask an admin of the desk.").format(login)
        return self.tr("Could not sign in: {0}").format(error)

    def wait(self, ms: int = 10_000) -> bool:
        return self._thread is None or self._thread.wait(ms)

    def done(self, result: int) -> None:
        if self._thread is not None:
            self._thread.wait()  # never leave a thread running behind a closed dialog
        self._closed = self.signed_in is None
        super().done(result)
