"""The QApplication as a desktop application: the id the desktop matches the window to its
.desktop file with, the icon, the light or dark scheme, translations, and a polite close when the
session ends or someone presses Ctrl+C in the terminal (SIGTERM, SIGINT).

A signal arrives at any moment, perhaps in the middle of a write; Python runs its handler only
between bytecodes and Qt's event loop runs no bytecode while it waits. So the handler does
nothing but wake the loop (`signal.set_wakeup_fd` writes the signal number to a socket that a
QSocketNotifier watches), and the close happens as a normal event: the window saves its layout,
stops its threads and closes the desk, exactly as File ▸ Quit does. A second signal exits
without waiting for the user (an "unsaved changes?" question, for example).
"""

from __future__ import annotations

import signal
import socket
from collections.abc import Sequence

from PySide6.QtCore import (
    QLibraryInfo,
    QLocale,
    QObject,
    QSocketNotifier,
    QTranslator,
)
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

from ticketdesk import __version__
from ticketdesk.ui.icons import app_icon
from ticketdesk.ui.resources import APP_ID, resource_path
from ticketdesk.ui.settings import APPLICATION, ORGANIZATION, open_settings
from ticketdesk.ui.theme import apply_scheme, requested_scheme

CLOSE_SIGNALS = (signal.SIGTERM, signal.SIGINT)


def create_application(argv: Sequence[str]) -> QApplication:
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(list(argv))
    QApplication.setOrganizationName(ORGANIZATION)
    QApplication.setApplicationName(APPLICATION)
    QApplication.setApplicationVersion(__version__)
    QGuiApplication.setDesktopFileName(APP_ID)  # Wayland app id; the dock finds our icon
    app.setWindowIcon(app_icon())
    apply_scheme(app, requested_scheme(open_settings()))
    install_translators(app)
    return app


def install_translators(app: QApplication, locale: QLocale | None = None) -> list[QTranslator]:
    """Qt's own strings (standard buttons, dialogs) and ours, in the user's language if we
    have them; English otherwise."""
    locale = locale or QLocale()
    installed = []
    for name, folder in (
        ("qtbase", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)),
        ("ticketdesk", str(resource_path("translations"))),
    ):
        translator = QTranslator(app)
        if translator.load(locale, name, "_", folder):
            app.installTranslator(translator)
            installed.append(translator)
    return installed


class CloseOnSignals(QObject):
    """While it lives, SIGTERM and SIGINT close the application's windows politely."""

    def __init__(self, app: QApplication) -> None:
        super().__init__(app)
        self.app = app
        self.received = 0
        self._reader, self._writer = socket.socketpair()
        for end in (self._reader, self._writer):
            end.setblocking(False)
        self._previous_fd = signal.set_wakeup_fd(self._writer.fileno())
        self._previous = {sig: signal.signal(sig, _wake_only) for sig in CLOSE_SIGNALS}
        self._notifier = QSocketNotifier(self._reader.fileno(), QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self._on_signal)

    def _on_signal(self) -> None:
        try:
            count = len(self._reader.recv(64))
        except BlockingIOError:
            return
        first = self.received == 0
        self.received += count
        if first and count == 1:
            self._close_politely()
        else:
            self.app.exit(0)

    def _close_politely(self) -> None:
        for _ in range(10):  # open dialogs first, so their exec() returns
            dialog = QApplication.activeModalWidget()
            if dialog is None:
                break
            dialog.close()
        QApplication.closeAllWindows()
        if not any(w.isVisible() for w in QApplication.topLevelWidgets()):
            self.app.exit(0)  # also when no event loop has quit on its own (a dialog's exec)

    def restore(self) -> None:
        """Put the previous handlers back (the interpreter's own, outside the GUI)."""
        self._notifier.setEnabled(False)
        signal.set_wakeup_fd(self._previous_fd)
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)
        self._reader.close()
        self._writer.close()


def _wake_only(_signum: int, _frame: object) -> None:
    """The work is done by CloseOnSignals once the event loop wakes."""
