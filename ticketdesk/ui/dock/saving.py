"""Saving from the dock: each change is one service call queued on the window's write queue.

A versioned save (`write`) is based on the newest version of the ticket the dock knows, which
its own earlier saves move on (read back in the same job), so two quick saves from one window
never conflict with each other; an open edit sends the version it started from. A refused save
(`ConflictError`) shows the conflict banner and is kept for "Reload and Re-apply", which runs it
again on the version read at that moment. A save still waiting after a second (another program
holds the desk's write lock) shows the wait banner; its Cancel abandons every waiting save of
this dock (drafts keep trying on their own). The control that started a save shows "Saving…"
until the answer. See ticketdesk/ARCHITECTURE.md ("the window never waits").

A save the signed-in role may not make (a viewer's, issue 20) is not sent: the notice says why.
The controls that start one are disabled already (ui/role_gate.py); this stops the rest (a
mail's Retry link in the thread, a canned response's actions).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QWidget

from ticketdesk.domain.errors import ConflictError, NotFoundError, TicketdeskError
from ticketdesk.services import tickets
from ticketdesk.services.changes import Changes
from ticketdesk.services.records import TicketDetail
from ticketdesk.services.session import Session
from ticketdesk.ui.dock.busy import BusyMarks
from ticketdesk.ui.dock.conflict import ConflictBanner, NoticeBanner, WaitBanner
from ticketdesk.ui.dock.context import Action, Done
from ticketdesk.ui.dock.drafts import DraftKeeper
from ticketdesk.ui.hub import ChangeHub
from ticketdesk.ui.write_queue import WriteJob, WriteQueue

Current = Callable[[Session], "int | None"]


class SaveHost(Protocol):
    """What the saver needs of the dock it saves for (a widget of the window)."""

    ticket_id: int | None
    ticket: TicketDetail | None
    hub: ChangeHub
    conflict: ConflictBanner
    notice: NoticeBanner
    wait_banner: WaitBanner
    drafts: DraftKeeper
    writes: WriteQueue

    @property
    def session(self) -> Session: ...

    def refresh(self, changes: Changes | None = None) -> None: ...

    def notify(self, message: str) -> None: ...

    def reshow(self) -> None:
        """Show the ticket's stored values again in controls a refused save had changed."""

    def write_refused(self) -> str | None:
        """Why the signed-in role may not save here, or None."""


@dataclass
class _Retry:
    """A refused write, kept so "Reload and Re-apply" can run it again."""

    action: Action
    what: str
    current: Current | None
    done: Done | None
    discard: Done | None
    draft: str | None
    busy: Sequence[QWidget]


