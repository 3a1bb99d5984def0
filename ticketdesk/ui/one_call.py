"""One call off the GUI thread, for a dialog that reads or tests something once (the mail
settings, an agent's signature): `OneCall(fn, store)` runs `fn` on its own thread and answers
`answered(ok, result or exception)` on the GUI thread. A desk read binds a connection of the
thread's own and closes it before the thread ends (ticketdesk/ARCHITECTURE.md, "Threading")."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QThread, Signal

from ticketdesk.db.store import Store


class OneCall(QThread):
    answered = Signal(bool, object)  # ok, result or exception

    def __init__(self, fn: Callable[[], Any], store: Store | None = None) -> None:
        super().__init__()
        self.fn = fn
        self.store = store

    def run(self) -> None:
        try:
            if self.store is not None:
                self.store._bind()
            result = self.fn()
        except Exception as exc:
            self.answered.emit(False, exc)
        else:
            self.answered.emit(True, result)
        finally:
            if self.store is not None:
                self.store.close_thread()
