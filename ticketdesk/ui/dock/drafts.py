"""Keeping what the agent types: a debounced writer of drafts.

Decision (see services/drafts.py for the storage side): drafts live in the desk's database, in
the `draft` table keyed by agent, ticket and kind. While the agent types, the text is written at
most once per `DELAY_MS` (the last keystroke plus a second); switching tickets, switching agent
and closing the window write at once. A crash loses at most the last second of typing. Writing
is skipped when the text equals what is already stored, so restoring a draft into its editor
costs nothing. An emptied reply or note box discards its draft; an open field edit keeps its
draft even when empty (erasing a description is a real edit).

Drafts are written through the window's write queue, quietly: the GUI thread never waits for
them, one write is in flight at a time (what is typed meanwhile goes in the next), and a draft
waiting behind another program's write lock neither blocks the window nor piles up retries; if
it fails, the agent is told once and it is tried again `RETRY_MS` later.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal

from ticketdesk.domain.errors import TicketdeskError
from ticketdesk.services import drafts
from ticketdesk.services.drafts import Draft, DraftEdit
from ticketdesk.services.session import Session
from ticketdesk.ui.write_queue import WriteJob, WriteQueue

DELAY_MS = 1000
RETRY_MS = DELAY_MS * 5

Key = tuple[int, str]
Stored = tuple[str, int | None] | None


def _wanted(edit: DraftEdit) -> Stored:
    return None if edit.body is None else (edit.body, edit.base_version)


class DraftKeeper(QObject):
    failed = Signal(str)

    def __init__(self, session: Session, writes: WriteQueue, parent: QObject | None = None,
                 delay_ms: int = DELAY_MS) -> None:
        super().__init__(parent)
        self.session = session
        self.writes = writes
        self._pending: dict[Key, DraftEdit] = {}
        self._stored: dict[Key, Stored] = {}
        self._job: WriteJob | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(delay_ms)
        self._timer.timeout.connect(self.flush)
        self.last_error = ""

    def set_session(self, session: Session) -> None:
        """Write everything as the agent who typed it, then work as `session`."""
        self._timer.stop()
        if self._pending and not self.writes.is_stopped:
            typist, edits = self.session, list(self._pending.values())
            self.writes.submit(("drafts", id(self)), lambda: drafts.save_drafts(typist, edits),
                               error=self._failed)
        self._pending.clear()
        self.session = session
        self._stored.clear()

    def read(self, session: Session, ticket_id: int) -> dict[str, Draft]:
        """The agent's stored drafts on `ticket_id` (called off the GUI thread)."""
        return drafts.drafts_for(session, ticket_id)

    def loaded(self, ticket_id: int, found: dict[str, Draft]) -> dict[str, Draft]:
        """`found` (as `read` returned it) with the text not written yet laid over it."""
        found = dict(found)
        for kind, draft in found.items():
            self._stored.setdefault((ticket_id, kind), (draft.body, draft.base_version))
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
        if self._job is None:
            self._timer.start()

    def discard(self, ticket_id: int, kind: str) -> None:
        """The text was sent or saved: forget its draft now (so it cannot come back)."""
        self.keep(ticket_id, kind, None)
        self.flush()

    def has_pending(self) -> bool:
        return bool(self._pending) or self._job is not None

    def flush(self) -> None:
        """Queue a write of what is pending (one at a time; the rest follows it)."""
        self._timer.stop()
        if self._job is not None or not self._pending or self.writes.is_stopped:
            return
        sent = dict(self._pending)
        edits = [e for k, e in sent.items() if self._stored.get(k) != _wanted(e)]
        if not edits:
            self._written(sent)
            return
        session = self.session
        self._job = self.writes.submit(
            ("drafts", id(self)), lambda: drafts.save_drafts(session, edits),
            done=lambda _r: self._written(sent), error=self._failed,
            cancelled=lambda: self._failed(None))

    def _written(self, sent: dict[Key, DraftEdit]) -> None:
        self._job = None
        for key, edit in sent.items():
            self._stored[key] = _wanted(edit)
            if self._pending.get(key) == edit:
                del self._pending[key]  # typed again meanwhile: the newer text stays pending
        self.last_error = ""
        if self._pending:
            self._timer.start()

    def _failed(self, exc: Exception | None) -> None:
        self._job = None
        if exc is not None and isinstance(exc, TicketdeskError) and not self._pending:
            self.last_error = str(exc)  # another agent's text: nothing here to retry with
            self.failed.emit(self.last_error)
            return
        if exc is not None and not isinstance(exc, TicketdeskError):
            raise exc
        message = str(exc) if exc is not None else ""
        if message and message != self.last_error:
            self.last_error = message
            self.failed.emit(message)  # said once, not on every retry
        self._timer.start(RETRY_MS)