class Saver:
    """Queues the dock's saves and shows their answers in it."""

    def __init__(self, host: SaveHost) -> None:
        self.host = host
        self.busy = BusyMarks()
        self.versions: dict[int, int] = {}
        self._waiting: list[WriteJob] = []
        self._retry: _Retry | None = None

    def forget_retry(self) -> None:
        self._retry = None

    def saw_version(self, ticket: TicketDetail) -> None:
        """The dock read `ticket`: later saves are based on at least its version."""
        self.versions[ticket.id] = max(self.versions.get(ticket.id, 0), ticket.version)

    # -- writing ------------------------------------------------------------------------------

    def write(self, action: Action, what: str, *, version: int | None = None,
              current: Current | None = None, done: Done | None = None,
              discard: Done | None = None, draft: str | None = None,
              busy: Sequence[QWidget] = ()) -> None:
        """Queue one versioned service call. `version` defaults to the newest version of the
        ticket this dock knows (its own queued saves move it on); `current` reads, for a
        re-apply, which version to save on (default: the ticket's). `draft` is the draft kind
        the save makes obsolete."""
        tid = self.host.ticket_id
        if tid is None or self.host.ticket is None or self._refused():
            return
        retry = _Retry(action, what, current, done, discard, draft, busy)
        self._queue(tid, lambda: version if version is not None else self.versions.get(tid),
                    retry)

    def _queue(self, tid: int, based_on: Callable[[], int | None], retry: _Retry) -> None:
        session = self.host.session
        versions = self.versions

        def run() -> Changes:  # on the write queue's thread
            used = based_on()
            if used is None:
                raise NotFoundError(QCoreApplication.translate(
                    "TicketDock", "What you changed no longer exists; nothing was saved."))
            changes = retry.action(used)
            now = tickets.ticket_version(session, tid)
            if now is not None:
                versions[tid] = max(versions.get(tid, 0), now)
            return changes

        release = self.busy.mark(retry.busy)

        def failed(exc: Exception) -> None:
            release()
            if isinstance(exc, ConflictError) and tid == self.host.ticket_id:
                self._retry = retry
                self.host.notice.hide()
                self.host.conflict.show_conflict(exc, retry.what)
                self._reshow()
            elif isinstance(exc, TicketdeskError):
                self.host.notify(str(exc))
                self._reshow()
            else:
                raise exc

        def succeeded(changes: Changes) -> None:
            release()
            if tid == self.host.ticket_id:
                self.host.conflict.hide()
                self._retry = None
            self._succeeded(tid, changes, retry.done, retry.draft)

        self._submit(tid, run, succeeded, failed, release)

    def append(self, action: Callable[[], Changes], *, done: Done | None = None,
               draft: str | None = None, busy: Sequence[QWidget] = ()) -> None:
        """Queue one service call that adds to the ticket (no version: appends never
        conflict)."""
        tid = self.host.ticket_id
        if tid is None or self.host.ticket is None or self._refused():
            return
        release = self.busy.mark(busy)

        def failed(exc: Exception) -> None:
            release()
            if not isinstance(exc, TicketdeskError):
                raise exc
            self.host.notify(str(exc))

        def succeeded(changes: Changes) -> None:
            release()
            self._succeeded(tid, changes, done, draft)

        self._submit(tid, action, succeeded, failed, release)

    def _refused(self) -> bool:
        why = self.host.write_refused()
        if why is not None:
            self.host.notify(why)
        return why is not None

    def _submit(self, tid: int, run: Callable[[], Changes],
                succeeded: Callable[[Changes], None], failed: Callable[[Exception], None],
                release: Callable[[], None]) -> None:
        def cancelled() -> None:
            release()
            self._job_over(job)
            if tid == self.host.ticket_id:
                self.host.notify(QCoreApplication.translate(
                    "TicketDock", "Cancelled: that change was not saved."))
                self._reshow()

        def ok(changes: Any) -> None:
            self._job_over(job)
            succeeded(changes)

        def error(exc: Exception) -> None:
            self._job_over(job)
            failed(exc)

        job = self.host.writes.submit(tid, run, done=ok, error=error, waiting=self._job_waits,
                                 cancelled=cancelled)

    def _job_waits(self, job: WriteJob) -> None:
        self._waiting.append(job)
        self.host.wait_banner.show()

    def _job_over(self, job: WriteJob) -> None:
        if job in self._waiting:
            self._waiting.remove(job)
        if not self._waiting:
            self.host.wait_banner.hide()

    def cancel_waiting(self) -> None:
        """Abandon every save still waiting (the draft writer keeps trying on its own)."""
        for job in [j for j in self.host.writes.pending() if isinstance(j.key, int)]:
            self.host.writes.cancel(job)
        self.host.wait_banner.hide()

    def _reshow(self) -> None:
        """Put the shown values back where a refused or cancelled save had changed a control
        (a status box showing the status that was not saved); typed text stays."""
        if self.host.ticket is not None:
            self.host.reshow()

    def _succeeded(self, tid: int, changes: Changes, done: Done | None,
                   draft: str | None) -> None:
        if draft is not None:
            self.host.drafts.discard(tid, draft)
        if tid == self.host.ticket_id:
            self.host.notice.hide()
            if done is not None:
                done()
            self.host.refresh(changes)
        self.host.hub.announce(changes, self.host)

    def reapply(self) -> None:
        retry, self._retry = self._retry, None
        self.host.conflict.hide()
        tid = self.host.ticket_id
        if retry is None or tid is None or self.host.ticket is None:
            self.host.refresh()
            return
        session = self.host.session
        current = retry.current or (lambda s: tickets.ticket_version(s, tid))
        self._queue(tid, lambda: current(session), retry)

    def discard_mine(self) -> None:
        retry, self._retry = self._retry, None
        self.host.conflict.hide()
        self.host.refresh()
        if retry is not None:
            if retry.draft is not None and self.host.ticket_id is not None:
                self.host.drafts.discard(self.host.ticket_id, retry.draft)
            if retry.discard is not None:
                retry.discard()

