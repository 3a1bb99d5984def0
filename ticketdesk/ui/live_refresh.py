"""Live refresh for a window on a team desk (PostgreSQL): what other desktops change shows here
within a fraction of a second, and a lost server shows as a banner.

The backend side is `db/postgres_notify.ChangeListener` (LISTEN/NOTIFY on a thread of its own).
This adapter brings its callbacks to the GUI thread as signals, gathers a burst of notifications
into one `Changes`, and announces it on the window's ChangeHub as an "external" change, exactly
as the SQLite `data_version` poll does for a desk file. A SQLite desk keeps its poll; nothing
here runs for it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QElapsedTimer, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QVBoxLayout, QWidget

from ticketdesk.db.postgres_backend import PostgresBackend
from ticketdesk.db.postgres_notify import ChangeListener, RemoteChange
from ticketdesk.db.store import Store
from ticketdesk.services.changes import Changes
from ticketdesk.ui.connection_banner import ConnectionBanner
from ticketdesk.ui.hub import ChangeHub

if TYPE_CHECKING:
    from PySide6.QtWidgets import QMainWindow

EXTERNAL = "external"
GATHER_MS = 80
MIN_INTERVAL_MS = 1000
"""At most one announcement a second: each makes the list fetch a new id snapshot (a second of
server time at a million tickets), and a busy team must not keep every desktop re-reading."""

_NOTES = {"note_added", "note_edited", "note_deleted"}
_CONVERSATION = {"message_in", "message_out"}
_ATTACHMENTS = {"attached", "detached"}


def to_changes(change: RemoteChange) -> Changes:
    """The `Changes` the views understand for what the server reported."""
    if change.everything:
        return Changes(everything=True)
    kinds = change.kinds
    created = frozenset(change.created)
    return Changes(
        tickets=change.tickets - created,
        created=change.created,
        conversation=bool(kinds & _CONVERSATION),
        notes=bool(kinds & _NOTES),
        attachments=bool(kinds & _ATTACHMENTS),
        agents="agents" in kinds,
        customers="customers" in kinds,
        tags="tags" in kinds or "tagged" in kinds,
    )


class LiveRefresh(QObject):
    """Announces other desktops' changes on `hub`; reports the server's reachability."""

    connectionLost = Signal(str, float)  # reason, seconds until the next attempt
    connectionRestored = Signal()
    announced = Signal(object)  # the Changes just announced

    _remote = Signal(object)  # from the listener thread
    _state = Signal(bool, str, float)

    def __init__(self, store: Store, hub: ChangeHub, parent: QObject | None = None, *,
                 gather_ms: int = GATHER_MS, min_interval_ms: int = MIN_INTERVAL_MS) -> None:
        super().__init__(parent)
        if not isinstance(store.backend, PostgresBackend):
            raise TypeError("live refresh is for PostgreSQL desks; SQLite desks poll")
        self.hub = hub
        self.connected = True
        self.announcements = 0
        self.banner: ConnectionBanner | None = None
        self._pending: RemoteChange | None = None
        self._gather_ms = gather_ms
        self._min_interval_ms = min_interval_ms
        self._last = QElapsedTimer()
        self._gather = QTimer(self)
        self._gather.setSingleShot(True)
        self._gather.timeout.connect(self._announce)
        queued = Qt.ConnectionType.QueuedConnection
        self._remote.connect(self._collect, queued)
        self._state.connect(self._on_state, queued)
        self.listener = ChangeListener(store.backend, self._remote.emit, self._state.emit)

    def start(self) -> None:
        self.listener.start()

    def stop(self) -> None:
        self._gather.stop()
        self.listener.stop()

    def retry_now(self) -> None:
        self.listener.reconnect_now()

    def _collect(self, change: RemoteChange) -> None:
        self._pending = change if self._pending is None else self._pending | change
        if self._gather.isActive():
            return  # a fixed window from the first: a stream of changes never starves
        wait = self._gather_ms
        if self._last.isValid():
            wait = max(wait, self._min_interval_ms - int(self._last.elapsed()))
        self._gather.start(wait)

    def _announce(self) -> None:
        change, self._pending = self._pending, None
        if change is None:
            return
        changes = to_changes(change)
        if changes.nothing:
            return
        self.announcements += 1
        self._last.start()
        self.hub.announce(changes, EXTERNAL)
        self.announced.emit(changes)

    def _on_state(self, connected: bool, reason: str, retry_in: float) -> None:
        was = self.connected
        self.connected = connected
        if connected and not was:
            self.connectionRestored.emit()
        elif not connected:
            self.connectionLost.emit(reason, retry_in)


def install(window: QMainWindow, store: Store, hub: ChangeHub) -> LiveRefresh | None:
    """Give `window` live refresh and a connection banner above its pages if `store` is a team
    desk; None for a SQLite desk (the window keeps polling `data_version`)."""
    if not isinstance(store.backend, PostgresBackend):
        return None
    live = LiveRefresh(store, hub, window)
    banner = ConnectionBanner(window)
    pages = window.takeCentralWidget()
    holder = QWidget(window)
    holder.setObjectName("centralHolder")
    column = QVBoxLayout(holder)
    column.setContentsMargins(0, 0, 0, 0)
    column.setSpacing(0)
    column.addWidget(banner)
    if pages is not None:
        column.addWidget(pages)
    window.setCentralWidget(holder)
    live.connectionLost.connect(banner.show_lost)
    live.connectionRestored.connect(banner.show_restored)
    live.connectionRestored.connect(lambda: window.statusBar().showMessage(
        QCoreApplication.translate("MainWindow", "Connected to the database server again."), 5000))
    banner.retryRequested.connect(live.retry_now)
    live.banner = banner
    live.start()
    return live
