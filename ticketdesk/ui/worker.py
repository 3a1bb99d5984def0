"""Off the GUI thread: every database call the window makes (ticketdesk/ARCHITECTURE.md).

One `QueryRunner` owns one thread with its own database connection. Jobs are tagged with a
channel ("snapshot", "count"...) and a generation; submitting a newer generation on a channel
drops older queued jobs of that channel and interrupts the one running, so an answer for an old
filter never arrives and never delays the new one (DB Browser's RowLoader does the same with a
token and sqlite3_interrupt). Jobs submitted with `submit_each` (pages of rows, the agent's name)
are never superseded: each one's answer arrives, in order.

The window keeps two runners: one for the slow answers (id snapshots, counts) and one for the
quick ones a user waits on (a first page, rows to paint, a lookup), so a quick read never queues
behind a second-long snapshot.
"""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal

from ticketdesk.db.store import Store

RETRIES = 3
"""A current job interrupted by a cancel aimed at the job before it is run again this often."""


@dataclass
class _Job:
    channel: str
    generation: int
    fn: Callable[[], Any]
    keep: bool = False
    """Delivered whatever is submitted after it (until the runner stops)."""


class _Thread(QThread):
    def __init__(self, runner: QueryRunner) -> None:
        super().__init__()
        self.runner = runner

    def run(self) -> None:
        self.runner._loop()


class QueryRunner(QObject):
    """Runs callables in order on a background thread; results come back as signals on the
    thread that created the runner (the GUI thread)."""

    finished = Signal(str, int, object)  # channel, generation, result
    failed = Signal(str, int, object)  # channel, generation, exception

    def __init__(self, store: Store, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self._jobs: queue.Queue[_Job | None] = queue.Queue()
        self._latest: dict[str, int] = {}
        self._lock = threading.Lock()
        self._running: _Job | None = None
        self._connection: Any = None
        self._stopped = False
        self._thread = _Thread(self)
        self._thread.start()
        # An owner deleted without calling stop() (a dialog left open when its window closes)
        # must not leave the thread running: Qt aborts the program when a running QThread is
        # destroyed. stop() touches only Python objects and the thread, never this QObject.
        self.destroyed.connect(lambda *_: self._owner_gone())

    def submit(self, channel: str, generation: int, fn: Callable[[], Any]) -> None:
        with self._lock:
            self._latest[channel] = max(generation, self._latest.get(channel, -1))
            running = self._running
            if running is not None and running.channel == channel and \
                    running.generation < generation and self._connection is not None:
                self.store.interrupt(self._connection)
        self._jobs.put(_Job(channel, generation, fn))

    def submit_each(self, channel: str, fn: Callable[[], Any]) -> None:
        """Run `fn` after what is queued; its answer arrives even if more follow on `channel`
        (the caller tells answers apart by what `fn` returns)."""
        self._jobs.put(_Job(channel, 0, fn, keep=True))

    def is_current(self, channel: str, generation: int) -> bool:
        with self._lock:
            return self._latest.get(channel, -1) == generation

    def _wanted(self, job: _Job) -> bool:
        if job.keep:
            with self._lock:
                return not self._stopped
        return self.is_current(job.channel, job.generation)

    def _loop(self) -> None:
        try:
            while True:
                job = self._jobs.get()
                if job is None:
                    return
                if not self._wanted(job):
                    continue
                with self._lock:
                    self._running = job
                try:
                    # Asked per job: after a lost server the thread has a new connection, and
                    # failing to get one is reported like any other failure of the job.
                    connection = self.store.thread_connection()
                    with self._lock:
                        self._connection = connection
                    result = self._run(job)
                except Exception as exc:  # reported to the GUI, never lost
                    if self._wanted(job):
                        self.failed.emit(job.channel, job.generation, exc)
                else:
                    if self._wanted(job):
                        self.finished.emit(job.channel, job.generation, result)
                finally:
                    with self._lock:
                        self._running = None
        finally:
            with self._lock:
                self._connection = None
            self.store.close_thread()

    def _run(self, job: _Job) -> Any:
        """`job.fn()`, run again if an interruption meant for the job before it hit it: a
        cancel reaches the server (or SQLite) a moment after it is asked for, and when the old
        query has just finished it stops the next one on the same connection instead (on
        PostgreSQL, where the cancel is sent from a thread of its own, a page then never came
        and the list waited for the next change to fill)."""
        for attempt in range(RETRIES + 1):
            try:
                return job.fn()
            except Exception as exc:
                if attempt == RETRIES or not self._wanted(job) \
                        or not self.store.was_interrupted(exc):
                    raise
        raise AssertionError("unreachable")

    def _owner_gone(self) -> None:
        with contextlib.suppress(RuntimeError):  # the thread's own QThread may be gone too
            if self._thread.isRunning():
                self.stop()

    def stop(self) -> None:
        """Interrupt what runs, finish the thread and close its connection (call before exit)."""
        with self._lock:
            self._stopped = True
            for channel in self._latest:
                self._latest[channel] += 1
            if self._running is not None and self._connection is not None:
                self.store.interrupt(self._connection)
        self._jobs.put(None)
        self._thread.wait()
