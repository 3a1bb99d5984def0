"""Keeping what the agent types: a debounced writer of drafts.

Decision (see services/drafts.py for the storage side): drafts live in the desk's database, in
the `draft` table keyed by agent, ticket and kind. While the agent types, the text is written at
most once per `DELAY_MS` (the last keystroke plus a second); switching tickets, switching agent
and closing the window write at once. A crash loses at most the last second of typing. Writing
is skipped when the text equals what is already stored, so restoring a draft into its editor
costs nothing. An emptied reply or note box discards its draft; an open field edit keeps its
draft even when empty (erasing a description is a real edit).
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal

from ticketdesk.domain.errors import TicketdeskError
from ticketdesk.services import drafts
from ticketdesk.services.drafts import Draft, DraftEdit
from ticketdesk.services.session import Session

DELAY_MS = 1000

Key = tuple[int, str]


class DraftKeeper(QObject):
    failed = Signal(str)

    def __init__(self, session: Session, parent: QObject | None = None,
                 delay_ms: int = DELAY_MS) -> None:
        super().__init__(parent)
        self.session = session
        self._pending: dict[Key, DraftEdit] = {}
        self._stored: dict[Key, tuple[str, int | None]] = {}
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(delay_ms)
        self._timer.timeout.connect(self.flush)
        self.last_error = ""

    def set_session(self, session: Session) -> bool:
        """Write everything as the agent who typed it, then work as `session`."""
        ok = self.flush()
        self.session = session
        self._stored.clear()
        return ok

    def load(self, ticket_id: int) -> dict[str, Draft]:
        """The agent's drafts on `ticket_id`, including text not written yet."""
        found = drafts.drafts_for(self.session, ticket_id)
        for kind, draft in found.items():
            self._stored[(ticket_id, kind)] = (draft.body, draft.base_version)
        for (tid, kind), edit in self._pending.items():
            if tid != ticket_id:
                continue
            if edit.body is None:
                found.pop(kind, None)
            else:
                found[kind] = Draft(tid, kind, edit.body, edit.base_version, self.session.now())
        return found

    def keep(self, ticket_id: int, kind: str, body: str | None,
             base_version: int | None = None) -> None:
        """Remember `body` (None: no draft) to be written soon."""
        key = (ticket_id, kind)
        wanted = None if body is None else (body, base_version)
        if self._stored.get(key) == wanted and key not in self._pending:
            return
        self._pending[key] = DraftEdit(ticket_id, kind, body, base_version)
        self._timer.start()

    def discard(self, ticket_id: int, kind: str) -> None:
        """The text was sent or saved: forget its draft now (so it cannot come back)."""
        self.keep(ticket_id, kind, None)
        self.flush()

    def has_pending(self) -> bool:
        return bool(self._pending)

    def flush(self) -> bool:
        """Write what is pending; on failure keep it for the next try and say why."""
        self._timer.stop()
        if not self._pending:
            return True
        edits = [e for k, e in self._pending.items()
                 if self._stored.get(k) != (None if e.body is None else (e.body, e.base_version))]
        try:
            drafts.save_drafts(self.session, edits)
        except TicketdeskError as exc:
            self.last_error = str(exc)
            self.failed.emit(self.last_error)
            self._timer.start(DELAY_MS * 5)
            return False
        for key, edit in self._pending.items():
            if edit.body is None:
                self._stored.pop(key, None)
            else:
                self._stored[key] = (edit.body, edit.base_version)
        self._pending.clear()
        self.last_error = ""
        return True
