"""Long jobs (demo data, exports, backups) on a thread of their own, behind a progress dialog
with Cancel. The job gets a `progress(done, total, phase)` callback that returns False once the
user cancelled; the job stops and leaves nothing half-written (each service guarantees that)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt, QThread, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from ticketdesk.db.store import Store
from ticketdesk.domain.progress import Progress
from ticketdesk.ui.text import plain_label

Job = Callable[[Progress], Any]
"""A long job: called with the `Progress` callback the dialog follows (False once cancelled)."""


class TaskThread(QThread):
    """Runs `job(progress)` once on its own thread (and connection, closed at the end)."""

    progressed = Signal(int, int, str)
    succeeded = Signal(object)
    failed = Signal(object)

    def __init__(self, store: Store, job: Job) -> None:
        super().__init__()
        self.store = store
        self.job = job
        self.cancelled = threading.Event()

    def _progress(self, done: int, total: int, phase: str = "") -> bool:
        self.progressed.emit(done, total, phase)
        return not self.cancelled.is_set()

    def run(self) -> None:
        """The job, then its connection closed, then the answer: the GUI thread waits for this
        thread to end when the answer comes (`Task._finish`), so nothing that may talk to the
        server (closing a connection to a team desk) is left to do after it."""
        answer: tuple[Any, object]
        try:
            answer = (self.succeeded, self.job(self._progress))
        except Exception as exc:  # handed to the GUI thread, shown to the user
            answer = (self.failed, exc)
        finally:
            self.store.close_thread()
        signal, value = answer
        signal.emit(value)


class Task(QObject):
    """Runs `job` with a modal progress dialog; emits `done(result)` or `failed(error)`."""

    done = Signal(object)
    failed = Signal(object)

    def __init__(self, store: Store, job: Job, title: str, parent: QWidget) -> None:
        super().__init__(parent)
        self.dialog = QProgressDialog(title, self.tr("Cancel"), 0, 0, parent)
        self.dialog.setObjectName("taskProgress")
        # Titles and phases name files and desks ("Importing tickets from <b>.csv…"): shown
        # literally, never guessed to be rich text.
        self.dialog.setLabel(plain_label(title))
        self.dialog.setWindowModality(Qt.WindowModality.WindowModal)
        self.dialog.setMinimumDuration(300)
        self.dialog.setAutoClose(False)
        self.dialog.setAutoReset(False)
        self._worker = TaskThread(store, job)
        self._worker.progressed.connect(self._progressed, Qt.ConnectionType.QueuedConnection)
        self._worker.succeeded.connect(self._succeeded, Qt.ConnectionType.QueuedConnection)
        self._worker.failed.connect(self._failed, Qt.ConnectionType.QueuedConnection)
        self.dialog.canceled.connect(self.cancel)

    def start(self) -> None:
        self._worker.start()

    def cancel(self) -> None:
        self._worker.cancelled.set()
        self.dialog.setLabelText(self.tr("Cancelling…"))

    def wait(self) -> None:
        self._worker.wait()

    def _progressed(self, done: int, total: int, phase: str) -> None:
        if self._worker.cancelled.is_set():
            return
        self.dialog.setMaximum(max(total, 1))
        self.dialog.setValue(min(done, max(total, 1)))
        if phase:
            self.dialog.setLabelText(phase)

    def _finish(self) -> None:
        self._worker.wait()
        self.dialog.reset()
        self.dialog.close()

    def _succeeded(self, result: object) -> None:
        self._finish()
        self.done.emit(result)

    def _failed(self, error: object) -> None:
        self._finish()
        self.failed.emit(error)
