"""Saves off the GUI thread, in order: a window's write queue.

Why: a save waits for the desk's write lock. Another process holding it (an import from the
command line, a second window, a backup) made the window freeze for up to the 10 s busy timeout
when saves ran on the GUI thread. Here every save is a job, one service call returning
`Changes`, run on the queue's own thread with its own connection; the answer comes back on the
GUI thread through the callbacks given to `submit`.

Order: one thread runs the jobs one after another, in the order they were submitted, so two
saves on one ticket from one window never race (the second is sent after the first is stored).

Waiting: a job not finished after `WAIT_MS` calls its `waiting` callback once, so its owner can
say "Waiting for another program using this desk…" and offer Cancel. `cancel` drops a job that
has not started; a job waiting for the lock gives up (SQLite: the connection's busy handler
stops waiting; PostgreSQL: the server cancels the statement) and its transaction rolls back,
so nothing half-written stays. A job already past the lock finishes and reports success:
what is saved is said to be saved. See ticketdesk/ARCHITECTURE.md ("the window never waits").
"""

from __future__ import annotations

import itertools
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QEventLoop, QObject, QThread, QTimer, Signal

from ticketdesk.db.sqlite_backend import BUSY_SECONDS
from ticketdesk.db.store import Store

WAIT_MS = 1000
"""How long a save may take before its owner says what it waits for."""
BUSY_STEP_S = 0.02
"""How often a job waiting for SQLite's write lock tries again (and checks for Cancel)."""

_ids = itertools.count(1)


@dataclass(eq=False)
class WriteJob:
    """One save. Callbacks run on the GUI thread; exactly one of `done`, `error`, `cancelled`
    runs, once."""

    key: object
    fn: Callable[[], Any]
    done: Callable[[Any], None] | None = None
    error: Callable[[Exception], None] | None = None
    waiting: Callable[[WriteJob], None] | None = None
    cancelled: Callable[[], None] | None = None
    id: int = field(default_factory=lambda: next(_ids))
    finished: bool = False
    _cancel: threading.Event = field(default_factory=threading.Event)
    started_at: float = 0.0

    @property
    def cancel_requested(self) -> bool:
        return self._cancel.is_set()


class _Thread(QThread):
    def __init__(self, owner: WriteQueue) -> None:
        super().__init__()
        self.owner = owner

    def run(self) -> None:
        self.owner._loop()


class WriteQueue(QObject):
    """Runs save jobs in submission order on one background thread."""

    _answered = Signal(object, bool, object)  # job, ok, result or exception
    idle = Signal()

    def __init__(self, store: Store, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self._jobs: queue.Queue[WriteJob | None] = queue.Queue()
        self._open: list[WriteJob] = []  # submitted, not answered yet (GUI thread only)
        self._lock = threading.Lock()
        self._running: WriteJob | None = None
        self._connection: Any = None
        self._hooked: Any = None
        self._stopped = False
        self._answered.connect(self._answer)
        self._thread = _Thread(self)
        self._thread.start()

    # -- GUI thread ---------------------------------------------------------------------------

    def submit(self, key: object, fn: Callable[[], Any], *,
               done: Callable[[Any], None] | None = None,
               error: Callable[[Exception], None] | None = None,
               waiting: Callable[[WriteJob], None] | None = None,
               cancelled: Callable[[], None] | None = None) -> WriteJob:
        """Queue `fn` (a service call) to run after every job submitted before it."""
        job = WriteJob(key, fn, done, error, waiting, cancelled)
        if self._stopped:
            raise RuntimeError("the write queue is stopped")
        self._open.append(job)
        if waiting is not None:
            QTimer.singleShot(WAIT_MS, self, lambda: self._check_waiting(job))
        self._jobs.put(job)
        return job

    def pending(self, key: object = None) -> list[WriteJob]:
        """Jobs not answered yet (for `key`, or all)."""
        return [j for j in self._open if key is None or j.key == key]

    def is_idle(self) -> bool:
        return not self._open

    @property
    def is_stopped(self) -> bool:
        return self._stopped

    def cancel(self, job: WriteJob) -> None:
        """Abandon `job`: dropped if it has not started; given up if it waits for the lock."""
        if job.finished:
            return
        with self._lock:  # the thread checks the flag under this lock before it starts a job
            job._cancel.set()
            running = self._running is job
            connection = self._connection
        if not running:
            self._answer(job, False, None)  # it will never run: say so now
        elif connection is not None and not self.store.is_sqlite:
            self.store.interrupt(connection)  # SQLite: the busy handler sees the flag

    def wait_idle(self, timeout_ms: int) -> bool:
        """Let the event loop run until every job is answered (closing the window); False
        if `timeout_ms` passed first. The window keeps painting meanwhile."""
        if self.is_idle():
            return True
        loop = QEventLoop()
        self.idle.connect(loop.quit)
        QTimer.singleShot(timeout_ms, loop.quit)
        loop.exec()
        self.idle.disconnect(loop.quit)
        return self.is_idle()

    def stop(self) -> None:
        """Abandon what waits, finish the thread and close its connection (before exit)."""
        if self._stopped:
            return
        self._stopped = True
        for job in list(self._open):
            self.cancel(job)
        self._jobs.put(None)
        self._thread.wait()

    def _check_waiting(self, job: WriteJob) -> None:
        if not job.finished and not job.cancel_requested and job.waiting is not None:
            job.waiting(job)

    def _answer(self, job: WriteJob, ok: bool, value: object) -> None:
        if job.finished:
            return
        job.finished = True
        if job in self._open:
            self._open.remove(job)
        if ok:
            if job.done is not None:
                job.done(value)
        elif job.cancel_requested:
            if job.cancelled is not None:
                job.cancelled()
        elif job.error is not None:
            job.error(value if isinstance(value, Exception) else RuntimeError(str(value)))
        if not self._open:
            self.idle.emit()

    # -- the queue's thread -------------------------------------------------------------------

    def _busy(self, _count: int) -> bool:
        """SQLite's busy handler on this thread's connection: keep waiting for the write lock
        in small steps, as the busy timeout would, but give up at once on Cancel."""
        job = self._running
        if job is None or job.cancel_requested:
            return False
        if time.monotonic() - job.started_at >= BUSY_SECONDS:
            return False
        time.sleep(BUSY_STEP_S)
        return True

    def _loop(self) -> None:
        try:
            while True:
                job = self._jobs.get()
                if job is None:
                    return
                with self._lock:
                    if job.cancel_requested:
                        continue  # answered by `cancel`
                    self._running = job
                job.started_at = time.monotonic()
                try:
                    connection = self.store.thread_connection()
                    if self.store.is_sqlite and connection is not self._hooked:
                        connection.setbusyhandler(self._busy)
                        self._hooked = connection
                    with self._lock:
                        self._connection = connection
                    result = job.fn()
                except Exception as exc:  # reported to the owner, never lost
                    self._answered.emit(job, False, exc)
                else:
                    self._answered.emit(job, True, result)
                finally:
                    with self._lock:
                        self._running = None
        finally:
            with self._lock:
                self._connection = None
            self.store.close_thread()
