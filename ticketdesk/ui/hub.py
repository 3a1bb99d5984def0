"""One place that announces what changed (Anki's `operation_did_execute`).

A view that performs an operation passes itself as `initiator`; every view gets the `Changes`
once and decides whether to refresh, skipping work for a change it made and already shows.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from ticketdesk.services.changes import Changes


class ChangeHub(QObject):
    changed = Signal(object, object)  # Changes, initiator (or None)

    def announce(self, changes: Changes, initiator: object | None = None) -> None:
        if not changes.nothing:
            self.changed.emit(changes, initiator)
