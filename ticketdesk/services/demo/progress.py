"""Progress reports and cancellation for a long generation.

The caller's `progress(done, total, phase)` is called at least every `INTERVAL` seconds, from the
thread that called `generate`, including while SQLite builds an index (through SQLite's progress
handler) and while the last commit is written to disk (the commit runs in a helper thread and
this one keeps reporting). Returning False cancels; `Cancelled` is raised and everything written
so far is rolled back. Once the commit has started it can no longer be cancelled, and the phase
text says so.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TypeVar

from ticketdesk.domain.progress import Cancelled, Progress

INTERVAL = 0.1
T = TypeVar("T")


def cancelled() -> Cancelled:
    """The user cancelled the demo generation; the desk was left as it was."""
    return Cancelled("Demo data generation was cancelled; nothing was written.")


class Reporter:
    """Reports a generation's progress to the caller's `Progress` callback, at most every
    `INTERVAL` seconds, and raises `Cancelled` when it answers False."""

    def __init__(self, callback: Progress | None, total: int) -> None:
        self._callback = callback
        self.total = max(total, 1)
        self.done = 0
        self.phase = ""
        self._last = 0.0
        self.cancelled = False

    def update(self, done: int, phase: str | None = None, *, force: bool = False) -> None:
        """Record progress and tell the caller if it is time; raises Cancelled if asked to."""
        self.done = min(max(done, self.done), self.total)
        changed = phase is not None and phase != self.phase
        if phase is not None:
            self.phase = phase
        now = time.monotonic()
        if self._callback is None or not (force or changed or now - self._last >= INTERVAL):
            return
        self._last = now
        if self._callback(self.done, self.total, self.phase) is False:
            self.cancelled = True
            raise cancelled()

    def tick(self) -> None:
        self.update(self.done)

    def should_interrupt(self) -> bool:
        """For SQLite's progress handler: report, and True if the user cancelled."""
        try:
            self.tick()
        except Cancelled:
            return True
        return False

    def cancellable(self, work: Callable[[], T], cancel: Callable[[], object]) -> T:
        """Run one long statement in a helper thread while reporting from this one; if the user
        cancels, `cancel()` (thread-safe: a server-side cancel request) stops it and Cancelled
        is raised once it has."""
        result: list[T] = []
        failure: list[BaseException] = []

        def run() -> None:
            try:
                result.append(work())
            except BaseException as exc:  # handed to the calling thread
                failure.append(exc)

        helper = threading.Thread(target=run, name="ticketdesk-demo-statement", daemon=True)
        helper.start()
        while helper.is_alive():
            helper.join(INTERVAL)
            if helper.is_alive() and not self.cancelled:
                try:
                    self.tick()
                except Cancelled:
                    cancel()
        if self.cancelled:
            raise cancelled()
        if failure:
            raise failure[0]
        return result[0]

    def uncancellable(self, work: Callable[[], T], phase: str) -> T:
        """Run `work` (a commit, a checkpoint) in a helper thread while reporting from this one.
        Cancelling is no longer possible; a False answer is ignored."""
        result: list[T] = []
        failure: list[BaseException] = []

        def run() -> None:
            try:
                result.append(work())
            except BaseException as exc:  # handed to the calling thread
                failure.append(exc)

        helper = threading.Thread(target=run, name="ticketdesk-demo-commit", daemon=True)
        helper.start()
        self.phase = phase
        while helper.is_alive():
            if self._callback is not None:
                self._callback(self.done, self.total, phase)
            helper.join(INTERVAL)
        if failure:
            raise failure[0]
        return result[0]
