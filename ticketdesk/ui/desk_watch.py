"""One source of "another process changed the desk", for both engines.

A desk file (SQLite) is polled once a second: `PRAGMA data_version` first (it moves when any
other connection commits), then `change_seq` (it moves only for changes other windows show, not
for drafts). Both are read on a worker thread (the window's quick QueryRunner), never on the GUI
thread. A team desk (PostgreSQL) is told by the server (LISTEN/NOTIFY, ui/live_refresh.py) and
shows a banner when the server is gone.

Either way the change is announced once on the window's ChangeHub as an "external" change, and
`deskChanged` is emitted with it.

The worker's connection is not the one this window writes on, so its counters move for this
window's own saves too. A save is announced on the hub by the window that made it; the next poll
after such an announcement takes the counters as they are without announcing them again. (A
change from elsewhere committed in that same second shows with the next change or Refresh.)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, Signal

from ticketdesk.db.store import Store
from ticketdesk.services.changes import Changes
from ticketdesk.ui import live_refresh
from ticketdesk.ui.hub import ChangeHub
from ticketdesk.ui.worker import QueryRunner

if TYPE_CHECKING:
    from PySide6.QtWidgets import QMainWindow

    from ticketdesk.ui.live_refresh import LiveRefresh

POLL_MS = 1000
EXTERNAL = live_refresh.EXTERNAL
_POLL = "watch.poll"


class DeskWatch(QObject):
    deskChanged = Signal(object)  # the Changes announced
    failed = Signal(str)  # a poll that could not read the desk (shown in the status bar)

    def __init__(self, window: QMainWindow, store: Store, hub: ChangeHub,
                 runner: QueryRunner) -> None:
        super().__init__(window)
        self.store = store
        self.hub = hub
        self.runner = runner
        self._counters: tuple[int, int] | None = None  # data_version, change_seq
        self._rebaseline_from: int | None = None  # first poll asked after this window's save
        self._generation = 0
        self.poll = QTimer(self)
        self.poll.setInterval(POLL_MS)
        self.poll.timeout.connect(self._ask)
        self.live: LiveRefresh | None = live_refresh.install(window, store, hub)
        if self.live is not None:
            self.live.announced.connect(self.deskChanged)
            return
        runner.finished.connect(self._answered)
        runner.failed.connect(self._failed)
        hub.changed.connect(self._heard)
        self._ask()  # the counters as the window opens, before its first rows are read
        self.poll.start()

    def _ask(self) -> None:
        store, last = self.store, self._counters
        self._generation += 1
        self.runner.submit(_POLL, self._generation, lambda: _counters(store, last))

    def _heard(self, changes: Changes, initiator: object) -> None:
        if initiator != EXTERNAL and not changes.nothing:  # this window's own save
            self._rebaseline_from = self._generation + 1

    def _answered(self, channel: str, generation: int, result: Any) -> None:
        if channel != _POLL:
            return
        before, self._counters = self._counters, result
        if self._rebaseline_from is not None and generation >= self._rebaseline_from:
            self._rebaseline_from = None
            return
        if before is None:
            return
        if result[1] != before[1]:  # data_version alone moves for drafts saved elsewhere
            changes = Changes(everything=True)
            self.hub.announce(changes, EXTERNAL)
            self.deskChanged.emit(changes)

    def _failed(self, channel: str, _generation: int, error: object) -> None:
        if channel == _POLL:
            self.failed.emit(str(error))

    def stop(self) -> None:
        self.poll.stop()
        if self.live is not None:
            self.live.stop()


def _counters(store: Store, last: tuple[int, int] | None) -> tuple[int, int]:
    """Read on the worker: `change_seq` only when `data_version` moved (a cheap pragma)."""
    version = store.data_version()
    if last is not None and version == last[0]:
        return last
    return version, store.change_seq()
